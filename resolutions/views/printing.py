"""A resolution in the official party layout: a page for the browser's print, and a PDF.

Both are read-only: whoever sees the cell may read and print its resolutions. Everything the document shows
is loaded here with a fixed number of queries, then rendered without touching the database.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header

from chibo.lib.layout import (
    committee_name,
    document_context,
    number_text,
    party_body_name,
    place_and_date,
    place_from_name,
    roman,
    upper,
)
from chibo.lib.pdf import render_pdf
from chibo.lib.text import normalize
from members.models import Member, Organisation, Role
from resolutions.access import get_resolution
from resolutions.models import Resolution, Task

# The official document is Vietnamese whatever language the reader's interface is in.
DOCUMENT_LANGUAGE = "vi"

# Section headings of a resolution, in their order; a section with nothing in it is left out and the
# Roman numerals run on without a gap.
SECTION_TITLES = {
    "assessment": "ĐÁNH GIÁ KẾT QUẢ THỰC HIỆN NHIỆM VỤ KỲ TRƯỚC",
    "tasks": "NHIỆM VỤ TRỌNG TÂM",
    "targets": "CHỈ TIÊU",
    "solutions": "GIẢI PHÁP",
    "implementation": "TỔ CHỨC THỰC HIỆN",
}

NOT_ADOPTED = (
    Resolution.Status.DRAFT,
    Resolution.Status.SUBMITTED,
    Resolution.Status.REJECTED,
    Resolution.Status.WITHDRAWN,
)


def load_for_printing(request: HttpRequest, resolution_id: int) -> Resolution:
    """The resolution with everything its document shows: 4 queries after the access check."""
    resolution = get_resolution(request, resolution_id)
    prefetch_related_objects(
        [resolution],
        Prefetch(
            "tasks",
            queryset=Task.objects.select_related("lead_member", "lead_mass_organisation").prefetch_related(
                Prefetch("supporters", queryset=Member.objects.only("pk", "full_name", "cell_id").order_by("pk"))
            ),
        ),
        "targets",
        Prefetch("upper_resolutions", queryset=Resolution.objects.select_related("cell").order_by("pk")),
    )
    return resolution


def secretary_name(cell: Organisation) -> str:
    """The full name of the cell's secretary (the member linked to the account holding the role)."""
    name = (
        Member.objects.filter(user__roles__kind=Role.Kind.SECRETARY, user__roles__organisation=cell)
        .order_by("pk")
        .values_list("full_name", flat=True)
        .first()
    )
    return name or ""


def resolution_document(resolution: Resolution, *, on: dt.date | None = None) -> dict[str, Any]:
    """Every line of the document, prepared as text: two queries (the upper body, the secretary).

    ``resolution`` must come from ``load_for_printing`` (tasks, targets and upper resolutions prefetched).
    A resolution not adopted is a draft, dated ``on`` (today by default) and marked "DỰ THẢO"; an adopted one
    is dated the day it was adopted.
    """
    cell = resolution.cell
    parent = Organisation.objects.get_parent(cell)
    is_draft = resolution.status in NOT_ADOPTED
    day = (None if is_draft else resolution.adopted_on) or on or timezone.localdate()
    place = (
        (parent.place_name if parent else "")
        or cell.place_name
        or (place_from_name(parent.name) if parent else place_from_name(cell.name))
    )
    tasks = [
        {
            "title": task.title,
            "details": task.details,
            "is_focal": task.is_focal,
            "lead": str(task.lead_label()),
            "supporters": [member.full_name for member in task.supporters.all()],
            "deadline": task.deadline,
        }
        for task in resolution.tasks.all()
    ]
    targets = [
        {"name": target.name, "value": number_text(target.target_value), "unit": target.unit}
        for target in resolution.targets.all()
    ]
    present = {
        "assessment": bool(resolution.assessment.strip()),
        "tasks": bool(resolution.focal_tasks.strip() or tasks),
        "targets": bool(targets),
        "solutions": bool(resolution.solutions.strip()),
        "implementation": bool(resolution.implementation.strip()),
    }
    sections = [{"key": key, "title": title} for key, title in SECTION_TITLES.items() if present[key]]
    for index, section in enumerate(sections, start=1):
        section["numeral"] = roman(index)
    upper_body = party_body_name(parent.name) if parent else ""
    return {
        "upper_body": upper(upper_body),
        "issuing_body": upper(cell.name),
        "number": resolution.number,
        "place_date": place_and_date(place, day),
        "is_draft": is_draft,
        "subject": _subject(resolution.title),
        "period": str(resolution.period_label()),
        "sections": sections,
        "tasks": tasks,
        "targets": targets,
        "upper_resolutions": [
            f"Nghị quyết số {upper_resolution.number} của {party_body_name(upper_resolution.cell.name)} "
            f"{_about(upper_resolution.title)}"
            for upper_resolution in resolution.upper_resolutions.all()
        ],
        "secretary_name": secretary_name(cell),
        "recipients": [
            *([f"- {committee_name(upper_body)},"] if upper_body else []),
            "- Đảng viên chi bộ,",
            "- Lưu.",
        ],
    }


def _subject(title: str) -> str:
    """ "Về …": the subject line under "NGHỊ QUYẾT"."""
    title = normalize(title)
    return title[:1].upper() + title[1:] if title.casefold().startswith("về ") else f"Về {title}"


def _about(title: str) -> str:
    """ "về …" inside a sentence."""
    subject = _subject(title)
    return subject[:1].lower() + subject[1:]


def _document_context(resolution: Resolution, *, embed_fonts: bool) -> dict[str, Any]:
    with translation.override(DOCUMENT_LANGUAGE):
        doc = resolution_document(resolution)
    return {**document_context(embed_fonts=embed_fonts), "resolution": resolution, "doc": doc}


def render_resolution_pdf(resolution: Resolution) -> bytes:
    """The PDF of a resolution loaded by ``load_for_printing``."""
    context = _document_context(resolution, embed_fonts=True)
    with translation.override(DOCUMENT_LANGUAGE):
        return render_pdf("resolutions/pdf/resolution.html", context)


def pdf_filename(resolution: Resolution) -> str:
    return resolution.number.replace("/", "-").replace("\\", "-") + ".pdf"


def resolution_print(request: HttpRequest, resolution_id: int) -> HttpResponse:
    """The document as a page for the browser's print, with a PDF button and a way back."""
    resolution = load_for_printing(request, resolution_id)
    context = _document_context(resolution, embed_fonts=False)
    context["back_url"] = reverse("resolutions:resolution-detail", kwargs={"resolution_id": resolution.pk})
    return render(request, "resolutions/resolution_print.html", context)


def resolution_pdf(request: HttpRequest, resolution_id: int) -> HttpResponse:
    """The PDF, rendered for this request (a two-page resolution takes about a tenth of a second)."""
    resolution = load_for_printing(request, resolution_id)
    response = HttpResponse(render_resolution_pdf(resolution), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=False, filename=pdf_filename(resolution))
    return response


urlpatterns: list[URLPattern] = [
    path("resolutions/<int:resolution_id>/print/", resolution_print, name="resolution-print"),
    path("resolutions/<int:resolution_id>/pdf/", resolution_pdf, name="resolution-pdf"),
]
