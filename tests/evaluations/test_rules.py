"""The rules of the yearly classification, table by table."""

from __future__ import annotations

import datetime as dt

import pytest

from evaluations.models import Level
from evaluations.rules import Exclusion, evidence_warning, excellent_quota, exclusion

E, G, D, N = Level.EXCELLENT, Level.GOOD, Level.DONE, Level.NOT_DONE


@pytest.mark.parametrize(
    ("levels", "excellent", "good", "maximum", "message"),
    [
        ([], 0, 0, 0, ""),
        ([G] * 10, 0, 10, 2, ""),  # nobody excellent
        ([E] * 2 + [G] * 10, 2, 10, 2, ""),  # exactly 20% of the 10 well completed
        (
            [E] * 3 + [G] * 10,
            3,
            10,
            2,
            "3 đảng viên xếp loại hoàn thành xuất sắc nhiệm vụ, vượt quá 20% của 10 đảng viên hoàn thành tốt "
            "nhiệm vụ (tối đa 2)",
        ),
        (  # the base is "tốt" alone: 2 excellent with 8 good was accepted when the base counted both levels
            [E] * 2 + [G] * 8,
            2,
            8,
            1,
            "2 đảng viên xếp loại hoàn thành xuất sắc nhiệm vụ, vượt quá 20% của 8 đảng viên hoàn thành tốt "
            "nhiệm vụ (tối đa 1)",
        ),
        (  # the list the ward approved and printed: 49 "tốt" allow 9
            [E] * 11 + [G] * 49,
            11,
            49,
            9,
            "11 đảng viên xếp loại hoàn thành xuất sắc nhiệm vụ, vượt quá 20% của 49 đảng viên hoàn thành tốt "
            "nhiệm vụ (tối đa 9)",
        ),
        ([E] * 9 + [G] * 49, 9, 49, 9, ""),
        ([E] + [G] * 5, 1, 5, 1, ""),  # 1 of 5
        (  # 20% of 4 is 0.8: "may not exceed" allows none
            [E] + [G] * 4,
            1,
            4,
            0,
            "1 đảng viên xếp loại hoàn thành xuất sắc nhiệm vụ, vượt quá 20% của 4 đảng viên hoàn thành tốt "
            "nhiệm vụ (tối đa 0)",
        ),
        ([E] * 2 + [G] * 10 + [D] * 20 + [N], 2, 10, 2, ""),  # the lower levels are not in the base
        ([E, "", ""] + [G] * 5, 1, 5, 1, ""),  # the unclassified ("") do not count
    ],
)
def test_excellent_is_at_most_a_fifth_of_the_number_well_completed(levels, excellent, good, maximum, message) -> None:
    check = excellent_quota(levels)
    assert (check.excellent, check.good, check.maximum, check.error) == (excellent, good, maximum, message)
    assert check.ok == (message == "")


@pytest.mark.parametrize(
    ("levels", "maximum", "message"),
    [
        ([G] * 5 + [D] * 3, 1, ""),
        ([E] + [G] * 5, 1, ""),
        (
            [E] + [G] * 4 + [D] * 10,
            0,
            "1 chi bộ xếp loại hoàn thành xuất sắc nhiệm vụ, vượt quá 20% của 4 chi bộ hoàn thành tốt nhiệm vụ "
            "(tối đa 0)",
        ),
        (
            [E] * 3 + [G] * 12,
            2,
            "3 chi bộ xếp loại hoàn thành xuất sắc nhiệm vụ, vượt quá 20% của 12 chi bộ hoàn thành tốt nhiệm vụ "
            "(tối đa 2)",
        ),
    ],
)
def test_the_same_cap_holds_for_the_cells_of_a_ward(levels, maximum, message) -> None:
    check = excellent_quota(levels, cells=True)
    assert (check.maximum, check.error) == (maximum, message)


def test_the_share_is_a_setting(settings) -> None:
    settings.CHIBO = {**settings.CHIBO, "EVALUATION": {"EXCELLENT_PERCENT": 30}}
    assert excellent_quota([E] * 3 + [G] * 10).ok
    assert excellent_quota([E] * 3 + [G] * 10, percent=20).maximum == 2


NO = {"overdue": 0, "not_met": 0, "absent_without_reason": 0, "disciplines": 0}


@pytest.mark.parametrize(
    ("level", "figures", "message"),
    [
        (G, NO, ""),  # nothing against the level
        (E, NO, ""),
        (
            G,
            {**NO, "overdue": 2},
            "Đề xuất “Hoàn thành tốt nhiệm vụ” trong khi minh chứng cho thấy: chủ trì 2 nhiệm vụ đang quá hạn.",
        ),
        (
            E,
            {**NO, "not_met": 1},
            "Đề xuất “Hoàn thành xuất sắc nhiệm vụ” trong khi minh chứng cho thấy: chủ trì 1 nhiệm vụ không đạt.",
        ),
        (
            G,
            {**NO, "absent_without_reason": 3},
            "Đề xuất “Hoàn thành tốt nhiệm vụ” trong khi minh chứng cho thấy: vắng 3 buổi sinh hoạt không có lý do.",
        ),
        (
            E,
            {**NO, "disciplines": 1},
            "Đề xuất “Hoàn thành xuất sắc nhiệm vụ” trong khi minh chứng cho thấy: có 1 quyết định kỷ luật trong năm.",
        ),
        (
            G,
            {"overdue": 1, "not_met": 2, "absent_without_reason": 1, "disciplines": 1},
            "Đề xuất “Hoàn thành tốt nhiệm vụ” trong khi minh chứng cho thấy: chủ trì 1 nhiệm vụ đang quá hạn; "
            "chủ trì 2 nhiệm vụ không đạt; vắng 1 buổi sinh hoạt không có lý do; có 1 quyết định kỷ luật trong năm.",
        ),
        # The lower levels are not weighed: the evidence is what they say.
        (D, {"overdue": 1, "not_met": 2, "absent_without_reason": 1, "disciplines": 1}, ""),
        (N, {**NO, "disciplines": 1}, ""),
        ("", {**NO, "overdue": 4}, ""),
    ],
)
def test_proposing_excellent_or_well_completed_weighs_the_evidence(level, figures, message) -> None:
    assert evidence_warning(level, **figures) == message


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
