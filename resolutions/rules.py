"""The business rules, as plain functions over plain values, each with a table-driven test.

- How a resolution's progress rolls up from its tasks.
- Which resolutions are in force on a day. (The vote and the meeting's rules are in ``meetings.rules``.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class TaskProgress:
    progress: int
    weight: int | None
    done: bool = False
    cancelled: bool = False


def rolled_up_progress(tasks: Iterable[TaskProgress]) -> int | None:
    """A resolution's progress in percent: weighted where weights are set (an unset weight counts as 1), else
    the mean. A done task counts as 100; cancelled tasks do not count. None when there is nothing to count."""
    counted = [task for task in tasks if not task.cancelled]
    total_weight = sum(task.weight or 1 for task in counted)
    score = sum((100 if task.done else task.progress) * (task.weight or 1) for task in counted)
    return progress_from_sums(score, total_weight)


def progress_from_sums(score: int, weight: int) -> int | None:
    """``rolled_up_progress`` from its two sums (Σ progress × weight, Σ weight), as the dashboard reads them
    from the database for many cells at once. None when there is nothing to count."""
    return round(score / weight) if weight else None


# ---------------------------------------------------------------------------------------------------
# Reports and who confirms them
# ---------------------------------------------------------------------------------------------------


def is_own_report(
    *, author_member_id: int, author_user_id: int | None, reviewer_member_id: int | None, reviewer_user_id: int | None
) -> bool:
    """The author of a report never reviews it: not by her member record, nor by her account (a secretary or an
    administrator included). Every report waits for a confirmer who is not its author; only a confirmed report
    counts toward the task's progress."""
    same_member = reviewer_member_id is not None and reviewer_member_id == author_member_id
    same_account = reviewer_user_id is not None and reviewer_user_id == author_user_id
    return same_member or same_account


OWN_REPORT = gettext_lazy("You wrote this report: another member of the cell committee confirms it or sends it back.")


def same_lead_and_follower(*, lead_member_id: int | None, follower_id: int | None) -> bool:
    """Lead and follower of a task differ: the member who leads a task does not also follow it (she would confirm
    her own reports)."""
    return lead_member_id is not None and lead_member_id == follower_id


LEAD_IS_FOLLOWER = gettext_lazy(
    "The lead of a task cannot also follow it: choose another committee member to follow it."
)


ADOPTED_STATUSES = ("adopted", "in_progress", "completed")


def adopted_in_month(*, status: str, adopted_on: dt.date | None, month: dt.date, day: dt.date) -> bool:
    """Whether a resolution counts among those adopted in the month of ``month`` as of ``day``: adopted on a day
    of that month up to ``day``, of any kind, and still standing as adopted (being implemented or completed since
    counts; a draft, a rejected or a withdrawn one never). Every such resolution of a cell counts, not only its
    latest one."""
    if adopted_on is None or status not in ADOPTED_STATUSES:
        return False
    return (adopted_on.year, adopted_on.month) == (month.year, month.month) and adopted_on <= day


LIVE_STATUSES = ("adopted", "in_progress")


class Period(Protocol):
    kind: str
    status: str
    period_start: dt.date
    period_end: dt.date
    seq: int


_R = TypeVar("_R", bound=Period)


def in_force(resolutions: Iterable[_R], day: dt.date) -> list[_R]:
    """The resolutions a cell works under on ``day``: adopted (or being implemented) and not expired or replaced.

    A resolution is in force while its period lasts, whatever its kind (the month's, the quarter's, the year's,
    the term's and each thematic one side by side). A monthly one whose month has passed stays in force until
    the next month's is adopted: the cell keeps working under it, as the dashboard counts it (its "current"
    resolution). Newest first within each kind; kinds from the shortest period to the longest."""
    live = [r for r in resolutions if r.status in LIVE_STATUSES]
    current = [r for r in live if r.period_start <= day <= r.period_end]
    if not any(r.kind == "monthly" for r in current):
        monthly = [r for r in live if r.kind == "monthly" and r.period_start <= day]
        if monthly:
            current.append(max(monthly, key=lambda r: (r.period_start, r.seq)))
    order = {kind: n for n, kind in enumerate(("monthly", "quarterly", "yearly", "term", "thematic"))}
    return sorted(current, key=lambda r: (order.get(r.kind, len(order)), -r.period_start.toordinal(), -r.seq))
