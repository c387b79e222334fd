from __future__ import annotations

from typing import Any

from django import template

from members.models import Organisation, today
from resolutions.models import Resolution, Task
from resolutions.rules import in_force
from resolutions.services import progress_by_resolution

register = template.Library()


@register.inclusion_tag("resolutions/includes/_cell_work.html")
def cell_work(cell: Organisation, can_manage: bool = False) -> dict[str, Any]:
    """The cell page's panel: every resolution in force (``rules.in_force``: the month's, the thematic ones and
    those of longer periods) with its progress, and what is overdue (three queries)."""
    day = today()
    live = Resolution.objects.filter(cell=cell, status__in=Resolution.LIVE).only(
        "pk", "cell_id", "kind", "status", "number", "title", "period_start", "period_end", "seq"
    )
    resolutions = in_force(live, day)
    progress = progress_by_resolution(r.pk for r in resolutions)
    overdue = list(
        Task.objects.live()
        .filter(resolution__cell=cell)
        .overdue(day)
        .select_related("lead_member", "lead_mass_organisation", "resolution")
        .order_by("deadline", "pk")[:10]
    )
    return {
        "cell": cell,
        "in_force": [(r, progress.get(r.pk)) for r in resolutions],
        "overdue": overdue,
        "can_manage": can_manage,
        "today": day,
    }
