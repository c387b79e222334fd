"""Drafting, the workflow, amendments and dissemination: the secretary's side of a resolution (the vote is taken
at a meeting: ``meetings.views.votes``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import HttpResponse, HttpResponseNotAllowed, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chibo.lib.forms import clean_text, unchecked, with_blank_row
from chibo.lib.parts import cached_part
from chibo.lib.requests import SignedInRequest
from members.access import access_for, get_organisation, require
from members.models import Member, today
from resolutions.access import get_resolution
from resolutions.forms.drafting import (
    MAX_TARGETS,
    MAX_TASKS,
    AmendmentForm,
    AssignmentChoices,
    DisseminationForm,
    NewResolutionForm,
    PublicOpinionForm,
    ResolutionForm,
    TargetFormSet,
    TaskFormSet,
)
from resolutions.models import CellTarget, PublicOpinion, Resolution, StatusChange, Target, Task, Version
from resolutions.pages import Tokens, edit_tokens, resolution_tokens, upper_choices
from resolutions.services import (
    SECTIONS,
    StaleEdit,
    WorkflowError,
    available_steps,
    carry_targets,
    create_resolution,
    diff_versions,
    open_work_first,
    progress_by_resolution,
    progress_of,
    save_resolution_page,
    snapshot_lines,
    start_from_last_period,
    take_step,
)
from resolutions.views.committee import document_edit as committee_document_edit


def resolution_list(request: SignedInRequest, org_id: int) -> HttpResponse:
    """A cell's resolutions, newest period first, with their rolled-up progress."""
    cell = get_organisation(request, org_id)
    require(cell.is_cell)
    day = today()
    resolutions = (
        Resolution.objects.filter(cell=cell)
        .annotate(
            task_count=Count("tasks", filter=~Q(tasks__status=Task.Status.CANCELLED)),
            overdue_count=Count("tasks", filter=Q(tasks__status__in=Task.OPEN, tasks__deadline__lt=day)),
        )
        .order_by("-period_start", "-seq")
    )
    page = Paginator(resolutions, 24).get_page(request.GET.get("page"))
    progress = progress_by_resolution([r.pk for r in page])
    rows = [(r, progress.get(r.pk)) for r in page]
    return render(
        request,
        "resolutions/resolution_list.html",
        {"cell": cell, "page": page, "rows": rows, "can_manage": access_for(request.user).can_manage_org(cell)},
    )


def resolution_create(request: SignedInRequest, org_id: int) -> HttpResponse:
    cell = get_organisation(request, org_id, manage=True)
    require(cell.is_cell)
    form = NewResolutionForm(request.POST or None, instance=Resolution(cell=cell))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {k: data[k] for k in ("kind", "period_start", "period_end", "title")}
        if data["from_last_period"]:
            resolution = start_from_last_period(cell=cell, by=request.user, **fields)
        else:
            resolution = create_resolution(cell=cell, by=request.user, **fields)
        messages.success(
            request, _("Draft %(number)s created. Now write its content and tasks.") % {"number": resolution.number}
        )
        return redirect("resolutions:resolution-edit", resolution_id=resolution.pk)
    return render(request, "resolutions/resolution_new.html", {"form": form, "cell": cell})


def resolution_detail(request: SignedInRequest, resolution_id: int) -> HttpResponse:
    """The resolution with its tasks, targets, votes, versions and workflow, kept in the cache under the tokens of
    the organisations whose rows it shows (``pages.resolution_tokens``), the day and the viewer's rights."""
    tokens = resolution_tokens(resolution_id)  # first: the rows the part shows are read after them
    resolution = get_resolution(request, resolution_id)
    access = access_for(request.user)
    day = today()
    rights = {
        "can_manage": access.can_draft_for(resolution.cell),
        "sees_history": access.can_oversee_org(resolution.cell),
    }
    key = (resolution.pk, tokens, day, sorted(rights.items()))
    part = cached_part(
        request,
        "resolutions/includes/_resolution_detail.html",
        key,
        lambda: _detail_context(resolution, day, **rights),
    )
    return render(request, "resolutions/resolution_detail.html", {"resolution": resolution, "part": part})


def _detail_context(resolution: Resolution, day: dt.date, *, can_manage: bool, sees_history: bool) -> dict[str, Any]:
    tasks = list(
        resolution.tasks.select_related("lead_member", "lead_mass_organisation", "follower", "cell_target")
        .with_pending_report()
        .prefetch_related(Prefetch("supporters", queryset=Member.objects.only("pk", "full_name")))
    )
    return {
        "resolution": resolution,
        "tasks": open_work_first(tasks, day),
        "overdue": [t for t in tasks if t.is_overdue(day)],
        "progress": progress_of(tasks),
        "targets": resolution.targets.all(),
        "votes": resolution.votes.select_related("recorded_by"),
        "versions": resolution.versions.select_related("created_by", "opinion"),
        "disseminations": resolution.disseminations.select_related("mass_organisation", "residential_group"),
        "changes": resolution.status_changes.select_related("by"),
        "upper": resolution.upper_resolutions.select_related("cell"),
        "can_manage": can_manage,
        "sees_history": sees_history,
        # The latest vote is corrected until implementation starts (``correction_refusal`` says the rest).
        "vote_correctable": resolution.status in (Resolution.Status.SUBMITTED, Resolution.Status.ADOPTED),
        "steps": available_steps(resolution),
        "today": day,
    }


def _row_limit_message(limit: int) -> str:
    return ngettext("At most %(num)d row can be saved here.", "At most %(num)d rows can be saved here.", limit) % {
        "num": limit
    }


def _with_extra_row(request: SignedInRequest, data: QueryDict, formset: Any, limit: int) -> QueryDict:
    """The posted data with one more blank row in a formset: "add a row" works without JavaScript (with it, the
    page adds the row itself). Never more than ``limit`` rows: the formset would refuse them."""
    try:
        count = int(data.get(f"{formset.prefix}-TOTAL_FORMS", "0") or 0)
    except ValueError:
        return data  # a count that is not a number: the formset reports its management form as invalid
    if count >= limit:
        messages.warning(request, _row_limit_message(limit))
        return data
    return with_blank_row(data, formset)


def resolution_edit(request: SignedInRequest, resolution_id: int) -> HttpResponse:
    """The text, targets and tasks on one page. After adoption the same page makes an amendment.

    Rows are added in the page by script (static/js/forms.js clones the formset's empty row); without script
    "add a row" posts the page and it comes back with one more blank row, unchecked. A blank row is never
    checked: it posts its initial values, so Django sees it unchanged and skips it."""
    # The tokens its form is kept under, read first: the rows the form shows are read after them.
    tokens = edit_tokens(resolution_id) if request.method != "POST" else ()
    resolution = get_resolution(request, resolution_id, manage=True)
    if resolution.is_upper:  # a committee's document has its own page: the cells it addresses, their targets
        return committee_document_edit(request, resolution)
    if not (resolution.is_editable or resolution.is_amendable):
        messages.error(
            request,
            _("A resolution that is %(status)s can no longer be changed.")
            % {"status": resolution.get_status_display().lower()},
        )
        return redirect("resolutions:resolution-detail", resolution_id=resolution.pk)
    if request.method != "POST":
        return _edit_page(request, resolution, tokens)
    choices = AssignmentChoices(resolution.cell, shared=_shared_lists(request))
    data: QueryDict = request.POST
    adding_row = "add_task" in data or "add_target" in data
    if "add_task" in data:
        blank = TaskFormSet(instance=resolution, prefix="tasks", choices=choices, queryset=Task.objects.none())
        data = _with_extra_row(request, data, blank, MAX_TASKS)
    if "add_target" in data:
        blank = TargetFormSet(instance=resolution, prefix="targets", queryset=Target.objects.none())
        data = _with_extra_row(request, data, blank, MAX_TARGETS)
    forms = _edit_forms(resolution, data, choices)
    form, targets, tasks, amendment = forms["form"], forms["targets"], forms["tasks"], forms["amendment"]
    warnings: list[str] = []
    if adding_row:
        unchecked(form, targets, tasks, *([amendment] if amendment else []))
    elif all([form.is_valid(), targets.is_valid(), tasks.is_valid(), amendment is None or amendment.is_valid()]):
        warnings = tasks.assignment_warnings()
        if warnings and not data.get("confirm_warnings"):
            messages.warning(request, _("Check the warnings below; tick the box to save anyway."))
        else:
            try:
                save_resolution_page(
                    resolution=resolution,
                    **form.saved_values(),
                    targets=targets,
                    tasks=tasks,
                    amendment=(
                        (amendment.cleaned_data["reason"], amendment.cleaned_data["opinion"])
                        if amendment is not None
                        else None
                    ),
                    by=request.user,
                )
            except StaleEdit as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Saved."))
                return redirect("resolutions:resolution-detail", resolution_id=resolution.pk)
    context = {
        **_edit_form_context(resolution, forms),
        "warnings": warnings,
        "amending": amendment is not None,
        "carry": _carry_offer(resolution, offered=True),
    }
    return render(request, "resolutions/resolution_edit.html", context)


def _edit_forms(
    resolution: Resolution,
    data: QueryDict | None,
    choices: AssignmentChoices,
    upper: list[tuple[int, str]] | None = None,
) -> dict[str, Any]:
    """The page's forms, bound to ``data`` when posted; ``upper``: the upper-level resolutions offered, read by the
    form when not given."""
    amending = resolution.is_amendable
    return {
        "form": ResolutionForm(data, instance=resolution, amending=amending, upper=upper),
        "targets": TargetFormSet(data, instance=resolution, prefix="targets"),
        "tasks": TaskFormSet(
            data,
            instance=resolution,
            prefix="tasks",
            choices=choices,
            queryset=resolution.tasks.exclude(status=Task.Status.CANCELLED)
            .select_related("cell_target")
            .prefetch_related("supporters"),
        ),
        "amendment": AmendmentForm(data, cell=resolution.cell) if amending else None,
    }


def _edit_form_context(resolution: Resolution, forms: dict[str, Any]) -> dict[str, Any]:
    """What the form of the edit page (``includes/_resolution_form.html``) shows, but the warnings."""
    return {
        "resolution": resolution,
        **forms,
        "sections": SECTIONS,
        "task_limit_message": _row_limit_message(MAX_TASKS),
        "target_limit_message": _row_limit_message(MAX_TARGETS),
    }


def _shared_lists(request: SignedInRequest) -> bool:
    """Whether the task rows share one member list that the script fills in (``AssignmentChoices``): unless the
    page was asked for with every list in full (``?members=all``, the link a browser without script shows)."""
    return request.GET.get("members") != "all"


def _edit_page(request: SignedInRequest, resolution: Resolution, tokens: Tokens) -> HttpResponse:
    """The edit page as the resolution is saved: its form is kept in the cache under the tokens of the cells whose
    rows it shows (``pages.edit_tokens``: the resolution and its tasks, the cell's members and what they do), the
    upper-level resolutions it offers and the day (who is away or exempt today). Only those who manage the cell
    see it, each the same form; a posted form is never kept."""
    day = today()
    upper = upper_choices(resolution.cell)
    shared = _shared_lists(request)
    form_html = cached_part(
        request,
        "resolutions/includes/_resolution_form.html",
        (resolution.pk, tokens, upper, day, shared),
        lambda: _saved_edit_form(resolution, upper, shared),
    )
    return render(
        request,
        "resolutions/resolution_edit.html",
        {
            "resolution": resolution,
            "amending": resolution.is_amendable,
            "form_html": form_html,
            "carry": _carry_offer(resolution, offered=bool(upper)),
        },
    )


def _saved_edit_form(resolution: Resolution, upper: list[tuple[int, str]], shared: bool) -> dict[str, Any]:
    forms = _edit_forms(resolution, None, AssignmentChoices(resolution.cell, shared=shared), upper)
    return {**_edit_form_context(resolution, forms), "warnings": []}


@dataclass(frozen=True)
class CarryOffer:
    """What the edit page says of the upper-level targets: how many targets the documents the draft is saved as
    carrying out set the cell, and how many of them no task of the draft carries yet."""

    targets: int
    pending: int


def _carry_offer(resolution: Resolution, *, offered: bool) -> CarryOffer | None:
    """For a cell's draft with upper-level documents to carry out (``offered``), in one query: the targets of the
    documents it is saved as carrying out, and whether a task of the draft carries each. ``None`` otherwise."""
    if not offered or not resolution.is_editable or resolution.is_upper:
        return None
    carried = Task.objects.filter(resolution=resolution, cell_target=OuterRef("pk"))
    rows = list(
        CellTarget.objects.filter(resolution__carried_out_by=resolution)
        .annotate(carried=Exists(carried))
        .values_list("carried", flat=True)
    )
    return CarryOffer(targets=len(rows), pending=rows.count(False))


def carry_targets_view(request: SignedInRequest, resolution_id: int) -> HttpResponse:
    """Take the targets of the upper-level documents a cell's draft carries out into its tasks, one task per target
    not yet carried (``services.carry_targets``), then back to the edit page where the secretary names who leads
    and supports each. POST only, after the access check (an outsider learns nothing from a 405)."""
    resolution = get_resolution(request, resolution_id, manage=True)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        added = carry_targets(resolution=resolution, by=request.user)
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return redirect("resolutions:resolution-detail", resolution_id=resolution.pk)
    if added:
        messages.success(
            request,
            ngettext(
                "%(count)d task added for the upper-level targets: name who leads and supports it.",
                "%(count)d tasks added for the upper-level targets: name who leads and supports each.",
                len(added),
            )
            % {"count": len(added)},
        )
    else:
        messages.info(request, _("Every upper-level target of the linked documents is already carried by a task."))
    return redirect("resolutions:resolution-edit", resolution_id=resolution.pk)


STEP_NOTE_MAX = StatusChange._meta.get_field("note").max_length


def resolution_step(request: SignedInRequest, resolution_id: int, step: str) -> HttpResponse:
    resolution = get_resolution(request, resolution_id, manage=True)
    if request.method != "POST":  # after the access check, so outsiders learn nothing from a 405
        return HttpResponseNotAllowed(["POST"])
    try:
        note = clean_text(request.POST.get("note", ""), max_length=STEP_NOTE_MAX)
        take_step(resolution=resolution, step_name=step, by=request.user, note=note)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("The resolution is now %(status)s.") % {"status": resolution.get_status_display().lower()}
        )
    return redirect("resolutions:resolution-detail", resolution_id=resolution.pk)


def version_diff(request: SignedInRequest, resolution_id: int, number: int) -> HttpResponse:
    resolution = get_resolution(request, resolution_id)
    newer = get_object_or_404(
        Version.objects.select_related("created_by", "opinion"), resolution=resolution, number=number
    )
    older = Version.objects.filter(resolution=resolution, number__lt=number).order_by("-number").first()
    lines = diff_versions(older, newer) if older else [("same", line) for line in snapshot_lines(newer.snapshot)]
    return render(
        request,
        "resolutions/version_diff.html",
        {"resolution": resolution, "newer": newer, "older": older, "lines": lines},
    )


def dissemination_create(request: SignedInRequest, resolution_id: int) -> HttpResponse:
    resolution = get_resolution(request, resolution_id, manage=True)
    if resolution.status not in Resolution.LIVE:
        messages.error(request, _("A resolution is disseminated once it is adopted."))
        return redirect("resolutions:resolution-detail", resolution_id=resolution.pk)
    form = DisseminationForm(request.POST or None, cell=resolution.cell)
    if request.method == "POST" and form.is_valid():
        dissemination = form.save(commit=False)
        dissemination.resolution, dissemination.recorded_by = resolution, request.user
        dissemination.save()
        messages.success(request, _("Saved."))
        return redirect("resolutions:resolution-detail", resolution_id=resolution.pk)
    return render(request, "resolutions/dissemination_form.html", {"resolution": resolution, "form": form})


def opinion_list(request: SignedInRequest, org_id: int) -> HttpResponse:
    """The public-opinion log of a cell; the secretary adds to it on the same page."""
    cell = get_organisation(request, org_id)
    require(cell.is_cell)
    can_manage = access_for(request.user).can_manage_org(cell)
    form = PublicOpinionForm(request.POST or None, cell=cell) if can_manage else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            opinion = form.save(commit=False)
            opinion.cell, opinion.recorded_by = cell, request.user
            opinion.save()
            messages.success(request, _("Saved."))
            return redirect("resolutions:opinion-list", org_id=cell.pk)
    opinions = Paginator(PublicOpinion.objects.filter(cell=cell).select_related("resolution"), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "resolutions/opinion_list.html", {"cell": cell, "page": opinions, "form": form})


urlpatterns = [
    path("cells/<int:org_id>/resolutions/", resolution_list, name="resolution-list"),
    path("cells/<int:org_id>/resolutions/new/", resolution_create, name="resolution-create"),
    path("cells/<int:org_id>/opinions/", opinion_list, name="opinion-list"),
    path("resolutions/<int:resolution_id>/", resolution_detail, name="resolution-detail"),
    path("resolutions/<int:resolution_id>/edit/", resolution_edit, name="resolution-edit"),
    path("resolutions/<int:resolution_id>/carry-targets/", carry_targets_view, name="carry-targets"),
    path("resolutions/<int:resolution_id>/steps/<slug:step>/", resolution_step, name="resolution-step"),
    path("resolutions/<int:resolution_id>/versions/<int:number>/", version_diff, name="version-diff"),
    path("resolutions/<int:resolution_id>/disseminations/new/", dissemination_create, name="dissemination-create"),
]
