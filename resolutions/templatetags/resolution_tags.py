from __future__ import annotations

from typing import Any

from django import template

from members.models import Organisation, today
from resolutions.models import Resolution, Task
from resolutions.rules import in_force
from resolutions.services import progress_of

register = template.Library()


@register.inclusion_tag("resolutions/includes/_cell_work.html")
def cell_work(cell: Organisation, can_manage: bool = False) -> dict[str, Any]:
    """The cell page's panel: every resolution in force (``rules.in_force``: the month's, the thematic ones and
    those of longer periods) with its progress, and what is overdue (``Task.is_overdue``), from two queries: the
    cell's live resolutions, and their tasks with the columns the panel shows."""
    day = today()
    live = {
        r.pk: r
        for r in Resolution.objects.filter(cell=cell, status__in=Resolution.LIVE).only(
            "pk", "cell_id", "kind", "status", "number", "title", "period_start", "period_end", "seq"
        )
    }
    resolutions = in_force(live.values(), day)
    tasks: dict[int, list[Task]] = {pk: [] for pk in live}
    for task in (
        Task.objects.filter(resolution_id__in=list(live))
        .select_related("lead_member", "lead_mass_organisation")
        .only(
            "resolution_id",
            "title",
            "deadline",
            "weight",
            "status",
            "progress",
            "lead_kind",
            "lead_member__full_name",
            "lead_mass_organisation__name",
        )
        .order_by("deadline", "pk")
    ):
        task.resolution = live[task.resolution_id]  # read above: no join for its number
        tasks[task.resolution_id].append(task)
    progress = {r.pk: progress_of(tasks[r.pk]) for r in resolutions}
    overdue = sorted((t for ts in tasks.values() for t in ts if t.is_overdue(day)), key=lambda t: (t.deadline, t.pk))
    return {
        "cell": cell,
        "in_force": [(r, progress.get(r.pk)) for r in resolutions],
        "overdue": overdue[:10],
        "can_manage": can_manage,
        "today": day,
    }
