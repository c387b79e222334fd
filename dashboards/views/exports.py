"""The dashboard's exports: the Excel file of the page, and the monthly summary PDF built by the worker.

The Excel file follows the page exactly: same access (``dashboard_scope``), same cells for a member in charge,
same sort and filter parameters. The summary report covers every cell under the organisation, so only those who
oversee all of it (the standing committee, or above) may build or read it; others who see the dashboard get 403.

The Excel file and the summary's state may be read from the read replica (``chibo.lib.replica``), as the page is.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from chibo.lib.replica import replica_view
from chibo.lib.requests import SignedInRequest
from dashboards.access import dashboard_org, dashboard_scope
from dashboards.dashboard import Dashboard, Row, RowOrder, dashboard
from dashboards.exports import XLSX, dashboard_workbook, summary_filename, workbook_filename
from dashboards.models import SummaryReport
from dashboards.tasks import request_summary_pdf
from members.access import access_for
from members.models import Organisation, today


def _org(org_id: int) -> Organisation:
    org = Organisation.objects.filter(pk=org_id).first()
    if org is None:
        raise Http404
    return org


def shown_rows(request: HttpRequest, board: Dashboard) -> list[Row]:
    """The rows as the page shows them for the same query string (``views.dashboard.org_dashboard``)."""
    return RowOrder.from_query(request.GET).shown(board.rows)


@replica_view
def dashboard_xlsx(request: SignedInRequest, org_id: int) -> HttpResponse:
    org, within = dashboard_org(access_for(request.user), org_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    board = dashboard(org, today(), within=within)
    content = dashboard_workbook(board, shown_rows(request, board), restricted=within is not None)
    response = HttpResponse(content, content_type=XLSX)
    disposition = content_disposition_header(as_attachment=True, filename=workbook_filename(board))
    assert disposition is not None  # an attachment always has one
    response["Content-Disposition"] = disposition
    return response


def _summary_org(request: HttpRequest, org_id: int) -> Organisation:
    """The organisation, for someone who oversees all of it; 404/403 as for the dashboard otherwise."""
    org = _org(org_id)
    access = access_for(request.user)
    if dashboard_scope(access, org) is not None:
        raise PermissionDenied  # sees the dashboard, but only some of the cells: not the whole report
    return org


def _report(org: Organisation) -> SummaryReport | None:
    return SummaryReport.objects.filter(org=org, month=today().replace(day=1)).first()


def _status(request: HttpRequest, org: Organisation, report: SummaryReport | None) -> HttpResponse:
    return render(
        request,
        "dashboards/includes/_exports.html",
        {
            "org": org,
            "summary_only": True,
            "summary": report,
            "summary_current": bool(report and report.is_current(today())),
        },
    )


def dashboard_summary(request: SignedInRequest, org_id: int) -> HttpResponse:
    """POST: have the worker build this month's summary report (or reuse today's)."""
    org = _summary_org(request, org_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    # A checkbox: the secretary numbers the report by hand (the PDF leaves the blank), else it takes the next number.
    report, queued = request_summary_pdf(org, today(), by_hand=request.POST.get("number_by_hand") == "1")
    if request.htmx:
        return _status(request, org, report)
    if queued:
        messages.info(request, _("The monthly summary is being built. It will be ready in a moment."))
    return redirect("dashboards:dashboard", org_id=org.pk)


def dashboard_summary_pdf(request: SignedInRequest, org_id: int) -> HttpResponseBase:
    """GET: the stored summary of this month when it was built today; else back to the dashboard.

    Read from the primary, unlike the other pages here: a replica a moment late could name a file that a newer
    build has already replaced and deleted."""
    org = _summary_org(request, org_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    report = _report(org)
    if report is None or not report.is_current(today()):
        messages.info(request, _("The monthly summary is not ready yet."))
        return redirect("dashboards:dashboard", org_id=org.pk)
    return FileResponse(
        report.file.open("rb"),
        content_type="application/pdf",
        as_attachment=False,
        filename=summary_filename(org, report.month),
    )


@replica_view
def dashboard_summary_status(request: SignedInRequest, org_id: int) -> HttpResponse:
    """The exports block with the summary's state; htmx asks for it again while the report is being built."""
    org = _summary_org(request, org_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return _status(request, org, _report(org))


urlpatterns: list[URLPattern] = [
    path("dashboard/<int:org_id>/export.xlsx", dashboard_xlsx, name="dashboard-xlsx"),
    path("dashboard/<int:org_id>/summary/", dashboard_summary, name="dashboard-summary"),
    path("dashboard/<int:org_id>/summary.pdf", dashboard_summary_pdf, name="dashboard-summary-pdf"),
    path("dashboard/<int:org_id>/summary/status/", dashboard_summary_status, name="dashboard-summary-status"),
]
