"""The page of a committee document over its cells, as an Excel workbook and as a report to the level above (PDF).

Both are written from ``documents.document_cells`` (the page's own rows and figures) without another query for
the rows, so the files say what the page says. Their words are the Vietnamese of the documents the committees
file, written here as they print (like ``exports``).

The report ("Báo cáo tình hình cụ thể hóa …") is rendered in the request: it covers one document over one
committee's cells (a ward's few dozen at most), a page or two that WeasyPrint draws in well under a second, so it
needs no background build. Being a GET it draws no number from the committee's run: the number line is left
blank before "-BC/ĐU", to be filled in when the report is registered (as the summary report numbered by hand).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
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
from dashboards.documents import CellRow, DocumentCells, TargetInCell
from dashboards.exports import DOCUMENT_LANGUAGE, HEADER_ROW, _header, _title, _write_line, ascii_name
from members.models import Organisation, office_holders
from resolutions.rules import Concrete
from resolutions.services import goal_text

# The state of a cell in the documents (the page's labels are interface strings, translated).
STATE_WORDS = {
    Concrete.LATE: "Chưa cụ thể hóa, quá hạn",
    Concrete.WAITING: "Chưa cụ thể hóa",
    Concrete.DONE_LATE: "Đã cụ thể hóa (chậm)",
    Concrete.DONE: "Đã cụ thể hóa",
}
_LATE_FILL = PatternFill("solid", fgColor="F8D7DA")
TASK_STATUS_WORDS = {
    "not_started": "Chưa bắt đầu",
    "in_progress": "Đang thực hiện",
    "done": "Hoàn thành",
    "not_met": "Không đạt",
    "cancelled": "Hủy",
}


def _date(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def _resolutions(row: CellRow) -> str:
    return ", ".join(r.number for r in row.resolutions if r.number)


def _figure(target: TargetInCell) -> str:
    return target.figure_text or "—"


def document_title(picture: DocumentCells) -> str:
    document = picture.document
    return f"Tình hình cụ thể hóa {picture.heading.lower()} số {document.number} – {document.title}"


# ---------------------------------------------------------------------------------------------------
# Excel
# ---------------------------------------------------------------------------------------------------


def document_workbook(picture: DocumentCells) -> bytes:
    """The cells as on the page (late first), one column pair per target (the cell's figure, met or not), the
    committee's total line; the tasks carrying the targets on a second sheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Các chi bộ"
    targets = [total.target for total in picture.totals]
    headers: list[tuple[str, int]] = [
        ("Chi bộ", 30),
        ("Tình trạng cụ thể hóa", 22),
        ("Ngày cụ thể hóa", 13),
        ("Nghị quyết của chi bộ", 18),
    ]
    for target in targets:
        headers += [(f"{target.name} (kết quả)", 18), ("Đạt chỉ tiêu", 9)]
    headers_t = tuple(headers)
    _title(sheet, f"{document_title(picture)} – ngày {picture.day:%d/%m/%Y}", len(headers_t))
    _header(sheet, headers_t, HEADER_ROW)
    at = HEADER_ROW
    for row in picture.rows:
        at += 1
        values: list[Any] = [row.cell.name, STATE_WORDS[row.state], row.adopted_on, _resolutions(row)]
        for in_cell in row.targets:
            values += [in_cell.figure_text or None, "Đạt" if in_cell.met else "Chưa đạt"]
        _write_line(sheet, at, values)
        if row.is_late:
            sheet.cell(row=at, column=2).fill = _LATE_FILL
    at += 1
    total_line: list[Any] = [f"Toàn Đảng bộ ({len(picture.rows)} chi bộ)", f"{picture.done} đã cụ thể hóa", None, None]
    for total in picture.totals:
        total_line += [total.reached_text, f"{total.total.cells_met}/{total.total.cells} chi bộ đạt"]
    _write_line(sheet, at, total_line, bold=True)
    sheet.page_setup.orientation = "landscape"

    tasks = book.create_sheet("Nhiệm vụ")
    task_headers = (
        ("Chi bộ", 28),
        ("Chỉ tiêu cấp trên giao", 30),
        ("Nhiệm vụ", 36),
        ("Chủ trì", 22),
        ("Tiến độ (%)", 10),
        ("Trạng thái", 15),
        ("Hạn", 12),
        ("Quá hạn", 9),
        ("Số minh chứng", 10),
    )
    _title(tasks, f"Nhiệm vụ thực hiện chỉ tiêu – {picture.document.number}", len(task_headers))
    _header(tasks, task_headers, HEADER_ROW)
    at = HEADER_ROW
    for row in picture.rows:
        for in_cell in row.targets:
            for carried in in_cell.tasks:
                task = carried.task
                at += 1
                _write_line(
                    tasks,
                    at,
                    [
                        row.cell.name,
                        in_cell.target.name,
                        task.title,
                        task.lead_label(),
                        task.progress,
                        TASK_STATUS_WORDS.get(task.status, task.status),
                        task.deadline,
                        "Quá hạn" if carried.overdue else "",
                        carried.evidence,
                    ],
                )
    tasks.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(task_headers))}{max(at, HEADER_ROW)}"
    sheet.cell(row=1, column=1).font = Font(bold=True, size=13)

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def document_filename(picture: DocumentCells, extension: str) -> str:
    return f"cu-the-hoa-{ascii_name(picture.document.number)}-{picture.day:%Y-%m-%d}.{extension}"


# ---------------------------------------------------------------------------------------------------
# The report to the level above (PDF)
# ---------------------------------------------------------------------------------------------------


def report_document(picture: DocumentCells, parent: Organisation | None, *, signer: Signature) -> dict[str, Any]:
    """Every line of the report as text; reads nothing from the database."""
    document, day = picture.document, picture.day
    issuer = document.cell
    place = issuer.place_name or (parent.place_name if parent else "") or place_from_name(issuer.name)
    upper_body = party_body_name(parent.name) if parent else ""
    cells = len(picture.rows)
    late = [row.cell.name for row in picture.rows if row.is_late]
    waiting = [row.cell.name for row in picture.rows if row.state == Concrete.WAITING]
    done_late = [row.cell.name for row in picture.rows if row.state == Concrete.DONE_LATE]
    heading = picture.heading.lower()
    lines = [
        f"{upper(heading[:1])}{heading[1:]} số {document.number} về {document.title} được gửi đến {cells} chi bộ"
        + (f"; thời hạn cụ thể hóa đến ngày {_date(document.concretise_by)}." if document.concretise_by else "."),
        f"Tính đến ngày {day:%d/%m/%Y}, có {picture.done}/{cells} chi bộ đã ban hành nghị quyết cụ thể hóa"
        + (f", trong đó {len(done_late)} chi bộ cụ thể hóa chậm ({', '.join(done_late)})." if done_late else "."),
    ]
    if late:
        lines.append(f"Có {len(late)} chi bộ chưa cụ thể hóa, đã quá hạn: {', '.join(late)}.")
    if waiting:
        lines.append(f"Có {len(waiting)} chi bộ chưa cụ thể hóa, còn trong hạn: {', '.join(waiting)}.")
    totals = [
        {
            "name": total.target.name,
            "goal": goal_text(total.target),
            "reached": total.reached_text,
            "cells": f"{total.total.cells_met}/{total.total.cells}",
            "met": "Đạt" if total.total.met else "Chưa đạt",
            "deadline": _date(total.target.deadline),
        }
        for total in picture.totals
    ]
    rows = [
        {
            "name": row.cell.name,
            "state": STATE_WORDS[row.state],
            "late": row.is_late,
            "adopted_on": _date(row.adopted_on),
            "resolutions": _resolutions(row),
            "targets": [f"{_figure(t)} ({'đạt' if t.met else 'chưa đạt'})" for t in row.targets],
        }
        for row in picture.rows
    ]
    return {
        "upper_body": upper(upper_body),
        "issuing_body": upper(committee_name(issuer.name)),
        "number": blank_number(REPORT, is_cell=False),
        "signature": signer,
        "place_date": place_and_date(place, day),
        "document_type": "BÁO CÁO",
        "subject": upper(f"Tình hình cụ thể hóa {heading} số {document.number}"),
        "title_line": f"Báo cáo tình hình cụ thể hóa {heading} số {document.number}",
        "document_subject": document.title,
        "lines": lines,
        "target_names": [total.target.name for total in picture.totals],
        "rows": rows,
        "totals": totals,
        "recipients": [
            *([f"- {committee_name(upper_body)},"] if upper_body else []),
            "- Các chi bộ trực thuộc,",
            "- Lưu Văn phòng Đảng ủy.",
        ],
    }


def render_document_report(picture: DocumentCells) -> bytes:
    """The report of ``picture`` signed for the issuing committee by its secretary (or deputy): one query for the
    issuer's parent (the body above, in the header), one for the signer."""
    issuer = picture.document.cell
    parent = Organisation.objects.get_parent(issuer) if issuer.depth > 1 else None
    head, deputy = office_holders(issuer)
    signer = document_signature(SUMMARY_REPORT, is_cell=False, head=head, deputy=deputy)
    with translation.override(DOCUMENT_LANGUAGE):
        context = {**document_context(embed_fonts=True), "doc": report_document(picture, parent, signer=signer)}
        return render_pdf("dashboards/pdf/document_cells.html", context)
