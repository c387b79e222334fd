"""Dashboards: one row per child organisation with its cells' work, meetings and attendance, and three charts.

Who sees what: the standing committee of a ward (or above) sees every cell under it; a member in charge, a
secretary or a cell committee member sees the dashboard of any organisation above their cells with only the cells
they oversee; an ordinary member is refused (403); an organisation outside what the user sees answers 404.
"""

from __future__ import annotations

import functools
import hashlib

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.template.loader import get_template, render_to_string
from django.urls import path
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from members.access import access_for
from members.models import Organisation, today
from resolutions.access import dashboard_scope, home_dashboard_org_id
from resolutions.charts import bar_chart, line_chart
from resolutions.dashboard import (
    CACHE_SECONDS,
    LIGHTS,
    SORT_KEYS,
    Row,
    dashboard,
    filter_rows,
    light_labels,
    light_legend,
    sort_rows,
)


def dashboard_home(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    if not (access.is_admin or access.oversight_paths):
        raise PermissionDenied
    org_id = home_dashboard_org_id(access)
    if org_id is None:
        raise PermissionDenied
    return redirect("resolutions:dashboard", org_id=org_id)


ROW_TEMPLATE = "resolutions/dashboard/_row.html"
LOW_PRIORITY_COLUMNS = ("last_meeting", "attendance_year")


@functools.cache
def _row_template_version() -> str:
    """A digest of the row template, so that a changed template never serves rows rendered by the old one."""
    return hashlib.sha256(get_template(ROW_TEMPLATE).template.source.encode()).hexdigest()[:12]


def rendered_rows(rows: list[Row]) -> list[str]:
    """Each row's HTML. A row whose figures were cached (``Row.key``) is rendered once and cached beside them:
    the HTML depends only on the row (every link is to the row's own objects, the same for every user who sees
    the row), and the key already names the row's token, the day and the language."""
    version = _row_template_version()
    keys = {row.key: f"dashboard-row-html:{version}:{row.key}" for row in rows if row.key}
    cached = cache.get_many(list(keys.values()))
    html, new = [], {}
    for row in rows:
        key = keys.get(row.key) if row.key else None
        fragment = cached.get(key) if key else None
        if fragment is None:
            fragment = render_to_string(ROW_TEMPLATE, {"row": row})
            if key:
                new[key] = fragment
        html.append(mark_safe(fragment))  # rendered by our template, which escapes what it shows
    if new:
        cache.set_many(new, timeout=CACHE_SECONDS)
    return html


def org_dashboard(request: HttpRequest, org_id: int) -> HttpResponse:
    access = access_for(request.user)
    org = Organisation.objects.filter(pk=org_id).first()
    if org is None:
        raise Http404
    within = dashboard_scope(access, org)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    day = today()
    board = dashboard(org, day, within=within)

    sort = request.GET.get("sort", "name")
    sort = sort if sort in SORT_KEYS else "name"
    descending = request.GET.get("dir") == "desc"
    light = request.GET.get("light", "")
    light = light if light in LIGHTS else ""
    rows = sort_rows(filter_rows(board.rows, light or None), sort, descending)

    # The way back up: the ancestors the user may open a dashboard of (all of them, since every ancestor of an
    # organisation the user reaches holds it).
    ancestors = list(Organisation.objects.get_ancestors(org).only("pk", "name", "path"))
    month_labels = [f"{m:%m/%Y}" for m in board.months]
    all_rows = sort_rows(board.rows, "name")
    charts = {
        "attendance": line_chart(
            title=_("Attendance rate per month"),
            description=_("Members present or late, in percent of those expected, over the last 12 months."),
            labels=month_labels,
            values=board.attendance_series,
        ),
        "overdue": bar_chart(
            title=_("Overdue tasks per month"),
            description=_("Tasks whose deadline fell in the month and that were not done by the deadline."),
            labels=month_labels,
            values=board.overdue_series,
        ),
        "progress": bar_chart(
            title=_("Progress by organisation"),
            description=_("Rolled-up progress of the tasks in force, in percent."),
            labels=[r.org.name for r in all_rows],
            values=[r.progress for r in all_rows],
            max_value=100,
            unit="%",
            horizontal=True,
        ),
    }
    columns = [
        ("name", _("Organisation")),
        ("light", _("Status")),
        ("on_time", _("Resolution")),
        ("tasks", _("Tasks")),
        ("done", _("Done")),
        ("overdue", _("Overdue")),
        ("progress", _("Progress")),
        ("last_meeting", _("Last meeting")),
        ("attendance_month", _("Attendance this month")),
        ("attendance_year", _("Attendance, 12 months")),
        ("review", _("Monthly review")),
    ]
    headers = [
        {
            "key": key,
            "label": label,
            # Columns a narrower screen leaves out (their figures stay on the pages the row links to).
            "low": key in LOW_PRIORITY_COLUMNS,
            "active": key == sort,
            "descending": key == sort and descending,
            # Clicking the active column flips it; any other column starts with the worst first where that reads
            # naturally (overdue, missing reviews) and ascending otherwise.
            "dir": ("asc" if descending else "desc")
            if key == sort
            else ("desc" if key in ("overdue", "review", "tasks") else "asc"),
        }
        for key, label in columns
    ]
    return render(
        request,
        "resolutions/dashboard/dashboard.html",
        {
            "org": org,
            "board": board,
            "rows": rows,
            "row_html": rendered_rows(rows),
            "ancestors": ancestors,
            "restricted": within is not None,
            "headers": headers,
            "sort": sort,
            "dir": "desc" if descending else "asc",
            "light": light,
            "lights": [(key, light_labels()[key]) for key in LIGHTS],
            "legend": light_legend(board.limits),
            "charts": charts,
            "months": list(
                zip(month_labels, board.attendance_series, board.attendance_counts, board.overdue_series, strict=True)
            ),
            "progress_rows": all_rows,
        },
    )


urlpatterns = [
    path("dashboard/", dashboard_home, name="dashboard-home"),
    path("dashboard/<int:org_id>/", org_dashboard, name="dashboard"),
]
