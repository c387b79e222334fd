"""A cell's meetings in figures: attendance this month and over twelve months, the last meeting held, whether it
met last month and reviewed its resolution this month.

Counted per cell over any number of cells in a fixed number of queries; the dashboards (``dashboards.dashboard``)
read their rows' meeting figures through these functions, and a cell's meeting list shows the same figures
(``cell_meeting_figures``), so the two pages never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, Sum

from meetings.models import Meeting, MonthlyReview
from members.models import Organisation
from members.rules import add_months

HELD = (Meeting.Status.HELD, Meeting.Status.APPROVED)


def rate(part: int, whole: int) -> int | None:
    """A percentage rounded like ``rules.AttendanceCounts.rate``; None when there is nothing to count."""
    return round(part * 100 / whole) if whole else None


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def last_months(day: dt.date, count: int = 12) -> list[dt.date]:
    """The first days of the ``count`` months that end with ``day``'s."""
    this = month_start(day)
    return [add_months(this, i) for i in range(1 - count, 1)]


@dataclass
class MeetingCounts:
    attended_month: int = 0
    expected_month: int = 0
    attended_year: int = 0
    expected_year: int = 0
    met_last_month: int = 0
    reviewed: int = 0


@dataclass
class CellMeetingFigures:
    figures: MeetingCounts
    last_meeting: dt.date | None = None

    @property
    def attendance_month(self) -> int | None:
        return rate(self.figures.attended_month, self.figures.expected_month)

    @property
    def attendance_year(self) -> int | None:
        return rate(self.figures.attended_year, self.figures.expected_year)


def held_meetings(cell_q: Q, *, day: dt.date, first_month: dt.date) -> Any:
    return Meeting.objects.filter(cell_q).filter(status__in=HELD, date__gte=first_month, date__lte=day).order_by()


def attendance_per_cell(held: Any, *, this_month: dt.date) -> dict[int, tuple[tuple[int, int], tuple[int, int]]]:
    """Per cell, (attended, expected) this month and over the last 12 months, from the counts each held meeting
    keeps (exempt and away members are not expected: ``rules.count_attendance``)."""
    in_month = Q(date__gte=this_month)
    return {
        row["cell_id"]: (
            (row["attended_month"] or 0, row["expected_month"] or 0),
            (row["attended_year"] or 0, row["expected_year"] or 0),
        )
        for row in held.values("cell_id").annotate(
            attended_month=Sum("attended_count", filter=in_month),
            expected_month=Sum("expected_count", filter=in_month),
            attended_year=Sum("attended_count"),
            expected_year=Sum("expected_count"),
        )
    }


def meetings_per_cell(
    cell_q: Q, *, day: dt.date, this_month: dt.date, last_month: dt.date
) -> dict[int, dict[str, Any]]:
    """Per cell, the last meeting held, meetings held last month, reviews written this month."""
    reviewed = MonthlyReview.objects.filter(meeting=OuterRef("pk"))
    return {
        row["cell_id"]: row
        for row in Meeting.objects.filter(cell_q)
        .filter(status__in=HELD, date__lte=day)
        .values("cell_id")
        .annotate(
            last=Max("date"),
            last_month=Count("pk", filter=Q(date__gte=last_month, date__lt=this_month)),
            reviews=Count("pk", filter=Q(date__gte=this_month) & Q(Exists(reviewed))),
        )
        .order_by()
    }


def meeting_figures(
    attendance: tuple[tuple[int, int], tuple[int, int]], meetings: dict[str, Any] | None
) -> dict[str, int]:
    """A cell's meeting figures, the same on its dashboard row and on its meeting list: attendance this month and
    over twelve months, whether it met last month and reviewed its resolution."""
    (attended_month, expected_month), (attended_year, expected_year) = attendance
    return {
        "attended_month": attended_month,
        "expected_month": expected_month,
        "attended_year": attended_year,
        "expected_year": expected_year,
        "met_last_month": int(bool(meetings and meetings["last_month"])),
        "reviewed": int(bool(meetings and meetings["reviews"])),
    }


def cell_meeting_figures(cell: Organisation, day: dt.date) -> CellMeetingFigures:
    """A cell's meeting figures (attendance this month and over 12 months, last meeting, this month's review),
    counted by the same two queries as the dashboard's: the page the dashboard links them to shows these."""
    months = last_months(day)
    cell_q = Q(cell_id=cell.pk)
    attendance = attendance_per_cell(held_meetings(cell_q, day=day, first_month=months[0]), this_month=months[-1])
    meetings = meetings_per_cell(cell_q, day=day, this_month=months[-1], last_month=months[-2]).get(cell.pk)
    return CellMeetingFigures(
        figures=MeetingCounts(**meeting_figures(attendance.get(cell.pk, ((0, 0), (0, 0))), meetings)),
        last_meeting=meetings["last"] if meetings else None,
    )
