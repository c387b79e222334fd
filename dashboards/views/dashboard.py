"""Dashboards: one row per child organisation with its cells' work, meetings and attendance, and three charts.

Who sees what: the standing committee of a ward (or above) sees every cell under it; a member in charge, a
secretary or a cell committee member sees the dashboard of any organisation above their cells with only the cells
they oversee; an ordinary member is refused (403); an organisation outside what the user sees answers 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import path

from chibo.lib.replica import replica_view
from chibo.lib.requests import SignedInRequest
from dashboards.access import dashboard_org, home_dashboard_org_id
from dashboards.dashboard import (
    LIGHTS,
    RowOrder,
    column_headers,
    dashboard,
    dashboard_ancestors,
    dashboard_charts,
    light_labels,
    light_legend,
    rendered_rows,
    sort_rows,
)
from members.access import access_for
from members.models import today


def dashboard_home(request: SignedInRequest) -> HttpResponse:
    access = access_for(request.user)
    if not (access.is_admin or access.oversight_paths):
        raise PermissionDenied
    org_id = home_dashboard_org_id(access)
    if org_id is None:
        raise PermissionDenied
    return redirect("dashboards:dashboard", org_id=org_id)


@replica_view
def org_dashboard(request: SignedInRequest, org_id: int) -> HttpResponse:
    org, within = dashboard_org(access_for(request.user), org_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    day = today()
    board = dashboard(org, day, within=within)

    order = RowOrder.from_query(request.GET)
    rows = order.shown(board.rows)
    month_labels = [f"{m:%m/%Y}" for m in board.months]
    all_rows = sort_rows(board.rows, "name")
    return render(
        request,
        "dashboards/dashboard.html",
        {
            "org": org,
            "board": board,
            "rows": rows,
            "row_html": rendered_rows(rows),
            "ancestors": dashboard_ancestors(org),
            "restricted": within is not None,
            "headers": column_headers(order.sort, order.descending),
            "sort": order.sort,
            "dir": "desc" if order.descending else "asc",
            "light": order.light,
            "lights": [(key, light_labels()[key]) for key in LIGHTS],
            "legend": light_legend(board.limits),
            "charts": dashboard_charts(board, month_labels, all_rows),
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
