from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, models
from django.db.models import Count
from django.db.models.functions import Length
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from chibo.lib.pagination import CappedPaginator
from chibo.lib.parts import cached_part
from chibo.lib.requests import SignedInRequest
from chibo.lib.text import search_key
from members import privacy, services
from members.access import Access, access_for, get_member, get_organisation, require
from members.exports import members_workbook, template_workbook
from members.forms import (
    AwayPeriodForm,
    EndPeriodForm,
    ExemptionForm,
    ImportUploadForm,
    LeaveForm,
    MemberFilterForm,
    MemberForm,
    RecogniseForm,
    TransferForm,
)
from members.imports import import_members, read_members
from members.models import (
    AwayPeriod,
    Exemption,
    Member,
    Organisation,
    OrganisationVersion,
    Role,
    cell_roll,
    ending_probation,
    roll_counts,
    roll_probations,
    status_counts,
    today,
)
from members.personal_data import member_archive
from members.rules import ENDING_SOON_DAYS, REVIEW_WORKING_DAYS, probation, public_holidays
from members.versions import token_of, tokens, with_token

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What an organisation's page shows: for a cell, a part kept in the cache (chibo.lib.parts).
ORG_PAGE = "members/includes/_org_page.html"
# The member search (its filters and its list) and its list alone, parts kept in the cache.
MEMBER_SEARCH = "members/includes/_member_search.html"
MEMBER_TABLE = "members/includes/_member_table.html"
# A committee's page lists at most this many members whose probation ends soon; each ward's page has the rest.
PROBATION_LIST_LIMIT = 100

# The order people expect on a committee list: the secretary first.
ROLE_ORDER: list[str] = [
    Role.Kind.PARTY_SECRETARY,
    Role.Kind.PARTY_DEPUTY,
    Role.Kind.STANDING,
    Role.Kind.SECRETARY,
    Role.Kind.DEPUTY,
    Role.Kind.COMMITTEE,
    Role.Kind.IN_CHARGE,
    Role.Kind.ADMIN,
]


def url_for_id(name: str) -> Callable[[int], str]:
    """The URL of the view ``name`` (one id in its path) for any id, from one ``reverse``: a page linking each
    of a hundred rows builds the links by this rather than by a hundred ``{% url %}``."""
    head, _sep, tail = reverse(name, args=[0]).rpartition("/0/")
    return lambda pk: f"{head}/{pk}/{tail}"


def _badge_renderer() -> Callable[[dict[str, Any]], str]:
    """A member's badges: members/includes/_status_badges.html (the one place they are written), rendered once
    for each combination of status and flags a page has, not once for each row."""
    template = get_template("members/includes/_status_badges.html")
    rendered: dict[tuple[object, ...], str] = {}

    def badges(row: dict[str, Any]) -> str:
        key = (row["status"], row["is_exempt"], row["is_away"], row["is_propagandist"])
        if key not in rendered:
            rendered[key] = template.render({"m": row})
        return rendered[key]

    return badges


def _add_badges(rows: list[dict[str, Any]]) -> None:
    """Each row's ``badges`` (``_badge_renderer``)."""
    badges = _badge_renderer()
    for row in rows:
        row["badges"] = badges(row)


def org_tree(request: SignedInRequest) -> HttpResponse:
    """The organisations the user sees, with member counts that include everything below each one."""
    access = access_for(request.user)
    require(access.has_any_access)
    orgs = list(Organisation.objects.visible_to(access).only("pk", "name", "kind", "path", "depth", "code"))
    per_cell = dict(
        Member.objects.active()
        .filter(cell__in=Organisation.objects.visible_to(access).cells())
        .values_list("cell_id")
        .annotate(n=Count("pk"))
        .values_list("cell_id", "n")
    )
    by_path = {org.path: org for org in orgs}
    totals: Counter[str] = Counter()
    cells: Counter[str] = Counter()
    for org in orgs:
        if org.is_cell:
            for path in org.ancestor_paths():
                totals[path] += per_cell.get(org.pk, 0)
                cells[path] += 1
    top_depth = min((org.depth for org in orgs), default=1)
    rows = [
        {"org": org, "members": totals[org.path], "cells": cells[org.path], "indent": org.depth - top_depth}
        for org in by_path.values()
    ]
    return render(request, "members/org_tree.html", {"rows": rows})


def _visible_organisation(access: Access, org_id: int) -> Organisation:
    """The organisation read with its cache token (``members.versions.with_token``), in one query; 404 when the
    user does not see it (as ``members.access.get_organisation``)."""
    org = with_token(Organisation.objects.filter(pk=org_id)).first()
    if org is None or not access.can_view_org(org):
        raise Http404
    return org


def _ancestors(org: Organisation) -> list[dict[str, Any]]:
    """The organisations above, from the top, as the breadcrumb shows them (their ids and names)."""
    return list(Organisation.objects.get_ancestors(org).values("pk", "name"))


@dataclass(frozen=True)
class PartAccess:
    """The viewer's access as a part kept in the cache may know it: whether they oversee its organisation, which
    the part's key names (the cell's tabs ask ``access|can_oversee:cell``). It answers for that organisation only."""

    org_id: int
    oversees: bool

    def can_oversee_org(self, org: Organisation) -> bool:
        if org.pk != self.org_id:
            raise ValueError(f"The part knows the viewer's access to organisation {self.org_id} only.")
        return self.oversees


def _roles(org: Organisation) -> list[Role]:
    """The organisation's roles, the secretary first, with their holders' names."""
    return sorted(
        Role.objects.filter(organisation=org)
        .select_related("user__member")
        .only("kind", "user__username", "user__first_name", "user__last_name", "user__member__full_name")
        .order_by(),  # sorted here: no join for the model's ordering by the organisation's path
        key=lambda role: (ROLE_ORDER.index(role.kind), role.user.get_full_name()),
    )


def _cell_page(
    cell: Organisation, ancestors: list[dict[str, Any]], day: dt.date, rights: dict[str, bool]
) -> dict[str, object]:
    """What a cell's page shows (members/includes/_org_page.html): the organisations above it, its counts, its
    resolutions in force, its committee, the probations ending and its roll; ``rights``: what the viewer may do."""
    # The counts, the probations ending and the table all come from the one read of the cell's roll.
    roll = cell_roll(cell, day)
    context: dict[str, object] = {
        **rights,
        "org": cell,
        "ancestors": ancestors,
        "access": PartAccess(cell.pk, rights["can_oversee"]),
        # The cell reviews each probation within 30 working days of its end (members.rules).
        "probation_days": ENDING_SOON_DAYS,
        "probation_review_days": REVIEW_WORKING_DAYS,
        "roles": _roles(cell),
        "members": roll,
        "counts": roll_counts(roll, day),
    }
    _add_badges(roll)
    if rights["can_oversee"]:
        member_url = url_for_id("members:member-detail")
        for row in roll:
            row["url"] = member_url(row["pk"])
        context["probation_rows"] = roll_probations(roll, day)
    return context


def _committee_body(org: Organisation, day: dt.date, can_oversee: bool) -> dict[str, object]:
    """What a committee's page shows below its title: its counts, its roles, the probations ending under it and
    the organisations right under it with their members."""
    members_qs = Member.objects.in_org(org)
    context: dict[str, object] = {
        "probation_days": ENDING_SOON_DAYS,
        "probation_review_days": REVIEW_WORKING_DAYS,
        "roles": _roles(org),
        "counts": status_counts(members_qs, day),
    }
    if can_oversee:
        rows = ending_probation(members_qs, day, limit=PROBATION_LIST_LIMIT + 1)
        context["probation_rows"] = rows[:PROBATION_LIST_LIMIT]
        context["probation_more"] = len(rows) > PROBATION_LIST_LIMIT
    children = list(Organisation.objects.filter(path__startswith=org.path, depth=org.depth + 1))
    per_child: Counter[int] = Counter()
    per_cell = (
        Member.objects.active()
        .in_org(org)
        .values_list("cell__path")
        .annotate(n=Count("pk"))
        .values_list("cell__path", "n")
    )
    for cell_path, n in per_cell:
        for child in children:
            if cell_path.startswith(child.path):
                per_child[child.pk] += n
                break
    context["children"] = [(child, per_child[child.pk]) for child in children]
    return context


def org_detail(request: SignedInRequest, org_id: int) -> HttpResponse:
    access = access_for(request.user)
    org = _visible_organisation(access, org_id)
    day = today()
    rights = {
        "can_manage": access.can_manage_org(org),
        "can_oversee": access.can_oversee_org(org),
        "own_cell": access.member_id is not None and access.member_cell_path == org.path,
    }
    ancestors = _ancestors(org)
    if org.is_cell:
        # A cell's page shows its own rows (a write of any of them renews its token), the names of the
        # organisations above it, what is due on the day and what the viewer may do: kept in the cache under these.
        # Not under the tokens of the organisations above: every write anywhere under them renews those.
        names = [(a["pk"], a["name"]) for a in ancestors]
        key = ("cell", org.pk, token_of(org), names, day, sorted(rights.items()), sorted(public_holidays()))
        part = cached_part(request, ORG_PAGE, key, lambda: _cell_page(org, ancestors, day, rights))
        return render(request, "members/org_detail.html", {"org": org, "part": part})
    context: dict[str, object] = {
        **rights,
        "org": org,
        "ancestors": ancestors,
        **_committee_body(org, day, rights["can_oversee"]),
    }
    return render(request, "members/org_detail.html", context)


def _filtered_members(access: Access, query: QueryDict, day: dt.date) -> tuple[MemberFilterForm, Any]:
    """The member list's form and its members as filtered by the query string (the page and its export)."""
    organisations = Organisation.objects.visible_to(access).exclude(kind=Organisation.Kind.GROUP)
    province_wide = access.is_admin or any(len(path) <= Organisation.steplen for path in access.visible_paths)
    form = MemberFilterForm(query or None, organisations=organisations, cells_by_ward=province_wide)
    members = Member.objects.visible_to(access).active().with_flags(day)
    filters = form.cleaned_data if form.is_valid() else {}
    if org := filters.get("org"):
        members = members.in_org(org)
    if status := filters.get("status"):
        members = members.official_on(day) if status == Member.Status.OFFICIAL else members.probationary_on(day)
    flag = filters.get("flag")
    if flag == "away":
        members = members.filter(is_away=True)  # type: ignore[misc]  # annotated by with_flags, unknown to the checker
    elif flag == "exempt":
        members = members.filter(is_exempt=True)  # type: ignore[misc]  # as above
    elif flag == "propagandist":
        members = members.filter(is_propagandist=True)
    if q := filters.get("q"):
        members = members.search(q)
    return form, members.select_related("cell", "residential_group").order_by("search_name", "pk")


def _member_search(access: Access, query: QueryDict, day: dt.date) -> dict[str, object]:
    """What the member search shows (members/includes/_member_search.html): its filters and a page of its list."""
    form, members = _filtered_members(access, query, day)
    size, cap = settings.CHIBO["MEMBER_LIST_PAGE_SIZE"], settings.CHIBO["MEMBER_LIST_COUNT_CAP"]
    # Counted and paged over the members' keys in name order, then the page's members read in full, in the same
    # query: thousands of names match "nguyen van" in a province, all of them after "a" in the alphabet, and the
    # keys of a page are found in the index of the names on the roll without reading every member before them.
    page = CappedPaginator(members.values("pk"), size, cap=cap).get_page(query.get("page"))
    page.object_list = list(members.without_identity_numbers().filter(pk__in=page.object_list))
    badges, member_url = _badge_renderer(), url_for_id("members:member-detail")
    for m in page.object_list:
        flags = {name: getattr(m, name) for name in ("status", "is_exempt", "is_away", "is_propagandist")}
        m.badges, m.url = badges(flags), member_url(m.pk)  # for the template only
    others = query.copy()
    others.pop("page", None)
    return {"form": form, "page": page, "query": others.urlencode()}


def _search_scope(access: Access) -> tuple[object, ...]:
    """Whom the member search shows to this viewer (``Member.objects.visible_to``, ``Organisation.objects.
    visible_to``) and the tokens of the organisations it covers, which every write under them renews."""
    if access.is_admin:
        # The tokens of the roots (a root never written under has none yet, as ``tokens``).
        roots = OrganisationVersion.objects.alias(length=Length("path")).filter(length=Organisation.steplen)
        return ("all", sorted(roots.values_list("path", "token")))
    paths = set(access.visible_paths)
    outermost = sorted(path for path in paths if not any(path != top and path.startswith(top) for top in paths))
    cell = access.member_cell_path
    # One's own record is listed with the subtrees one oversees, even outside them (Access.member_filter).
    own = access.member_id if cell and not any(cell.startswith(top) for top in access.oversight_paths) else None
    return (outermost, own, sorted(tokens(outermost).items()))


def member_list(request: SignedInRequest) -> HttpResponse:
    access = access_for(request.user)
    require(access.can_list_members)
    day = today()
    # The search box and the filters refresh the list; the organisation of a province's user brings its cells
    # into the filters too, so the whole search comes back (htmx picks ``#member-search`` out of the page).
    only_table = request.htmx and request.htmx.target == "member-table"
    template = MEMBER_TABLE if only_table else MEMBER_SEARCH
    # The part shows the members and organisations the viewer sees, as the query string asks, with their statuses
    # on the day: kept in the cache under these and the tokens of the organisations seen.
    sizes = (settings.CHIBO["MEMBER_LIST_PAGE_SIZE"], settings.CHIBO["MEMBER_LIST_COUNT_CAP"])
    key = ("members", _search_scope(access), sorted(request.GET.lists()), day, sizes)
    part = cached_part(request, template, key, lambda: _member_search(access, request.GET, day))
    if only_table:
        return HttpResponse(part)
    return render(request, "members/member_list.html", {"part": part})


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def member_list_export(request: SignedInRequest) -> HttpResponse:
    """The member list as it is filtered on the page, every page of it, as an Excel file."""
    access = access_for(request.user)
    require(access.can_list_members)
    form, members = _filtered_members(access, request.GET, today())
    org = form.cleaned_data.get("org") if form.is_bound and form.is_valid() else None
    scope = privacy.list_scope(access, org)
    rows = scope.count(members.without_identity_numbers().iterator(chunk_size=2000))
    content = members_workbook(rows, title=_("Party members"), with_cell=True)
    privacy.record_list_export(user=request.user, scope=scope)
    return _xlsx_response(content, f"dang-vien-{today():%Y%m%d}.xlsx")


def cell_members_export(request: SignedInRequest, org_id: int) -> HttpResponse:
    """The members on a cell's roll (or under a committee) as an Excel file; for those who see personal data."""
    org = get_organisation(request, org_id)
    require(access_for(request.user).can_oversee_org(org))
    members = Member.objects.in_org(org).active().select_related("cell").order_by("search_name", "pk")
    scope = privacy.list_scope(access_for(request.user), org)
    content = members_workbook(
        scope.count(members.without_identity_numbers().iterator(chunk_size=2000)),
        title=org.name,
        with_cell=not org.is_cell,
    )
    privacy.record_list_export(user=request.user, scope=scope)
    slug = "-".join(search_key(org.code or org.name).split()) or "chi-bo"
    return _xlsx_response(content, f"dang-vien-{slug}-{today():%Y%m%d}.xlsx")


def member_detail(request: SignedInRequest, member_id: int) -> HttpResponse:
    member = get_member(request, member_id)
    access = access_for(request.user)
    privacy.record_view(user=request.user, member=member)
    history = list(member.history.select_related("history_user").order_by("-history_date", "-history_id")[:21])
    changes = []
    for newer, older in zip(history, [*history[1:], None], strict=False):
        if older is None:
            changes.append({"record": newer, "fields": [], "created": True})
        else:
            delta = newer.diff_against(older, excluded_fields=["search_name", "citizen_id_hash", "updated_at"])
            changes.append(
                {
                    "record": newer,
                    # The history's changes are of Member's own columns.
                    "fields": [
                        cast("models.Field[Any, Any]", Member._meta.get_field(c.field)).verbose_name
                        for c in delta.changes
                    ],
                }
            )
    return render(
        request,
        "members/member_detail.html",
        {
            "member": member,
            "identity": member.identity_numbers(full=access.can_see_identity_numbers(member)),
            "can_manage": access.can_manage_member(member),
            "can_export_data": _may_export_data(access, member),
            "is_own_record": member.pk == access.member_id,
            "exemptions": member.exemptions.all(),
            "away_periods": member.away_periods.all(),
            "events": member.events.select_related("from_cell", "to_cell", "recorded_by").order_by("on", "pk"),
            "today": today(),
            "probation": probation(member.admitted_on, today()) if member.official_on is None else None,
            "backgrounds": member.backgrounds.all(),
            "changes": changes[:20],
        },
    )


def _may_export_data(access: Any, member: Member) -> bool:
    """Everything held about a member goes to the member and to those who manage them: the cell's secretary and
    deputy, and administrators."""
    return member.pk == access.member_id or access.can_manage_member(member)


def member_data_export(request: SignedInRequest, member_id: int) -> HttpResponse:
    """Everything the product holds about the member (``members.personal_data``), as a zip of a workbook and a
    JSON file; each download is logged."""
    member = get_member(request, member_id)
    require(_may_export_data(access_for(request.user), member))
    if request.method != "GET":  # after the access check, so that an outsider learns nothing from a 405
        return HttpResponseNotAllowed(["GET"])
    content = member_archive(member)
    privacy.record_member_export(user=request.user, member=member)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="du-lieu-ca-nhan-{member.pk}-{today():%Y%m%d}.zip"'
    return response


def member_create(request: SignedInRequest, org_id: int) -> HttpResponse:
    cell = get_organisation(request, org_id, manage=True)
    require(cell.is_cell)
    form = MemberForm(request.POST or None, cells=Organisation.objects.filter(pk=cell.pk))
    if request.method == "POST" and form.is_valid():
        member = form.save()
        messages.success(request, _("%(name)s was added to the cell.") % {"name": member.full_name})
        return redirect("members:member-detail", member_id=member.pk)
    return render(request, "members/member_form.html", {"form": form, "cell": cell})


def member_edit(request: SignedInRequest, member_id: int) -> HttpResponse:
    member = get_member(request, member_id, manage=True)
    access = access_for(request.user)
    cells = Organisation.objects.cells().filter(access.managed_org_filter())
    form = MemberForm(request.POST or None, instance=member, cells=cells)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The changes were saved."))
        return redirect("members:member-detail", member_id=member.pk)
    return render(request, "members/member_form.html", {"form": form, "member": member, "cell": member.cell})


def _member_subform(
    request: SignedInRequest, member_id: int, form_class: type[forms.ModelForm[Any]], title: str
) -> HttpResponse:
    """Record a dated period (exemption, away) or the member's leaving, on its own small page."""
    member = get_member(request, member_id, manage=True)
    if form_class is LeaveForm:
        form = form_class(request.POST or None, instance=member)
    else:
        form = form_class(request.POST or None, instance=form_class._meta.model(member=member))
    if request.method == "POST" and form.is_valid():
        try:  # each service is one transaction
            if form_class is LeaveForm:
                services.record_leaving(member=form.save(commit=False), by=request.user)
            else:
                services.start_period(period=form.save(commit=False), by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("members:member-detail", member_id=member.pk)
    return render(request, "members/member_subform.html", {"form": form, "member": member, "title": title})


def _status_change(
    request: SignedInRequest, member: Member, form: Any, title: str, change: Any, intro: str = ""
) -> HttpResponse:
    """A small page recording one dated change through ``change(**form.cleaned_data)``."""
    if request.method == "POST" and form.is_valid():
        try:
            change(**form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("members:member-detail", member_id=member.pk)
    context = {"form": form, "member": member, "title": title, "intro": intro}
    return render(request, "members/member_subform.html", context)


def member_recognise(request: SignedInRequest, member_id: int) -> HttpResponse:
    member = get_member(request, member_id, manage=True)
    dates = probation(member.admitted_on, today())
    # The official date is the day probation ends; offered once that day has come.
    form = RecogniseForm(request.POST or None, initial={"on": dates.ends_on} if dates.has_ended else None)
    return _status_change(
        request,
        member,
        form,
        _("Recognise as an official member"),
        lambda **data: services.recognise_official(member=member, by=request.user, **data),
        "" if member.official_on else dates.summary(),
    )


def _end_period(
    request: SignedInRequest, member_id: int, model: type[Exemption] | type[AwayPeriod], period_id: int, title: str
) -> HttpResponse:
    member = get_member(request, member_id, manage=True)
    period = cast("Exemption | AwayPeriod", get_object_or_404(model, pk=period_id, member=member))
    form = EndPeriodForm(request.POST or None, initial={"on": today()})
    intro = _("%(kind)s from %(start)s.") % {
        "kind": str(model._meta.verbose_name).capitalize(),
        "start": period.starts_on.strftime("%d/%m/%Y"),
    }
    return _status_change(
        request, member, form, title, lambda **data: services.end_period(period=period, by=request.user, **data), intro
    )


def exemption_end(request: SignedInRequest, member_id: int, exemption_id: int) -> HttpResponse:
    return _end_period(request, member_id, Exemption, exemption_id, _("End the exemption from activities"))


def away_back(request: SignedInRequest, member_id: int, away_id: int) -> HttpResponse:
    return _end_period(request, member_id, AwayPeriod, away_id, _("The member is back"))


def member_transfer(request: SignedInRequest, member_id: int) -> HttpResponse:
    member = get_member(request, member_id, manage=True)
    form = TransferForm(request.POST or None, cells=services.transfer_cells(member))
    return _status_change(
        request,
        member,
        form,
        _("Transfer to another cell"),
        lambda **data: services.transfer_member(member=member, by=request.user, **data),
        _("From the transfer date the member is on the new cell's roll; before it, on the roll of %(cell)s.")
        % {"cell": member.cell.name},
    )


# ---------------------------------------------------------------------------------------------------
# Importing members from Excel
# ---------------------------------------------------------------------------------------------------

_IMPORT_SESSION_KEY = "member_import"


def _stored_import(request: SignedInRequest, cell: Organisation) -> str | None:
    """The stored upload of this user for this cell, if its token is the one the confirm form sent."""
    pending = request.session.get(_IMPORT_SESSION_KEY) or {}
    token = request.POST.get("token", "")
    if not token or pending.get("token") != token or pending.get("cell") != cell.pk:
        return None
    return f"member-imports/{token}.xlsx"


def _sweep_old_imports() -> None:
    """Remove uploads left unconfirmed for more than a day."""
    folder = "member-imports"
    if not default_storage.exists(folder):
        return
    cutoff = timezone.now() - dt.timedelta(days=1)
    for name in default_storage.listdir(folder)[1]:
        if default_storage.get_modified_time(f"{folder}/{name}") < cutoff:
            default_storage.delete(f"{folder}/{name}")


def _forget_import(request: SignedInRequest) -> None:
    pending = request.session.pop(_IMPORT_SESSION_KEY, None) or {}
    if token := pending.get("token"):
        default_storage.delete(f"member-imports/{token}.xlsx")


def member_import(request: SignedInRequest, org_id: int) -> HttpResponse:
    """Upload → preview with each row's errors → confirm. The file is kept on the server between the steps,
    named by a random token held in the user's session with the cell; nothing sent back by the browser but the
    token is trusted, and the file is read and checked again on confirming."""
    cell = get_organisation(request, org_id, manage=True)
    require(cell.is_cell)
    form = ImportUploadForm()
    context: dict[str, Any] = {"cell": cell, "form": form}
    action = request.POST.get("action")
    if request.method == "POST" and action in ("import", "import_valid"):
        path = _stored_import(request, cell)
        if path is None or not default_storage.exists(path):
            messages.error(request, _("The uploaded file is no longer available; upload it again."))
            return redirect("members:member-import", org_id=cell.pk)
        with default_storage.open(path, "rb") as stored:
            result = import_members(cell, stored, user=request.user, only_valid=action == "import_valid")
        if result.created:
            _forget_import(request)
            messages.success(request, _("%(n)d members were added to the cell.") % {"n": result.created})
            return redirect("members:org-detail", org_id=cell.pk)
        context.update(result=result, token=request.POST["token"])
    elif request.method == "POST" and action == "cancel":
        _forget_import(request)
        return redirect("members:org-detail", org_id=cell.pk)
    elif request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["file"]
            result = read_members(cell, upload)  # checks size and content before reading a row
            if result.file_errors:
                for error in result.file_errors:
                    form.add_error("file", error)
            else:
                _forget_import(request)
                _sweep_old_imports()
                token = secrets.token_urlsafe(24)
                upload.seek(0)
                default_storage.save(f"member-imports/{token}.xlsx", ContentFile(upload.read()))
                request.session[_IMPORT_SESSION_KEY] = {"token": token, "cell": cell.pk}
                context.update(result=result, token=token)
    return render(request, "members/member_import.html", context)


def member_import_template(request: SignedInRequest, org_id: int) -> HttpResponse:
    cell = get_organisation(request, org_id, manage=True)
    require(cell.is_cell)
    return _xlsx_response(template_workbook(), "mau-danh-sach-dang-vien.xlsx")


def exemption_create(request: SignedInRequest, member_id: int) -> HttpResponse:
    return _member_subform(request, member_id, ExemptionForm, _("Record an exemption from activities"))


def away_create(request: SignedInRequest, member_id: int) -> HttpResponse:
    return _member_subform(request, member_id, AwayPeriodForm, _("Record working away or a temporary transfer"))


def member_leave(request: SignedInRequest, member_id: int) -> HttpResponse:
    return _member_subform(request, member_id, LeaveForm, _("Record that the member leaves the cell's roll"))


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """For the load balancer and the container health check: the database (and Redis, when used) answer."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except DatabaseError:
        checks["database"] = "unavailable"
    if settings.REDIS_URL:
        try:
            cache.set("healthz", "ok", 10)
            checks["redis"] = "ok" if cache.get("healthz") == "ok" else "unavailable"
        except Exception:  # any client error means Redis is not usable
            checks["redis"] = "unavailable"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503)
