"""Inspection and supervision (kiểm tra, giám sát) of a party organisation or of a member.

A party body (the cell committee, or the ward committee, its standing committee or its inspection committee)
inspects or supervises an organisation under it, or one member, over a period: planned, carried out by a team,
then concluded with findings, a conclusion, recommendations and a follow-up that is checked by a due date.
The conclusion is notified in writing (thông báo kết luận), numbered per issuing body and year.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chibo.lib.changes import NotifiesChanges
from members.models import Member, Organisation

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Inspection(models.Model):
    class Activity(models.TextChoices):
        INSPECTION = "inspection", _("Inspection")
        SUPERVISION = "supervision", _("Supervision")

    class Mode(models.TextChoices):
        REGULAR = "regular", _("Regular")
        PERIODIC = "periodic", _("Periodic")
        THEMATIC = "thematic", _("Thematic")
        AD_HOC = "ad_hoc", _("Ad hoc (on signs of violation)")

    class Body(models.TextChoices):
        CELL_COMMITTEE = "cell_committee", _("Cell committee")
        PARTY_COMMITTEE = "party_committee", _("Party committee")
        STANDING_COMMITTEE = "standing_committee", _("Standing committee")
        INSPECTION_COMMITTEE = "inspection_committee", _("Inspection committee")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        CONCLUDED = "concluded", _("Concluded")

    class Conclusion(models.TextChoices):
        GOOD = "good", _("Good")
        SATISFACTORY = "satisfactory", _("Satisfactory")
        SHORTCOMINGS = "shortcomings", _("Has shortcomings")
        VIOLATION = "violation", _("Violation")

    activity = models.CharField(_("activity"), max_length=16, choices=Activity.choices, default=Activity.INSPECTION)
    mode = models.CharField(_("form"), max_length=16, choices=Mode.choices, default=Mode.PERIODIC)
    body = models.CharField(_("conducted by"), max_length=24, choices=Body.choices)
    body_org = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="inspections_conducted",
        verbose_name=_("organisation of the body"),
    )
    subject_org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("organisation inspected")
    )
    subject_member = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspections",
        verbose_name=_("member inspected"),
        help_text=_("Leave empty when the organisation itself is inspected."),
    )
    title = models.CharField(_("subject"), max_length=300)
    content = models.TextField(_("content"), blank=True)
    period_from = models.DateField(_("period covered from"), null=True, blank=True)
    period_to = models.DateField(_("period covered to"), null=True, blank=True)
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    team = models.TextField(_("team"), blank=True, help_text=_("One name a line, the head of the team first."))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    findings = models.TextField(_("findings"), blank=True)
    conclusion = models.CharField(_("conclusion"), max_length=16, choices=Conclusion.choices, blank=True)
    recommendations = models.TextField(_("recommendations"), blank=True)
    follow_up_due = models.DateField(_("follow-up due"), null=True, blank=True)
    follow_up_done_on = models.DateField(_("follow-up done on"), null=True, blank=True)
    follow_up_note = models.CharField(_("follow-up note"), max_length=300, blank=True)
    number_year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    number_seq = models.PositiveIntegerField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    objects = NotifiesChanges["Inspection"].as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-planned_start", "-pk"]
        indexes = [models.Index(fields=["subject_org", "planned_start"])]
        constraints = [
            models.UniqueConstraint(
                fields=["body_org", "number_year", "number_seq"], name="inspection_unique_number_per_body"
            )
        ]

    def __str__(self) -> str:
        return self.title

    # Document symbols of the notice of conclusion, by issuing body ("03-TB/CB").
    SYMBOLS: dict[str, str] = {
        Body.CELL_COMMITTEE: "TB/CB",
        Body.PARTY_COMMITTEE: "TB/ĐU",
        Body.STANDING_COMMITTEE: "TB/ĐU",
        Body.INSPECTION_COMMITTEE: "TB/UBKT",
    }

    @property
    def number(self) -> str:
        if self.number_seq is None:
            return ""
        return f"{self.number_seq:02d}-{self.SYMBOLS[self.body]}"

    @property
    def team_names(self) -> list[str]:
        return [line.strip() for line in self.team.splitlines() if line.strip()]

    @property
    def subject_label(self) -> str:
        return self.subject_member.full_name if self.subject_member is not None else self.subject_org.name

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            errors["planned_end"] = _("The end cannot be before the start.")
        if self.period_from and self.period_to and self.period_to < self.period_from:
            errors["period_to"] = _("The end cannot be before the start.")
        if self.actual_start and self.actual_end and self.actual_end < self.actual_start:
            errors["actual_end"] = _("The end cannot be before the start.")
        if (
            self.subject_org_id
            and self.subject_member is not None
            and self.subject_member.cell_id != self.subject_org_id
        ):
            errors["subject_member"] = _("The member must belong to the organisation inspected.")
        if errors:
            raise ValidationError(errors)
