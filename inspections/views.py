from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from inspections.access import body_orgs_for, can_edit, can_run, can_view, follow_up_overdue, visible_filter
from inspections.documents import pdf_filename, render_conclusion_pdf
from inspections.forms import ConcludeForm, FollowUpForm, InspectionFilterForm, InspectionForm
from inspections.models import Inspection
from inspections.services import conclude_inspection, record_follow_up, start_inspection
from members.access import Access, access_for, get_organisation, require
from members.models import Organisation, today

PAGE_SIZE = 50
S = Inspection.Status


def _inspection(request: HttpRequest, inspection_id: int, *, run: bool = False, edit: bool = False) -> Inspection:
    """The inspection: 404 unless the user sees it, 403 unless they may run (or edit) it when asked."""
    access = access_for(request.user)
    inspection = (
        Inspection.objects.select_related("subject_org", "subject_member", "body_org").filter(pk=inspection_id).first()
    )
    if inspection is None or not can_view(
        access,
        subject_path=inspection.subject_org.path,
        subject_member_id=inspection.subject_member_id,
        status=inspection.status,
    ):
        raise Http404
    if run:
        require(can_run(access, body=inspection.body, body_org=inspection.body_org))
    if edit:
        require(can_edit(access, inspection))
    return inspection


def _filtered(inspections: QuerySet[Inspection], form: InspectionFilterForm) -> QuerySet[Inspection]:
    filters = form.cleaned_data if form.is_valid() else {}
    if activity := filters.get("activity"):
        inspections = inspections.filter(activity=activity)
    if mode := filters.get("mode"):
        inspections = inspections.filter(mode=mode)
    if status := filters.get("status"):
        inspections = inspections.filter(status=status)
    if year := filters.get("year"):
        inspections = inspections.filter(planned_start__year=year)
    if filters.get("overdue"):
        inspections = inspections.filter(follow_up_due__lt=today(), follow_up_done_on__isnull=True, status=S.CONCLUDED)
    return inspections


def _page(request: HttpRequest, inspections: QuerySet[Inspection]) -> Page[Inspection]:
    inspections = inspections.select_related("subject_org", "subject_member", "body_org").order_by(
        "-planned_start", "-pk"
    )
    return Paginator(inspections, PAGE_SIZE).get_page(request.GET.get("page"))


def inspection_list(request: HttpRequest) -> HttpResponse:
    """Every inspection the user sees, filtered by activity, form, status and year."""
    access = access_for(request.user)
    require(access.has_any_access)
    form = InspectionFilterForm(request.GET or None)
    inspections = _filtered(Inspection.objects.filter(visible_filter(access)), form)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "inspections/inspection_list.html",
        {"form": form, "page": _page(request, inspections), "today": today(), "query": query.urlencode()},
    )


def org_inspections(request: HttpRequest, org_id: int) -> HttpResponse:
    """The overview of an organisation: counts for each organisation under it, then its inspections."""
    org = get_organisation(request, org_id)
    access = access_for(request.user)
    form = InspectionFilterForm(request.GET or None)
    inspections = _filtered(
        Inspection.objects.filter(visible_filter(access), subject_org__path__startswith=org.path), form
    )
    rows = _summary(org, inspections) if not org.is_cell else []
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "inspections/org_inspections.html",
        {
            "org": org,
            "form": form,
            "rows": rows,
            "page": _page(request, inspections),
            "today": today(),
            "query": query.urlencode(),
            "can_create": bool(body_orgs_for(access, org, list(Organisation.objects.get_ancestors(org)))),
        },
    )


def _summary(org: Organisation, inspections: QuerySet[Inspection]) -> list[dict[str, object]]:
    """One row for the organisation's own inspections and one for each organisation directly under it, summed over
    their subtrees in Python from one grouped query."""
    day = today()
    children = list(Organisation.objects.filter(path__startswith=org.path, depth=org.depth + 1).order_by("path"))
    grouped = (
        inspections.order_by()
        .values("subject_org__path")
        .annotate(
            total=Count("pk"),
            planned=Count("pk", filter=Q(status=S.PLANNED)),
            in_progress=Count("pk", filter=Q(status=S.IN_PROGRESS)),
            concluded=Count("pk", filter=Q(status=S.CONCLUDED)),
            faults=Count(
                "pk",
                filter=Q(conclusion__in=[Inspection.Conclusion.SHORTCOMINGS, Inspection.Conclusion.VIOLATION]),
            ),
            overdue=Count("pk", filter=Q(status=S.CONCLUDED, follow_up_due__lt=day, follow_up_done_on__isnull=True)),
        )
    )
    keys = ("total", "planned", "in_progress", "concluded", "faults", "overdue")
    rows: list[dict[str, Any]] = [{"org": org, "own": True, **dict.fromkeys(keys, 0)}]
    rows += [{"org": child, "own": False, **dict.fromkeys(keys, 0)} for child in children]
    for group in grouped:
        path = group["subject_org__path"]
        row = next((r for r in rows[1:] if path.startswith(r["org"].path)), rows[0])
        for key in keys:
            row[key] += group[key]
    return rows


def inspection_detail(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection = _inspection(request, inspection_id)
    access = access_for(request.user)
    runs = can_run(access, body=inspection.body, body_org=inspection.body_org)
    return render(
        request,
        "inspections/inspection_detail.html",
        {
            "inspection": inspection,
            "can_run": runs,
            "can_edit": runs and inspection.status != S.CONCLUDED,
            "overdue": follow_up_overdue(inspection.follow_up_due, inspection.follow_up_done_on, today()),
        },
    )


def _body_orgs(access: Access, subject: Organisation) -> list[Organisation]:
    body_orgs = body_orgs_for(access, subject, list(Organisation.objects.get_ancestors(subject)))
    require(bool(body_orgs))
    return body_orgs


def inspection_create(request: HttpRequest, org_id: int) -> HttpResponse:
    subject = get_organisation(request, org_id)
    access = access_for(request.user)
    form = InspectionForm(request.POST or None, subject=subject, body_orgs=_body_orgs(access, subject))
    if request.method == "POST" and form.is_valid():
        form.instance.created_by = request.user
        inspection = form.save()
        messages.success(request, _("The inspection was planned."))
        return redirect("inspections:inspection-detail", inspection_id=inspection.pk)
    return render(request, "inspections/inspection_form.html", {"form": form, "org": subject})


def inspection_edit(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection = _inspection(request, inspection_id, edit=True)
    access = access_for(request.user)
    form = InspectionForm(
        request.POST or None,
        instance=inspection,
        subject=inspection.subject_org,
        body_orgs=_body_orgs(access, inspection.subject_org),
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The changes were saved."))
        return redirect("inspections:inspection-detail", inspection_id=inspection.pk)
    return render(
        request,
        "inspections/inspection_form.html",
        {"form": form, "org": inspection.subject_org, "inspection": inspection},
    )


def inspection_start(request: HttpRequest, inspection_id: int) -> HttpResponse:
    """POST only, checked after access so that an outsider learns nothing."""
    inspection = _inspection(request, inspection_id, run=True)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        start_inspection(inspection=inspection, on=today())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The inspection is under way."))
    return redirect("inspections:inspection-detail", inspection_id=inspection.pk)


def inspection_conclude(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection = _inspection(request, inspection_id, run=True)
    if inspection.status != S.IN_PROGRESS:
        messages.error(request, _("Only an inspection under way can be concluded."))
        return redirect("inspections:inspection-detail", inspection_id=inspection.pk)
    form = ConcludeForm(request.POST or None, inspection=inspection)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            conclude_inspection(
                inspection=inspection,
                findings=data["findings"],
                conclusion=data["conclusion"],
                recommendations=data["recommendations"],
                follow_up_due=data["follow_up_due"],
                on=data["concluded_on"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The inspection was concluded."))
        return redirect("inspections:inspection-detail", inspection_id=inspection.pk)
    return render(
        request,
        "inspections/inspection_step.html",
        {"form": form, "inspection": inspection, "title": _("Conclude the inspection")},
    )


def follow_up(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection = _inspection(request, inspection_id, run=True)
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record_follow_up(inspection=inspection, on=form.cleaned_data["done_on"], note=form.cleaned_data["note"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The follow-up was recorded."))
        return redirect("inspections:inspection-detail", inspection_id=inspection.pk)
    return render(
        request,
        "inspections/inspection_step.html",
        {"form": form, "inspection": inspection, "title": _("Record the follow-up")},
    )


def conclusion_pdf(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection = _inspection(request, inspection_id)
    if inspection.status != S.CONCLUDED:
        raise Http404
    response = HttpResponse(render_conclusion_pdf(inspection), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pdf_filename(inspection)}"'
    return response
