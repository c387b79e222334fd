"""The change history pages of a resolution and a task (the ``history`` app), with the rows that belong to each
(``chibo.lib.history``); the votes of a resolution are added by ``meetings/history.py``."""

from chibo.lib.history import Kind, Source, register
from resolutions.models import (
    Dissemination,
    ProgressUpdate,
    PublicOpinion,
    Resolution,
    StatusChange,
    Target,
    Task,
    Version,
)

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
)
