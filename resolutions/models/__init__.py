"""The resolution side's models, one module per area; everything is importable from ``resolutions.models``."""

from resolutions.models.freshness import DashboardVersion
from resolutions.models.notifications import CalendarFeed, Delivery, Kind, Notification, Preference
from resolutions.models.reports import SummaryReport
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
    evidence_path,
)

__all__ = [
    "CalendarFeed",
    "DashboardVersion",
    "Delivery",
    "Dissemination",
    "Kind",
    "Notification",
    "Preference",
    "ProgressUpdate",
    "PublicOpinion",
    "Resolution",
    "StatusChange",
    "SummaryReport",
    "Target",
    "Task",
    "TaskQuerySet",
    "Version",
    "evidence_path",
]
