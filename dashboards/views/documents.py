"""A committee's documents in the cells: one page per document over every cell it is addressed to (with its Excel
file and its report to the level above), and the page the dashboards' column "Văn bản cấp trên" opens.

Who sees a document's page: whoever sees its issuer (``Access.can_view_org``: the committee's standing members
and the levels above, administrators), every row; 404 for anyone else, and for a cell's own resolution. The page
of what is not made concrete follows the dashboard's scope (``dashboards.access.dashboard_org``), so its total is
the figure the dashboard's row shows.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.http import content_disposition_header

from chibo.lib.parts import cached_part
from chibo.lib.requests import SignedInRequest
from dashboards.access import dashboard_org
from dashboards.dashboard import dashboard_ancestors, page_scope
from dashboards.document_exports import document_filename, document_workbook, render_document_report
from dashboards.documents import document_cells, pending_documents
from dashboards.exports import XLSX
from members.access import access_for
from members.models import today
from members.versions import token_of
from resolutions.models import Resolution


def _document(request: SignedInRequest, resolution_id: int) -> Resolution:
    """The committee's document, for whoever sees its issuer; 404 otherwise and for a cell's resolution."""
    document = Resolution.objects.select_related("cell").filter(pk=resolution_id).first()
    if document is None or document.cell.is_cell or not access_for(request.user).can_view_org(document.cell):
        raise Http404
    return document


def _attachment(response: HttpResponse, filename: str, *, inline: bool = False) -> HttpResponse:
    disposition = content_disposition_header(as_attachment=not inline, filename=filename)
    assert disposition is not None  # a file name always gives one
    response["Content-Disposition"] = disposition
    return response


def document_cells_page(request: SignedInRequest, resolution_id: int) -> HttpResponse:
    document = _document(request, resolution_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    # Kept under the issuer's token, renewed by every write under it (its cells' resolutions, tasks and reports,
    # the document itself), read before the rows; and the day, which decides what is late.
    day = today()
    key = (document.pk, token_of(document.cell), day)
    part = cached_part(
        request,
        "dashboards/includes/_document_cells.html",
        key,
        lambda: {"document": document, "picture": document_cells(document, day)},
    )
    return render(request, "dashboards/document_cells.html", {"document": document, "part": part})


def document_cells_xlsx(request: SignedInRequest, resolution_id: int) -> HttpResponse:
    document = _document(request, resolution_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    picture = document_cells(document, today())
    return _attachment(HttpResponse(document_workbook(picture), content_type=XLSX), document_filename(picture, "xlsx"))


def document_cells_pdf(request: SignedInRequest, resolution_id: int) -> HttpResponse:
    """The report to the level above, rendered in the request: one committee's cells make a page or two
    (``dashboards.document_exports``)."""
    document = _document(request, resolution_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    picture = document_cells(document, today())
    response = HttpResponse(render_document_report(picture), content_type="application/pdf")
    return _attachment(response, document_filename(picture, "pdf"), inline=True)


def upper_documents(request: SignedInRequest, org_id: int) -> HttpResponse:
    """The committee documents in force that the organisation's cells (those the user oversees) have not made
    concrete, each with those cells, late first."""
    org, within = dashboard_org(access_for(request.user), org_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    documents = pending_documents(org, page_scope(org, within), today())
    context = {
        "org": org,
        "documents": documents,
        "pending": sum(len(d.cells) for d in documents),
        "late": sum(d.late for d in documents),
        "restricted": within is not None,
        "ancestors": dashboard_ancestors(org),
        "today": today(),
    }
    return render(request, "dashboards/upper_documents.html", context)


urlpatterns: list[URLPattern] = [
    path("documents/<int:resolution_id>/cells/", document_cells_page, name="document-cells"),
    path("documents/<int:resolution_id>/cells.xlsx", document_cells_xlsx, name="document-cells-xlsx"),
    path("documents/<int:resolution_id>/cells.pdf", document_cells_pdf, name="document-cells-pdf"),
    path("organisations/<int:org_id>/upper-documents/", upper_documents, name="upper-documents"),
]
