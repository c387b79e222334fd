"""The change history page of a meeting (the ``history`` app), with the rows that belong to it, and the votes on
a resolution's page (``chibo.lib.history``)."""

from chibo.lib.history import Kind, Naming, Source, extend, register
from meetings.models import AbsenceRequest, AgendaItem, Attendance, Meeting, MonthlyReview, Speech, Vote


def meeting_name(meeting: Meeting) -> str:
    return f"{meeting.get_kind_display()} {meeting.date:%d/%m/%Y}"


register(
    Kind(
        "meeting",
        Meeting,
        "meeting_id",
        "meetings:meeting-detail",
        "cell",
        (
            Source(Meeting, "id"),
            Source(AgendaItem, "meeting_id", "title"),
            Source(Attendance, "meeting_id", "member"),
            Source(AbsenceRequest, "meeting_id", "member"),
            Source(Speech, "meeting_id", "speaker"),
            Source(Vote, "meeting_id", "held_on"),
            Source(MonthlyReview, "meeting_id", "resolution"),
        ),
    ),
    Naming(Meeting, meeting_name),  # its kind and day, as the meeting pages name it
    Naming(Vote, related=("resolution",)),  # its name shows the resolution's number
)
extend("resolution", Source(Vote, "resolution_id", "held_on"))
