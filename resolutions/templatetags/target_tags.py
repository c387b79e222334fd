"""What the cells' pages show of a task that carries an upper-level target: the goal and the figure reached."""

from __future__ import annotations

from decimal import Decimal

from django import template

from resolutions.models import CellTarget, Task
from resolutions.rules import Measure
from resolutions.services import figure_text, goal_text

register = template.Library()


@register.filter
def target_goal(target: CellTarget) -> str:
    """ "5 hộ", "90%": a target's goal for each cell (``services.goal_text``)."""
    return goal_text(target)


@register.filter
def task_figure(task: Task) -> str:
    """The figure a task carrying a target reached, from its confirmed reports (``services.figure_text``); ""
    for a task that carries none or has no figure yet; a yes/no target is "achieved" once the task is done.
    Reads ``task.cell_target``: select it with the task."""
    target = task.cell_target if task.cell_target_id else None
    if target is None:
        return ""
    if target.measure == Measure.YES_NO:  # no figure is reported: the task done is the target met
        return figure_text(target.measure, Decimal(1)) if task.status == Task.Status.DONE else ""
    return figure_text(target.measure, task.figure, target.unit)
