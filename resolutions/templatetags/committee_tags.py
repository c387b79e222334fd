"""What the pages of a committee's documents show of its targets for the cells."""

from __future__ import annotations

from django import template

from resolutions.models import CellTarget
from resolutions.services import goal_text as _goal_text

register = template.Library()


@register.filter
def goal_text(target: CellTarget) -> str:
    """ "5 hộ", "90%", "done": a target's goal for each cell (``services.goal_text``)."""
    return _goal_text(target)
