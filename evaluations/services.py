"""The workflows of the yearly evaluation: each one keyword-only, atomic, and named for what it does.

A step moves the cycle through a conditional ``update()`` that must change exactly one row, so two people
pressing the same button at once cannot take it twice; each step is recorded with who and when.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.lib.history import create_recorded, update_recorded
from chibo.lib.layout import REPORT, document_number
from chibo.lib.workflow import Transition, Workflow, WorkflowError
from evaluations.evidence import MemberEvidence, cell_evidence
from evaluations.models import CycleStep, EmulationCriterion, EvaluationCycle, Level, MemberEvaluation
from evaluations.rules import QuotaCheck, excellent_quota, exclusion
from meetings.rules import Roll, entitled_voters, judge_vote
from members.models import DocumentSequence, Exemption, Member, Organisation, Period, Suspension

S = EvaluationCycle.Status


def _log_step(cycle: EvaluationCycle, source: str, target: str, by: Any, note: str) -> None:
    CycleStep.objects.create(cycle=cycle, from_status=source, to_status=target, by=by, note=note)


FLOW = Workflow(
    EvaluationCycle,
    [
        Transition("self_assessment", (S.OPEN,), S.SELF_ASSESSMENT),
        Transition("proposal", (S.SELF_ASSESSMENT,), S.PROPOSAL),
        Transition("vote", (S.PROPOSAL,), S.VOTE),
        Transition("adopted", (S.VOTE,), S.APPROVAL),
        Transition("not_adopted", (S.VOTE,), S.PROPOSAL),
        Transition("approve", (S.APPROVAL,), S.CLOSED),
        Transition("send_back", (S.APPROVAL,), S.PROPOSAL),
    ],
    stale=gettext_lazy("Someone else has moved this evaluation on. Reload the page."),
    on_move=_log_step,
)

# Which status each forward step leaves and reaches; the vote and approval have their own functions.
STEPS = {name: (FLOW[name].sources[0], FLOW[name].target) for name in ("self_assessment", "proposal", "vote")}


def roll_day(year: int, today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    return min(today, dt.date(year, 12, 31))


@dataclass(frozen=True)
class RollEntry:
    member: Member
    exclusion: str  # why the member is not classified, "" when they are


def classification_roll(cell: Organisation, year: int, day: dt.date | None = None) -> list[RollEntry]:
    """The members on the cell's roll on ``day`` (the end of the year, or today), each with whether they are
    classified, in one query."""
    day = day or roll_day(year)
    members = (
        Member.objects.filter(cell=cell)
        .on_roll(day)
        .annotate(is_exempt=_current(Exemption, day), is_suspended=_current(Suspension, day))
        .order_by("search_name", "pk")
        .only("pk", "full_name", "admitted_on", "official_on", "cell_id")
    )
    return [
        RollEntry(
            member,
            exclusion(
                admitted_on=member.admitted_on,
                year=year,
                # Annotated above, unknown to the checker.
                is_exempt=member.is_exempt,  # type: ignore[attr-defined]  # see above
                is_suspended=member.is_suspended,  # type: ignore[attr-defined]  # see above
            ),
        )
        for member in members
    ]


def _current(model: type[Period], day: dt.date) -> Coalesce:
    """Whether the member has a period of ``model`` current on ``day``, looked up member by member through the
    period's index on the member: a cell's roll is small, and an ``EXISTS`` would let PostgreSQL hash every
    current period of the province instead, a cost growing with the province (as ``with_flags(per_member=True)``).
    """
    periods = model.objects.filter(member=OuterRef("pk")).current_on(day).order_by()  # type: ignore[misc]  # each concrete period has its member, unknown to the abstract model
    return Coalesce(Subquery(periods.values(found=Value(True))[:1]), Value(False), output_field=models.BooleanField())


@transaction.atomic
def issue_results_report(*, cycle: EvaluationCycle) -> str:
    """The number of a closed year's results report, drawn from the cell's run of reports ("03-BC/CB") the first
    time it is printed and kept after; "" while the year is not closed (the report is a draft)."""
    if not cycle.is_closed or cycle.report_number:
        return cycle.report_number if cycle.is_closed else ""
    locked = EvaluationCycle.objects.select_for_update().get(pk=cycle.pk)
    if not locked.report_number:
        issued = timezone.localtime(locked.approved_at).date() if locked.approved_at else timezone.localdate()
        seq = DocumentSequence.draw(organisation=cycle.cell, kind=REPORT, year=issued.year)
        locked.report_number = document_number(seq, REPORT, is_cell=True)
        locked.save(update_fields=["report_number"])
    cycle.report_number = locked.report_number
    return cycle.report_number


@transaction.atomic
def open_cycle(*, cell: Organisation, year: int, by: Any) -> EvaluationCycle:
    if EvaluationCycle.objects.filter(cell=cell, year=year).exists():
        raise WorkflowError(_("The cell already has an evaluation for %(year)d.") % {"year": year})
    cycle = EvaluationCycle.objects.create(cell=cell, year=year)
    CycleStep.objects.create(cycle=cycle, from_status=S.OPEN, to_status=S.OPEN, by=by)
    return cycle


@transaction.atomic
def take_step(*, cycle: EvaluationCycle, step: str, by: Any) -> None:
    """Move the cycle forward to ``step``: the self-assessment (every member on the roll gets a form), the
    committee's proposal, then the cell's vote (when every classified member and the cell have a level that
    keeps to the quota)."""
    if step not in STEPS:
        raise WorkflowError(_("Unknown step."))
    source, target = STEPS[step]
    if cycle.status != source:
        raise WorkflowError(_("This step cannot be taken at this stage of the evaluation."))
    if step in ("self_assessment", "proposal"):
        # Members who joined the roll since the self-assessment began get their row too.
        existing = set(cycle.evaluations.values_list("member_id", flat=True))
        create_recorded(
            MemberEvaluation,
            [
                MemberEvaluation(cycle=cycle, member=entry.member)
                for entry in classification_roll(cycle.cell, cycle.year)
                if entry.member.pk not in existing
            ],
        )
    if step == "vote":
        update_recorded(MemberEvaluation, check_proposal(cycle), ["evidence_warning", "evidence_reason"])
    FLOW.move(cycle, target, by=by)


def check_proposal(cycle: EvaluationCycle) -> list[MemberEvaluation]:
    """Every classified member and the cell have a proposed level, "excellent" keeps to the quota, and every level
    the evidence of today warns against is confirmed with a reason. Returns the rows whose warning changed since
    the proposal was saved (the evidence moves on), for the caller to save."""
    entries = classification_roll(cycle.cell, cycle.year)
    classified = {entry.member.pk for entry in entries if not entry.exclusion}
    levels = dict(cycle.evaluations.filter(member_id__in=classified).values_list("member_id", "proposed_level"))
    missing = [pk for pk in classified if not levels.get(pk)]
    if missing:
        raise WorkflowError(
            _("%(count)d members have no proposed level yet.") % {"count": len(missing)}
            if len(missing) > 1
            else _("One member has no proposed level yet.")
        )
    if not cycle.cell_proposed_level:
        raise WorkflowError(_("Propose a level for the cell."))
    quota = excellent_quota(levels.values())
    if not quota.ok:
        raise WorkflowError(quota.error)
    evaluations = list(cycle.evaluations.filter(member_id__in=classified).select_related("member"))
    before = {e.pk: (e.evidence_warning, e.evidence_reason) for e in evaluations}
    _check_weighed(evaluations, cell_evidence(cycle.cell, cycle.year))
    return [e for e in evaluations if (e.evidence_warning, e.evidence_reason) != before[e.pk]]


def _check_weighed(evaluations: list[MemberEvaluation], evidence: dict[int, MemberEvidence]) -> None:
    """Each proposal of "excellent" or "well completed" that the evidence warns against carries a reason; the
    warning, with its figures, is kept on the row for the ward (the caller saves it)."""
    unconfirmed = []
    for evaluation in evaluations:
        warning = evidence.get(evaluation.member_id, MemberEvidence()).warning(evaluation.proposed_level)
        if warning and not evaluation.evidence_reason:
            unconfirmed.append(f"{evaluation.member.full_name}: {warning}")
        evaluation.evidence_warning = warning
        if not warning:
            evaluation.evidence_reason = ""
    if unconfirmed:
        raise WorkflowError(
            _("Confirm with a reason, or change the level: %(members)s") % {"members": " ".join(unconfirmed)}
        )


@transaction.atomic
def save_self_assessment(*, evaluation: MemberEvaluation, data: dict[str, str]) -> None:
    cycle = EvaluationCycle.objects.select_for_update().get(pk=evaluation.cycle_id)
    if cycle.status != S.SELF_ASSESSMENT:
        raise WorkflowError(_("The self-assessment is closed."))
    for name in ("strengths", "shortcomings", "direction", "self_level"):
        setattr(evaluation, name, data[name])
    evaluation.submitted_at = timezone.now()
    evaluation.save(update_fields=["strengths", "shortcomings", "direction", "self_level", "submitted_at"])


PROPOSAL_FIELDS = ["proposed_level", "proposal_note", "evidence_warning", "evidence_reason"]


@transaction.atomic
def save_proposal(
    *,
    cycle: EvaluationCycle,
    levels: dict[int, tuple[str, str]],
    cell_fields: dict[str, str],
    reasons: dict[int, str] | None = None,
) -> None:
    """The committee's proposed level (and remarks) for each member, by evaluation id, and the cell's own
    self-assessment. ``reasons`` (by evaluation id) confirm a level the evidence warns against; a row not in it
    keeps the reason it has. Refused, with nothing written, when "excellent" would break the quota or a level the
    evidence warns against has no reason."""
    locked = EvaluationCycle.objects.select_for_update().get(pk=cycle.pk)
    if locked.status != S.PROPOSAL:
        raise WorkflowError(_("Levels can be proposed only at the committee's proposal stage."))
    reasons = reasons or {}
    excluded = _excluded_ids(cycle)
    evaluations = list(cycle.evaluations.select_related("member"))
    before = {e.pk: tuple(getattr(e, name) for name in PROPOSAL_FIELDS) for e in evaluations}
    for evaluation in evaluations:
        level, note = levels.get(evaluation.pk, (evaluation.proposed_level, evaluation.proposal_note))
        evaluation.proposed_level = "" if evaluation.member_id in excluded else level
        evaluation.proposal_note = note
        evaluation.evidence_reason = reasons.get(evaluation.pk, evaluation.evidence_reason)
    quota = excellent_quota(e.proposed_level for e in evaluations)
    if not quota.ok:
        raise WorkflowError(quota.error)
    _check_weighed(evaluations, cell_evidence(cycle.cell, cycle.year))
    changed = [e for e in evaluations if tuple(getattr(e, name) for name in PROPOSAL_FIELDS) != before[e.pk]]
    update_recorded(MemberEvaluation, changed, PROPOSAL_FIELDS)
    for name, value in cell_fields.items():
        setattr(cycle, name, value)
    cycle.save(update_fields=list(cell_fields))


def _excluded_ids(cycle: EvaluationCycle) -> set[int]:
    return {entry.member.pk for entry in classification_roll(cycle.cell, cycle.year) if entry.exclusion}


def entitled_on(cell: Organisation, day: dt.date, absent_with_reason: set[int]) -> int:
    """Official members on the roll less the temporarily transferred, the suspended, the exempt and those absent
    with an approved reason: the base of the Charter's majority (``resolutions.rules.entitled_voters``)."""
    members = Member.objects.filter(cell=cell).on_roll(day).official_on(day).with_status_flags(day)
    # Annotations of with_status_flags: the checker knows the model's fields only.
    rows = list(members.values_list("pk", "is_transferred", "is_suspended", "is_exempt"))  # type: ignore[misc]  # see above
    roll = Roll(
        official=frozenset(pk for pk, *_ in rows),
        transferred=frozenset(pk for pk, transferred, _, _ in rows if transferred),
        suspended=frozenset(pk for pk, _, suspended, _ in rows if suspended),
        exempt=frozenset(pk for pk, _, _, exempt in rows if exempt),
        absent_with_reason=frozenset(absent_with_reason),
    )
    return len(entitled_voters(roll).entitled)


@transaction.atomic
def record_vote(
    *,
    cycle: EvaluationCycle,
    day: dt.date,
    votes_for: int,
    votes_against: int,
    votes_abstain: int,
    absent_with_reason: set[int],
    by: Any,
) -> str:
    """The cell's vote on the proposed list. Adopted (more than half of the entitled for) sends it to the ward;
    otherwise the numbers are kept and the list goes back to the committee. Returns the explanation."""
    if cycle.status != S.VOTE:
        raise WorkflowError(_("The vote is taken after the committee's proposal."))
    quota = excellent_quota(cycle.evaluations.values_list("proposed_level", flat=True))
    if not quota.ok:
        raise WorkflowError(quota.error)
    entitled = entitled_on(cycle.cell, day, absent_with_reason)
    result = judge_vote(
        entitled=entitled, votes_for=votes_for, votes_against=votes_against, votes_abstain=votes_abstain
    )
    if result.error:
        raise WorkflowError(result.error)
    numbers = {
        "vote_date": day,
        "entitled_count": entitled,
        "votes_for": votes_for,
        "votes_against": votes_against,
        "votes_abstain": votes_abstain,
    }
    target = S.APPROVAL if result.adopted else S.PROPOSAL
    FLOW.move(cycle, target, by=by, note=result.explanation, **numbers)
    return result.explanation


@transaction.atomic
def approve(*, cycle: EvaluationCycle, levels: dict[int, str], cell_level: str, by: Any) -> None:
    """The upper level decides each member's level (by evaluation id) and the cell's, and closes the cycle."""
    if cycle.status != S.APPROVAL:
        raise WorkflowError(_("The evaluation is not waiting for approval."))
    if cell_level not in Level.values:
        raise WorkflowError(_("Choose the cell's level."))
    excluded = _excluded_ids(cycle)
    evaluations = list(cycle.evaluations.all())
    changed = []
    for evaluation in evaluations:
        level = levels.get(evaluation.pk) or evaluation.proposed_level
        before = evaluation.approved_level
        evaluation.approved_level = "" if evaluation.member_id in excluded else level
        if evaluation.approved_level != before:
            changed.append(evaluation)
    if any(not e.approved_level and e.member_id not in excluded for e in evaluations):
        raise WorkflowError(_("Choose a level for every member."))
    quota = excellent_quota(e.approved_level for e in evaluations)
    if not quota.ok:
        raise WorkflowError(quota.error)
    cells = ward_cell_quota(cycle, cell_level)
    if not cells.ok:
        raise WorkflowError(cells.error)
    update_recorded(MemberEvaluation, changed, ["approved_level"])
    FLOW.move(
        cycle,
        S.CLOSED,
        by=by,
        cell_approved_level=cell_level,
        approved_by=by,
        approved_at=timezone.now(),
        sent_back_reason="",
    )


def ward_cell_levels(cycle: EvaluationCycle, *, lock: bool = False) -> list[str]:
    """The levels the ward (the cell's parent) has approved for its other cells in the cycle's year. ``lock`` (in
    a transaction) queues approvals in one ward on the ward's row, so two at once cannot both take the last place."""
    parent = Organisation.objects.get_parent(cycle.cell)
    if parent is None:
        return []
    if lock:
        Organisation.objects.select_for_update().filter(pk=parent.pk).values_list("pk").get()
    approved = EvaluationCycle.objects.filter(
        year=cycle.year, status=S.CLOSED, cell__path__startswith=parent.path, cell__kind=Organisation.Kind.CELL
    ).exclude(pk=cycle.pk)
    return list(approved.values_list("cell_approved_level", flat=True))


def ward_cell_quota(cycle: EvaluationCycle, cell_level: str) -> QuotaCheck:
    """The cap of "excellent" among the cells of the ward for the year, with ``cell_level`` for this cell."""
    return excellent_quota([*ward_cell_levels(cycle, lock=True), cell_level], cells=True)


@transaction.atomic
def send_back(*, cycle: EvaluationCycle, reason: str, by: Any) -> None:
    reason = " ".join(reason.split())
    if not reason:
        raise WorkflowError(_("Say why the list is sent back."))
    FLOW.move(cycle, S.PROPOSAL, by=by, note=reason, sent_back_reason=reason)


def save_scores(*, criteria: list[EmulationCriterion], scores: dict[int, int | None]) -> None:
    """The emulation commitment's scores (by criterion id), at the end of the year: only those that changed are
    written, with their history."""
    scored = []
    for criterion in criteria:
        if criterion.pk in scores and scores[criterion.pk] != criterion.score:
            criterion.score = scores[criterion.pk]
            scored.append(criterion)
    update_recorded(EmulationCriterion, scored, ["score"])
