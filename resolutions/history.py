"""The change history pages of a resolution, a task and a meeting (the ``history`` app), with the rows that belong
to each (``chibo.lib.history``)."""

from chibo.lib.history import Kind, Naming, Source, register
from resolutions.models import (
    AbsenceRequest,
    AgendaItem,
    Attendance,
    Dissemination,
    Meeting,
    MonthlyReview,
    ProgressUpdate,
    PublicOpinion,
    Resolution,
    Speech,
    StatusChange,
    Target,
    Task,
    Version,
    Vote,
)


def meeting_name(meeting: Meeting) -> str:
    return f"{meeting.get_kind_display()} {meeting.date:%d/%m/%Y}"  # type: ignore[attr-defined]


register(
    Kind(
        "resolution",
        Resolution,
        "resolution_id",
        "resolutions:resolution-detail",
        "cell",
        (
            Source(Resolution, "id"),
            Source(Target, "resolution_id", "name"),
            Source(Task, "resolution_id", "title"),
            Source(Vote, "resolution_id", "held_on"),
            Source(StatusChange, "resolution_id", "to_status"),
            Source(Version, "resolution_id", "number"),
            Source(Dissemination, "resolution_id", "held_on"),
            Source(PublicOpinion, "resolution_id", "received_on"),
        ),
    ),
    Kind(
        "task",
        Task,
        "task_id",
        "resolutions:task-detail",
        "resolution__cell",
        (Source(Task, "id"), Source(ProgressUpdate, "task_id", "author")),
    ),
    Kind(
        "meeting",
        Meeting,
        "meeting_id",
        "resolutions:meeting-detail",
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
