"""The monthly cell meeting: agenda, attendance, absence requests, proceedings, the monthly review, minutes, votes.

These models were born in ``resolutions`` and keep its tables (``db_table``, the history's ``table_name``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chibo.lib.changes import NotifiesChanges
from members.models import Member, Organisation
from resolutions.background import PdfState, build_is_stale
from resolutions.models import Resolution


class KeptTableHistory(HistoricalRecords):
    """History whose many-to-many history tables also keep the names they had in ``resolutions``."""

    def get_meta_options_m2m(self, through_model: Any) -> dict[str, Any]:
        options = super().get_meta_options_m2m(through_model)
        options["db_table"] = f"resolutions_{self.get_history_model_name(through_model).lower()}"
        return options


class AgendaTemplate(models.Model):
    """An order of business. The one without a cell is the official default; a cell may keep its own."""

    cell = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="agenda_templates"
    )
    name = models.CharField(_("name"), max_length=150)
    items = models.JSONField(_("items"), default=list)
    objects = NotifiesChanges["AgendaTemplate"].as_manager()

    class Meta:
        db_table = "resolutions_agendatemplate"
        verbose_name = _("agenda template")
        verbose_name_plural = _("agenda templates")
        ordering = ["cell_id", "name"]

    def __str__(self) -> str:
        return self.name


def minutes_path(instance: Meeting, filename: str) -> str:
    return f"minutes/{instance.date:%Y/%m}/{uuid.uuid4().hex}.pdf"


class MeetingQuerySet(NotifiesChanges):
    """The meetings; their bulk writes renew the cache tokens (``members.versions``)."""


class Meeting(models.Model):
    class Kind(models.TextChoices):
        REGULAR = "regular", _("Regular")
        THEMATIC = "thematic", _("Thematic")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        APPROVED = "approved", _("Minutes approved")
        CANCELLED = "cancelled", _("Cancelled")

    PdfState = PdfState  # where its stored PDF stands (resolutions.background)

    cell = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="meetings",
        limit_choices_to={"kind": Organisation.Kind.CELL},
        verbose_name=_("party cell"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.REGULAR)
    combined_with_thematic = models.BooleanField(_("combined with a thematic meeting"), default=False)
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200)
    chair = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("chair")
    )
    recorder = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("recorder")
    )
    guest_in_charge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ward committee member in charge attending"),
    )
    other_guests = models.CharField(_("other guests"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    conclusion = models.TextField(_("the chair's conclusion"), blank=True)
    criticism = models.TextField(_("criticism and self-criticism"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    # What happened, as opposed to the plan above: the times the meeting actually opened and closed (the length
    # rule is checked on them once it is held) and when the secretary released its pack to the members.
    opened_at = models.TimeField(_("opened at"), null=True, blank=True)
    closed_at = models.TimeField(_("closed at"), null=True, blank=True)
    pack_published_at = models.DateTimeField(_("pack released to members"), null=True, blank=True)
    pack_published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # When the secretary last saved the attendance page: until then the rows are only each member's default, and
    # a vote is not counted on them.
    attendance_taken_at = models.DateTimeField(_("attendance taken at"), null=True, blank=True)
    # Attendance counts kept with the meeting (``meetings.recount_attendance`` after every attendance write), so
    # that dashboards sum a few thousand meetings instead of counting a million attendance rows.
    attended_count = models.PositiveIntegerField(default=0, editable=False)
    expected_count = models.PositiveIntegerField(default=0, editable=False)
    # Bumped by every change of what the minutes show; a stored PDF is current only for its own version.
    version = models.PositiveIntegerField(default=1)
    minutes_revision = models.PositiveIntegerField(_("approved revision"), default=0)
    minutes_pdf = models.FileField(upload_to=minutes_path, blank=True)
    pdf_version = models.PositiveIntegerField(null=True, blank=True)
    pdf_state = models.CharField(max_length=10, choices=PdfState.choices, default=PdfState.NONE, blank=True)
    # When the build of ``pdf_version`` was asked for (or queued again), and whether the periodic job has queued
    # it again already: a build not done within CHIBO["PDF_BUILD_MINUTES"] is offered again and queued once more.
    pdf_requested_at = models.DateTimeField(null=True, blank=True)
    pdf_requeued = models.BooleanField(default=False)
    # The optional 100-point self-score (a scorecard used by some party committees).
    q_time = models.PositiveSmallIntegerField(_("time"), null=True, blank=True, validators=[MaxValueValidator(5)])
    q_attendance = models.PositiveSmallIntegerField(
        _("attendance"), null=True, blank=True, validators=[MaxValueValidator(5)]
    )
    q_preparation = models.PositiveSmallIntegerField(
        _("preparation"), null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    q_conduct = models.PositiveSmallIntegerField(
        _("conduct"), null=True, blank=True, validators=[MaxValueValidator(30)]
    )
    q_chairing = models.PositiveSmallIntegerField(
        _("chairing"), null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    q_principles = models.PositiveSmallIntegerField(
        _("principles"), null=True, blank=True, validators=[MaxValueValidator(5)]
    )
    q_results = models.PositiveSmallIntegerField(
        _("results of last month's resolution"), null=True, blank=True, validators=[MaxValueValidator(30)]
    )
    q_closing = models.PositiveSmallIntegerField(_("closing"), null=True, blank=True, validators=[MaxValueValidator(5)])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The PDF's state is the worker's business, and the counts and ``version`` are derived (recounted from the
    # attendance rows, bumped by every change the minutes show), each written by an UPDATE, as is the moment the
    # attendance was last saved (the attendance rows keep their own history): kept in the history
    # they would show up as changes made by whoever next saved the meeting.
    history = HistoricalRecords(
        table_name="resolutions_historicalmeeting",
        excluded_fields=[
            "minutes_pdf",
            "pdf_version",
            "pdf_state",
            "pdf_requested_at",
            "pdf_requeued",
            "version",
            "attended_count",
            "expected_count",
            "attendance_taken_at",
        ],
    )
    objects = MeetingQuerySet.as_manager()

    QUALITY_FIELDS = (
        "q_time",
        "q_attendance",
        "q_preparation",
        "q_conduct",
        "q_chairing",
        "q_principles",
        "q_results",
        "q_closing",
    )

    class Meta:
        db_table = "resolutions_meeting"
        verbose_name = _("cell meeting")
        verbose_name_plural = _("cell meetings")
        ordering = ["-date", "-starts_at"]
        indexes = [models.Index(fields=["cell", "date"])]

    def __str__(self) -> str:
        return f"{self.cell} {self.date:%d/%m/%Y}"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def pdf_is_current(self) -> bool:
        return bool(self.minutes_pdf) and self.pdf_state == self.PdfState.READY and self.pdf_version == self.version

    @property
    def pdf_build_is_stale(self) -> bool:
        """The current version is being built, but for longer than a build can take: the worker died, or the
        message was lost. The page offers the build again instead of waiting for ever."""
        return (
            self.pdf_state == self.PdfState.BUILDING
            and self.pdf_version == self.version
            and build_is_stale(self.pdf_requested_at)
        )

    def duration_minutes(self) -> int | None:
        """The planned length."""
        return _minutes_between(self.date, self.starts_at, self.ends_at)

    def actual_minutes(self) -> int | None:
        """How long it lasted, from the opening to the closing time (the planned start when no opening time was
        recorded)."""
        return _minutes_between(self.date, self.opened_at or self.starts_at, self.closed_at)

    @property
    def is_held(self) -> bool:
        return self.status in (self.Status.HELD, self.Status.APPROVED)

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def attendance_taken(self) -> bool:
        """The secretary has saved the attendance, or the meeting is already held."""
        return self.attendance_taken_at is not None or self.is_held

    def starts(self) -> dt.datetime:
        """When it began (or is to begin), as an aware moment: the opening time once recorded, else the plan."""
        return timezone.make_aware(dt.datetime.combine(self.date, self.opened_at or self.starts_at))

    def clean(self) -> None:
        super().clean()
        if self.opened_at and self.closed_at and self.closed_at <= self.opened_at:
            raise ValidationError({"closed_at": _("The meeting closes after it opens.")})

    def quality_score(self) -> int | None:
        values = [getattr(self, name) for name in self.QUALITY_FIELDS]
        return None if all(v is None for v in values) else sum(v or 0 for v in values)


def _minutes_between(day: dt.date, start: dt.time | None, end: dt.time | None) -> int | None:
    if start is None or end is None:
        return None
    return int((dt.datetime.combine(day, end) - dt.datetime.combine(day, start)).total_seconds() // 60)


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("item"), max_length=300)
    notes = models.TextField(_("content"), blank=True)
    objects = NotifiesChanges["AgendaItem"].as_manager()
    history = HistoricalRecords(table_name="resolutions_historicalagendaitem")

    class Meta:
        db_table = "resolutions_agendaitem"
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        ABSENT_WITH_REASON = "absent_reason", _("Absent with reason")
        ABSENT_WITHOUT_REASON = "absent_no_reason", _("Absent without reason")
        EXEMPT = "exempt", _("Exempt")
        AWAY = "away", _("Away")

    ATTENDED = (Status.PRESENT, Status.LATE)

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="attendance")
    # Not "attendance": that label is the meeting's attendance score (tỷ lệ dự họp) in the catalogue.
    status = models.CharField(_("attendance status"), max_length=16, choices=Status.choices, default=Status.PRESENT)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    objects = NotifiesChanges["Attendance"].as_manager()
    history = HistoricalRecords(table_name="resolutions_historicalattendance")

    class Meta:
        db_table = "resolutions_attendance"
        verbose_name = _("attendance record")
        verbose_name_plural = _("attendance records")
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once_per_meeting")]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_status_display()}"


class AbsenceRequest(models.Model):
    """A member asks in advance to be excused from a meeting; the secretary approves or refuses."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="absence_requests")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="absence_requests")
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.CharField(_("reason for refusing"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    objects = NotifiesChanges["AbsenceRequest"].as_manager()
    history = HistoricalRecords(table_name="resolutions_historicalabsencerequest")

    class Meta:
        db_table = "resolutions_absencerequest"
        verbose_name = _("absence request")
        verbose_name_plural = _("absence requests")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="absence_request_once")]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_status_display()}"


class Speech(models.Model):
    """An opinion raised at the meeting, with the speaker named."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="speeches")
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="speeches", verbose_name=_("item")
    )
    speaker = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("speaker")
    )
    speaker_name = models.CharField(_("speaker (a guest)"), max_length=120, blank=True)
    content = models.TextField(_("opinion"))
    order = models.PositiveSmallIntegerField(default=0)
    objects = NotifiesChanges["Speech"].as_manager()
    history = HistoricalRecords(table_name="resolutions_historicalspeech")

    class Meta:
        db_table = "resolutions_speech"
        verbose_name = _("opinion raised")
        verbose_name_plural = _("opinions raised")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.speaker_label()

    def speaker_label(self) -> str:
        return self.speaker.full_name if self.speaker is not None else self.speaker_name


class MonthlyReviewQuerySet(NotifiesChanges):
    """The monthly reviews; their bulk writes renew the cache tokens (``members.versions``)."""


class MonthlyReview(models.Model):
    """The monthly review (sơ kết) of a resolution at a meeting, frozen as of the meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="reviews")
    resolution = models.ForeignKey(
        "resolutions.Resolution", on_delete=models.CASCADE, related_name="reviews", verbose_name=_("resolution")
    )
    # Each task's status and progress, and each target's value, as they stood at the meeting: later changes
    # to the tasks never rewrite a past month's review.
    snapshot = models.JSONField(default=dict)
    results = models.TextField(_("results achieved"), blank=True)
    shortcomings = models.TextField(_("shortcomings and limitations"), blank=True)
    causes = models.TextField(_("causes"), blank=True)
    lessons = models.TextField(_("lessons learned"), blank=True)
    next_programme = models.TextField(_("next month's programme"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(table_name="resolutions_historicalmonthlyreview")
    objects = MonthlyReviewQuerySet.as_manager()

    class Meta:
        db_table = "resolutions_monthlyreview"
        verbose_name = _("monthly review")
        verbose_name_plural = _("monthly reviews")
        constraints = [models.UniqueConstraint(fields=["meeting", "resolution"], name="review_once_per_meeting")]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.resolution}"


class Vote(models.Model):
    """The adoption vote on a resolution at a meeting, with the numbers the Charter rule was checked on."""

    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="votes")
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="votes",
        verbose_name=_("meeting"),
        help_text=_("When the vote is taken at a recorded meeting, its attendance decides who is absent."),
    )
    held_on = models.DateField(_("meeting date"))
    official_count = models.PositiveIntegerField(_("official members"))
    entitled_count = models.PositiveIntegerField(_("entitled to vote"))
    # The entitled members present, who alone cast the ballots (empty on votes recorded before it was kept).
    present_count = models.PositiveIntegerField(_("entitled to vote and present"), null=True, blank=True)
    votes_for = models.PositiveIntegerField(_("for"))
    votes_against = models.PositiveIntegerField(_("against"))
    votes_abstain = models.PositiveIntegerField(_("abstain"))
    absent_with_reason = models.ManyToManyField(
        Member, blank=True, related_name="+", verbose_name=_("absent with an approved reason")
    )
    exempt_present = models.ManyToManyField(
        Member, blank=True, related_name="+", verbose_name=_("exempt members who attend")
    )
    excluded = models.JSONField(default=dict, help_text=_("Who was not entitled, and why."))
    dissent = models.TextField(_("dissenting opinions"), blank=True)
    adopted = models.BooleanField(_("adopted"))
    explanation = models.CharField(max_length=300)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    objects = NotifiesChanges["Vote"].as_manager()
    history = KeptTableHistory(table_name="resolutions_historicalvote", m2m_fields=[absent_with_reason, exempt_present])

    class Meta:
        db_table = "resolutions_vote"
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["-held_on", "-pk"]
        constraints = [
            # One vote on a resolution per meeting day: a second click records nothing; a mistake is corrected.
            models.UniqueConstraint(fields=["resolution", "held_on"], name="vote_once_per_resolution_and_day")
        ]

    def __str__(self) -> str:
        return f"{self.resolution.number}: {self.votes_for}/{self.entitled_count}"
