"""A resolution as a Word file (the meeting's documents are in ``meetings.views.documents``)."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import URLPattern, path
from django.utils.http import content_disposition_header

from chibo.lib.requests import SignedInRequest
from resolutions.documents import render_resolution_docx, resolution_docx_filename
from resolutions.views.printing import load_for_printing

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def attachment(content: bytes, content_type: str, filename: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    disposition = content_disposition_header(as_attachment=not inline, filename=filename)
    if disposition is not None:  # None only for a file shown inline without a name
        response["Content-Disposition"] = disposition
    return response


def resolution_docx(request: SignedInRequest, resolution_id: int) -> HttpResponse:
    resolution = load_for_printing(request, resolution_id)
    return attachment(render_resolution_docx(resolution), DOCX, resolution_docx_filename(resolution))


urlpatterns: list[URLPattern] = [
    path("resolutions/<int:resolution_id>/docx/", resolution_docx, name="resolution-docx"),
]
