from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from members.access import Access, access_for, get_organisation, require
from members.models import Organisation, today
from propagandists.access import can_edit_roster, can_view_roster
from propagandists.forms import EndForm, PropagandistForm, RosterFilterForm
from propagandists.models import Propagandist
from propagandists.services import add_suggested_member, end_entry, save_entry, suggestions_for


def _entry(request: HttpRequest, entry_id: int, *, manage: bool = False) -> Propagandist:
    """The entry: 404 unless the user sees the cell, 403 unless they see its roster (and change it, if asked)."""
    access = access_for(request.user)
    entry = Propagandist.objects.select_related("cell", "member").filter(pk=entry_id).first()
    if entry is None or not access.can_view_org(entry.cell):
        raise Http404
    require(can_view_roster(access, entry.cell))
    if manage:
        require(can_edit_roster(access, entry.cell))
    return entry


def roster(request: HttpRequest, org_id: int) -> HttpResponse:
    """A cell's roster with suggestions; for a committee, one row per cell under it."""
    org = get_organisation(request, org_id)
    access = access_for(request.user)
    require(can_view_roster(access, org))
    if not org.is_cell:
        return _overview(request, org, access)
    day = today()
    form = RosterFilterForm(request.GET or None, cell=org)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = Propagandist.objects.filter(cell=org)
    state = filters.get("state")
    if state == "ended":
        entries = entries.filter(ends_on__lt=day)
    elif state != "all":
        entries = entries.active_on(day)
    if topic := filters.get("topic"):
        entries = entries.filter(topics__topic=topic)
    if area := filters.get("area"):
        entries = entries.filter(areas=area)
    if q := filters.get("q"):
        entries = entries.search(q)
    entries = (
        entries.select_related("member", "residential_group")
        .prefetch_related("topics", "areas")
        .order_by("search_name", "member__search_name", "pk")
        .distinct()
    )
    can_edit = can_edit_roster(access, org)
    return render(
        request,
        "propagandists/roster.html",
        {
            "cell": org,
            "form": form,
            "entries": entries,
            "can_edit": can_edit,
            "suggestions": suggestions_for(org, day) if can_edit else [],
        },
    )


def _overview(request: HttpRequest, org: Organisation, access: Access) -> HttpResponse:
    day = today()
    cells = list(Organisation.objects.cells().under(org).filter(access.org_filter()).only("pk", "name", "path"))
    counts = {
        row["cell_id"]: row
        for row in Propagandist.objects.active_on(day)
        .filter(cell__path__startswith=org.path)
        .values("cell_id")
        .annotate(
            total=Count("pk"),
            members=Count("pk", filter=Q(member__isnull=False)),
            others=Count("pk", filter=Q(member__isnull=True)),
        )
    }
    empty = {"total": 0, "members": 0, "others": 0}
    rows = [(cell, counts.get(cell.pk, empty)) for cell in cells]
    totals = {key: sum(row[key] for _cell, row in rows) for key in empty}
    return render(request, "propagandists/overview.html", {"org": org, "rows": rows, "totals": totals})


def entry_create(request: HttpRequest, org_id: int) -> HttpResponse:
    cell = get_organisation(request, org_id, manage=True)
    require(cell.is_cell)
    form = PropagandistForm(request.POST or None, cell=cell)
    if request.method == "POST" and form.is_valid():
        entry = save_entry(entry=form.instance, topics=form.cleaned_data["topics"], areas=form.cleaned_data["areas"])
        messages.success(request, _("%(name)s was added to the roster.") % {"name": entry.name})
        return redirect("propagandists:roster", org_id=cell.pk)
    return render(request, "propagandists/entry_form.html", {"form": form, "cell": cell})


def entry_edit(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _entry(request, entry_id, manage=True)
    form = PropagandistForm(request.POST or None, instance=entry, cell=entry.cell)
    if request.method == "POST" and form.is_valid():
        save_entry(entry=form.instance, topics=form.cleaned_data["topics"], areas=form.cleaned_data["areas"])
        messages.success(request, _("The changes were saved."))
        return redirect("propagandists:roster", org_id=entry.cell_id)
    return render(request, "propagandists/entry_form.html", {"form": form, "cell": entry.cell, "entry": entry})


def entry_end(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _entry(request, entry_id, manage=True)
    form = EndForm(request.POST or None, entry=entry)
    if request.method == "POST" and form.is_valid():
        try:
            end_entry(entry=entry, on=form.cleaned_data["ends_on"], reason=form.cleaned_data["end_reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(name)s is no longer on the roster.") % {"name": entry.name})
        return redirect("propagandists:roster", org_id=entry.cell_id)
    return render(request, "propagandists/entry_end.html", {"form": form, "cell": entry.cell, "entry": entry})


def add_suggestion(request: HttpRequest, org_id: int) -> HttpResponse:
    """One click from the suggestions. POST only, checked after access so that an outsider learns nothing."""
    cell = get_organisation(request, org_id, manage=True)
    require(cell.is_cell)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        member_id = int(request.POST.get("member", ""))
    except ValueError:
        member_id = 0
    try:
        entry = add_suggested_member(cell=cell, member_id=member_id, on=today())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s was added to the roster.") % {"name": entry.name})
    return redirect("propagandists:roster", org_id=cell.pk)
