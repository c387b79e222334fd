"""What a user typed never runs as a spreadsheet formula: names that start like one are refused on input, and
every export keeps whatever text it holds as text."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from chibo.lib.text import starts_like_formula
from dashboards.dashboard import dashboard
from dashboards.exports import dashboard_workbook
from members.exports import members_workbook
from members.forms import MemberForm
from members.imports import parse_name
from members.models import Member, Organisation, today
from tests.factories import MemberFactory

HYPERLINK = '=HYPERLINK("http://lua-dao.example/dang-nhap","Bấm vào đây")'
MESSAGE = "Họ tên không được bắt đầu bằng dấu =, +, - hoặc @"


@pytest.mark.parametrize(
    ("text", "formula"),
    [
        (HYPERLINK, True),
        ("+84912345678", True),
        ("-2+3+cmd|' /C calc'!A0", True),
        ("@SUM(A1:A2)", True),
        ("\tNguyễn Văn An", True),
        ("\rNguyễn Văn An", True),
        ("Nguyễn Văn An", False),
        ("Lê Thị Hồng-Nhung", False),
        ("Trần Văn An =1+1", False),
        ("", False),
    ],
)
def test_what_starts_like_a_formula(text: str, formula: bool) -> None:
    assert starts_like_formula(text) is formula


@pytest.mark.parametrize("name", [HYPERLINK, "+Nguyễn Văn An", "-Nguyễn Văn An", "@Nguyễn Văn An"])
def test_a_name_that_starts_like_a_formula_is_refused_on_the_form_and_in_the_import(name: str, tree) -> None:
    with pytest.raises(ValueError, match=re.escape(MESSAGE)):
        parse_name(name)
    form = MemberForm(data={"full_name": name}, cells=Organisation.objects.filter(pk=tree.cell_a1.pk))
    form.is_valid()
    assert any(MESSAGE in error for error in form.errors.get("full_name", []))


def _no_formulas(data: bytes) -> list[object]:
    """Every cell's value, after checking that no cell of the workbook is a formula."""
    book = load_workbook(io.BytesIO(data))
    values = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                values.append(cell.value)
    return values


def test_the_member_export_keeps_a_stored_formula_as_text(tree) -> None:
    # A name stored before the check existed, or an address typed with a leading "=".
    member = MemberFactory.create(cell=tree.cell_a1, full_name=HYPERLINK, address="=1+1")
    values = _no_formulas(members_workbook(Member.objects.filter(pk=member.pk), title="Danh sách", with_cell=True))
    assert HYPERLINK in values
    assert "=1+1" in values


def test_the_dashboard_export_keeps_an_organisation_named_like_a_formula_as_text(tree) -> None:
    tree.cell_a2.name = '=HYPERLINK("http://x")'
    tree.cell_a2.save()
    board = dashboard(tree.ward_a, today())
    values = _no_formulas(dashboard_workbook(board, board.rows))
    assert any(isinstance(value, str) and tree.cell_a2.name in value for value in values)
