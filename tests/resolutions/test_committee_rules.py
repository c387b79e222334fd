"""The rules of a committee's documents carried into the cells, each as a table written from its text.

- "Số 12-NQ/ĐU", "Số 03-KH/ĐU", "Số 05-CT/ĐU": the kind's symbol, then the issuer's; a cell's "05-NQ/CB".
- A target's goal: a number, a percentage (at most 100), or yes/no (1: done); never negative.
- A cell's figure against a target, from the tasks of its resolutions that carry it: a number adds up, a percentage
  is the highest reached, yes/no is met once every task carrying it is done; cancelled tasks do not count.
- The committee's total: a number against the goal times the cells; a percentage as the cells' mean against the
  goal; yes/no as the cells done against all the cells ("100% chi bộ …").
- A cell made the document concrete once a resolution of its own carrying it out is adopted; without one it is late
  from the day after the deadline.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from meetings.rules import committee_vote_refusal, judge_vote, votes_needed
from resolutions.carrying import addressed, addresses
from resolutions.documents import _subject
from resolutions.rules import (
    CarryingTask,
    Concrete,
    DocumentType,
    Measure,
    cell_figure,
    committee_total,
    concretised,
    goal_error,
    target_met,
)
from resolutions.services import figure_text, format_number

D = Decimal
T = CarryingTask


@pytest.mark.parametrize(
    ("seq", "kind", "is_cell", "number"),
    [
        (12, DocumentType.RESOLUTION, False, "12-NQ/ĐU"),
        (3, DocumentType.PLAN, False, "03-KH/ĐU"),
        (5, DocumentType.DIRECTIVE, False, "05-CT/ĐU"),
        (1, DocumentType.CONCLUSION, False, "01-KL/ĐU"),
        (5, DocumentType.RESOLUTION, True, "05-NQ/CB"),
    ],
)
def test_numbers_carry_the_kind_and_the_issuer(seq: int, kind: str, is_cell: bool, number: str) -> None:
    assert format_number(seq, kind, is_cell=is_cell) == number


@pytest.mark.parametrize(
    ("measure", "goal", "refused"),
    [
        (Measure.NUMBER, D(5), False),
        (Measure.NUMBER, D(0), False),
        (Measure.NUMBER, D(-1), True),
        (Measure.NUMBER, D(250), False),  # a number has no ceiling
        (Measure.PERCENT, D(100), False),
        (Measure.PERCENT, D("90.5"), False),
        (Measure.PERCENT, D("100.01"), True),
        (Measure.PERCENT, D(-5), True),
        (Measure.YES_NO, D(1), False),
        (Measure.YES_NO, D(0), True),
        (Measure.YES_NO, D(2), True),
    ],
)
def test_goals(measure: str, goal: Decimal, refused: bool) -> None:
    assert bool(goal_error(measure, goal)) is refused


@pytest.mark.parametrize(
    ("measure", "tasks", "figure"),
    [
        (Measure.NUMBER, [], None),  # no task carries it yet
        (Measure.NUMBER, [T(None, False)], None),  # carried, nothing reported
        (Measure.NUMBER, [T(D(3), False), T(D(2), True)], D(5)),  # two groups of households add up
        (Measure.NUMBER, [T(D(3), False), T(None, False)], D(3)),
        (Measure.NUMBER, [T(D(3), False), T(D(9), False, cancelled=True)], D(3)),  # cancelled does not count
        (Measure.NUMBER, [T(D(9), False, cancelled=True)], None),
        (Measure.PERCENT, [T(D(60), False), T(D(85), False)], D(85)),  # the highest share reached
        (Measure.PERCENT, [T(None, True)], None),
        (Measure.YES_NO, [T(None, True)], D(1)),
        (Measure.YES_NO, [T(None, True), T(None, False)], D(0)),  # every task carrying it must be done
        (Measure.YES_NO, [T(None, True), T(None, False, cancelled=True)], D(1)),
        (Measure.YES_NO, [], None),
    ],
)
def test_a_cells_figure(measure: str, tasks: list[CarryingTask], figure: Decimal | None) -> None:
    assert cell_figure(measure, tasks) == figure


@pytest.mark.parametrize(
    ("goal", "figure", "met"),
    [(D(5), D(5), True), (D(5), D(6), True), (D(5), D("4.99"), False), (D(5), None, False), (D(1), D(1), True)],
)
def test_a_cell_meets_its_target_when_its_figure_reaches_the_goal(
    goal: Decimal, figure: Decimal | None, met: bool
) -> None:
    assert target_met(goal, figure) is met


@pytest.mark.parametrize(
    ("measure", "goal", "figures", "value", "total_goal", "cells_met", "met"),
    [
        # a number: the cells' figures added up against the goal times the cells; nothing reported adds 0
        (Measure.NUMBER, D(5), [D(5), D(7), None], D(12), D(15), 2, False),
        (Measure.NUMBER, D(5), [D(5), D(7), D(3)], D(15), D(15), 2, True),
        # a percentage: the cells' mean against the goal; nothing reported counts 0
        (Measure.PERCENT, D(90), [D(100), D(80), None], D("60.0"), D(90), 1, False),
        (Measure.PERCENT, D(90), [D(100), D(80)], D("90.0"), D(90), 1, True),
        # yes/no: the cells done against all the cells ("100% chi bộ sinh hoạt chuyên đề")
        (Measure.YES_NO, D(1), [D(1), D(0), None, D(1)], D(2), D(4), 2, False),
        (Measure.YES_NO, D(1), [D(1), D(1)], D(2), D(2), 2, True),
        # addressed to no cell: nothing is met
        (Measure.NUMBER, D(5), [], D(0), D(0), 0, False),
    ],
)
def test_the_committees_total(
    measure: str,
    goal: Decimal,
    figures: list[Decimal | None],
    value: Decimal,
    total_goal: Decimal,
    cells_met: int,
    met: bool,
) -> None:
    total = committee_total(measure, goal, figures)
    assert (total.value, total.goal, total.cells_met, total.cells, total.met) == (
        value,
        total_goal,
        cells_met,
        len(figures),
        met,
    )


DEADLINE = dt.date(2026, 3, 31)


@pytest.mark.parametrize(
    ("adopted_on", "deadline", "day", "state"),
    [
        (None, DEADLINE, dt.date(2026, 3, 31), Concrete.WAITING),  # the deadline's own day is still in time
        (None, DEADLINE, dt.date(2026, 4, 1), Concrete.LATE),  # late from the day after
        (dt.date(2026, 3, 31), DEADLINE, dt.date(2026, 5, 1), Concrete.DONE),
        (dt.date(2026, 4, 2), DEADLINE, dt.date(2026, 5, 1), Concrete.DONE_LATE),
        (None, None, dt.date(2027, 1, 1), Concrete.WAITING),  # no deadline: never late
        (dt.date(2026, 1, 5), None, dt.date(2026, 1, 5), Concrete.DONE),
        # adopted after the day asked about: not yet concrete on that day
        (dt.date(2026, 4, 10), DEADLINE, dt.date(2026, 4, 5), Concrete.LATE),
    ],
)
def test_made_concrete(adopted_on: dt.date | None, deadline: dt.date | None, day: dt.date, state: Concrete) -> None:
    assert concretised(adopted_on=adopted_on, deadline=deadline, day=day) == state


TODAY = dt.date(2026, 12, 31)


@pytest.mark.parametrize(
    ("is_committee", "held_on", "entitled", "present", "says"),
    [
        (True, TODAY, 15, 12, ""),
        (True, TODAY, 15, 15, ""),
        (False, TODAY, 15, 12, "cuộc họp của chi bộ"),  # a cell's resolution is voted at the cell's meeting
        (True, TODAY + dt.timedelta(days=1), 15, 12, "01/01/2027"),  # not before its day
        (True, TODAY, 0, 0, "có quyền biểu quyết"),
        (True, TODAY, 15, 0, "có mặt"),
        (True, TODAY, 15, 16, "16 ủy viên có mặt"),  # more present than the committee
    ],
)
def test_the_committees_vote_is_recorded_only_when(
    is_committee: bool, held_on: dt.date, entitled: int, present: int, says: str
) -> None:
    refusal = committee_vote_refusal(
        is_committee=is_committee, held_on=held_on, entitled=entitled, present=present, today=TODAY
    )
    assert (refusal == "") is (says == "")
    assert says in refusal


@pytest.mark.parametrize(
    ("measure", "value", "unit", "text"),
    [
        (Measure.NUMBER, D("5.00"), "hộ", "5 hộ"),
        (Measure.NUMBER, D("1250"), "", "1.250"),
        (Measure.PERCENT, D("90.50"), "", "90,5%"),
        (Measure.YES_NO, D(1), "", "đạt"),
        (Measure.YES_NO, D(0), "", "chưa đạt"),
        (Measure.NUMBER, None, "hộ", ""),
    ],
)
def test_figures_as_the_pages_write_them(measure: str, value: Decimal | None, unit: str, text: str) -> None:
    assert figure_text(measure, value, unit) == text


# "A resolution is valid only when more than half of the members of the body approve": the committee's members.
@pytest.mark.parametrize(
    ("entitled", "votes_for", "adopted", "says"),
    [
        (9, 5, True, "5 tán thành / 9 ủy viên có quyền biểu quyết: quá nửa"),
        (9, 4, False, "4 tán thành / 9 ủy viên có quyền biểu quyết: không quá nửa"),
        (10, 5, False, "không quá nửa"),  # half is not enough
        (10, 6, True, "quá nửa"),
        (1, 1, True, "quá nửa"),
    ],
)
def test_the_committee_adopts_with_more_than_half_of_its_members(
    entitled: int, votes_for: int, adopted: bool, says: str
) -> None:
    result = judge_vote(entitled=entitled, votes_for=votes_for, votes_against=0, votes_abstain=0, committee=True)
    assert result.adopted is adopted
    assert says in result.explanation
    assert (votes_for >= votes_needed(entitled)) is adopted


# "Documents of any organisation … targets that each cell (or chosen cells) must meet": a committee's document
# addresses the cells it chose, or every cell under the committee when it chose none.
@pytest.mark.parametrize(
    ("issuer", "chosen", "cell", "addressed"),
    [
        ("0001", set(), (1, "00010001"), True),  # under the committee, none chosen: every cell
        ("0001", set(), (2, "00020001"), False),  # another ward's cell
        ("0001", {1}, (1, "00010001"), True),
        ("0001", {1}, (3, "00010002"), False),  # not among those chosen
        ("0001", {9}, (9, "00020003"), False),  # chosen, but not under the committee
        ("0001", set(), (4, "000100010001"), True),  # deeper down, still under it
    ],
)
def test_a_document_addresses(issuer: str, chosen: set[int], cell: tuple[int, str], addressed: bool) -> None:
    assert addresses(issuer_path=issuer, chosen=chosen, cell_pk=cell[0], cell_path=cell[1]) is addressed


def test_the_cells_each_document_addresses_are_found_among_cells_in_path_order() -> None:
    cells = [SimpleNamespace(pk=n, path=path) for n, path in enumerate(["00010001", "00010002", "00020001", "0003"])]
    documents = [
        SimpleNamespace(pk=10, cell=SimpleNamespace(path="0001")),
        SimpleNamespace(pk=11, cell=SimpleNamespace(path="0002")),
        SimpleNamespace(pk=12, cell=SimpleNamespace(path="0001")),
        SimpleNamespace(pk=13, cell=SimpleNamespace(path="0004")),
    ]
    found = {
        document.pk: [cell.pk for cell in those]
        for document, those in addressed(documents, {12: {1, 2}}, cells)  # type: ignore[arg-type]
    }
    assert found == {10: [0, 1], 11: [2], 12: [1], 13: []}


# The document's name, then its subject: "NGHỊ QUYẾT / Về …", "KẾ HOẠCH / Vận động …" — not "Về Kế hoạch …".
@pytest.mark.parametrize(
    ("title", "heading", "subject"),
    [
        ("công tác vệ sinh môi trường", "NGHỊ QUYẾT", "Về công tác vệ sinh môi trường"),
        ("về công tác vệ sinh", "NGHỊ QUYẾT", "Về công tác vệ sinh"),
        ("Kế hoạch vận động hộ gia đình phân loại rác", "KẾ HOẠCH", "Vận động hộ gia đình phân loại rác"),
        ("Thực hiện Chỉ thị 05", "KẾ HOẠCH", "Thực hiện Chỉ thị 05"),
        ("Chỉ thị về tăng cường phát triển đảng viên", "CHỈ THỊ", "Về tăng cường phát triển đảng viên"),
        ("Nghị quyết chuyên đề về an ninh", "NGHỊ QUYẾT", "Về Nghị quyết chuyên đề về an ninh"),  # as before
    ],
)
def test_the_subject_under_the_documents_name(title: str, heading: str, subject: str) -> None:
    assert _subject(title, heading) == subject
