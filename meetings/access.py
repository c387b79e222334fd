"""Loading a meeting for a request, through the rules of ``members.access`` (as ``resolutions.access``)."""

from __future__ import annotations

from django.http import HttpRequest

from meetings.models import Meeting
from resolutions.access import cell_object


def get_meeting(request: HttpRequest, meeting_id: int, *, manage: bool = False) -> Meeting:
    """Meetings follow their cell: whoever sees the cell reads them; its secretaries run them."""
    return cell_object(request, Meeting, meeting_id, manage=manage)
