"""Resolutions and the work they give: targets, tasks, votes, versions, dissemination, progress."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chibo.lib.changes import NotifiesChanges
from members.models import MassOrganisation, Member, Organisation, today
from resolutions.rules import LEAD_IS_FOLLOWER, DocumentType, Measure, goal_error, same_lead_and_follower


class ResolutionQuerySet(NotifiesChanges):
    """The resolutions; their bulk writes renew the cache tokens (``members.versions``)."""


# Organisations that issue resolutions: the cells, and the committees above them.
ISSUERS = (Organisation.Kind.CELL, Organisation.Kind.WARD, Organisation.Kind.PROVINCE)


class Resolution(models.Model):
    """A resolution of a cell, or a document of a committee above the cells (a resolution, plan, conclusion or
    directive of the ward's party committee) that the cells under it carry out."""

    DocumentType = DocumentType

    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")
        YEARLY = "yearly", _("Yearly")
        TERM = "term", _("Term")
        THEMATIC = "thematic", _("Thematic")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted to the meeting")
        ADOPTED = "adopted", _("Adopted")
        IN_PROGRESS = "in_progress", _("Being implemented")
        COMPLETED = "completed", _("Completed")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    EDITABLE = (Status.DRAFT, Status.SUBMITTED)
    AMENDABLE = (Status.ADOPTED, Status.IN_PROGRESS)
    LIVE = (Status.ADOPTED, Status.IN_PROGRESS)
    # Adopted once: the resolution has work whose outcome can be judged ("Was it carried out?").
    CARRIED_OUT = (Status.ADOPTED, Status.IN_PROGRESS, Status.COMPLETED)

    # The issuing organisation: a cell, or a committee above the cells (its documents are carried into the cells).
    cell = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="resolutions",
        limit_choices_to={"kind__in": ISSUERS},
        verbose_name=_("issued by"),
    )
    document_type = models.CharField(
        _("document"), max_length=2, choices=DocumentType.choices, default=DocumentType.RESOLUTION
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.MONTHLY)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    year = models.PositiveSmallIntegerField(editable=False)
    seq = models.PositiveIntegerField(editable=False)
    number = models.CharField(_("number"), max_length=30, help_text=_('For example "05-NQ/CB".'))
    title = models.CharField(_("subject"), max_length=300)
    assessment = models.TextField(_("assessment of the last period"), blank=True)
    focal_tasks = models.TextField(_("focal tasks"), blank=True)
    solutions = models.TextField(_("solutions"), blank=True)
    implementation = models.TextField(_("organisation of implementation"), blank=True)
    # A committee's document: the cells it is addressed to (none chosen: every cell under the committee) and the
    # day by which each must have made it concrete in a resolution of its own (cụ thể hóa).
    addressed_cells: models.ManyToManyField[Organisation, Any] = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="addressed_documents",
        limit_choices_to={"kind": Organisation.Kind.CELL},
        verbose_name=_("addressed to the cells"),
        help_text=_("Leave empty to address every cell under the committee."),
    )
    concretise_by = models.DateField(
        _("cells make it concrete by"),
        null=True,
        blank=True,
        help_text=_("The day by which each cell must have adopted its own resolution carrying it out."),
    )
    upper_resolutions = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="carried_out_by",
        verbose_name=_("upper-level resolutions carried out"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=1)
    # Bumped on every save of the text or tasks: two people editing one draft cannot overwrite each other.
    lock_version = models.PositiveIntegerField(default=0)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    previous = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("previous period")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["lock_version"], m2m_fields=[upper_resolutions, addressed_cells])
    objects = ResolutionQuerySet.as_manager()

    class Meta:
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        ordering = ["-period_start", "-seq"]
        constraints = [
            models.UniqueConstraint(fields=["cell", "year", "number"], name="resolution_unique_number"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="resolution_period"),
        ]
        indexes = [
            models.Index(fields=["cell", "status", "period_start"]),
            # Covers the dashboards' joins from tasks to the resolutions in force (an index-only scan instead of
            # reading the wide rows with their text sections).
            models.Index(fields=["status", "cell", "id"], name="resolution_status_cell"),
        ]

    def __str__(self) -> str:
        return f"{self.number} – {self.title}"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def is_amendable(self) -> bool:
        return self.status in self.AMENDABLE

    @property
    def was_adopted(self) -> bool:
        return self.status in self.CARRIED_OUT

    @property
    def is_upper(self) -> bool:
        """A committee's document, carried out by the cells under it."""
        return not self.cell.is_cell

    def period_label(self) -> str:
        if self.kind == self.Kind.MONTHLY:
            return _("month %(month)02d/%(year)d") % {"month": self.period_start.month, "year": self.period_start.year}
        if self.kind == self.Kind.QUARTERLY:
            quarter = (self.period_start.month - 1) // 3 + 1
            return _("quarter %(quarter)s/%(year)d") % {"quarter": quarter, "year": self.period_start.year}
        if self.kind == self.Kind.YEARLY:
            return _("year %(year)d") % {"year": self.period_start.year}
        return f"{self.period_start:%d/%m/%Y} – {self.period_end:%d/%m/%Y}"


class Target(models.Model):
    """A measurable target (chỉ tiêu): "100% hộ gia đình ký cam kết", "thu quỹ đạt 90%"."""

    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="targets")
    name = models.CharField(_("target"), max_length=300)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    target_value = models.DecimalField(_("target value"), max_digits=14, decimal_places=2)
    actual_value = models.DecimalField(_("actual value"), max_digits=14, decimal_places=2, null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    objects = NotifiesChanges["Target"].as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def achieved_percent(self) -> Decimal | None:
        if self.actual_value is None or not self.target_value:
            return None
        return (self.actual_value / self.target_value * 100).quantize(Decimal("1"))


class CellTarget(models.Model):
    """A target a committee's document sets each cell it is addressed to ("Cấp trên giao"): "mỗi chi bộ vận
    động ít nhất 5 hộ…", "100% chi bộ sinh hoạt chuyên đề". A cell takes it into a task of its own resolution;
    the task's reported figure is the cell's figure (``rules.cell_figure``)."""

    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="cell_targets")
    name = models.CharField(_("target for each cell"), max_length=300)
    measure = models.CharField(_("measure"), max_length=8, choices=Measure.choices, default=Measure.NUMBER)
    goal = models.DecimalField(
        _("goal for each cell"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_("A number, a percentage, or 1 for a yes/no target."),
    )
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    deadline = models.DateField(_("deadline"))
    order = models.PositiveSmallIntegerField(default=0)
    objects = NotifiesChanges["CellTarget"].as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target for the cells")
        verbose_name_plural = _("targets for the cells")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(measure="percent") | Q(goal__lte=100), name="cell_target_percent_at_most_100"
            ),
            models.CheckConstraint(condition=~Q(measure="yes_no") | Q(goal=1), name="cell_target_yes_no_goal"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.goal is not None and (error := goal_error(self.measure, self.goal)):
            raise ValidationError({"goal": error})


class TaskQuerySet(NotifiesChanges):
    def open(self) -> TaskQuerySet:
        return self.filter(status__in=Task.OPEN)

    def overdue(self, on: dt.date | None = None) -> TaskQuerySet:
        return self.open().filter(deadline__lt=on or today())

    def live(self) -> TaskQuerySet:
        """Tasks of resolutions that are in force."""
        return self.filter(resolution__status__in=Resolution.LIVE)

    def in_force(self) -> TaskQuerySet:
        """The tasks a cell's figures count: those of its resolutions in force, cancelled ones left out. The
        dashboard's cell row and the cell's task list both count these, so their figures agree."""
        return self.live().exclude(status=Task.Status.CANCELLED)

    def with_pending_report(self) -> TaskQuerySet:
        """Annotates ``has_pending_report``: a report waits for confirmation ("chờ xác nhận"); until it is
        confirmed the task's status and percent are those of its latest confirmed report."""
        pending = ProgressUpdate.objects.filter(task=OuterRef("pk"), review=ProgressUpdate.Review.PENDING)
        return self.annotate(has_pending_report=Exists(pending))

    def of_member(self, member_id: int) -> TaskQuerySet:
        """Tasks the member leads or supports: one subquery, the union of two index lookups, rather than an OR
        across the supporters' join, which makes the database read every task (and need DISTINCT)."""
        supported = Task.supporters.through.objects.filter(member_id=member_id).order_by().values_list("task_id")
        led = Task.objects.filter(lead_member_id=member_id).order_by().values_list("pk")
        return self.filter(pk__in=led.union(supported))


class Task(models.Model):
    class LeadKind(models.TextChoices):
        MEMBER = "member", _("A member")
        COMMITTEE = "committee", _("The cell committee")
        MASS_ORGANISATION = "mass_org", _("A mass organisation")

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        NOT_MET = "not_met", _("Not met")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN = (Status.NOT_STARTED, Status.IN_PROGRESS)

    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=300)
    details = models.TextField(_("details"), blank=True)
    is_focal = models.BooleanField(_("focal task"), default=False)
    deadline = models.DateField(_("deadline"))
    weight = models.PositiveSmallIntegerField(
        _("weight"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    lead_kind = models.CharField(_("led by"), max_length=16, choices=LeadKind.choices, default=LeadKind.MEMBER)
    lead_member = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="led_tasks", verbose_name=_("lead")
    )
    lead_mass_organisation = models.ForeignKey(
        MassOrganisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("lead organisation"),
    )
    supporters = models.ManyToManyField(Member, blank=True, related_name="supported_tasks", verbose_name=_("support"))
    follower = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followed_tasks",
        verbose_name=_("followed by"),
        help_text=_("The committee member who follows the task."),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NOT_STARTED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0, validators=[MaxValueValidator(100)])
    # The day the task was closed: done, or judged not met.
    completed_on = models.DateField(_("closed on"), null=True, blank=True)
    carried_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("carried over from")
    )
    # The committee's target this task carries in the cell, and the figure its confirmed reports give.
    cell_target = models.ForeignKey(
        CellTarget,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("carries the upper-level target"),
    )
    figure = models.DecimalField(_("figure reached"), max_digits=12, decimal_places=2, null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords(m2m_fields=[supporters])

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["order", "pk"]
        indexes = [models.Index(fields=["status", "deadline"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(lead_kind="member") | Q(lead_member__isnull=False), name="task_member_lead"
            ),
            models.CheckConstraint(
                condition=~Q(lead_kind="mass_org") | Q(lead_mass_organisation__isnull=False),
                name="task_mass_organisation_lead",
            ),
            # Lead and follower differ (``rules.same_lead_and_follower``), whatever path writes the task.
            models.CheckConstraint(
                condition=Q(lead_member__isnull=True) | Q(follower__isnull=True) | ~Q(follower=F("lead_member")),
                name="task_lead_is_not_follower",
                violation_error_message=LEAD_IS_FOLLOWER,
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        lead = self.lead_member_id if self.lead_kind == self.LeadKind.MEMBER else None
        if same_lead_and_follower(lead_member_id=lead, follower_id=self.follower_id):
            raise ValidationError({"follower": LEAD_IS_FOLLOWER})

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def is_overdue(self, on: dt.date | None = None) -> bool:
        return self.is_open and self.deadline < (on or today())

    def days_late(self, on: dt.date | None = None) -> int:
        """Days past the deadline: for a done task until it was done, for an open one until ``on``.

        A task judged "not met" or cancelled is closed without being done: lateness no longer applies."""
        if self.status in (self.Status.CANCELLED, self.Status.NOT_MET):
            return 0
        if self.status == self.Status.DONE:
            return max(0, (self.completed_on - self.deadline).days) if self.completed_on else 0
        return max(0, ((on or today()) - self.deadline).days)

    def lead_label(self) -> str:
        if self.lead_kind == self.LeadKind.MEMBER and self.lead_member is not None:
            return self.lead_member.full_name
        if self.lead_kind == self.LeadKind.MASS_ORGANISATION and self.lead_mass_organisation is not None:
            return self.lead_mass_organisation.name
        return str(self.LeadKind.COMMITTEE.label)


def evidence_path(instance: ProgressUpdate, filename: str) -> str:
    """Random names in a private folder: the original name is kept in the row, never in the path."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"evidence/{today():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class ProgressUpdate(models.Model):
    """A member's report on a task; the secretary confirms it or sends it back."""

    class Review(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        CONFIRMED = "confirmed", _("Confirmed")
        SENT_BACK = "sent_back", _("Sent back")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="progress_updates")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(_("status"), max_length=16, choices=Task.Status.choices)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), validators=[MaxValueValidator(100)])
    note = models.TextField(_("note"), blank=True)
    figure = models.DecimalField(
        _("figure reached"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("For a task that carries an upper-level target: the figure reached so far."),
    )
    evidence = models.FileField(_("evidence"), upload_to=evidence_path, blank=True)
    evidence_name = models.CharField(max_length=200, blank=True)
    review = models.CharField(_("review"), max_length=16, choices=Review.choices, default=Review.PENDING)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=500, blank=True)
    objects = NotifiesChanges["ProgressUpdate"].as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.task} – {self.progress}%"


class Version(models.Model):
    """A snapshot of an adopted resolution's text, targets and tasks; an amendment adds the next one."""

    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField()
    reason = models.TextField(_("reason for the amendment"), blank=True)
    opinion = models.ForeignKey(
        "PublicOpinion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="versions",
        verbose_name=_("public opinion that prompted it"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    objects = NotifiesChanges["Version"].as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        ordering = ["resolution", "number"]
        constraints = [models.UniqueConstraint(fields=["resolution", "number"], name="version_unique_number")]

    def __str__(self) -> str:
        return f"{self.resolution.number} v{self.number}"


class StatusChange(models.Model):
    """One step of the workflow: who moved the resolution from what to what, and when."""

    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=Resolution.Status.choices)
    to_status = models.CharField(max_length=16, choices=Resolution.Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    objects = NotifiesChanges["StatusChange"].as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class Dissemination(models.Model):
    """Where and when the resolution was presented (quán triệt, triển khai), to whom, reaching how many."""

    class Audience(models.TextChoices):
        MEMBERS = "members", _("Party members")
        MASS_ORGANISATION = "mass_org", _("A mass organisation")
        RESIDENTIAL_GROUP = "residential_group", _("A residential group")
        RESIDENTS = "residents", _("Residents")

    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="disseminations")
    held_on = models.DateField(_("date"))
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    mass_organisation = models.ForeignKey(
        MassOrganisation, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("mass organisation")
    )
    residential_group = models.ForeignKey(
        "members.ResidentialGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("residential group"),
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    people_reached = models.PositiveIntegerField(_("people reached"), validators=[MaxValueValidator(100_000)])
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    objects = NotifiesChanges["Dissemination"].as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dissemination")
        verbose_name_plural = _("disseminations")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_audience_display()} {self.held_on:%d/%m/%Y}"


class PublicOpinion(models.Model):
    """Public opinion (dư luận nhân dân) heard while carrying out a resolution."""

    cell = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="public_opinions")
    resolution = models.ForeignKey(
        Resolution, on_delete=models.SET_NULL, null=True, blank=True, related_name="opinions"
    )
    task = models.ForeignKey(
        Task, on_delete=models.SET_NULL, null=True, blank=True, related_name="opinions", verbose_name=_("task")
    )
    meeting = models.ForeignKey(
        "meetings.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opinions",
        verbose_name=_("raised at the meeting"),
    )
    received_on = models.DateField(_("received on"))
    source = models.CharField(_("raised by"), max_length=200, help_text=_("Who or which group raised it."))
    content = models.TextField(_("opinion"))
    response = models.TextField(_("response"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    objects = NotifiesChanges["PublicOpinion"].as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("public opinion")
        verbose_name_plural = _("public opinions")
        ordering = ["-received_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.received_on:%d/%m/%Y}: {self.content[:60]}"
