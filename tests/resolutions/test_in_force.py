"""Which resolutions a cell works under: every one in force, the month's beside the thematic and longer ones."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.urls import reverse

from resolutions.models import Resolution
from resolutions.rules import in_force
from tests.resolutions.factories import ResolutionFactory

D = dt.date


@dataclass
class R:
    name: str
    kind: str
    status: str
    period_start: dt.date
    period_end: dt.date
    seq: int = 1


OCT = R("october", "monthly", "in_progress", D(2026, 10, 1), D(2026, 10, 31))
NOV = R("november", "monthly", "adopted", D(2026, 11, 1), D(2026, 11, 30), 2)
NOV_DRAFT = R("november draft", "monthly", "draft", D(2026, 11, 1), D(2026, 11, 30), 3)
DEC = R("december", "monthly", "adopted", D(2026, 12, 1), D(2026, 12, 31), 4)
Q4 = R("quarter", "quarterly", "in_progress", D(2026, 10, 1), D(2026, 12, 31))
YEAR = R("year", "yearly", "in_progress", D(2026, 1, 1), D(2026, 12, 31))
THEME = R("theme", "thematic", "adopted", D(2026, 6, 1), D(2027, 5, 31))
OLD_THEME = R("old theme", "thematic", "in_progress", D(2025, 6, 1), D(2026, 5, 31))
DONE = R("done", "thematic", "completed", D(2026, 6, 1), D(2027, 5, 31))


@pytest.mark.parametrize(
    ("resolutions", "expected"),
    [
        ([], []),
        # The month's resolution replaces last month's, even if last month's was never closed.
        ([OCT, NOV], ["november"]),
        # Until this month's is adopted, last month's stays in force (a draft does not replace it).
        ([OCT, NOV_DRAFT], ["october"]),
        # Next month's, adopted early, is not in force yet.
        ([NOV, DEC], ["november"]),
        # Every kind side by side, shortest period first.
        ([THEME, YEAR, Q4, NOV], ["november", "quarter", "year", "theme"]),
        # Expired or completed ones are not in force.
        ([OLD_THEME, DONE, NOV], ["november"]),
    ],
)
def test_resolutions_in_force(resolutions: list[R], expected: list[str]) -> None:
    assert [r.name for r in in_force(resolutions, D(2026, 11, 18))] == expected


@pytest.mark.django_db
@pytest.mark.clock("2026-11-18 10:00")  # the periods below are fixed days around it
def test_the_cell_page_lists_every_resolution_in_force(client_for, tree) -> None:
    def make(kind: str, start: dt.date, end: dt.date, status: str = Resolution.Status.IN_PROGRESS) -> Resolution:
        return ResolutionFactory.create(cell=tree.cell_a1, kind=kind, period_start=start, period_end=end, status=status)

    monthly = make("monthly", D(2026, 11, 1), D(2026, 11, 30))
    thematic = make("thematic", D(2026, 9, 1), D(2027, 8, 31))
    yearly = make("yearly", D(2026, 1, 1), D(2026, 12, 31))
    replaced = make("monthly", D(2026, 10, 1), D(2026, 10, 31))
    draft = make("monthly", D(2026, 12, 1), D(2026, 12, 31), Resolution.Status.DRAFT)
    page = client_for("member").get(reverse("members:org-detail", args=[tree.cell_a1.pk])).content.decode()
    for shown in (monthly, thematic, yearly):
        assert reverse("resolutions:resolution-detail", args=[shown.pk]) in page
    for hidden in (replaced, draft):
        assert reverse("resolutions:resolution-detail", args=[hidden.pk]) not in page
