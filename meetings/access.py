"""Loading a meeting for a request, through the rules of ``members.access`` (as ``resolutions.access``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from meetings.models import Meeting
from members.access import access_for
from members.versions import token_subquery
from resolutions.access import cell_object


def get_meeting(request: HttpRequest, meeting_id: int, *, manage: bool = False) -> Meeting:
    """Meetings follow their cell: whoever sees the cell reads them; its secretaries run them."""
    return cell_object(request, Meeting, meeting_id, manage=manage)


def get_meeting_with_token(request: HttpRequest, meeting_id: int, *, manage: bool = False) -> Meeting:
    """``get_meeting``, the meeting read with its cell's cache token (``version_token``, ``members.versions``)
    in the same query: what a page keeps of the meeting in the cache is keyed by it."""
    found = (
        Meeting.objects.select_related("cell")
        .annotate(version_token=token_subquery("cell__path"))
        .filter(pk=meeting_id)
        .order_by()[:1]  # one row by its key: no ordering to compile
    )
    meeting = next(iter(found), None)
    access = access_for(request.user)
    if meeting is None or not access.can_view_org(meeting.cell):
        raise Http404
    if manage and not access.can_manage_org(meeting.cell):
        raise PermissionDenied
    return meeting


def with_people(meeting: Meeting) -> Meeting:
    """The meeting read again with the chair, the recorder and the ward's member in charge, whom the meeting
    page names (one query, whichever of them the meeting has)."""
    return Meeting.objects.select_related("cell", "chair", "recorder", "guest_in_charge").get(pk=meeting.pk)
