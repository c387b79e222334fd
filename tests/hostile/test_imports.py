"""The member import given hostile workbooks: any cell value, damaged or foreign files. It never raises, says
what is wrong in Vietnamese, and writes all the rows, none, or (when asked) only the valid ones."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from members.imports import import_members
from members.models import Member
from tests.hostile.strategies import CONTROLS, hostile_text, vietnamese
from tests.hostile.support import rolled_back, rows_written, table_counts, text_problems
from tests.members.test_imports import HEADERS  # the blank template's columns, as a secretary fills them


def sheet_text() -> st.SearchStrategy[str]:
    """Hostile text a workbook can hold: XML has no NUL or C0 controls (Excel writes them as _x0000_, which is
    read back as those six characters), but C1 controls and direction overrides pass."""
    return st.one_of(hostile_text(), st.sampled_from(CONTROLS).map(lambda c: f"Nguyễn{c}Văn An")).map(
        lambda text: ILLEGAL_CHARACTERS_RE.sub("", text)
    )


def cell_value() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        sheet_text(),
        vietnamese,
        st.sampled_from(["Nam", "Nữ", "nu", "NAM", "Khác", "01/01/0001", "31/02/1980", "05/03/1962", "0912345678"]),
        st.integers(-(10**15), 10**15),
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from([0, -1, 1, 3653, 2958465, 2958466, 10**12]),
        st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)),
        st.datetimes(dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31)),
        st.times(),
        st.booleans(),
    )


def valid_row(i: int) -> list[Any]:
    return [i, f"Nguyễn Văn {'ABCDEFGHIK'[i % 10]}ải", dt.date(1960, 1, 1 + i), "Nam", "02/03/1990", None, "", ""]


@st.composite
def workbooks(draw: Any) -> tuple[bytes, int]:
    """A list with a title, the header, some valid rows and some hostile ones; and how many rows it has."""
    book = Workbook()
    sheet = book.active
    sheet.append(["DANH SÁCH ĐẢNG VIÊN"])
    sheet.append(
        draw(st.one_of(st.just(HEADERS), st.lists(st.one_of(st.sampled_from(HEADERS), sheet_text()), max_size=9)))
    )
    rows = [valid_row(i) for i in range(draw(st.integers(0, 3)))]
    rows += draw(st.lists(st.lists(cell_value(), min_size=1, max_size=9), max_size=4))
    for row in draw(st.permutations(rows)):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), len(rows)


def damaged(data: bytes, name: str, how: str) -> bytes:
    """The workbook with one of its parts cut in half, emptied or replaced by bad XML."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            part = source.read(item.filename)
            if item.filename == name:
                part = {"cut": part[: len(part) // 2], "empty": b"", "bad": b"<?xml version='1.0'?><a>&#0;</a>"}[how]
            target.writestr(item, part)
    return out.getvalue()


def plain_workbook() -> bytes:
    book = Workbook()
    book.active.append(HEADERS)
    book.active.append(valid_row(1))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


PARTS = [
    "xl/workbook.xml",
    "xl/worksheets/sheet1.xml",
    "xl/styles.xml",
    "[Content_Types].xml",
    "xl/_rels/workbook.xml.rels",
]
NOT_WORKBOOKS = [
    b"",
    b"\x00" * 100,
    b"PK\x03\x04" + b"\x00" * 60,  # a zip header and nothing after
    b"<html><script>alert(1)</script></html>",
    b"Ho va ten;Ngay sinh\nNguyen Van A;01/01/1970\n",
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
    "Họ và tên\tNgày sinh\n".encode("utf-16"),
]

VIETNAMESE_LETTERS = re.compile("[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.IGNORECASE)


def _check_result(result: Any, *, only_valid: bool, before: dict[str, int], after: dict[str, int]) -> None:
    messages = result.file_errors + [error.message for error in result.errors]
    assert all(VIETNAMESE_LETTERS.search(message) for message in messages), messages
    if result.file_errors or (result.invalid_count and not only_valid):
        assert result.created == 0
        assert not rows_written(before, after)
        return
    assert result.created == len(result.valid_rows)
    assert after["members_member"] - before["members_member"] == result.created
    assert after["members_historicalmember"] - before["members_historicalmember"] == result.created
    for member in Member.objects.order_by("-pk")[: result.created]:
        assert not text_problems(member), text_problems(member)


@pytest.mark.parametrize("only_valid", [False, True])
def test_any_workbook_imports_all_none_or_only_the_valid_rows(tree, people, only_valid: bool) -> None:
    @given(book=workbooks())
    def check(book: tuple[bytes, int]) -> None:
        with rolled_back():
            before = table_counts()
            result = import_members(tree.cell_a1, io.BytesIO(book[0]), user=people["secretary"], only_valid=only_valid)
            _check_result(result, only_valid=only_valid, before=before, after=table_counts())

    check()


@pytest.mark.parametrize("content", NOT_WORKBOOKS, ids=range(len(NOT_WORKBOOKS)))
def test_a_file_that_is_not_a_workbook_is_refused_in_vietnamese(tree, people, content: bytes) -> None:
    before = table_counts()
    result = import_members(tree.cell_a1, io.BytesIO(content), user=people["secretary"], only_valid=True)
    _check_result(result, only_valid=True, before=before, after=table_counts())
    assert result.file_errors


@pytest.mark.parametrize("how", ["cut", "empty", "bad"])
@pytest.mark.parametrize("part", PARTS)
def test_a_damaged_workbook_is_refused_in_vietnamese(tree, people, part: str, how: str) -> None:
    before = table_counts()
    content = damaged(plain_workbook(), part, how)
    result = import_members(tree.cell_a1, io.BytesIO(content), user=people["secretary"], only_valid=True)
    _check_result(result, only_valid=True, before=before, after=table_counts())


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tree, people, settings) -> None:
    settings.CHIBO = {**settings.CHIBO, "IMPORT_MAX_BYTES": 100_000}
    content = plain_workbook() + b"\x00" * 200_000
    result = import_members(tree.cell_a1, io.BytesIO(content), user=people["secretary"])
    assert result.file_errors
    assert VIETNAMESE_LETTERS.search(result.file_errors[0])
    assert not result.created


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_the_upload_preview_and_confirm_pages_take_any_file(tree, client_for, media) -> None:
    client = client_for("secretary")
    url = reverse("members:member-import", args=[tree.cell_a1.pk])
    files = st.one_of(
        workbooks().map(lambda book: book[0]),
        st.sampled_from(NOT_WORKBOOKS),
        st.builds(damaged, st.just(plain_workbook()), st.sampled_from(PARTS), st.sampled_from(["cut", "empty", "bad"])),
    )
    names = st.sampled_from(["danh-sach.xlsx", "a.xls", "", "../../x.xlsx", "<script>.xlsx", "tên dài " * 40 + ".xlsx"])

    @given(content=files, name=names, action=st.sampled_from(["import", "import_valid", "cancel"]))
    def check(content: bytes, name: str, action: str) -> None:
        with rolled_back():
            before = table_counts()
            upload = SimpleUploadedFile(name or "x", content)
            shown = client.post(url, {"action": "preview", "file": upload})
            assert shown.status_code == 200
            token = shown.context.get("token")
            if token is None:  # refused: the form shows why
                assert shown.context["form"].errors
                assert not rows_written(before, table_counts())
                return
            confirmed = client.post(url, {"action": action, "token": token})
            assert confirmed.status_code in (200, 302)
            result = confirmed.context["result"] if confirmed.status_code == 200 else None
            if result is not None or action == "cancel":
                assert not rows_written(before, table_counts())

    check()
