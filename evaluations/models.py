"""The yearly evaluation and classification of members and of the cell (Quy định 124-QĐ/TW), the people's
comments on the cell and its leaders, and the cell's emulation commitments for the year."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chibo.lib.changes import NotifiesChanges
from members.models import Member, Organisation


class Level(models.TextChoices):
    """The four levels of Quy định 124-QĐ/TW art. 12, for members and for party organisations alike."""

    EXCELLENT = "excellent", _("Excellently completed duties")
    GOOD = "good", _("Well completed duties")
    DONE = "done", _("Completed duties")
    NOT_DONE = "not_done", _("Did not complete duties")


class EvaluationCycle(models.Model):
    """One year's evaluation of one cell, from self-assessment to the upper level's decision."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SELF_ASSESSMENT = "self_assessment", _("Self-assessment")
        PROPOSAL = "proposal", _("Committee proposal")
        VOTE = "vote", _("Cell vote")
        APPROVAL = "approval", _("Ward approval")
        CLOSED = "closed", _("Closed")

    cell = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="evaluation_cycles",
        limit_choices_to={"kind": Organisation.Kind.CELL},
        verbose_name=_("party cell"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)

    # The cell's own classification: its self-assessment and proposal, then the upper level's decision.
    strengths = models.TextField(_("strengths"), blank=True)
    shortcomings = models.TextField(_("shortcomings and limitations"), blank=True)
    direction = models.TextField(_("direction for improvement"), blank=True)
    cell_proposed_level = models.CharField(
        _("level proposed for the cell"), max_length=10, choices=Level.choices, blank=True
    )
    cell_approved_level = models.CharField(
        _("level approved for the cell"), max_length=10, choices=Level.choices, blank=True
    )

    # The cell's vote on the list of proposed levels (one vote on the whole list).
    vote_date = models.DateField(_("vote date"), null=True, blank=True)
    entitled_count = models.PositiveSmallIntegerField(null=True, blank=True)
    votes_for = models.PositiveSmallIntegerField(_("votes for"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(_("votes against"), null=True, blank=True)
    votes_abstain = models.PositiveSmallIntegerField(_("abstentions"), null=True, blank=True)

    sent_back_reason = models.CharField(_("reason for sending back"), max_length=500, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    # The number of the results report ("03-BC/CB"), from the cell's run of reports, given when the closed year's
    # report is first printed (``services.issue_results_report``); a draft is not numbered.
    report_number = models.CharField(_("report number"), max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    objects = NotifiesChanges["EvaluationCycle"].as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evaluation cycle")
        verbose_name_plural = _("evaluation cycles")
        ordering = ["-year", "cell__path"]
        constraints = [models.UniqueConstraint(fields=["cell", "year"], name="evaluation_cycle_once_per_year")]

    def __str__(self) -> str:
        return f"{self.cell} – {self.year}"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class CycleStep(models.Model):
    """A step of the cycle's workflow: who moved it, when, from which status to which, and why when sent back."""

    cycle = models.ForeignKey(EvaluationCycle, on_delete=models.CASCADE, related_name="steps")
    from_status = models.CharField(max_length=20, choices=EvaluationCycle.Status.choices)
    to_status = models.CharField(max_length=20, choices=EvaluationCycle.Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    objects = NotifiesChanges["CycleStep"].as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evaluation step")
        verbose_name_plural = _("evaluation steps")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.cycle}: {self.from_status} → {self.to_status}"


class MemberEvaluation(models.Model):
    """One member's evaluation in a cycle: the self-assessment, the committee's proposal, the approved level."""

    cycle = models.ForeignKey(EvaluationCycle, on_delete=models.CASCADE, related_name="evaluations")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="evaluations")
    strengths = models.TextField(_("strengths"), blank=True)
    shortcomings = models.TextField(_("shortcomings and limitations"), blank=True)
    direction = models.TextField(_("direction for improvement"), blank=True)
    self_level = models.CharField(_("level I propose for myself"), max_length=10, choices=Level.choices, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    proposed_level = models.CharField(_("proposed level"), max_length=10, choices=Level.choices, blank=True)
    proposal_note = models.CharField(_("committee's remarks"), max_length=500, blank=True)
    # The warning the evidence drew against the proposed level (with its figures), and the committee's reason for
    # keeping the level: both shown to the ward at approval (``rules.evidence_warning``).
    evidence_warning = models.CharField(_("warning from the evidence"), max_length=500, blank=True)
    evidence_reason = models.CharField(_("reason for keeping the level"), max_length=500, blank=True)
    approved_level = models.CharField(_("approved level"), max_length=10, choices=Level.choices, blank=True)
    objects = NotifiesChanges["MemberEvaluation"].as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("member evaluation")
        verbose_name_plural = _("member evaluations")
        constraints = [models.UniqueConstraint(fields=["cycle", "member"], name="member_evaluation_once")]

    def __str__(self) -> str:
        return f"{self.member} – {self.cycle.year}"


class PeopleComment(models.Model):
    """A comment of the people or of a mass organisation on the cell, or on one of its leaders."""

    cycle = models.ForeignKey(EvaluationCycle, on_delete=models.CASCADE, related_name="comments")
    about = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("about"),
        help_text=_("Leave empty for a comment on the cell as a whole."),
    )
    source = models.CharField(_("from"), max_length=200, help_text=_("The person or mass organisation."))
    text = models.TextField(_("comment"))
    given_on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    objects = NotifiesChanges["PeopleComment"].as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("people's comment")
        verbose_name_plural = _("people's comments")
        ordering = ["given_on", "pk"]

    def __str__(self) -> str:
        return f"{self.source} ({self.given_on:%d/%m/%Y})"


class EmulationCriterion(models.Model):
    """A criterion of the cell's emulation commitment (giao ước thi đua) for the year, scored at its end."""

    cycle = models.ForeignKey(EvaluationCycle, on_delete=models.CASCADE, related_name="criteria")
    text = models.CharField(_("criterion"), max_length=300)
    target = models.CharField(_("target"), max_length=100, blank=True)
    max_points = models.PositiveSmallIntegerField(_("points"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    objects = NotifiesChanges["EmulationCriterion"].as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("emulation criterion")
        verbose_name_plural = _("emulation criteria")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text
