"""The meeting's rules, one table each, written from 12-HD/BTCTW and 42-HD/BTCTW as the domain states them:

- a regular meeting lasts at least 90 minutes, 120 when combined with a thematic one — on the plan before it is
  held, on the actual opening and closing times once held;
- documents are made available to members at least one day before: planning a meeting for today or tomorrow, or
  holding one whose pack was released less than a day before, is warned about;
- what a broken rule costs in the meeting-quality score (time 5, preparation 10 points).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from meetings.rules import (
    QualityCap,
    duration_warning,
    pack_warning,
    planning_warning,
    proposed_quality,
    quality_caps,
    quality_errors,
)

SHORT_HELD = "Buổi sinh hoạt thường kỳ cần kéo dài ít nhất {needed} phút; buổi này chỉ diễn ra {minutes} phút."
SHORT_PLANNED = "Buổi sinh hoạt thường kỳ cần kéo dài ít nhất {needed} phút; buổi này chỉ dự kiến {minutes} phút."


@pytest.mark.parametrize(
    ("minutes", "kind", "combined", "held", "message"),
    [
        # held: the actual length between opening and closing
        (30, "regular", False, True, SHORT_HELD.format(needed=90, minutes=30)),
        (89, "regular", False, True, SHORT_HELD.format(needed=90, minutes=89)),
        (90, "regular", False, True, ""),
        (150, "regular", False, True, ""),
        (119, "regular", True, True, SHORT_HELD.format(needed=120, minutes=119)),
        (120, "regular", True, True, ""),
        (100, "regular", True, True, SHORT_HELD.format(needed=120, minutes=100)),
        (30, "thematic", False, True, ""),  # a thematic meeting on its own has no minimum
        (None, "regular", False, True, ""),  # no closing time recorded: nothing to measure
        # planned: the planned length
        (60, "regular", False, False, SHORT_PLANNED.format(needed=90, minutes=60)),
        (90, "regular", False, False, ""),
        (110, "regular", True, False, SHORT_PLANNED.format(needed=120, minutes=110)),
    ],
)
def test_a_regular_meeting_lasts_90_minutes_or_120_when_combined(minutes, kind, combined, held, message) -> None:
    got = duration_warning(minutes=minutes, kind=kind, combined=combined, minimum=90, minimum_combined=120, held=held)
    assert got == message


TODAY = dt.date(2026, 11, 18)


@pytest.mark.parametrize(
    ("meeting_date", "message"),
    [
        (dt.date(2026, 11, 20), ""),
        (dt.date(2026, 12, 3), ""),
        (
            dt.date(2026, 11, 19),
            "Buổi sinh hoạt diễn ra vào ngày mai (19/11/2026): tài liệu phải đến tay đảng viên trước ít nhất một "
            "ngày. Hãy phát hành tài liệu sinh hoạt ngay trong hôm nay.",
        ),
        (
            dt.date(2026, 11, 18),
            "Buổi sinh hoạt diễn ra hôm nay (18/11/2026): tài liệu phải đến tay đảng viên trước ít nhất một ngày, "
            "nay không còn kịp.",
        ),
        (
            dt.date(2026, 11, 10),
            "Ngày sinh hoạt (10/11/2026) đã qua: đảng viên không thể nhận tài liệu trước một ngày.",
        ),
    ],
)
def test_planning_a_meeting_for_today_or_tomorrow_warns_about_its_documents(meeting_date, message) -> None:
    assert planning_warning(meeting_date=meeting_date, today=TODAY) == message


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, 11, day, hour, minute))


STARTS = at(20, 19, 30)  # the meeting: 19:30 on 20/11/2026
NOT_RELEASED = (
    "Tài liệu sinh hoạt chưa được phát hành cho đảng viên; đảng viên phải nhận được tài liệu trước buổi sinh hoạt "
    "(19:30 20/11/2026) ít nhất 24 giờ."
)


@pytest.mark.parametrize(
    ("published_at", "now", "message"),
    [
        # released a day or more before: fine, whenever asked
        (at(18, 10), at(21, 8), ""),
        (at(19, 19, 30), at(21, 8), ""),  # exactly 24 hours
        # released late
        (
            at(19, 19, 31),
            at(21, 8),
            "Tài liệu sinh hoạt được phát hành cho đảng viên lúc 19:31 19/11/2026, chỉ 23 giờ trước buổi sinh hoạt "
            "(19:30 20/11/2026); đảng viên phải nhận được tài liệu trước ít nhất 24 giờ.",
        ),
        (
            at(20, 9),
            at(21, 8),
            "Tài liệu sinh hoạt được phát hành cho đảng viên lúc 09:00 20/11/2026, chỉ 10 giờ trước buổi sinh hoạt "
            "(19:30 20/11/2026); đảng viên phải nhận được tài liệu trước ít nhất 24 giờ.",
        ),
        (
            at(20, 20),
            at(21, 8),
            "Tài liệu sinh hoạt được phát hành cho đảng viên lúc 20:00 20/11/2026, sau khi buổi sinh hoạt đã bắt đầu "
            "(19:30 20/11/2026); đảng viên phải nhận được tài liệu trước ít nhất 24 giờ.",
        ),
        # not released: no warning while there is still time, a warning once there is not
        (None, at(18, 10), ""),
        (None, at(19, 19, 29), ""),
        (None, at(19, 19, 30), NOT_RELEASED),
        (None, at(21, 8), NOT_RELEASED),
    ],
)
def test_the_pack_reaches_members_a_day_before_the_meeting(published_at, now, message) -> None:
    assert pack_warning(starts=STARTS, published_at=published_at, now=now, hours=24) == message


SHORT = SHORT_HELD.format(needed=90, minutes=30)
LATE = "Tài liệu sinh hoạt chưa được phát hành cho đảng viên; …"


@pytest.mark.parametrize(
    ("duration", "documents", "caps"),
    [
        ("", "", []),
        (SHORT, "", [QualityCap("q_time", 0, SHORT)]),
        ("", LATE, [QualityCap("q_preparation", 5, LATE)]),
        (SHORT, LATE, [QualityCap("q_time", 0, SHORT), QualityCap("q_preparation", 5, LATE)]),
    ],
)
def test_a_broken_rule_caps_its_part_of_the_quality_score(duration, documents, caps) -> None:
    assert quality_caps(duration_warning=duration, documents_warning=documents) == caps


BOTH = [QualityCap("q_time", 0, SHORT), QualityCap("q_preparation", 5, LATE)]


@pytest.mark.parametrize(
    ("scores", "errors"),
    [
        ({"q_time": 0, "q_preparation": 5}, []),
        ({"q_time": None, "q_preparation": None}, []),  # not scored yet
        ({"q_time": 5, "q_preparation": 5}, [f"Thời gian: đã chấm 5/5 điểm, buổi này được tối đa 0 điểm. {SHORT}"]),
        (
            {"q_time": 0, "q_preparation": 8},
            [f"Công tác chuẩn bị: đã chấm 8/10 điểm, buổi này được tối đa 5 điểm. {LATE}"],
        ),
    ],
)
def test_a_self_score_above_a_cap_is_refused_with_its_numbers(scores, errors) -> None:
    assert quality_errors(scores, BOTH) == errors


def test_the_proposal_never_goes_above_a_cap() -> None:
    proposal = proposed_quality(attendance_rate=100, tasks_done=4, tasks_total=4, caps=BOTH)
    assert proposal == {"q_attendance": 5, "q_results": 30, "q_time": 0, "q_preparation": 5}
    assert proposed_quality(attendance_rate=100, tasks_done=4, tasks_total=4) == {"q_attendance": 5, "q_results": 30}
