"""The member import given workbooks built to exhaust a worker: a shared string that unpacks to tens of megabytes,
a part packed a thousand times over, rows and columns far past the list. Each is refused before it is read, with
a Vietnamese message naming the limit, and nothing is written."""

from __future__ import annotations

import io
import random
import re
import tracemalloc
import zipfile
from collections.abc import Callable

import pytest
from openpyxl import Workbook

from members.imports import import_members
from tests.hostile.support import rows_written, table_counts
from tests.hostile.test_imports import plain_workbook, valid_row
from tests.members.test_imports import HEADERS

SHARED_STRINGS = "xl/sharedStrings.xml"
SHEET = "xl/worksheets/sheet1.xml"


def repacked(data: bytes, changes: dict[str, Callable[[bytes], bytes]], added: dict[str, bytes]) -> bytes:
    """The workbook re-packed with some parts changed and some added, as an attacker builds it with any ZIP tool."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for item in source.infolist():
            part = source.read(item.filename)
            target.writestr(item.filename, changes.get(item.filename, lambda same: same)(part))
        for name, part in added.items():
            target.writestr(name, part)
    return out.getvalue()


def with_shared_string(data: bytes, text: str) -> bytes:
    """A shared-strings table holding ``text``, declared in the package: the reader loads the whole table before
    the first row, whether a cell uses the string or not."""
    declare = (
        b'<Override PartName="/xl/sharedStrings.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    )
    table = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        f"<si><t>{text}</t></si></sst>"
    )
    return repacked(
        data, {"[Content_Types].xml": lambda xml: xml.replace(b"</Types>", declare)}, {SHARED_STRINGS: table.encode()}
    )


def a_list(*cells: tuple[int, int, str]) -> bytes:
    """The header and one valid member, then the given (row, column, value) cells."""
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    sheet.append(valid_row(1))
    for row, column, value in cells:
        sheet.cell(row=row, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def refused(tree, people, content: bytes) -> str:
    before = table_counts()
    result = import_members(tree.cell_a1, io.BytesIO(content), user=people["secretary"], only_valid=True)
    assert result.created == 0
    assert not rows_written(before, table_counts())
    assert len(result.file_errors) == 1, result.file_errors
    return result.file_errors[0]


def test_a_shared_string_unpacking_past_the_limit_is_refused(tree, people, settings) -> None:
    settings.CHIBO = {**settings.CHIBO, "IMPORT_MAX_UNPACKED_BYTES": 1024 * 1024}
    # Hexadecimal text packs only about twice, so the ratio is ordinary: only the size is over.
    content = with_shared_string(plain_workbook(), random.Random(17).randbytes(700_000).hex())
    assert len(content) < 1024 * 1024
    message = refused(tree, people, content)
    assert "khi giải nén có dung lượng" in message
    assert "tối đa 1,0\xa0MB" in message or "tối đa 1.0\xa0MB" in message


def test_a_part_packed_far_more_tightly_than_a_workbook_is_refused(tree, people) -> None:
    content = with_shared_string(plain_workbook(), "A" * 2 * 1024 * 1024)  # 2 MB, under the size limit
    message = refused(tree, people, content)
    assert "nén chặt bất thường" in message
    assert "tối đa 100 lần" in message


def test_a_sheet_running_far_past_its_members_is_refused(tree, people, settings) -> None:
    settings.CHIBO = {**settings.CHIBO, "IMPORT_MAX_ROWS": 20}
    content = a_list((1_000_000, 2, "Nguyễn Văn Cuối"))
    message = refused(tree, people, content)
    assert message.startswith("Trang tính vượt quá dòng 55; chỉ đọc tối đa 55 dòng.")


def test_a_value_far_to_the_right_is_refused(tree, people) -> None:
    content = a_list((2, 16384, "x"))
    message = refused(tree, people, content)
    assert message.startswith("Dòng 2 có dữ liệu vượt quá cột thứ 50; chỉ đọc tối đa 50 cột.")


def test_a_declared_size_of_the_whole_sheet_is_not_trusted(tree, people) -> None:
    """A sheet claiming to span A1:XFD1048576 would have every row padded to 16,384 cells and a million empty
    rows added; its real rows are read and imported."""

    def claim(xml: bytes) -> bytes:
        return re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', xml)

    content = repacked(a_list(), {SHEET: claim}, {})
    assert b"XFD1048576" in zipfile.ZipFile(io.BytesIO(content)).read(SHEET)
    result = import_members(tree.cell_a1, io.BytesIO(content), user=people["secretary"])
    assert result.file_errors == []
    assert result.created == 1


@pytest.mark.parametrize("megabytes", [64])
def test_a_huge_shared_string_does_not_reach_memory(tree, people, megabytes: int) -> None:
    """The attack of the issue: a small workbook whose one shared string unpacks to tens of megabytes. Read, it
    took the worker's memory up by as much; refused from the ZIP directory, it costs next to nothing."""
    content = with_shared_string(plain_workbook(), "A" * megabytes * 1024 * 1024)
    assert len(content) < 300 * 1024
    before = table_counts()
    tracemalloc.start()
    try:
        result = import_members(tree.cell_a1, io.BytesIO(content), user=people["secretary"])
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024, f"peak {peak / 1024 / 1024:.1f} MB"
    assert "khi giải nén có dung lượng 64,0\xa0MB" in result.file_errors[0]
    assert result.created == 0
    assert not rows_written(before, table_counts())
