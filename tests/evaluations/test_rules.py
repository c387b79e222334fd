"""The rules of the yearly classification, table by table."""

from __future__ import annotations

import datetime as dt

import pytest

from evaluations.models import Level
from evaluations.rules import Exclusion, excellent_quota, exclusion

E, G, D, N = Level.EXCELLENT, Level.GOOD, Level.DONE, Level.NOT_DONE


@pytest.mark.parametrize(
    ("levels", "ok", "maximum"),
    [
        ([], True, 0),
        ([G] * 10, True, 2),  # nobody excellent
        ([E] * 2 + [G] * 8, True, 2),  # 2 of the 10 well completed or better: exactly 20%
        ([E] * 3 + [G] * 7, False, 2),  # 3 of 10: more than 20%
        ([E] + [G] * 4, True, 1),  # 1 of 5
        ([E] + [G] * 3, False, 0),  # 20% of 4 is 0.8: "may not exceed" allows none
        ([E] * 2 + [G] * 8 + [D] * 20 + [N], True, 2),  # the other levels are not in the base
        ([E] * 3 + [G] * 12, True, 3),  # 3 of 15
        ([E] * 3 + [G] * 11, False, 2),  # 3 of 14 is 21.4%
        ([E, "", ""] + [G] * 4, True, 1),  # the unclassified ("") do not count
    ],
)
def test_excellent_goes_to_at_most_a_fifth_of_those_well_completed(levels, ok, maximum) -> None:
    check = excellent_quota(levels)
    assert (check.ok, check.maximum) == (ok, maximum)
    assert bool(check.error) != ok


def test_a_broken_quota_is_explained_in_vietnamese() -> None:
    check = excellent_quota([E] * 3 + [G] * 7)
    assert check.error == (
        "3 đảng viên được đề xuất xuất sắc, vượt quá 20% của 10 đảng viên được xếp loại "
        "hoàn thành tốt nhiệm vụ trở lên (tối đa 2)"
    )


def test_the_share_is_a_setting(settings) -> None:
    settings.CHIBO = {**settings.CHIBO, "EVALUATION": {"EXCELLENT_PERCENT": 30}}
    assert excellent_quota([E] * 3 + [G] * 7).ok


@pytest.mark.parametrize(
    ("admitted_on", "exempt", "suspended", "expected"),
    [
        (dt.date(2010, 1, 1), False, False, ""),
        (dt.date(2010, 1, 1), True, False, Exclusion.EXEMPT),
        (dt.date(2010, 1, 1), False, True, Exclusion.SUSPENDED),
        (dt.date(2025, 6, 30), False, False, ""),  # six months before the end of the year: classified
        (dt.date(2025, 7, 1), False, False, Exclusion.NEWLY_ADMITTED),
        (dt.date(2025, 12, 1), False, False, Exclusion.NEWLY_ADMITTED),
        (dt.date(2025, 12, 1), True, False, Exclusion.EXEMPT),  # exemption is named first
    ],
)
def test_who_is_not_classified(admitted_on, exempt, suspended, expected) -> None:
    assert exclusion(admitted_on=admitted_on, year=2025, is_exempt=exempt, is_suspended=suspended) == expected


def test_the_months_since_admission_are_a_setting() -> None:
    assert (
        exclusion(admitted_on=dt.date(2025, 9, 1), year=2025, is_exempt=False, is_suspended=False, min_months=3) == ""
    )
