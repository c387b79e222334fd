"""The faults the property tests found, each pinned by a plain example."""

from __future__ import annotations

import io
import unicodedata
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from chibo.lib.forms import clean_text
from chibo.lib.text import unsafe_character
from evaluations.models import EmulationCriterion
from meetings.models import AbsenceRequest, Meeting
from members.forms import ExemptionForm, MemberForm
from members.imports import check_row, import_members
from members.models import Organisation, today
from resolutions.forms.drafting import TargetForm
from resolutions.models import StatusChange, Target
from tests.hostile.conftest import World
from tests.hostile.support import rows_written, table_counts
from tests.hostile.test_imports import damaged, plain_workbook

CONTROL_MESSAGE = "Văn bản có ký tự ẩn hoặc ký tự điều khiển"


def _errors(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


@pytest.mark.parametrize("bad", ["\x00", "\x1b[31m", "\u202e", "\x85", "\ud800"])
def test_a_control_character_is_refused_in_vietnamese(bad: str) -> None:
    """NUL was refused in English only (and PostgreSQL cannot store it); the others were stored."""
    assert unsafe_character(f"Nguyễn{bad}Văn An") is not None
    form = ExemptionForm({"starts_on": "01/01/2026", "reason": f"Ốm {bad}dài ngày"})
    assert not form.is_valid()
    assert len(form.errors["reason"]) == 1  # ours alone, not Django's English one as well
    assert CONTROL_MESSAGE in form.errors["reason"][0]


def test_tabs_and_line_breaks_are_typed_text() -> None:
    assert unsafe_character("Dòng một\r\nDòng hai\tcột") is None
    assert clean_text("  Dòng một\nDòng hai  ") == "Dòng một\nDòng hai"


def test_decomposed_text_is_stored_composed(world: World) -> None:
    name = "Hộ gia đình ký cam kết"
    form = TargetForm(
        {"name": unicodedata.normalize("NFD", name), "unit": "hộ", "target_value": "10"},
        instance=Target(resolution=world.draft),
    )
    assert form.is_valid(), form.errors
    assert form.save().name == unicodedata.normalize("NFC", name)


@pytest.mark.parametrize("day", ["01/01/0001", "31/12/9999", "31/12/1899", "01/01/2101"])
def test_a_date_outside_1900_2100_is_refused(day: str) -> None:
    form = ExemptionForm({"starts_on": "01/01/2026", "ends_on": day, "reason": "Ốm"})
    assert not form.is_valid()
    assert "Hãy nhập ngày trong khoảng từ 01/01/1900 đến 31/12/2100" in form.errors["ends_on"][0]


def test_an_id_beyond_any_database_is_an_unknown_choice(world: World) -> None:
    """SQLite raised OverflowError (a server error) comparing 10**25 with an id column."""
    cells = Organisation.objects.filter(pk=world.member.cell_id)
    form = MemberForm({"full_name": "Nguyễn Văn An", "cell": "9" * 25, "backgrounds": ["9" * 25]}, cells=cells)
    assert not form.is_valid()
    assert "cell" in form.errors
    assert "backgrounds" in form.errors


def test_a_withdrawal_note_longer_than_its_column_is_refused(world: World, client_for) -> None:
    """A note of 501 characters stopped PostgreSQL (a column of 500): a server error."""
    url = reverse("resolutions:resolution-step", args=[world.draft.pk, "withdraw"])
    before = StatusChange.objects.count()
    response = client_for("secretary").post(url, {"note": "a" * 501})
    assert response.status_code == 302
    assert StatusChange.objects.count() == before
    assert "Chỉ được viết tối đa 500 ký tự" in " ".join(_errors(response))


def test_a_correction_reason_longer_than_the_history_column_is_refused(world: World, client_for) -> None:
    """The reason is the change history's reason, 100 characters: a longer one stopped PostgreSQL."""
    Meeting.objects.filter(pk=world.held_meeting.pk).update(status=Meeting.Status.APPROVED)
    before = table_counts()
    response = client_for("secretary").post(
        reverse("meetings:meeting-step", args=[world.held_meeting.pk, "correct"]), {"note": "Sửa " * 30}
    )
    assert "Chỉ được viết tối đa 100 ký tự" in " ".join(_errors(response))
    assert not rows_written(before, table_counts())
    world.held_meeting.refresh_from_db()
    assert world.held_meeting.status == Meeting.Status.APPROVED


def test_a_refusal_reason_longer_than_its_column_is_refused(world: World, client_for) -> None:
    response = client_for("secretary").post(
        reverse("meetings:absence-decide", args=[world.absence_id]), {"decision": "refuse", "reason": "x" * 301}
    )
    assert "Chỉ được viết tối đa 300 ký tự" in " ".join(_errors(response))
    assert AbsenceRequest.objects.get(pk=world.absence_id).status == AbsenceRequest.Status.PENDING


@pytest.mark.parametrize("score", ["²", "9" * 5000, "99999", "-1", "NaN"])
def test_an_emulation_score_that_is_not_a_small_whole_number_is_refused(world: World, client_for, score: str) -> None:
    """ "²" passed str.isdigit() and failed int(); 5000 digits failed int(); 99999 overflowed PostgreSQL's column."""
    unlimited = EmulationCriterion.objects.get(cycle=world.cycle, max_points=None)
    response = client_for("secretary").post(
        reverse("evaluations:emulation", args=[world.cycle.pk]), {f"score_{unlimited.pk}": score}
    )
    assert response.status_code == 200
    assert "Không có giới hạn điểm: nhập số điểm nguyên từ 0 đến 32767." in response.content.decode()
    unlimited.refresh_from_db()
    assert unlimited.score is None


def test_a_proposal_remark_with_a_nul_is_refused_and_nothing_is_saved(world: World, client_for) -> None:
    """The remarks are read from the post by hand; a NUL in one stopped PostgreSQL."""
    evaluation = world.proposal_cycle.evaluations.first()
    assert evaluation is not None
    before = table_counts()
    response = client_for("admin").post(
        reverse("evaluations:proposal", args=[world.proposal_cycle.pk]),
        {f"level_{evaluation.pk}": "good", f"note_{evaluation.pk}": "Tốt\x00", "cell-cell_proposed_level": "good"},
    )
    assert response.status_code == 200
    assert CONTROL_MESSAGE in response.content.decode()
    assert not rows_written(before, table_counts())


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/styles.xml"])
def test_a_damaged_workbook_is_refused_as_damaged(tree, people, part: str) -> None:
    """A cut sheet failed half-way through the rows, a malformed workbook or style sheet on opening: server errors."""
    result = import_members(tree.cell_a1, io.BytesIO(damaged(plain_workbook(), part, "cut")), user=None)
    assert result.file_errors == ["Không đọc được tệp Excel; có thể tệp đã bị hỏng."]


def test_a_name_with_a_direction_override_is_a_row_error() -> None:
    row = check_row(
        5,
        {
            "full_name": "Nguyễn \u202eVăn An",
            "birth_date": "01/01/1970",
            "sex": "Nam",
            "admitted_on": "01/01/2000",
            "address": "Tổ 3\u2066",
        },
        on=today(),
    )
    assert {error.column for error in row.errors} == {"Họ và tên", "Nơi cư trú"}
