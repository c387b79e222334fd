"""A resolution in the official party layout: a page for the browser's print, and a PDF.

Both are read-only: whoever sees the cell may read and print its resolutions. Everything the document shows
is loaded here with a fixed number of queries, then rendered without touching the database.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.http import content_disposition_header

from chibo.lib.requests import SignedInRequest
from resolutions.access import get_resolution
from resolutions.documents import (
    pdf_filename,
    prefetch_for_document,
    render_resolution_pdf,
    resolution_template_context,
)
from resolutions.models import Resolution


def load_for_printing(request: SignedInRequest, resolution_id: int) -> Resolution:
    """The resolution with everything its document shows: 4 queries after the access check."""
    resolution = get_resolution(request, resolution_id)
    prefetch_for_document([resolution])
    return resolution


def resolution_print(request: SignedInRequest, resolution_id: int) -> HttpResponse:
    """The document as a page for the browser's print, with a PDF button and a way back."""
    resolution = load_for_printing(request, resolution_id)
    context = resolution_template_context(resolution, embed_fonts=False)
    context["back_url"] = reverse("resolutions:resolution-detail", kwargs={"resolution_id": resolution.pk})
    return render(request, "resolutions/resolution_print.html", context)


def resolution_pdf(request: SignedInRequest, resolution_id: int) -> HttpResponse:
    """The PDF, rendered for this request (a two-page resolution takes about a tenth of a second)."""
    resolution = load_for_printing(request, resolution_id)
    response = HttpResponse(render_resolution_pdf(resolution), content_type="application/pdf")
    disposition = content_disposition_header(as_attachment=False, filename=pdf_filename(resolution))
    if disposition is not None:  # None only for a file without a name
        response["Content-Disposition"] = disposition
    return response


urlpatterns: list[URLPattern] = [
    path("resolutions/<int:resolution_id>/print/", resolution_print, name="resolution-print"),
    path("resolutions/<int:resolution_id>/pdf/", resolution_pdf, name="resolution-pdf"),
]
