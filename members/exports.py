"""Member lists as Excel files, with the import's columns, so that an exported list can be imported again."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from chibo.lib.sheets import text_cell
from members.imports import COLUMNS
from members.models import Member

DATE_FORMAT = "dd/mm/yyyy"
SEX_WORDS: dict[str, str] = {Member.Sex.MALE: "Nam", Member.Sex.FEMALE: "Nữ"}
CELL_HEADER = "Chi bộ"
NUMBER_HEADER = "STT"
WIDTHS = {
    "full_name": 28,
    "birth_date": 12,
    "sex": 10,
    "admitted_on": 14,
    "official_on": 15,
    "address": 40,
    "phone": 14,
}


def members_workbook(members: Iterable[Member], *, title: str, with_cell: bool = False) -> bytes:
    """One sheet: a numbered row per member under the import's headers; dates are real dates, shown dd/mm/yyyy."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Party members")[:31])
    sheet.freeze_panes = "C2"
    widths = [6, *(WIDTHS[c.field] for c in COLUMNS)] + ([30] if with_cell else [])
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDDDDD")
    headers = [NUMBER_HEADER, *(c.header for c in COLUMNS)] + ([CELL_HEADER] if with_cell else [])
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font, cell.fill, cell.alignment = bold, fill, Alignment(wrap_text=True, vertical="center")
        header_cells.append(cell)
    sheet.append(header_cells)
    for number, member in enumerate(members, start=1):
        values = {
            "full_name": member.full_name,
            "birth_date": member.birth_date,
            "sex": SEX_WORDS.get(member.sex, ""),
            "admitted_on": member.admitted_on,
            "official_on": member.official_on,
            "address": member.address,
            "phone": member.phone,
        }
        row: list[Any] = [number]
        for column in COLUMNS:
            value = values[column.field]
            if column.field in ("birth_date", "admitted_on", "official_on") and value is not None:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = DATE_FORMAT
                row.append(cell)
            else:
                row.append(text_cell(sheet, value) if value not in ("", None) else None)
        if with_cell:
            row.append(text_cell(sheet, member.cell.name))
        sheet.append(row)
    workbook.properties.title = title
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def template_workbook() -> bytes:
    """A blank list with the headers the import reads, and one example row."""
    return members_workbook([], title=_("List of party members"))
