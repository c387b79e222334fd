"""The meeting's documents: the minutes as a print page, a stored PDF built by the worker, and a Word file;
the meeting pack.

Whoever sees the cell reads its documents; only its secretaries ask for the minutes PDF to be built. Access is
checked before anything else, the method included, so an outsider learns nothing from a 405.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _

from chibo.lib.requests import SignedInRequest
from meetings.access import get_meeting
from meetings.documents import minutes_filename, minutes_template_context, render_meeting_pack_pdf, render_minutes_docx
from meetings.models import Meeting
from meetings.tasks import request_minutes_pdf
from members.access import access_for
from resolutions.views.documents import DOCX, attachment


def _status(request: SignedInRequest, meeting: Meeting) -> HttpResponse:
    can_manage = access_for(request.user).can_manage_org(meeting.cell)
    return render(request, "meetings/includes/_minutes_pdf_status.html", {"meeting": meeting, "can_manage": can_manage})


def minutes_print(request: SignedInRequest, meeting_id: int) -> HttpResponse:
    """The minutes as a page for the browser's print, with Word and PDF buttons and a way back."""
    meeting = get_meeting(request, meeting_id)
    context = minutes_template_context(meeting, embed_fonts=False)
    context["back_url"] = reverse("meetings:meeting-detail", kwargs={"meeting_id": meeting.pk})
    return render(request, "meetings/minutes_print.html", context)


def minutes_pdf(request: SignedInRequest, meeting_id: int) -> HttpResponseBase:
    """GET: the stored PDF when it is the current version. POST (secretaries): have the worker build it."""
    if request.method == "POST":
        meeting = get_meeting(request, meeting_id, manage=True)
        queued = request_minutes_pdf(meeting)
        if request.htmx:
            return _status(request, meeting)
        if queued:
            messages.info(request, _("The minutes PDF is being built. It will be ready in a moment."))
        return redirect("meetings:meeting-detail", meeting_id=meeting.pk)
    meeting = get_meeting(request, meeting_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "POST"])
    if not meeting.pdf_is_current:
        messages.info(request, _("The minutes PDF is not ready yet."))
        return redirect("meetings:meeting-detail", meeting_id=meeting.pk)
    return FileResponse(
        meeting.minutes_pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=False,
        filename=minutes_filename(meeting, "pdf"),
    )


def minutes_status(request: SignedInRequest, meeting_id: int) -> HttpResponse:
    """The PDF's state as a small block the meeting page includes and htmx refreshes while it builds."""
    meeting = get_meeting(request, meeting_id)
    return _status(request, meeting)


def minutes_docx(request: SignedInRequest, meeting_id: int) -> HttpResponse:
    meeting = get_meeting(request, meeting_id)
    return attachment(render_minutes_docx(meeting), DOCX, minutes_filename(meeting, "docx"))


def meeting_pack(request: SignedInRequest, meeting_id: int) -> HttpResponse:
    """The agenda, last month's review and the draft resolution(s) as one PDF, for every member of the cell to read
    beforehand. Until the secretary releases it, only those who oversee the cell read it (they prepare it)."""
    meeting = get_meeting(request, meeting_id)
    if meeting.pack_published_at is None and not access_for(request.user).can_oversee_org(meeting.cell):
        raise PermissionDenied
    filename = f"tai-lieu-sinh-hoat-{meeting.date:%Y-%m-%d}.pdf"
    return attachment(render_meeting_pack_pdf(meeting), "application/pdf", filename, inline=True)


urlpatterns: list[URLPattern] = [
    path("meetings/<int:meeting_id>/minutes/", minutes_print, name="minutes-print"),
    path("meetings/<int:meeting_id>/minutes/pdf/", minutes_pdf, name="minutes-pdf"),
    path("meetings/<int:meeting_id>/minutes/status/", minutes_status, name="minutes-status"),
    path("meetings/<int:meeting_id>/minutes/docx/", minutes_docx, name="minutes-docx"),
    path("meetings/<int:meeting_id>/pack/", meeting_pack, name="meeting-pack"),
]
