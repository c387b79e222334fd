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
from dashboards.dashboard import RowOrder, dashboard_ancestors
from dashboards.page import dashboard_page, order_controls
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
    page = dashboard_page(org, today(), within=within)
    order = RowOrder.from_query(request.GET)
    rows = page.shown(order)
    return render(
        request,
        "dashboards/dashboard.html",
        {
            "org": org,
            "page": page,
            "rows": rows,
            "rows_html": page.html(rows),
            "ancestors": dashboard_ancestors(org),
            "restricted": within is not None,
            "controls": order_controls(order),
        },
    )


urlpatterns = [
    path("dashboard/", dashboard_home, name="dashboard-home"),
    path("dashboard/<int:org_id>/", org_dashboard, name="dashboard"),
]
