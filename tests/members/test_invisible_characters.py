"""Names that look alike but are not: invisible characters and look-alike letters are refused, and a name is
compared with the cell's members on a folded key, so no one is imported twice."""

from __future__ import annotations

import datetime as dt

import pytest

from chibo.lib.text import foreign_letter, hidden_character, name_error, name_key
from members.forms import MemberForm
from members.imports import import_members, parse_name
from members.models import Member, Organisation
from tests.factories import MemberFactory
from tests.members.test_imports import HEADERS, workbook

ZWSP, ZWJ, LRM, BOM, SOFT_HYPHEN = "\u200b", "\u200d", "\u200e", "\ufeff", "\u00ad"
CYRILLIC_A, GREEK_O = "\u0430", "\u03bf"
HIDDEN = "Họ tên có ký tự vô hình"
FOREIGN = "không phải chữ tiếng Việt"


@pytest.mark.parametrize(
    ("name", "hidden", "foreign", "message"),
    [
        ("Nguyễn Thị Hồng", None, None, None),
        ("Trương Đức Ưng", None, None, None),
        (f"Nguyễn{ZWSP} Thị Hồng", ZWSP, None, HIDDEN),
        (f"Nguyễn Thị Hồ{ZWJ}ng", ZWJ, None, HIDDEN),
        (f"{LRM}Nguyễn Thị Hồng", LRM, None, HIDDEN),
        (f"{BOM}Nguyễn Thị Hồng", BOM, None, HIDDEN),
        (f"Nguyễn Thị Hồ{SOFT_HYPHEN}ng", SOFT_HYPHEN, None, HIDDEN),
        (f"Nguyễn Văn {CYRILLIC_A}n", None, CYRILLIC_A, FOREIGN),
        (f"Võ Văn H{GREEK_O}ng", None, GREEK_O, FOREIGN),
    ],
)
def test_invisible_characters_and_look_alike_letters_in_a_name(name, hidden, foreign, message) -> None:
    assert hidden_character(name) == hidden
    assert foreign_letter(name) == foreign
    error = name_error(name)
    assert (error is None) if message is None else (error is not None and message in error)


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        ("Nguyễn Thị Hồng", "nguyễn  thị HỒNG", True),
        ("Nguyễn Thị Hồng", f"Nguyễn{ZWSP} Thị Hồng", True),
        ("Nguyễn Thị Hồng", "Ｎguyễn Thị Hồng", True),  # a full-width letter
        ("Nguyễn Văn Ân", "Nguyễn Văn An", False),  # accents make two names
    ],
)
def test_names_are_compared_on_a_folded_key(one: str, other: str, same: bool) -> None:
    assert (name_key(one) == name_key(other)) is same


def test_the_member_form_and_the_import_refuse_a_look_alike_name(tree) -> None:
    name = f"Nguyễn Văn {CYRILLIC_A}n"
    with pytest.raises(ValueError, match=FOREIGN):
        parse_name(name)
    form = MemberForm(data={"full_name": name}, cells=Organisation.objects.filter(pk=tree.cell_a1.pk))
    assert not form.is_valid()
    assert any(FOREIGN in error for error in form.errors["full_name"])


def test_a_member_with_a_hidden_character_in_the_file_is_not_imported_twice(tree) -> None:
    cell = tree.cell_a1
    MemberFactory.create(cell=cell, full_name="Nguyễn Thị Hồng", birth_date=dt.date(1970, 5, 6))
    before = Member.objects.count()
    row = [1, "NGUYỄN THỊ HỒNG", "06/05/1970", "Nữ", "01/01/2000", None, "Tổ 1", None]
    result = import_members(cell, workbook([row], headers=HEADERS), user=None)
    assert result.created == 0
    assert [e.row for e in result.errors] == [4]
    assert "đã là đảng viên của chi bộ" in result.errors[0].message
    assert Member.objects.count() == before
