"""Under which keys the heavy parts of the resolution pages are kept in the shared cache (``chibo.lib.parts``).

A part is rendered once per key, and its key names everything the part shows: the cache tokens of the
organisations whose rows it shows (``members.versions``: a write of a cell's resolutions, tasks, reports, members,
roles or meetings renews the cell's token), the day (late tasks, members away), the viewer's rights the part
tests, the object. Besides the cell's own rows, the parts show rows of other organisations:

- the resolution page names the members who lead or support its tasks (one who moved to another cell keeps their
  tasks there), the people who moved it through the workflow and wrote its versions (a renamed account renews the
  tokens of its member's cell and of where it holds a role), and the upper-level resolutions it carries out
  (``resolution_tokens``);
- "my tasks" lists the tasks of every cell where the member leads or supports one in force, and the coming
  meetings of their own cell (``my_tasks_tokens``);
- the edit page's lists count each member's open tasks in every cell (``edit_tokens``), and offer the upper-level
  resolutions of the organisations above the cell, keyed by what is shown of them (``upper_choices``): the
  tokens above a cell change with every write under them.

Each read is one statement, compiled once per process (``chibo.lib.prepared``): a cache hit costs little more than
the page's own access check. A page reads the tokens first, then the rows it shows (the object it checks access
to included): no part is kept under a token newer than its rows.
"""

from __future__ import annotations

import functools
from typing import Any

from django.db.models import QuerySet

from chibo.lib.prepared import Prepared
from members.models import Member, Organisation, OrganisationVersion, Role
from resolutions.carrying import addressed_to
from resolutions.models import Resolution, StatusChange, Task, Version

Tokens = tuple[tuple[str, str], ...]


def _tokens_of(paths: QuerySet[Any]) -> QuerySet[Any]:
    """The (path, token) of the organisations whose paths ``paths`` selects (a query of one column), in order."""
    return OrganisationVersion.objects.filter(path__in=paths).order_by("path").values_list("path", "token")


def _resolution_paths(resolution_id: int) -> QuerySet[Any]:
    """The resolution's cell, the cells of the members its tasks name, the cells and role organisations of the
    accounts its workflow and versions name, and the cells of the upper-level resolutions it carries out."""
    accounts = (
        StatusChange.objects.filter(resolution=resolution_id)
        .order_by()
        .values("by")
        .union(Version.objects.filter(resolution=resolution_id).order_by().values("created_by"))
    )
    return (
        Resolution.objects.filter(pk=resolution_id)
        .order_by()
        .values("cell__path")
        .union(
            Resolution.objects.filter(carried_out_by=resolution_id).order_by().values("cell__path"),
            Task.objects.filter(resolution=resolution_id).order_by().values("lead_member__cell__path"),
            Task.supporters.through.objects.filter(task__resolution=resolution_id).values("member__cell__path"),
            Member.objects.filter(user__in=accounts).order_by().values("cell__path"),
            Role.objects.filter(user__in=accounts).order_by().values("organisation__path"),
        )
    )


_RESOLUTION_TOKENS = Prepared(lambda resolution_id: _tokens_of(_resolution_paths(resolution_id)), int)


def resolution_tokens(resolution_id: int) -> Tokens:
    """The tokens of every organisation whose rows the resolution's page shows, its cell's first among them."""
    return tuple(_RESOLUTION_TOKENS.rows(resolution_id))


def _my_task_paths(member_id: int) -> QuerySet[Any]:
    """The member's own cell and the cells of the resolutions in force that give the member a task."""
    return (
        Member.objects.filter(pk=member_id)
        .order_by()
        .values("cell__path")
        .union(Task.objects.live().of_member(member_id).order_by().values("resolution__cell__path"))
    )


_MY_TASKS_TOKENS = Prepared(lambda member_id: _tokens_of(_my_task_paths(member_id)), int)


def my_tasks_tokens(member_id: int) -> Tokens:
    """The tokens of every cell whose rows the member's "my tasks" shows."""
    return tuple(_MY_TASKS_TOKENS.rows(member_id))


def _edit_paths(resolution_id: int) -> QuerySet[Any]:
    """The resolution's cell and the other cells where its members lead or support open tasks in force."""
    cell = Resolution.objects.filter(pk=resolution_id).order_by().values("cell")
    members = Member.objects.active().filter(cell__in=cell).order_by().values("pk")
    open_live = Task.objects.live().open()
    return (
        Resolution.objects.filter(pk=resolution_id)
        .order_by()
        .values("cell__path")
        .union(
            open_live.filter(lead_member__in=members).order_by().values("resolution__cell__path"),
            Task.supporters.through.objects.filter(member__in=members, task__in=open_live).values(
                "task__resolution__cell__path"
            ),
        )
    )


_EDIT_TOKENS = Prepared(lambda resolution_id: _tokens_of(_edit_paths(resolution_id)), int)


def edit_tokens(resolution_id: int) -> Tokens:
    """The tokens of every cell whose rows the resolution's edit page shows."""
    return tuple(_EDIT_TOKENS.rows(resolution_id))


def upper_candidates(cell: Organisation) -> QuerySet[Resolution]:
    """The documents of the committees above the cell, in force or completed, that address it (every cell under
    the committee, or this one among those chosen): what a resolution of the cell may carry out."""
    return _upper(cell.pk, *cell.ancestor_paths()[:-1]).select_related("cell")


def _upper(cell_id: int, *ancestors: str) -> QuerySet[Resolution]:
    return Resolution.objects.filter(
        addressed_to(cell_id), cell__path__in=ancestors, status__in=[*Resolution.LIVE, Resolution.Status.COMPLETED]
    )


@functools.cache
def _upper_read(levels: int) -> Prepared:
    """The upper-level resolutions' choices above a cell with ``levels`` organisations above it."""
    return Prepared(
        lambda cell_id, *paths: _upper(cell_id, *paths).values_list("pk", "cell__name", "number", "title"),
        int,
        *[str] * levels,
    )


def upper_choices(cell: Organisation) -> list[tuple[int, str]]:
    """``upper_candidates`` as the edit page offers them, in one statement."""
    ancestors = cell.ancestor_paths()[:-1]
    if not ancestors:
        return []
    rows = _upper_read(len(ancestors)).rows(cell.pk, *ancestors)
    return [(pk, f"{cell_name}: {number} – {title}") for pk, cell_name, number, title in rows]
