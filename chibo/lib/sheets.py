"""Writing what users typed into spreadsheets (Excel exports) so that it stays text.

A member named ``=HYPERLINK("http://…","Bấm vào đây")`` was exported as a live formula: openpyxl stores a string
that starts with "=" as a formula. Every text a user typed goes through ``text_cell`` (write-only sheets) or
``keep_text`` (ordinary sheets), which store it as a string, never as a formula.
"""

from __future__ import annotations

from typing import Any

from openpyxl.cell import WriteOnlyCell

from chibo.lib.text import starts_like_formula


def keep_text(cell: Any) -> Any:
    """The cell, stored as a string if its text could be read as a formula."""
    if isinstance(cell.value, str) and starts_like_formula(cell.value):
        cell.data_type = "s"
    return cell


def text_cell(sheet: Any, value: Any) -> Any:
    """A value for a write-only sheet's row: a text that could be read as a formula becomes a string cell."""
    if isinstance(value, str) and starts_like_formula(value):
        return keep_text(WriteOnlyCell(sheet, value=value))
    return value
