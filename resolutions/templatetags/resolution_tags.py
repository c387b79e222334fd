from __future__ import annotations

from typing import Any

from django import template

from members.models import Organisation, today
from resolutions.models import Resolution, Task
from resolutions.services import progress_of

register = template.Library()


@register.inclusion_tag("resolutions/includes/_cell_work.html")
def cell_work(cell: Organisation, can_manage: bool = False) -> dict[str, Any]:
    """The cell page's panel: the resolution in force, its progress, and what is overdue (three queries)."""
    day = today()
    current = Resolution.objects.filter(cell=cell, status__in=Resolution.LIVE).order_by("-period_start", "-seq").first()
    tasks = list(current.tasks.all()) if current else []
    overdue = list(
        Task.objects.live()
        .filter(resolution__cell=cell)
        .overdue(day)
        .select_related("lead_member", "lead_mass_organisation", "resolution")
        .order_by("deadline", "pk")[:10]
    )
    return {
        "cell": cell,
        "current": current,
        "progress": progress_of(tasks) if current else None,
        "task_count": len(tasks),
        "overdue": overdue,
        "can_manage": can_manage,
        "today": day,
    }
