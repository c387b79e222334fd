"""The minutes and the resolution as editable Word files: read back with python-docx, text and layout."""

from __future__ import annotations

import io
from collections.abc import Iterator

import docx
import pytest
from django.urls import reverse
from docx.document import Document
from docx.shared import Length

from chibo.lib.layout import LAYOUT
from meetings.documents import render_minutes_docx
from resolutions.documents import render_resolution_docx
from tests.meetings.test_minutes import (
    ABSENT_WITH_REASON,
    ABSENT_WITHOUT_REASON,
    REASON,
    TASKS,
    build_meeting,
)
from tests.resolutions.test_pdf import TASK_TITLES, TITLE, make_resolution

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def open_docx(content: bytes) -> Document:
    return docx.Document(io.BytesIO(content))


def lines(document: Document) -> Iterator[str]:
    """Every paragraph's text, those inside tables (the header blocks, the signatures) included."""
    yield from (p.text for p in document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from (p.text for p in cell.paragraphs)


def text_of(document: Document) -> str:
    return "\n".join(lines(document))


@pytest.fixture
def meeting(tree, people):
    return build_meeting(tree, people)


def test_the_minutes_docx_has_the_header_blocks_in_a_borderless_two_column_table(meeting) -> None:
    document = open_docx(render_minutes_docx(meeting))
    header = document.tables[0]
    left, right = ([p.text for p in cell.paragraphs] for cell in header.rows[0].cells)
    assert left == ["ĐẢNG BỘ PHƯỜNG PHÚ KHƯƠNG", "CHI BỘ KHU PHỐ 1", "*"]  # minutes carry no number
    assert right == ["ĐẢNG CỘNG SẢN VIỆT NAM", "Phú Khương, ngày 05 tháng 11 năm 2026"]
    assert header.style is None or header.style.name != "Table Grid"
    party = header.rows[0].cells[1].paragraphs[0].runs[0]
    assert party.bold
    assert party.underline
    assert header.rows[0].cells[1].paragraphs[1].runs[0].italic


def test_the_minutes_docx_has_the_counts_absentees_tasks_vote_and_signatures(meeting) -> None:
    text = text_of(open_docx(render_minutes_docx(meeting)))
    for expected in [
        "BIÊN BẢN",
        "SINH HOẠT CHI BỘ THÁNG 11 NĂM 2026",
        "Tổng số đảng viên của chi bộ: 7; chính thức: 6; dự bị: 1; miễn sinh hoạt: 0 (dự họp: 0); vắng địa phương: 0.",
        "Có mặt: 5 (đi muộn 1)",
        f"Vắng có lý do: 1 (đồng chí {ABSENT_WITH_REASON}, lý do: {REASON})",
        f"Vắng không lý do: 1 (đồng chí {ABSENT_WITHOUT_REASON})",
        *(title for title, _status, _progress in TASKS),
        "Hoàn thành việc vận động ký cam kết.",
        "Tổng số đảng viên chính thức có quyền biểu quyết: 5; tán thành: 3 (60%); không tán thành: 1; "
        "không biểu quyết: 0.",
        "Buổi sinh hoạt kết thúc lúc 21 giờ 15 phút cùng ngày.",
        "THƯ KÝ",
        "CHỦ TRÌ",
    ]:
        assert expected in text, expected


def test_the_review_table_lists_each_task_with_status_progress_and_lateness(meeting) -> None:
    document = open_docx(render_minutes_docx(meeting))
    table = next(t for t in document.tables if t.rows[0].cells[1].text == "Nhiệm vụ")
    assert [c.text for c in table.rows[0].cells] == [
        "TT",
        "Nhiệm vụ",
        "Chủ trì",
        "Thời hạn",
        "Tình trạng",
        "Tiến độ",
        "Trễ hạn",
    ]
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert [row[1] for row in rows] == [title for title, _status, _progress in TASKS]
    assert [row[3] for row in rows] == ["20/10/2026", "21/10/2026", "22/10/2026"]
    assert [row[5] for row in rows] == ["100%", "60%", "0%"]
    assert rows[0][6].startswith("Trễ 5")  # done five days late
    assert rows[2][6].startswith("Quá hạn")


def test_the_recorder_signs_left_and_the_chair_right(meeting) -> None:
    signatures = open_docx(render_minutes_docx(meeting)).tables[-1]
    left, right = ([p.text for p in cell.paragraphs if p.text] for cell in signatures.rows[0].cells)
    assert left == ["THƯ KÝ", "Đảng viên committee"]
    assert right == ["CHỦ TRÌ", "Đảng viên secretary"]


def _mm(length: Length | None) -> int:
    assert length is not None
    return round(length.mm)


def test_the_page_is_a4_with_the_party_margins_the_font_and_numbers_from_page_two(meeting) -> None:
    document = open_docx(render_minutes_docx(meeting))
    section = document.sections[0]
    assert (_mm(section.page_width), _mm(section.page_height)) == (210, 297)
    assert _mm(section.left_margin) == LAYOUT.margin_left_mm
    assert _mm(section.right_margin) == LAYOUT.margin_right_mm
    assert _mm(section.top_margin) == LAYOUT.margin_top_mm
    assert section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml
    assert "PAGE" not in section.first_page_header._element.xml
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert normal.font.size.pt == LAYOUT.body_pt


def test_the_resolution_docx_has_the_header_number_tasks_and_signature(tree, people) -> None:
    resolution = make_resolution(tree.cell_a1)
    document = open_docx(render_resolution_docx(resolution))
    left = [p.text for p in document.tables[0].rows[0].cells[0].paragraphs]
    assert left == ["ĐẢNG BỘ PHƯỜNG PHÚ KHƯƠNG", "CHI BỘ KHU PHỐ 1", "*", "Số 01-NQ/CB"]
    text = text_of(document)
    for expected in [
        "NGHỊ QUYẾT",
        TITLE,
        "I. ĐÁNH GIÁ KẾT QUẢ THỰC HIỆN NHIỆM VỤ KỲ TRƯỚC",
        "Chi bộ đã lãnh đạo hoàn thành 8/10 nhiệm vụ đề ra.",
        *(f"{n}. {title}" for n, title in enumerate(TASK_TITLES, start=1)),
        "Chủ trì: Trần Văn Dũng; phối hợp: Huỳnh Thị Mỹ Duyên, Võ Đăng Khoa; thời hạn: 05/11/2026.",
        "- Phát huy vai trò tiên phong, gương mẫu của đảng viên nơi cư trú.",
        "Nơi nhận:",
        "T/M CHI BỘ",
        "BÍ THƯ",
        "Đảng viên secretary",
    ]:
        assert expected in text, expected
    assert "DỰ THẢO" not in text


def test_a_long_text_is_one_paragraph_per_block_with_its_line_breaks() -> None:
    from chibo.lib import docx as word

    document = word.new_document()
    word.add_text(document, "Một <b>hai</b> &amp; ba\n\n\n1. Thứ nhất\n2. Thứ hai\n")
    paragraphs = [p for p in document.paragraphs if p.text]
    assert [p.text for p in paragraphs] == ["Một <b>hai</b> &amp; ba", "1. Thứ nhất\n2. Thứ hai"]
    assert [run.bold for run in paragraphs[0].runs] == [None]


def test_the_word_files_download_for_members_of_the_cell(meeting, tree, client_for) -> None:
    client = client_for("member")
    response = client.get(reverse("meetings:minutes-docx", args=[meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX
    assert response["Content-Disposition"] == 'attachment; filename="bien-ban-2026-11-05.docx"'
    open_docx(response.content)
    resolution = make_resolution(tree.cell_a1)
    response = client.get(reverse("resolutions:resolution-docx", args=[resolution.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="01-NQ-CB.docx"'
    assert "Số 01-NQ/CB" in text_of(open_docx(response.content))
