"""Loading a meeting for a request, through the rules of ``members.access`` (as ``resolutions.access``)."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from meetings.models import Meeting
from members.access import access_for
from resolutions.access import cell_object


def get_meeting(request: HttpRequest, meeting_id: int, *, manage: bool = False) -> Meeting:
    """Meetings follow their cell: whoever sees the cell reads them; its secretaries run them."""
    return cell_object(request, Meeting, meeting_id, manage=manage)


def get_meeting_with_people(request: HttpRequest, meeting_id: int) -> Meeting:
    """``get_meeting`` for reading, with the chair, the recorder and the ward's member in charge read with the
    meeting: the meeting page names them (one query, whichever of them the meeting has)."""
    related = ("cell", "chair", "recorder", "guest_in_charge")
    meeting = Meeting.objects.select_related(*related).filter(pk=meeting_id).first()
    if meeting is None or not access_for(request.user).can_view_org(meeting.cell):
        raise Http404
    return meeting
