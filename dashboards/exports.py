"""The dashboard's exports: the Excel workbook of the page, and the monthly summary report (PDF) of a ward.

Both are pure functions of a ``Dashboard`` (``dashboards.dashboard.dashboard``): the figures are read once, in
the dashboard's fixed number of queries, and written out here without another query, so the file says what the
page says. The headers of the workbook and the words of the report are the Vietnamese text of the documents the
committees file, not interface strings, so they are written here as they print (like the minutes' "BIÊN BẢN").
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from typing import Any

from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from chibo.lib.layout import (
    REPORT,
    SUMMARY_REPORT,
    Signature,
    blank_number,
    committee_name,
    document_context,
    document_signature,
    party_body_name,
    place_and_date,
    place_from_name,
    upper,
)
from chibo.lib.pdf import render_pdf
from chibo.lib.sheets import keep_text
from dashboards.dashboard import AT_RISK, LIGHTS, OFF_TRACK, ON_TRACK, Dashboard, Row, dashboard
from members.models import Organisation, office_holders

# The words of the status light in the documents (the page's labels are interface strings, translated).
LIGHT_WORDS = {ON_TRACK: "Đúng tiến độ", AT_RISK: "Có nguy cơ chậm", OFF_TRACK: "Chậm tiến độ"}

DOCUMENT_LANGUAGE = "vi"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---------------------------------------------------------------------------------------------------
# The values of a row, as both documents write them
# ---------------------------------------------------------------------------------------------------


def on_time_value(row: Row) -> str | int:
    """A cell: whether its current resolution was adopted on time; above the cells: how many cells did."""
    if not row.is_cell:
        return row.figures.on_time
    if row.adopted_on_time is None:
        return "Chưa thông qua" if row.resolution else "Chưa có"
    return "Đúng hạn" if row.adopted_on_time else "Chậm"


def review_value(row: Row) -> str | int:
    """A cell: its monthly review done or missing; above the cells: how many cells have not written it."""
    if not row.is_cell:
        return row.review_missing
    return "Đã sơ kết" if row.figures.reviewed else "Chưa sơ kết"


def resolution_value(row: Row) -> str:
    if not row.is_cell:
        return ""
    return row.resolution.number if row.resolution and row.resolution.number else ""


def light_value(row: Row) -> str:
    return LIGHT_WORDS.get(row.light or "", "")


def adopted_value(row: Row) -> str:
    """A cell: the number of every resolution it adopted this month ("05-NQ/CB, 06-NQ/CB"); above the cells: how
    many resolutions its cells adopted."""
    if not row.is_cell:
        return str(row.figures.adopted_month)
    return ", ".join(r.number for r in row.adopted if r.number)


# ---------------------------------------------------------------------------------------------------
# Excel
# ---------------------------------------------------------------------------------------------------

HEADERS = (
    ("Tổ chức", 34),
    ("Nghị quyết hiện hành", 18),
    ("Thông qua đúng hạn", 14),
    ("Tổng số nhiệm vụ", 11),
    ("Hoàn thành", 11),
    ("Quá hạn", 10),
    ("Tiến độ (%)", 10),
    ("Sinh hoạt gần nhất", 13),
    ("Tỷ lệ dự họp tháng (%)", 12),
    ("Tỷ lệ dự họp 12 tháng (%)", 12),
    ("Sơ kết tháng", 13),
    ("Trạng thái", 17),
    ("Số nghị quyết thông qua trong tháng", 14),
    ("Văn bản cấp trên chưa cụ thể hóa", 14),
)
MONTH_HEADERS = (
    ("Tháng", 11),
    ("Lượt dự họp", 12),
    ("Lượt phải dự", 12),
    ("Tỷ lệ dự họp (%)", 13),
    ("Nhiệm vụ quá hạn", 13),
)
HEADER_ROW = 3  # title, a note (or nothing), then the headers
DATE_FORMAT = "DD/MM/YYYY"
MONTH_FORMAT = "MM/YYYY"
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="DDE4EE")
_LIGHT_FILL = {OFF_TRACK: "F8D7DA", AT_RISK: "FFF3CD", ON_TRACK: "D1E7DD"}


def row_values(row: Row, *, total: bool = False) -> list[Any]:
    """The cells of one line of the sheet, in the order of ``HEADERS``; None where the page shows "—"."""
    f = row.figures
    if total:
        name = f"Tổng cộng ({f.cells} chi bộ)"
    elif row.is_cell:
        name = row.org.name
    else:
        name = f"{row.org.name} ({f.cells} chi bộ)"
    return [
        name,
        resolution_value(row),
        on_time_value(row),
        f.tasks_total,
        f.tasks_done,
        f.tasks_overdue,
        row.progress,
        row.last_meeting,
        row.attendance_month,
        row.attendance_year,
        review_value(row),
        light_value(row),
        row.figures.adopted_month,
        row.upper_pending,
    ]


def _header(sheet: Any, columns: tuple[tuple[str, int], ...], at: int) -> None:
    for index, (label, width) in enumerate(columns, start=1):
        cell = sheet.cell(row=at, column=index, value=label)
        cell.font = Font(bold=True)
        cell.fill = _HEAD_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.row_dimensions[at].height = 32
    sheet.freeze_panes = sheet.cell(row=at + 1, column=2)


def _title(sheet: Any, text: str, width: int, note: str = "") -> None:
    keep_text(sheet.cell(row=1, column=1, value=text)).font = Font(bold=True, size=13)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    if note:
        sheet.cell(row=2, column=1, value=note).font = Font(italic=True)
        sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)


def _write_line(sheet: Any, at: int, values: list[Any], *, bold: bool = False) -> None:
    for column, value in enumerate(values, start=1):
        cell = keep_text(sheet.cell(row=at, column=column, value=value))
        cell.border = _BORDER
        if bold:
            cell.font = Font(bold=True)
        if isinstance(value, dt.date):
            cell.number_format = DATE_FORMAT
            cell.alignment = Alignment(horizontal="center")
        elif isinstance(value, int):
            cell.number_format = "0"


def title_text(board: Dashboard) -> str:
    return f"Theo dõi thực hiện nghị quyết chi bộ – {board.org.name} – ngày {board.day:%d/%m/%Y}"


def dashboard_workbook(board: Dashboard, rows: list[Row], *, restricted: bool = False) -> bytes:
    """The dashboard as an .xlsx file: the rows shown (sorted and filtered as on the page), the total line the
    page shows under them, and the twelve months on a second sheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Theo dõi"
    _title(
        sheet,
        title_text(board),
        len(HEADERS),
        "Chỉ gồm các chi bộ được phân công phụ trách." if restricted else "",
    )
    _header(sheet, HEADERS, HEADER_ROW)
    at = HEADER_ROW
    light_column = [label for label, _width in HEADERS].index("Trạng thái") + 1
    for row in rows:
        at += 1
        _write_line(sheet, at, row_values(row))
        if row.light:
            sheet.cell(row=at, column=light_column).fill = PatternFill("solid", fgColor=_LIGHT_FILL[row.light])
    if not board.org.is_cell and len(board.rows) > 1:
        at += 1
        _write_line(sheet, at, row_values(board.total, total=True), bold=True)
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(HEADERS))}{max(at, HEADER_ROW)}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True

    months = book.create_sheet("Theo tháng")
    _title(months, f"Diễn biến 12 tháng – {board.org.name} – ngày {board.day:%d/%m/%Y}", len(MONTH_HEADERS))
    _header(months, MONTH_HEADERS, HEADER_ROW)
    for index, (month, rate, (attended, expected), overdue) in enumerate(
        zip(board.months, board.attendance_series, board.attendance_counts, board.overdue_series, strict=True),
        start=HEADER_ROW + 1,
    ):
        _write_line(months, index, [month, attended, expected, rate, overdue])
        months.cell(row=index, column=1).number_format = MONTH_FORMAT

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ascii_name(text: str) -> str:
    """ "Phường Phú Khương" → "phuong-phu-khuong": a file name every mail client and file system takes."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    words = "".join(c if c.isascii() and c.isalnum() else " " for c in text.casefold()).split()
    return "-".join(words) or "to-chuc"


def workbook_filename(board: Dashboard) -> str:
    return f"theo-doi-{ascii_name(board.org.name)}-{board.day:%Y-%m-%d}.xlsx"


# ---------------------------------------------------------------------------------------------------
# The monthly summary report (PDF)
# ---------------------------------------------------------------------------------------------------


def _names(rows: list[Row]) -> str:
    return ", ".join(row.org.name for row in rows)


def assessment(board: Dashboard) -> list[str]:
    """Short sentences drawn from the rows: which units are off track, at risk, adopted late, without a review."""
    rows = board.rows
    unit = "chi bộ" if all(r.is_cell for r in rows) else "đơn vị"
    if not rows:
        return [f"Chưa có {unit} nào để báo cáo."]
    lines: list[str] = []
    off = [r for r in rows if r.light == OFF_TRACK]
    risk = [r for r in rows if r.light == AT_RISK]
    if off:
        lines.append(f"Có {len(off)} {unit} chậm tiến độ: {_names(off)}.")
    if risk:
        lines.append(f"Có {len(risk)} {unit} có nguy cơ chậm tiến độ: {_names(risk)}.")
    if not off and not risk:
        lines.append(f"Tất cả {len(rows)} {unit} đều thực hiện đúng tiến độ.")
    if unit == "chi bộ":
        late = [r for r in rows if r.adopted_on_time is False]
        none = [r for r in rows if r.adopted_on_time is None]
        missing = [r for r in rows if not r.figures.reviewed]
        overdue = [r for r in rows if r.figures.tasks_overdue]
        if late:
            lines.append(f"Có {len(late)} chi bộ thông qua nghị quyết chậm: {_names(late)}.")
        if none:
            lines.append(f"Có {len(none)} chi bộ chưa có nghị quyết được thông qua: {_names(none)}.")
        if overdue:
            detail = ", ".join(f"{r.org.name} ({r.figures.tasks_overdue})" for r in overdue)
            lines.append(f"Có {len(overdue)} chi bộ có nhiệm vụ quá hạn: {detail}.")
        if missing:
            lines.append(f"Có {len(missing)} chi bộ chưa sơ kết tháng: {_names(missing)}.")
    else:
        missing_total = board.total.review_missing
        if missing_total:
            lines.append(f"Có {missing_total} chi bộ chưa sơ kết tháng.")
    return lines


def _percent(value: int | None) -> str:
    return "—" if value is None else f"{value}%"


def _count(value: str | int) -> str:
    return str(value)


def summary_document(
    board: Dashboard, parent: Organisation | None, *, number: str = "", signer: Signature | None = None
) -> dict[str, Any]:
    """Every line of the report, prepared as text; reads nothing from the database (``parent``, the report's
    ``number`` and its ``signer`` are given). Without a number the number line is left blank to fill in by hand."""
    org, day, total = board.org, board.day, board.total
    f = total.figures
    counts = {light: total.light_counts.get(light, 0) for light in LIGHTS}
    place = org.place_name or (parent.place_name if parent else "") or place_from_name(org.name)
    upper_body = party_body_name(parent.name) if parent else ""
    rows = [
        {
            "name": row.org.name if row.is_cell else f"{row.org.name} ({row.figures.cells} chi bộ)",
            "resolution": resolution_value(row),
            "on_time": _count(on_time_value(row)),
            "tasks_total": row.figures.tasks_total,
            "tasks_done": row.figures.tasks_done,
            "tasks_overdue": row.figures.tasks_overdue,
            "progress": _percent(row.progress),
            "last_meeting": f"{row.last_meeting:%d/%m/%Y}" if row.last_meeting else "—",
            "attendance_month": _percent(row.attendance_month),
            "review": _count(review_value(row)),
            "light": light_value(row),
            "adopted_month": row.figures.adopted_month,
        }
        for row in board.rows
    ]
    months = [
        {
            "label": f"{month:%m/%Y}",
            "attended": attended,
            "expected": expected,
            "rate": _percent(rate),
            "overdue": overdue,
        }
        for month, rate, (attended, expected), overdue in zip(
            board.months, board.attendance_series, board.attendance_counts, board.overdue_series, strict=True
        )
    ]
    return {
        "upper_body": upper(upper_body),
        "issuing_body": upper(committee_name(org.name)),
        "number": number or blank_number(REPORT, is_cell=org.is_cell),
        "numbered_by_hand": not number,
        "signature": signer or document_signature(SUMMARY_REPORT, is_cell=org.is_cell),
        "place_date": place_and_date(place, day),
        "document_type": "BÁO CÁO",
        "subject": f"TÌNH HÌNH THỰC HIỆN NGHỊ QUYẾT CHI BỘ THÁNG {day:%m} NĂM {day.year}",
        "title_line": f"BÁO CÁO TÌNH HÌNH THỰC HIỆN NGHỊ QUYẾT CHI BỘ THÁNG {day:%m} NĂM {day.year}",
        "day": f"{day:%d/%m/%Y}",
        "cells": f.cells,
        "in_force": f.in_force,
        "on_time": f.on_time,
        "on_track": counts[ON_TRACK],
        "at_risk": counts[AT_RISK],
        "off_track": counts[OFF_TRACK],
        "tasks_total": f.tasks_total,
        "tasks_done": f.tasks_done,
        "tasks_overdue": f.tasks_overdue,
        "progress": _percent(total.progress),
        "attendance_month": _percent(total.attendance_month),
        "attendance_year": _percent(total.attendance_year),
        "reviewed": f.reviewed,
        "adopted_month": f.adopted_month,
        "adopted_list": "; ".join(
            f"{row.org.name}: {adopted_value(row)}" for row in board.rows if row.figures.adopted_month
        ),
        "rows": rows,
        "months": months,
        "assessment": assessment(board),
        "recipients": [
            *([f"- {committee_name(upper_body)},"] if upper_body else []),
            "- Các chi bộ trực thuộc,",
            "- Lưu Văn phòng Đảng ủy.",
        ],
    }


def summary_template_context(
    board: Dashboard,
    parent: Organisation | None,
    *,
    embed_fonts: bool,
    number: str = "",
    signer: Signature | None = None,
) -> dict[str, Any]:
    with translation.override(DOCUMENT_LANGUAGE):
        doc = summary_document(board, parent, number=number, signer=signer)
    return {**document_context(embed_fonts=embed_fonts), "doc": doc}


def render_summary_pdf(org: Organisation, day: dt.date, *, number: str = "") -> bytes:
    """The monthly summary of ``org`` (every cell under it) on ``day``, numbered ``number`` (blank to number by
    hand) and signed by its secretary (or deputy): the dashboard's queries, one for the parent organisation and
    one for the signer."""
    board = dashboard(org, day)
    parent = Organisation.objects.get_parent(org) if org.depth > 1 else None
    head, deputy = office_holders(org)
    signer = document_signature(SUMMARY_REPORT, is_cell=org.is_cell, head=head, deputy=deputy)
    context = summary_template_context(board, parent, embed_fonts=True, number=number, signer=signer)
    with translation.override(DOCUMENT_LANGUAGE):
        return render_pdf("dashboards/pdf/monthly_summary.html", context)


def summary_filename(org: Organisation, month: dt.date) -> str:
    return f"bao-cao-{ascii_name(org.name)}-{month:%Y-%m}.pdf"
