"""The resolution side's models, one module per area; everything is importable from ``resolutions.models``."""

from resolutions.models.meetings import (
    AbsenceRequest,
    AgendaItem,
    AgendaTemplate,
    Attendance,
    Meeting,
    MonthlyReview,
    Speech,
)
from resolutions.models.resolutions import (
    Dissemination,
    ProgressUpdate,
    PublicOpinion,
    Resolution,
    StatusChange,
    Target,
    Task,
    TaskQuerySet,
    Version,
    Vote,
    evidence_path,
)

__all__ = [
    "AbsenceRequest",
    "AgendaItem",
    "AgendaTemplate",
    "Attendance",
    "Dissemination",
    "Meeting",
    "MonthlyReview",
    "ProgressUpdate",
    "PublicOpinion",
    "Resolution",
    "Speech",
    "StatusChange",
    "Target",
    "Task",
    "TaskQuerySet",
    "Version",
    "Vote",
    "evidence_path",
]
