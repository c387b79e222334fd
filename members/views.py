from __future__ import annotations

from collections import Counter

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import DatabaseError, connection, transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from members.access import access_for, get_member, get_organisation, require
from members.forms import AwayPeriodForm, ExemptionForm, LeaveForm, MemberFilterForm, MemberForm
from members.models import Member, Organisation, Role, status_counts, today

# The order people expect on a committee list: the secretary first.
ROLE_ORDER = [
    Role.Kind.STANDING,
    Role.Kind.SECRETARY,
    Role.Kind.DEPUTY,
    Role.Kind.COMMITTEE,
    Role.Kind.IN_CHARGE,
    Role.Kind.ADMIN,
]


def home(request: HttpRequest) -> HttpResponse:
    """Send each person to where they work."""
    access = access_for(request.user)
    if not access.has_any_access:
        return render(request, "members/no_access.html", status=403)
    if access.is_admin:
        return redirect("members:org-tree")
    org_id = access.home_organisation_id()
    if org_id is None and not access.oversight_paths and access.member_cell_path:
        org_id = Organisation.objects.filter(path=access.member_cell_path).values_list("pk", flat=True).first()
    if org_id is None:
        return redirect("members:org-tree")
    return redirect("members:org-detail", org_id=org_id)


def org_tree(request: HttpRequest) -> HttpResponse:
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


def org_detail(request: HttpRequest, org_id: int) -> HttpResponse:
    org = get_organisation(request, org_id)
    access = access_for(request.user)
    members_qs = Member.objects.in_org(org)
    context: dict[str, object] = {
        "org": org,
        "ancestors": Organisation.objects.filter(path__in=org.ancestor_paths()[:-1]),
        "counts": status_counts(members_qs),
        "can_manage": access.can_manage_org(org),
        "can_oversee": access.can_oversee_org(org),
        "roles": sorted(
            Role.objects.filter(organisation=org).select_related("user__member"),
            key=lambda role: (ROLE_ORDER.index(role.kind), role.user.get_full_name()),
        ),
    }
    if org.is_cell:
        context["members"] = (
            members_qs.active().with_flags().select_related("residential_group").order_by("search_name", "pk")
        )
    else:
        children = list(Organisation.objects.filter(path__startswith=org.path, depth=org.depth + 1))
        per_child: Counter[int] = Counter()
        rows = (
            Member.objects.active()
            .in_org(org)
            .values_list("cell__path")
            .annotate(n=Count("pk"))
            .values_list("cell__path", "n")
        )
        for cell_path, n in rows:
            for child in children:
                if cell_path.startswith(child.path):
                    per_child[child.pk] += n
                    break
        context["children"] = [(child, per_child[child.pk]) for child in children]
    return render(request, "members/org_detail.html", context)


def member_list(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    require(access.can_list_members)
    organisations = Organisation.objects.visible_to(access).exclude(kind=Organisation.Kind.GROUP)
    form = MemberFilterForm(request.GET or None, organisations=organisations)
    members = Member.objects.visible_to(access).active().with_flags()
    filters = form.cleaned_data if form.is_valid() else {}
    if org := filters.get("org"):
        members = members.in_org(org)
    if status := filters.get("status"):
        day = today()
        members = members.official_on(day) if status == Member.Status.OFFICIAL else members.probationary_on(day)
    flag = filters.get("flag")
    if flag == "away":
        members = members.filter(is_away=True)
    elif flag == "exempt":
        members = members.filter(is_exempt=True)
    elif flag == "propagandist":
        members = members.filter(is_propagandist=True)
    if q := filters.get("q"):
        members = members.search(q)
    members = members.select_related("cell", "residential_group").order_by("search_name", "pk")
    page = Paginator(members, settings.CHIBO["MEMBER_LIST_PAGE_SIZE"]).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "members/includes/_member_table.html" if request.htmx else "members/member_list.html"
    return render(request, template, {"form": form, "page": page, "query": query.urlencode()})


def member_detail(request: HttpRequest, member_id: int) -> HttpResponse:
    member = get_member(request, member_id)
    access = access_for(request.user)
    history = list(member.history.select_related("history_user").order_by("-history_date", "-history_id")[:21])
    changes = []
    for newer, older in zip(history, [*history[1:], None], strict=False):
        if older is None:
            changes.append({"record": newer, "fields": [], "created": True})
        else:
            delta = newer.diff_against(older, excluded_fields=["search_name", "updated_at"])
            changes.append(
                {"record": newer, "fields": [Member._meta.get_field(c.field).verbose_name for c in delta.changes]}
            )
    return render(
        request,
        "members/member_detail.html",
        {
            "member": member,
            "can_manage": access.can_manage_member(member),
            "exemptions": member.exemptions.all(),
            "away_periods": member.away_periods.all(),
            "backgrounds": member.backgrounds.all(),
            "changes": changes[:20],
        },
    )


def member_create(request: HttpRequest, org_id: int) -> HttpResponse:
    cell = get_organisation(request, org_id, manage=True)
    require(cell.is_cell)
    form = MemberForm(request.POST or None, cells=Organisation.objects.filter(pk=cell.pk))
    if request.method == "POST" and form.is_valid():
        member = form.save()
        messages.success(request, _("%(name)s was added to the cell.") % {"name": member.full_name})
        return redirect("members:member-detail", member_id=member.pk)
    return render(request, "members/member_form.html", {"form": form, "cell": cell})


def member_edit(request: HttpRequest, member_id: int) -> HttpResponse:
    member = get_member(request, member_id, manage=True)
    access = access_for(request.user)
    cells = Organisation.objects.cells().filter(access.managed_org_filter())
    form = MemberForm(request.POST or None, instance=member, cells=cells)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The changes were saved."))
        return redirect("members:member-detail", member_id=member.pk)
    return render(request, "members/member_form.html", {"form": form, "member": member, "cell": member.cell})


def _member_subform(request: HttpRequest, member_id: int, form_class: type, title: str) -> HttpResponse:
    """Record a dated period (exemption, away) or the member's leaving, on its own small page."""
    member = get_member(request, member_id, manage=True)
    if form_class is LeaveForm:
        form = form_class(request.POST or None, instance=member)
    else:
        form = form_class(request.POST or None, instance=form_class._meta.model(member=member))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(request, _("Saved."))
        return redirect("members:member-detail", member_id=member.pk)
    return render(request, "members/member_subform.html", {"form": form, "member": member, "title": title})


def exemption_create(request: HttpRequest, member_id: int) -> HttpResponse:
    return _member_subform(request, member_id, ExemptionForm, _("Record an exemption from activities"))


def away_create(request: HttpRequest, member_id: int) -> HttpResponse:
    return _member_subform(request, member_id, AwayPeriodForm, _("Record working away or a temporary transfer"))


def member_leave(request: HttpRequest, member_id: int) -> HttpResponse:
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
