"""Pages of the yearly evaluation: the cell's cycles, the cycle page, the member's own self-assessment, the
committee's proposal, the cell's vote, the ward's approval, people's comments, the emulation commitment and the
results PDF."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from chibo.lib.forms import confirmed
from chibo.lib.parts import cached_part
from evaluations.access import can_approve, can_propose, can_read_results, get_cycle, get_cycle_with_token, require
from evaluations.documents import render_results_pdf, results_filename
from evaluations.evidence import MemberEvidence, cell_evidence, evidence_day
from evaluations.forms import (
    LEVEL_CHOICES,
    ApprovalGridForm,
    CellAssessmentForm,
    CommentForm,
    CriterionForm,
    OpenCycleForm,
    ProposalGridForm,
    ScoresForm,
    SelfAssessmentForm,
    SendBackForm,
    VoteForm,
)
from evaluations.models import (
    CycleStep,
    EmulationCriterion,
    EvaluationCycle,
    Level,
    MemberEvaluation,
    PeopleComment,
)
from evaluations.rules import excellent_quota, exclusion_label, quota_of
from evaluations.services import (
    STEPS,
    WorkflowError,
    approve,
    classification_roll,
    issue_results_report,
    open_cycle,
    record_vote,
    save_proposal,
    save_scores,
    save_self_assessment,
    send_back,
    take_step,
    ward_cell_levels,
)
from members.access import Access, access_for, get_organisation
from members.models import Member, Organisation

S = EvaluationCycle.Status


@dataclass
class Row:
    member: Member
    exclusion: str
    evaluation: MemberEvaluation | None
    evidence: MemberEvidence
    labels: dict[str, str]  # the levels' names in the request's language, read once for every row

    @property
    def exclusion_label(self) -> str:
        return exclusion_label(self.exclusion) if self.exclusion else ""

    def _label(self, value: str) -> str:
        """What ``get_<level>_display`` gives, without rebuilding the choices for each row and field."""
        return self.labels.get(value, value)

    @property
    def self_level_label(self) -> str | None:
        return self._label(self.evaluation.self_level) if self.evaluation else None

    @property
    def proposed_label(self) -> str | None:
        return self._label(self.evaluation.proposed_level) if self.evaluation else None

    @property
    def approved_label(self) -> str | None:
        return self._label(self.evaluation.approved_level) if self.evaluation else None

    @property
    def warning(self) -> str:
        """What the evidence says against the proposed level, as it stands today."""
        if self.exclusion or self.evaluation is None:
            return ""
        return self.evidence.warning(self.evaluation.proposed_level)


def cycle_rows(cycle: EvaluationCycle, day: dt.date | None = None) -> list[Row]:
    """The members of the cycle with their evaluation and evidence, in six queries whatever the cell's size;
    ``day``: the day the roll and the evidence are judged on (``evidence_day``, by default)."""
    day = day or evidence_day(cycle.year)
    roll = classification_roll(cycle.cell, cycle.year, day)
    evaluations = {e.member_id: e for e in _evaluations_of(cycle)}
    evidence = cell_evidence(cycle.cell, cycle.year, day=day)
    labels = {value: str(label) for value, label in Level.choices}
    rows = [
        Row(
            entry.member,
            entry.exclusion,
            evaluations.pop(entry.member.pk, None),
            evidence.get(entry.member.pk, MemberEvidence()),
            labels,
        )
        for entry in roll
    ]
    # Members evaluated who have left the roll since: their evaluation stays on the list.
    rows += [Row(e.member, "", e, evidence.get(e.member_id, MemberEvidence()), labels) for e in evaluations.values()]
    return rows


def _evaluations_of(cycle: EvaluationCycle) -> QuerySet[MemberEvaluation]:
    """The cycle's evaluations with the few fields of their member the pages show (the roll's: nothing
    encrypted is read and decrypted)."""
    own = [field.name for field in MemberEvaluation._meta.concrete_fields]
    member = [f"member__{name}" for name in ("full_name", "admitted_on", "official_on", "cell_id")]
    return MemberEvaluation.objects.filter(cycle=cycle).select_related("member").only(*own, *member).order_by("pk")


def level_counts(levels: list[str]) -> list[tuple[str, int]]:
    return [(str(label), levels.count(value)) for value, label in Level.choices]


def with_approved_counts(cycles: QuerySet[EvaluationCycle]) -> QuerySet[EvaluationCycle]:
    """The cycles with the numbers approved "excellent" and "well completed", in the same query."""
    return cycles.annotate(
        approved_excellent=Count("evaluations", filter=Q(evaluations__approved_level=Level.EXCELLENT)),
        approved_good=Count("evaluations", filter=Q(evaluations__approved_level=Level.GOOD)),
    )


def flag_breaches(cycles: list[EvaluationCycle]) -> None:
    """Mark each closed cycle whose approved list breaks the cap of "excellent" (``breach``: the message). Closed
    years approved before the cap was counted on "well completed" alone are kept as decided, and flagged."""
    for cycle in cycles:
        # Annotated by with_approved_counts, unknown to the checker; ``breach`` is for the template.
        check = quota_of(cycle.approved_excellent, cycle.approved_good)  # type: ignore[attr-defined]  # annotated by with_approved_counts
        cycle.breach = check.error if cycle.is_closed else ""  # type: ignore[attr-defined]  # for the template


def _oversight_filter(access: Access) -> Q:
    if access.is_admin:
        return Q()
    return reduce(or_, (Q(cell__path__startswith=path) for path in access.oversight_paths))


def home(request: HttpRequest) -> HttpResponse:
    """The user's own evaluations, and the cycles of the cells they oversee, newest first."""
    access = access_for(request.user)
    require(access.has_any_access)
    own = []
    if access.member_id:
        own = list(
            MemberEvaluation.objects.filter(member_id=access.member_id)
            .select_related("cycle__cell")
            .order_by("-cycle__year")
        )
    cycles: QuerySet[EvaluationCycle] = EvaluationCycle.objects.none()
    if access.is_admin or access.oversight_paths:
        cycles = with_approved_counts(
            EvaluationCycle.objects.filter(_oversight_filter(access))
            .select_related("cell")
            .order_by("-year", "cell__path")
        )
    managed = []
    if access.manage_paths:
        managed = list(Organisation.objects.cells().filter(access.managed_org_filter()))
    page = Paginator(cycles, 50).get_page(request.GET.get("page"))
    flag_breaches(list(page.object_list))
    return render(request, "evaluations/home.html", {"own": own, "page": page, "managed": managed})


def cell_cycles(request: HttpRequest, org_id: int) -> HttpResponse:
    """A cell's cycles, and opening the year's (the secretary)."""
    cell = get_organisation(request, org_id)
    require(cell.is_cell)
    access = access_for(request.user)
    require(access.can_oversee_org(cell))
    can_manage = access.can_manage_org(cell)
    form = OpenCycleForm(request.POST or None)
    if request.method == "POST":
        require(can_manage)
        if form.is_valid():
            try:
                cycle = open_cycle(cell=cell, year=form.cleaned_data["year"], by=request.user)
            except WorkflowError as error:
                form.add_error("year", str(error))
            else:
                messages.success(request, _("The evaluation of %(year)d is open.") % {"year": cycle.year})
                return redirect("evaluations:cycle-detail", cycle.pk)
    cycles = list(with_approved_counts(EvaluationCycle.objects.filter(cell=cell).order_by("-year")))
    flag_breaches(cycles)
    return render(
        request,
        "evaluations/cell_cycles.html",
        {"cell": cell, "cycles": cycles, "form": form, "can_manage": can_manage},
    )


def cycle_detail(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The cycle, kept as a part (``chibo.lib.parts``) under its cell's token, the day the roll and the evidence
    are judged on, and what the viewer may do there; its steps, which name people of the levels above, are read
    each time."""
    cycle = get_cycle_with_token(request, cycle_id)
    access = access_for(request.user)
    require(access.can_oversee_org(cycle.cell))
    day = evidence_day(cycle.year)
    rights = {
        "can_manage": access.can_manage_org(cycle.cell),
        "can_propose": can_propose(access, cycle.cell),
        "can_approve": can_approve(access, cycle.cell),
        "own_evaluation": cycle.own_evaluation,  # type: ignore[attr-defined]  # annotated by get_cycle_with_token
    }
    token = cycle.version_token  # type: ignore[attr-defined]  # annotated by get_cycle_with_token
    key = ("cycle", cycle.pk, token, day, *rights.values())
    part = cached_part(request, "evaluations/includes/_cycle_part.html", key, lambda: cycle_part(cycle, day, **rights))
    return render(
        request, "evaluations/cycle_detail.html", {"cycle": cycle, "main_part": part, "steps": cycle_steps(cycle)}
    )


def cycle_steps(cycle: EvaluationCycle) -> list[dict[str, object]]:
    """The cycle's steps, each with when, the status it moved to and who took it (by name, else username; ""
    when the account is gone), read as plain values."""
    labels = dict(S.choices)
    rows = (
        CycleStep.objects.filter(cycle_id=cycle.pk)
        .order_by("at", "pk")
        .values_list("at", "to_status", "note", "by__first_name", "by__last_name", "by__username")
    )
    return [
        {
            "at": at,
            "status": labels.get(status, status),
            "note": note,
            "by": f"{first or ''} {last or ''}".strip() or username or "",
        }
        for at, status, note, first, last, username in rows
    ]


def cycle_part(
    cycle: EvaluationCycle,
    day: dt.date,
    *,
    can_manage: bool,
    can_propose: bool,
    can_approve: bool,
    own_evaluation: bool,
) -> dict[str, object]:
    """What the cycle page keeps in the cache: its members with their evidence as judged on ``day``, the counts,
    and the steps the viewer may take."""
    rows = cycle_rows(cycle, day)
    totals = EmulationCriterion.objects.filter(cycle=cycle).aggregate(points=Sum("max_points"), score=Sum("score"))
    approved = [r.evaluation.approved_level for r in rows if r.evaluation]
    return {
        "breach": excellent_quota(approved).error if cycle.is_closed else "",
        "cycle": cycle,
        "rows": rows,
        "proposed_counts": level_counts([r.evaluation.proposed_level for r in rows if r.evaluation]),
        "approved_counts": level_counts(approved),
        "submitted": sum(1 for r in rows if r.evaluation and r.evaluation.submitted_at),
        "totals": totals,
        "can_manage": can_manage,
        "can_propose": can_propose,
        "can_approve": can_approve,
        "own_evaluation": own_evaluation,
        "S": S,
    }


def cycle_step(request: HttpRequest, cycle_id: int, step: str) -> HttpResponse:
    cycle = get_cycle(request, cycle_id)
    require(access_for(request.user).can_manage_org(cycle.cell))
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if step not in STEPS:
        raise Http404
    try:
        take_step(cycle=cycle, step=step, by=request.user)
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The evaluation moved to: %(status)s.") % {"status": cycle.get_status_display()})
    return redirect("evaluations:cycle-detail", cycle.pk)


def self_assessment(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The member's own self-assessment, with their evidence beside it."""
    cycle = get_cycle(request, cycle_id)
    access = access_for(request.user)
    evaluation = (
        MemberEvaluation.objects.select_related("member").filter(cycle=cycle, member_id=access.member_id).first()
        if access.member_id
        else None
    )
    require(evaluation is not None)
    assert evaluation is not None
    editable = cycle.status == S.SELF_ASSESSMENT
    form = SelfAssessmentForm(request.POST or None, instance=evaluation)
    if request.method == "POST":
        require(editable)
        if form.is_valid():
            try:
                save_self_assessment(evaluation=evaluation, data=form.cleaned_data)
            except WorkflowError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Your self-assessment is saved."))
                return redirect("evaluations:self-assessment", cycle.pk)
    evidence = cell_evidence(cycle.cell, cycle.year).get(evaluation.member_id, MemberEvidence())
    return render(
        request,
        "evaluations/self_assessment.html",
        {"cycle": cycle, "evaluation": evaluation, "form": form if editable else None, "evidence": evidence},
    )


def proposal(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The committee proposes a level for each member, seeing the evidence and the self-assessment."""
    cycle = get_cycle(request, cycle_id)
    access = access_for(request.user)
    require(can_propose(access, cycle.cell))
    editable = cycle.status == S.PROPOSAL
    cell_form = CellAssessmentForm(request.POST or None, instance=cycle, prefix="cell")
    rows = cycle_rows(cycle)
    if request.method == "POST":
        require(editable)
        grid = ProposalGridForm(request.POST, evaluations=[r.evaluation for r in rows if r.evaluation is not None])
        if grid.forged:
            raise Http404
        levels, reasons = grid.levels(), grid.reasons()

        def show_typed() -> None:
            for row in rows:
                if row.evaluation is not None and row.evaluation.pk in levels:
                    row.evaluation.proposed_level, row.evaluation.proposal_note = levels[row.evaluation.pk]
                    row.evaluation.evidence_reason = reasons.get(row.evaluation.pk, row.evaluation.evidence_reason)

        if note_errors := grid.row_errors():
            for error in note_errors:
                messages.error(request, _("Not saved: %(error)s.") % {"error": error})
            show_typed()
        elif cell_form.is_valid():
            fields = {name: cell_form.cleaned_data[name] for name in CellAssessmentForm.Meta.fields}
            try:
                save_proposal(
                    cycle=EvaluationCycle.objects.get(pk=cycle.pk), levels=levels, cell_fields=fields, reasons=reasons
                )
            except WorkflowError as error:
                messages.error(request, _("Not saved: %(error)s.") % {"error": error})
                show_typed()
            else:
                messages.success(request, _("The proposal is saved."))
                return redirect("evaluations:proposal", cycle.pk)
    quota = excellent_quota(r.evaluation.proposed_level for r in rows if r.evaluation)
    return render(
        request,
        "evaluations/proposal.html",
        {
            "cycle": cycle,
            "rows": rows,
            "cell_form": cell_form,
            "editable": editable,
            "level_choices": LEVEL_CHOICES,
            "quota": quota,
            "can_manage": access.can_manage_org(cycle.cell),
        },
    )


def vote(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_cycle(request, cycle_id)
    require(access_for(request.user).can_manage_org(cycle.cell))
    require(cycle.status == S.VOTE)
    form = VoteForm(request.POST or None, cell=cycle.cell)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            explanation = record_vote(
                cycle=cycle,
                day=data["day"],
                votes_for=data["votes_for"],
                votes_against=data["votes_against"],
                votes_abstain=data["votes_abstain"],
                absent_with_reason={m.pk for m in data["absent_with_reason"]},
                by=request.user,
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            if cycle.status == S.APPROVAL:
                messages.success(request, _("Adopted: %(why)s. The list goes to the ward.") % {"why": explanation})
            else:
                messages.warning(
                    request, _("Not adopted: %(why)s. The list goes back to the committee.") % {"why": explanation}
                )
            return redirect("evaluations:cycle-detail", cycle.pk)
    return render(request, "evaluations/vote.html", {"cycle": cycle, "form": form})


def approval(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The upper level approves the levels (changing any it disagrees with) or sends the list back."""
    cycle = get_cycle(request, cycle_id)
    require(can_approve(access_for(request.user), cycle.cell))
    rows = cycle_rows(cycle)
    back_form = SendBackForm(request.POST if request.POST.get("action") == "send_back" else None)
    cell_level = cycle.cell_approved_level or cycle.cell_proposed_level
    if request.method == "POST":
        require(cycle.status == S.APPROVAL)
        try:
            if request.POST.get("action") == "send_back":
                if not back_form.is_valid():
                    raise WorkflowError(_("Say why the list is sent back."))
                send_back(cycle=cycle, reason=back_form.cleaned_data["reason"], by=request.user)
                messages.warning(request, _("The list is sent back to the cell."))
            else:
                grid = ApprovalGridForm(request.POST, evaluations=[r.evaluation for r in rows if r.evaluation])
                if grid.forged:
                    raise Http404
                levels = grid.levels()
                for row in rows:
                    if row.evaluation is not None:
                        row.evaluation.approved_level = levels[row.evaluation.pk]
                cell_level = grid.cleaned_data["cell_level"]
                if not confirmed(request):
                    # Approving closes the year for good: asked first (chibo.js asks in a dialog; without
                    # JavaScript the page comes back with the levels chosen and the question). Nothing is written.
                    return _approval_page(request, cycle, rows, back_form, cell_level, confirm=True)
                approve(cycle=cycle, levels=levels, cell_level=cell_level, by=request.user)
                messages.success(request, _("The classification is approved."))
            return redirect("evaluations:cycle-detail", cycle.pk)
        except WorkflowError as error:
            messages.error(request, _("Not saved: %(error)s.") % {"error": error})
    return _approval_page(request, cycle, rows, back_form, cell_level)


def _approval_page(
    request: HttpRequest,
    cycle: EvaluationCycle,
    rows: list[Row],
    back_form: SendBackForm,
    cell_level: str,
    *,
    confirm: bool = False,
) -> HttpResponse:
    return render(
        request,
        "evaluations/approval.html",
        {
            "cycle": cycle,
            "rows": rows,
            "back_form": back_form,
            "level_choices": LEVEL_CHOICES,
            "cell_level": cell_level,
            "ward_cells": excellent_quota(ward_cell_levels(cycle), cells=True),
            "editable": cycle.status == S.APPROVAL,
            "confirm": confirm,
        },
    )


def comments(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """People's and mass organisations' comments on the cell and its leaders."""
    cycle = get_cycle(request, cycle_id)
    access = access_for(request.user)
    require(access.can_oversee_org(cycle.cell))
    can_manage = access.can_manage_org(cycle.cell)
    form = CommentForm(request.POST or None, cell=cycle.cell, instance=PeopleComment(cycle=cycle))
    if request.method == "POST":
        require(can_manage)
        if form.is_valid():
            form.instance.recorded_by = request.user
            form.save()
            messages.success(request, _("The comment is recorded."))
            return redirect("evaluations:comments", cycle.pk)
    items = cycle.comments.select_related("about").order_by("given_on", "pk")
    return render(
        request,
        "evaluations/comments.html",
        {"cycle": cycle, "items": items, "form": form if can_manage else None},
    )


def emulation(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The emulation commitment: criteria agreed at the start of the year, scored at its end."""
    cycle = get_cycle(request, cycle_id)
    access = access_for(request.user)
    require(access.can_oversee_org(cycle.cell))
    can_manage = access.can_manage_org(cycle.cell) and not cycle.is_closed
    criteria = list(cycle.criteria.all())
    form = CriterionForm(request.POST if request.POST.get("action") == "add" else None)
    errors = []
    if request.method == "POST":
        require(can_manage)
        if request.POST.get("action") == "add":
            if form.is_valid():
                form.instance.cycle = cycle
                form.instance.order = len(criteria) + 1
                form.save()
                messages.success(request, _("The criterion is added."))
                return redirect("evaluations:emulation", cycle.pk)
        else:
            scores = ScoresForm(request.POST, criteria=criteria)
            if scores.is_valid():
                save_scores(criteria=criteria, scores=scores.scores())
                messages.success(request, _("The scores are saved."))
                return redirect("evaluations:emulation", cycle.pk)
            errors = scores.row_errors()
            for criterion in criteria:  # the scores read are shown as typed
                criterion.score = scores.scores().get(criterion.pk, criterion.score)
    total_points = sum(c.max_points or 0 for c in criteria)
    total_score = sum(c.score or 0 for c in criteria)
    return render(
        request,
        "evaluations/emulation.html",
        {
            "cycle": cycle,
            "criteria": criteria,
            "form": form,
            "can_manage": can_manage,
            "errors": errors,
            "total_points": total_points,
            "total_score": total_score,
        },
    )


def results_pdf(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_cycle(request, cycle_id)
    require(can_read_results(access_for(request.user), cycle))
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    issue_results_report(cycle=cycle)  # a closed year's report is numbered the first time it is printed
    response = HttpResponse(render_results_pdf(cycle), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{results_filename(cycle)}"'
    return response


app_name = "evaluations"

urlpatterns = [
    path("evaluations/", home, name="home"),
    path("cells/<int:org_id>/evaluations/", cell_cycles, name="cell-cycles"),
    path("evaluations/<int:cycle_id>/", cycle_detail, name="cycle-detail"),
    path("evaluations/<int:cycle_id>/step/<str:step>/", cycle_step, name="cycle-step"),
    path("evaluations/<int:cycle_id>/self/", self_assessment, name="self-assessment"),
    path("evaluations/<int:cycle_id>/proposal/", proposal, name="proposal"),
    path("evaluations/<int:cycle_id>/vote/", vote, name="vote"),
    path("evaluations/<int:cycle_id>/approval/", approval, name="approval"),
    path("evaluations/<int:cycle_id>/comments/", comments, name="comments"),
    path("evaluations/<int:cycle_id>/emulation/", emulation, name="emulation"),
    path("evaluations/<int:cycle_id>/results.pdf", results_pdf, name="results-pdf"),
]
