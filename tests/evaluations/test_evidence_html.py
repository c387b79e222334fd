"""The evidence as the evaluation pages show it, built in Python once per member (no template per row)."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from evaluations.evidence import MemberEvidence, TaskCounts, render_evidence

NOTHING = MemberEvidence()
BUSY = MemberEvidence(
    led=TaskCounts(total=5, on_time=2, late=1, not_met=1, overdue=1),
    supported=TaskCounts(total=3, on_time=3),
    meetings=11,
    attended=9,
    absent_with_reason=1,
    absent_without_reason=1,
    speeches=4,
    reports=7,
)
# A task judged "not met" alone, no overdue one, still shows the red line.
NOT_MET_ONLY = MemberEvidence(supported=TaskCounts(total=1, not_met=1))
# Absent only with a reason: the absences are listed all the same.
EXCUSED = MemberEvidence(meetings=2, attended=1, absent_with_reason=1)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.mark.parametrize(
    ("evidence", "vietnamese"),
    [
        (
            NOTHING,
            "Nhiệm vụ chủ trì 0: 0 đúng hạn, 0 trễ hạn Nhiệm vụ phối hợp 0: 0 đúng hạn, 0 trễ hạn "
            "Sinh hoạt chi bộ dự 0/0 buổi Phát biểu và báo cáo",
        ),
        (
            BUSY,
            "Nhiệm vụ chủ trì 5: 2 đúng hạn, 1 trễ hạn, 1 quá hạn, 1 không đạt "
            "Nhiệm vụ phối hợp 3: 3 đúng hạn, 0 trễ hạn "
            "Sinh hoạt chi bộ dự 9/11 buổi; vắng có lý do 1, vắng không lý do 1 "
            "Phát biểu và báo cáo 4 ý kiến phát biểu tại sinh hoạt, 7 báo cáo tiến độ",
        ),
        (NOT_MET_ONLY, "Nhiệm vụ phối hợp 1: 0 đúng hạn, 0 trễ hạn, 0 quá hạn, 1 không đạt"),
        (EXCUSED, "Sinh hoạt chi bộ dự 1/2 buổi; vắng có lý do 1, vắng không lý do 0"),
    ],
)
def test_the_evidence_reads_in_vietnamese(evidence: MemberEvidence, vietnamese: str) -> None:
    with translation.override("vi"):
        assert vietnamese in _text(render_evidence(evidence))


@pytest.mark.parametrize(
    ("evidence", "red", "absences"),
    [(NOTHING, 0, False), (BUSY, 1, True), (NOT_MET_ONLY, 1, False), (EXCUSED, 0, True)],
)
def test_only_overdue_or_unmet_tasks_are_red_and_absences_are_listed_when_there_are_some(
    evidence: MemberEvidence, red: int, absences: bool
) -> None:
    with translation.override("en"):
        html = render_evidence(evidence)
    assert html.count('<span class="text-danger">') == red
    assert ("with reason" in html) is absences


def test_the_definition_list_has_its_four_terms_and_is_safe_to_insert() -> None:
    with translation.override("en"):
        html = BUSY.html
    assert html.startswith('\n<dl class="evidence row small mb-0">\n')
    assert html.endswith("</dl>\n")
    assert re.findall(r"<dt[^>]*>([^<]+)</dt>", html) == [
        "Tasks led",
        "Tasks supported",
        "Meetings",
        "Opinions and reports",
    ]
    assert "4 opinions at meetings, 7 progress reports" in html
    assert hasattr(html, "__html__")  # marked safe: the template inserts it as it is
