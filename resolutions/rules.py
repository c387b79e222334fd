"""The business rules, as plain functions over plain values, each with a table-driven test.

- How a resolution's progress rolls up from its tasks.
- Which resolutions are in force on a day. (The vote and the meeting's rules are in ``meetings.rules``.)
- A committee's documents: their kinds and symbols, the targets they set the cells, a cell's figure against a
  target, the committee's total, and whether a cell made the document concrete in time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, TypeVar

from django.db import models
from django.utils.translation import gettext, gettext_lazy


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


# ---------------------------------------------------------------------------------------------------
# A committee's documents, carried into the cells
# ---------------------------------------------------------------------------------------------------


class DocumentType(models.TextChoices):
    """The kinds of party document an organisation issues and numbers, each with its symbol: "Số 12-NQ/ĐU" is
    the ward committee's twelfth resolution of the year, "Số 03-KH/ĐU" its third plan (Hướng dẫn 36-HD/VPTW: the
    symbol of the kind, then the issuer's). Each kind has its own run of numbers per organisation and year."""

    RESOLUTION = "NQ", gettext_lazy("Resolution")
    PLAN = "KH", gettext_lazy("Plan")
    CONCLUSION = "KL", gettext_lazy("Conclusion")
    DIRECTIVE = "CT", gettext_lazy("Directive")


# The document's name as printed at the top of its page, by kind.
DOCUMENT_HEADINGS = {
    DocumentType.RESOLUTION: "NGHỊ QUYẾT",
    DocumentType.PLAN: "KẾ HOẠCH",
    DocumentType.CONCLUSION: "KẾT LUẬN",
    DocumentType.DIRECTIVE: "CHỈ THỊ",
}


class Measure(models.TextChoices):
    """How a target for the cells is measured."""

    NUMBER = "number", gettext_lazy("A number")
    PERCENT = "percent", gettext_lazy("A percentage")
    YES_NO = "yes_no", gettext_lazy("Yes / no")


def goal_error(measure: str, goal: Decimal) -> str:
    """Why ``goal`` is not a goal for a target measured by ``measure``, or "": never negative, a percentage at
    most 100, a yes/no target's goal is 1 (done)."""
    if goal < 0:
        return gettext("A goal cannot be negative.")
    if measure == Measure.PERCENT and goal > 100:
        return gettext("A percentage goal is at most 100.")
    if measure == Measure.YES_NO and goal != 1:
        return gettext("A yes/no target's goal is 1 (done).")
    return ""


@dataclass(frozen=True)
class CarryingTask:
    """A cell's task that carries a committee's target, as the figure rule sees it."""

    figure: Decimal | None
    done: bool
    cancelled: bool = False


def cell_figure(measure: str, tasks: Iterable[CarryingTask]) -> Decimal | None:
    """A cell's figure against a committee's target, from the tasks of its resolutions that carry the target
    (their confirmed reports' figures): for a number the figures added up (two tasks, two groups of households);
    for a percentage the highest reported (the share reached so far); for yes/no 1 once every task carrying it is
    done, else 0. Cancelled tasks do not count. None while no counted task carries the target, or none has
    reported a number or percentage."""
    counted = [task for task in tasks if not task.cancelled]
    if not counted:
        return None
    if measure == Measure.YES_NO:
        return Decimal(1) if all(task.done for task in counted) else Decimal(0)
    figures = [task.figure for task in counted if task.figure is not None]
    if not figures:
        return None
    return sum(figures, Decimal(0)) if measure == Measure.NUMBER else max(figures)


def target_met(goal: Decimal, figure: Decimal | None) -> bool:
    """A cell meets its target when its figure reaches the goal (a yes/no target: 1 of 1)."""
    return figure is not None and figure >= goal


@dataclass(frozen=True)
class CommitteeTotal:
    """The committee's figure against its own target, over the cells the document is addressed to."""

    value: Decimal
    goal: Decimal
    cells_met: int
    cells: int

    @property
    def met(self) -> bool:
        return self.cells > 0 and self.value >= self.goal


def committee_total(measure: str, goal: Decimal, figures: list[Decimal | None]) -> CommitteeTotal:
    """The committee's total against a target it set each of ``len(figures)`` cells: for a number, the cells'
    figures added up against the goal times the number of cells (a cell that reported nothing adds 0); for a
    percentage, the mean of the cells' figures against the goal (a cell that reported nothing counts 0); for
    yes/no, the number of cells done against the number of cells ("100% chi bộ…")."""
    cells = len(figures)
    met = sum(1 for figure in figures if target_met(goal, figure))
    reached = [figure or Decimal(0) for figure in figures]
    if measure == Measure.NUMBER:
        return CommitteeTotal(sum(reached, Decimal(0)), goal * cells, met, cells)
    if measure == Measure.PERCENT:
        mean = (sum(reached, Decimal(0)) / cells).quantize(Decimal("0.1")) if cells else Decimal(0)
        return CommitteeTotal(mean, goal, met, cells)
    return CommitteeTotal(Decimal(met), Decimal(cells), met, cells)


class Concrete(models.TextChoices):
    """Where a cell stands with a committee's document: has it adopted a resolution of its own carrying it out?"""

    LATE = "late", gettext_lazy("Not made concrete, past the deadline")
    WAITING = "waiting", gettext_lazy("Not yet made concrete")
    DONE_LATE = "done_late", gettext_lazy("Made concrete after the deadline")
    DONE = "done", gettext_lazy("Made concrete")


def concretised(*, adopted_on: dt.date | None, deadline: dt.date | None, day: dt.date) -> Concrete:
    """A cell has made a committee's document concrete once a resolution of its own that carries it out is
    adopted (``adopted_on``, the earliest such adoption). Without one, it is late from the day after
    ``deadline``; with one adopted after the deadline, it was late but is done. No deadline: never late."""
    if adopted_on is not None and adopted_on <= day:
        late = deadline is not None and adopted_on > deadline
        return Concrete.DONE_LATE if late else Concrete.DONE
    if deadline is not None and day > deadline:
        return Concrete.LATE
    return Concrete.WAITING
