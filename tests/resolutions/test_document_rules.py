"""The rules behind two lines of the documents, as tables written from their text: the minutes say how many exempt
members there are and how many of them attended; the ward's summary counts every resolution adopted in the month,
not only the latest one of each cell."""

from __future__ import annotations

import datetime as dt

import pytest

from meetings.rules import count_attendance
from resolutions.rules import adopted_in_month

P, L, EX, AW = "present", "late", "exempt", "away"
R, NR = "absent_reason", "absent_no_reason"


@pytest.mark.parametrize(
    ("rows", "exempt_members", "exempt_attended", "attended", "expected", "line"),
    [
        # Nobody exempt.
        ([(P, True, False)] * 4, 0, 0, 4, 4, "miễn sinh hoạt: 0 (dự họp: 0)"),
        # Two exempt members stay away: not expected, not absent.
        ([(P, True, False)] * 4 + [(EX, True, True)] * 2, 2, 0, 4, 4, "miễn sinh hoạt: 2 (dự họp: 0)"),
        # Of three exempt members one attends (present) and one comes late: both counted present, and among the
        # exempt who attended.
        (
            [(P, True, False)] * 4 + [(EX, True, True), (P, True, True), (L, False, True)],
            3,
            2,
            6,
            6,
            "miễn sinh hoạt: 3 (dự họp: 2)",
        ),
        # An exempt member marked absent with a reason is still exempt, and did not attend.
        ([(P, True, False), (R, True, True), (NR, True, False)], 1, 0, 1, 3, "miễn sinh hoạt: 1 (dự họp: 0)"),
        # Marked "exempt" without an exemption on record: the status says so.
        ([(P, True, False), (EX, True, False), (AW, True, False)], 1, 0, 1, 1, "miễn sinh hoạt: 1 (dự họp: 0)"),
    ],
)
def test_the_minutes_count_the_exempt_and_those_of_them_who_attended(
    rows, exempt_members, exempt_attended, attended, expected, line
) -> None:
    counts = count_attendance(rows)
    assert (counts.exempt_members, counts.exempt_attended) == (exempt_members, exempt_attended)
    assert (counts.attended, counts.expected) == (attended, expected)
    assert f"miễn sinh hoạt: {counts.exempt_members} (dự họp: {counts.exempt_attended})" == line


def test_rows_without_the_exempt_flag_are_counted_by_their_status() -> None:
    counts = count_attendance([(P, True), (EX, True), (AW, False)])
    assert (counts.exempt, counts.exempt_members, counts.exempt_attended, counts.expected) == (1, 1, 0, 1)


MARCH = dt.date(2026, 3, 1)
DAY = dt.date(2026, 3, 27)


@pytest.mark.parametrize(
    ("status", "adopted_on", "counted"),
    [
        ("adopted", dt.date(2026, 3, 5), True),
        ("in_progress", dt.date(2026, 3, 1), True),
        # Adopted this month and already completed (a thematic resolution done within the month) still counts.
        ("completed", dt.date(2026, 3, 20), True),
        ("in_progress", dt.date(2026, 3, 27), True),  # the report's own day
        ("in_progress", dt.date(2026, 3, 28), False),  # after the report's day
        ("in_progress", dt.date(2026, 2, 28), False),  # last month
        ("in_progress", dt.date(2025, 3, 10), False),  # March of another year
        ("draft", None, False),
        ("submitted", None, False),
        ("rejected", dt.date(2026, 3, 5), False),
        ("withdrawn", dt.date(2026, 3, 5), False),
    ],
)
def test_every_resolution_adopted_in_the_month_counts(status, adopted_on, counted) -> None:
    assert adopted_in_month(status=status, adopted_on=adopted_on, month=MARCH, day=DAY) is counted


def test_two_resolutions_of_one_cell_in_a_month_count_twice() -> None:
    cell = [("in_progress", dt.date(2026, 3, 5)), ("completed", dt.date(2026, 3, 15)), ("draft", None)]
    assert sum(adopted_in_month(status=s, adopted_on=d, month=MARCH, day=DAY) for s, d in cell) == 2
