"""The rules of probation (Party Charter art. 5), table by table, written from the rule's text:

"Probation lasts twelve months from admission; within 30 working days after it ends the cell reviews and votes,
and the competent committee decides; the official date is the day the twelve months end, never earlier."
"""

from __future__ import annotations

import datetime as dt

import pytest

from members.rules import (
    Probation,
    add_months,
    add_years,
    admission_age_error,
    latest_admission_ending_by,
    member_dates_errors,
    member_status,
    official_date_error,
    probation,
    probation_ends_on,
    public_holidays,
    review_deadline,
    working_days_after,
)

D = dt.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2025, 3, 15), 1, D(2025, 4, 15)),
        (D(2025, 1, 31), 1, D(2025, 2, 28)),  # February has no 31st: its last day
        (D(2024, 1, 31), 1, D(2024, 2, 29)),  # ... 29 in a leap year
        (D(2025, 3, 31), 1, D(2025, 4, 30)),
        (D(2025, 3, 31), -1, D(2025, 2, 28)),
        (D(2025, 12, 15), 1, D(2026, 1, 15)),  # across the year
        (D(2026, 1, 15), -1, D(2025, 12, 15)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2024, 2, 29), 48, D(2028, 2, 29)),
    ],
)
def test_months_are_counted_to_the_same_day_or_the_last_day_of_a_shorter_month(day, months, expected) -> None:
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("admitted_on", "ends_on"),
    [
        (D(2025, 3, 15), D(2026, 3, 15)),  # the rule's example: twelve months to the day
        (D(2025, 1, 31), D(2026, 1, 31)),  # a month's end stays the month's end
        (D(2025, 12, 31), D(2026, 12, 31)),
        (D(2024, 2, 29), D(2025, 2, 28)),  # 2025 has no 29 February: the last day of February
        (D(2024, 2, 28), D(2025, 2, 28)),
        (D(2023, 2, 28), D(2024, 2, 28)),  # into a leap year: the 28th, not the 29th
        (D(2023, 3, 1), D(2024, 3, 1)),
        (D(2025, 11, 18), D(2026, 11, 18)),
    ],
)
def test_probation_ends_twelve_full_months_after_admission(admitted_on, ends_on) -> None:
    assert probation_ends_on(admitted_on) == ends_on


@pytest.mark.parametrize(
    ("day", "latest"),
    [
        (D(2026, 3, 15), D(2025, 3, 15)),
        (D(2026, 3, 14), D(2025, 3, 14)),
        (D(2025, 2, 28), D(2024, 2, 29)),  # admitted 28 or 29 February 2024: both end on 28 February 2025
        (D(2025, 3, 1), D(2024, 3, 1)),
        (D(2028, 2, 29), D(2027, 2, 28)),
        (D(2028, 2, 28), D(2027, 2, 28)),
    ],
)
def test_the_latest_admission_ending_by_a_day(day, latest) -> None:
    assert latest_admission_ending_by(day) == latest
    assert probation_ends_on(latest) <= day < probation_ends_on(latest + dt.timedelta(days=1))


@pytest.mark.parametrize(
    ("day", "count", "holidays", "expected"),
    [
        (D(2026, 11, 18), 1, (), D(2026, 11, 19)),  # Wednesday → Thursday: the day itself is not counted
        (D(2026, 11, 20), 1, (), D(2026, 11, 23)),  # Friday → Monday
        (D(2026, 11, 21), 1, (), D(2026, 11, 23)),  # Saturday → Monday
        (D(2026, 11, 18), 5, (), D(2026, 11, 25)),
        (D(2026, 4, 29), 1, (D(2026, 4, 30), D(2026, 5, 1)), D(2026, 5, 4)),  # 30/4 and 1/5, then the weekend
    ],
)
def test_working_days_are_monday_to_friday_less_the_holidays_given(day, count, holidays, expected) -> None:
    assert working_days_after(day, count, holidays) == expected


@pytest.mark.parametrize(
    ("probation_end", "holidays", "deadline"),
    [
        (D(2026, 3, 15), (), D(2026, 4, 24)),  # ends on a Sunday: Monday 16/03 is the first of 30 working days
        (D(2026, 3, 16), (), D(2026, 4, 27)),  # ends on a Monday: counted from Tuesday
        (D(2026, 11, 18), (), D(2026, 12, 30)),
        (D(2026, 4, 20), (), D(2026, 6, 1)),
        (D(2026, 4, 20), (D(2026, 4, 30), D(2026, 5, 1)), D(2026, 6, 3)),  # two public holidays: two days later
        (D(2025, 2, 28), (), D(2025, 4, 11)),
    ],
)
def test_the_cell_reviews_within_30_working_days_of_the_end(probation_end, holidays, deadline) -> None:
    assert review_deadline(probation_end, holidays) == deadline


def test_the_public_holidays_are_a_setting(settings) -> None:
    settings.CHIBO = {**settings.CHIBO, "PUBLIC_HOLIDAYS": ["30/04/2026", D(2026, 5, 1)]}
    assert public_holidays() == {D(2026, 4, 30), D(2026, 5, 1)}
    assert review_deadline(D(2026, 4, 20)) == D(2026, 6, 3)


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (D(2000, 3, 15), 18, D(2018, 3, 15)),
        (D(2000, 2, 29), 18, D(2018, 2, 28)),  # no 29 February that year
        (D(2000, 2, 29), 4, D(2004, 2, 29)),
        (D(2026, 3, 15), -5, D(2021, 3, 15)),
        (D(2024, 2, 29), -1, D(2023, 2, 28)),
    ],
)
def test_years_are_counted_to_the_same_day_or_28_february(day, years, expected) -> None:
    assert add_years(day, years) == expected


AGE_ERROR = "Đảng viên được kết nạp khi đủ 18 tuổi trở lên."


@pytest.mark.parametrize(
    ("birth_date", "admitted_on", "message"),
    [
        (D(1990, 5, 19), D(2008, 5, 19), ""),  # the 18th birthday
        (D(1990, 5, 19), D(2008, 5, 18), AGE_ERROR),  # a day short of 18
        (D(1990, 5, 19), D(2030, 1, 1), ""),
        (D(1990, 5, 19), D(1995, 1, 1), AGE_ERROR),
        (D(1992, 2, 29), D(2010, 2, 28), ""),  # born on 29 February: 18 on 28 February of a common year
        (D(1992, 2, 29), D(2010, 2, 27), AGE_ERROR),
    ],
)
def test_a_member_is_admitted_at_18_or_older(birth_date, admitted_on, message) -> None:
    assert admission_age_error(birth_date, admitted_on) == message


@pytest.mark.parametrize(
    ("birth_date", "admitted_on", "official_on", "fields"),
    [
        (D(1990, 5, 19), D(2015, 3, 15), D(2016, 3, 15), []),
        (D(1990, 5, 19), D(2015, 3, 15), None, []),  # still probationary
        (None, D(2015, 3, 15), D(2016, 3, 15), []),  # a date not known breaks no rule
        (D(1990, 5, 19), None, D(2016, 3, 15), []),
        (D(2000, 5, 19), D(2015, 3, 15), D(2016, 3, 15), ["admitted_on"]),
        (D(1990, 5, 19), D(2015, 3, 15), D(2016, 3, 14), ["official_on"]),
        (D(2000, 5, 19), D(2015, 3, 15), D(2015, 3, 14), ["admitted_on", "official_on"]),
    ],
)
def test_a_members_dates_are_checked_against_both_rules(birth_date, admitted_on, official_on, fields) -> None:
    errors = member_dates_errors(birth_date, admitted_on, official_on)
    assert list(errors) == fields
    if "admitted_on" in errors:
        assert errors["admitted_on"] == admission_age_error(birth_date, admitted_on)
    if "official_on" in errors:
        assert errors["official_on"] == official_date_error(admitted_on, official_on)


@pytest.mark.parametrize(
    ("admitted_on", "official_on", "message"),
    [
        (D(2025, 3, 15), D(2026, 3, 15), ""),  # the day the twelve months end
        (D(2025, 3, 15), D(2026, 4, 2), ""),  # later: allowed
        (
            D(2025, 3, 15),
            D(2026, 3, 14),
            "Thời gian dự bị là đủ mười hai tháng: đảng viên vào Đảng ngày 15/03/2025 sớm nhất từ ngày 15/03/2026 "
            "mới được công nhận chính thức, không thể từ ngày 14/03/2026 (sớm 1 ngày).",
        ),
        (
            D(2025, 3, 15),
            D(2025, 9, 15),
            "Thời gian dự bị là đủ mười hai tháng: đảng viên vào Đảng ngày 15/03/2025 sớm nhất từ ngày 15/03/2026 "
            "mới được công nhận chính thức, không thể từ ngày 15/09/2025 (sớm 181 ngày).",
        ),
        (D(2024, 2, 29), D(2025, 2, 28), ""),  # the last day of February
        (
            D(2024, 2, 29),
            D(2025, 2, 27),
            "Thời gian dự bị là đủ mười hai tháng: đảng viên vào Đảng ngày 29/02/2024 sớm nhất từ ngày 28/02/2025 "
            "mới được công nhận chính thức, không thể từ ngày 27/02/2025 (sớm 1 ngày).",
        ),
        (D(2025, 1, 31), D(2026, 1, 31), ""),
        (
            D(2025, 1, 31),
            D(2026, 1, 30),
            "Thời gian dự bị là đủ mười hai tháng: đảng viên vào Đảng ngày 31/01/2025 sớm nhất từ ngày 31/01/2026 "
            "mới được công nhận chính thức, không thể từ ngày 30/01/2026 (sớm 1 ngày).",
        ),
        (D(2025, 3, 15), D(2025, 3, 14), "Ngày chính thức không thể trước ngày vào Đảng."),
    ],
)
def test_the_official_date_is_never_before_the_twelve_months_end(admitted_on, official_on, message) -> None:
    assert official_date_error(admitted_on, official_on) == message


@pytest.mark.parametrize(
    ("admitted_on", "day", "ends_on", "review_by", "days_left", "ends_soon", "review_overdue", "summary"),
    [
        (
            D(2025, 11, 18),
            D(2026, 9, 18),
            D(2026, 11, 18),
            D(2026, 12, 30),
            61,
            False,
            False,
            "Vào Đảng ngày 18/11/2025: hết thời gian dự bị ngày 18/11/2026, là ngày sớm nhất được công nhận chính "
            "thức; chi bộ xét, biểu quyết trong 30 ngày làm việc, chậm nhất ngày 30/12/2026.",
        ),
        (
            D(2025, 11, 18),
            D(2026, 9, 19),
            D(2026, 11, 18),
            D(2026, 12, 30),
            60,
            True,
            False,
            "Vào Đảng ngày 18/11/2025: hết thời gian dự bị ngày 18/11/2026, là ngày sớm nhất được công nhận chính "
            "thức; chi bộ xét, biểu quyết trong 30 ngày làm việc, chậm nhất ngày 30/12/2026.",
        ),
        (
            D(2025, 11, 18),
            D(2026, 11, 18),
            D(2026, 11, 18),
            D(2026, 12, 30),
            0,
            True,
            False,
            "Hết thời gian dự bị ngày 18/11/2026; chi bộ xét, biểu quyết trong 30 ngày làm việc, "
            "chậm nhất ngày 30/12/2026.",
        ),
        (
            D(2025, 11, 18),
            D(2026, 12, 30),
            D(2026, 11, 18),
            D(2026, 12, 30),
            -42,
            True,
            False,
            "Hết thời gian dự bị ngày 18/11/2026; chi bộ xét, biểu quyết trong 30 ngày làm việc, "
            "chậm nhất ngày 30/12/2026.",
        ),
        (
            D(2025, 11, 18),
            D(2026, 12, 31),
            D(2026, 11, 18),
            D(2026, 12, 30),
            -43,
            True,
            True,
            "Hết thời gian dự bị ngày 18/11/2026; chi bộ phải xét trong 30 ngày làm việc, chậm nhất ngày "
            "30/12/2026, nay đã quá hạn.",
        ),
    ],
)
def test_where_a_probation_stands_on_a_day(
    admitted_on, day, ends_on, review_by, days_left, ends_soon, review_overdue, summary
) -> None:
    dates = probation(admitted_on, day, holidays=())
    assert dates == Probation(admitted_on, ends_on, review_by, day)
    assert (dates.days_left, dates.ends_soon, dates.review_overdue) == (days_left, ends_soon, review_overdue)
    assert dates.summary() == summary


@pytest.mark.parametrize(
    ("admitted_on", "official_on", "left_on", "day", "status"),
    [
        (D(2025, 6, 1), None, None, D(2025, 5, 31), None),  # the day before admission: not yet a member
        (D(2025, 6, 1), None, None, D(2025, 6, 1), "probationary"),  # from the admission day
        (D(2025, 6, 1), None, None, D(2026, 8, 1), "probationary"),  # probation over, not yet recognised
        (D(2025, 6, 1), D(2026, 6, 1), None, D(2026, 5, 31), "probationary"),  # the day before the official date
        (D(2025, 6, 1), D(2026, 6, 1), None, D(2026, 6, 1), "official"),  # from the official date
        (D(2000, 1, 1), D(2001, 1, 1), D(2026, 10, 1), D(2026, 9, 30), "official"),  # the day before leaving
        (D(2000, 1, 1), D(2001, 1, 1), D(2026, 10, 1), D(2026, 10, 1), None),  # the day of leaving: off the roll
        (D(2026, 3, 1), None, D(2026, 5, 1), D(2026, 4, 1), "probationary"),  # left during probation, before it
        (D(2026, 3, 1), None, D(2026, 5, 1), D(2026, 6, 1), None),
    ],
)
def test_a_members_status_on_a_day(admitted_on, official_on, left_on, day, status) -> None:
    assert member_status(admitted_on, official_on, left_on, day) == status
