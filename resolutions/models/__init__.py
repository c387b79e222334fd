"""The resolution side's models, one module per area; everything is importable from ``resolutions.models``."""

from resolutions.models.resolutions import (
    ISSUERS,
    CellTarget,
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
    "ISSUERS",
    "CellTarget",
    "Dissemination",
    "ProgressUpdate",
    "PublicOpinion",
    "Resolution",
    "StatusChange",
    "Target",
    "Task",
    "TaskQuerySet",
    "Version",
    "evidence_path",
]
