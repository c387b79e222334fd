"""Word (.docx) documents in the party layout, with python-docx: editable text, not an image of the page.

Secretaries adjust wording in Word before signing, so a document built here has the same page, margins,
header blocks and content as its PDF, from the same values (``chibo.lib.layout``). The font is named
"Times New Roman", the face Word users have and the one 36-HD/VPTW asks for; LibreOffice on Linux shows it
with the metric-compatible Liberation Serif, so lines break in the same places.

This module knows nothing of the apps: callers pass prepared text. ``python-docx`` is imported here only.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from docx import Document as new_docx
from docx.document import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from chibo.lib.html import text_blocks
from chibo.lib.layout import LAYOUT, PartyDocumentLayout

FONT_NAME = "Times New Roman"
LANGUAGE = "vi-VN"
TABLE_PT = 12  # tables of many columns in a smaller size, as the PDF's review table

ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}

# (text, bold, italic)
Run = tuple[str, bool, bool]
# (text, bold) for a line of a signature or recipients block
Line = tuple[str, bool]


def new_document(layout: PartyDocumentLayout = LAYOUT) -> Document:
    """An empty A4 document with the party layout's margins, font, body size and page numbers from page 2."""
    document = new_docx()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = Mm(layout.margin_top_mm)
    section.bottom_margin = Mm(layout.margin_bottom_mm)
    section.left_margin = Mm(layout.margin_left_mm)
    section.right_margin = Mm(layout.margin_right_mm)
    section.header_distance = Mm(layout.margin_top_mm / 2)

    normal = document.styles["Normal"]
    normal.font.name = FONT_NAME
    normal.font.size = Pt(layout.body_pt)
    _set_fonts(normal.element.get_or_add_rPr(), FONT_NAME)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.AT_LEAST
    fmt.line_spacing = Pt(layout.body_pt * layout.line_height)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)

    _page_numbers(document, layout)
    return document


def _set_fonts(rpr: BaseOxmlElement, name: str) -> None:
    """The font for every script (Word picks the East Asian slot for some Vietnamese letters) and the language."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), name)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)


def _page_numbers(document: Document, layout: PartyDocumentLayout) -> None:
    """A PAGE field at the top centre; the first page has its own, empty header unless the layout numbers it."""
    section = document.sections[0]
    section.different_first_page_header_footer = not layout.number_first_page
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    run.font.size = Pt(layout.page_number_pt)
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, None), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        else:
            element = OxmlElement("w:t")
            element.text = "2"  # shown until Word updates the field
        run._r.append(element)


# ---------------------------------------------------------------------------------------------------
# Paragraphs
# ---------------------------------------------------------------------------------------------------


def _format(
    paragraph: Paragraph,
    *,
    align: str = "justify",
    indent: bool = True,
    before: float = 0,
    after: float | None = None,
    keep_with_next: bool = False,
    layout: PartyDocumentLayout = LAYOUT,
) -> Paragraph:
    fmt = paragraph.paragraph_format
    paragraph.alignment = ALIGN[align]
    fmt.first_line_indent = Mm(layout.paragraph_indent_mm) if indent else None
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(layout.paragraph_spacing_pt if after is None else after)
    if keep_with_next:
        fmt.keep_with_next = True
    return paragraph


def _run(
    paragraph: Paragraph,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    size: float | None = None,
) -> None:
    run = paragraph.add_run(text)
    run.bold = bold or None
    run.italic = italic or None
    if underline:
        run.underline = True
    if size:
        run.font.size = Pt(float(size))


def add_paragraph(
    document: Document | _Cell,
    text: str = "",
    *,
    runs: Sequence[Run] = (),
    bold: bool = False,
    italic: bool = False,
    indent: bool = True,
    align: str = "justify",
    keep_with_next: bool = False,
) -> Paragraph:
    """A body paragraph (14 pt, first line indented, justified), from plain text or from runs."""
    paragraph = _format(document.add_paragraph(), align=align, indent=indent, keep_with_next=keep_with_next)
    if text:
        _run(paragraph, text, bold=bold, italic=italic)
    for run_text, run_bold, run_italic in runs:
        if run_text:
            _run(paragraph, run_text, bold=run_bold, italic=run_italic)
    return paragraph


def add_heading(document: Document, text: str) -> Paragraph:
    """A section heading: "I. THỜI GIAN, ĐỊA ĐIỂM", bold upper case."""
    paragraph = _format(document.add_paragraph(), align="left", before=10, keep_with_next=True)
    _run(paragraph, text.upper(), bold=True, size=LAYOUT.heading_pt)
    return paragraph


def add_subheading(document: Document, text: str) -> Paragraph:
    paragraph = _format(document.add_paragraph(), align="left", before=6, keep_with_next=True)
    _run(paragraph, text, bold=True)
    return paragraph


def add_title(
    document: Document, document_type: str, subject_lines: Iterable[str], *, subject_upper: bool = True
) -> None:
    """The document type ("BIÊN BẢN", 16 pt bold, centred), the subject lines, and the short rule under them."""
    paragraph = _format(document.add_paragraph(), align="center", indent=False, before=18, after=0, keep_with_next=True)
    _run(paragraph, document_type.upper(), bold=True, size=LAYOUT.document_type_pt)
    for line in subject_lines:
        paragraph = _format(document.add_paragraph(), align="center", indent=False, after=0, keep_with_next=True)
        _run(paragraph, line.upper() if subject_upper else line, bold=True, size=LAYOUT.subject_pt)
    paragraph = _format(document.add_paragraph(), align="center", indent=False, after=12)
    _run(paragraph, "-----")


# ---------------------------------------------------------------------------------------------------
# Tables: the header blocks, data tables, the signatures
# ---------------------------------------------------------------------------------------------------


def _widths(table: Table, widths_mm: Sequence[float], *, cell_margin_mm: float = 0) -> None:
    """Fixed column widths (Word and LibreOffice both honour them) and the cells' side margins."""
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=False):
            cell.width = Mm(width)
    for column, width in zip(table.columns, widths_mm, strict=False):
        column.width = Mm(width)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(round(cell_margin_mm * 1440 / 25.4)))  # twentieths of a point
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    table._tbl.tblPr.get_or_add_tblLayout().addnext(margins)  # the schema's order: tblLayout, then tblCellMar


def _text_width_mm(layout: PartyDocumentLayout = LAYOUT) -> float:
    return 210 - layout.margin_left_mm - layout.margin_right_mm


def _cell_line(cell: _Cell, text: str, *, first: bool, align: str = "center", before: float = 0) -> Paragraph:
    paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    _format(paragraph, align=align, indent=False, before=before, after=0)
    if text:
        paragraph.add_run(text)
    return paragraph


def add_header(
    document: Document,
    *,
    upper_body: str,
    issuing_body: str,
    number: str,
    place_date: str,
    layout: PartyDocumentLayout = LAYOUT,
) -> None:
    """The two header blocks as a borderless two-column table, as 36-HD/VPTW places them.

    Left: the upper body (upper case), the issuing body (bold), "*", and "Số …" when there is a number.
    Right: "ĐẢNG CỘNG SẢN VIỆT NAM" (15 pt bold, underlined as long as the words) and the place and date in italics.
    """
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    width = _text_width_mm(layout)
    _widths(table, [width * 0.48, width * 0.52])
    left, right = table.rows[0].cells

    paragraph = _cell_line(left, "", first=True)
    _run(paragraph, upper_body, size=layout.upper_body_pt)
    paragraph = _cell_line(left, "", first=False)
    _run(paragraph, issuing_body, bold=True, size=layout.issuing_body_pt)
    _cell_line(left, "*", first=False)
    if number:
        paragraph = _cell_line(left, "", first=False)
        _run(paragraph, f"{layout.number_prefix} {number}", size=layout.number_pt)

    paragraph = _cell_line(right, "", first=True)
    _run(paragraph, layout.party_name, bold=True, underline=True, size=layout.party_name_pt)
    paragraph = _cell_line(right, "", first=False, before=layout.place_date_gap_pt)
    _run(paragraph, place_date, italic=True, size=layout.place_date_pt)


def add_table(
    document: Document,
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    widths_mm: Sequence[float],
    aligns: Sequence[str] = (),
    size_pt: float = TABLE_PT,
) -> None:
    """A ruled data table, single-spaced; its header row repeats on every page and no row breaks across pages.

    ``aligns`` gives each column's alignment ("left" by default; "center" for numbers and dates, "right" for
    amounts)."""
    rows = list(rows)
    table = document.add_table(rows=1 + len(rows), cols=len(headers))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, widths_mm, cell_margin_mm=1)
    for index, row in enumerate(table.rows):
        properties = row._tr.get_or_add_trPr()
        properties.append(OxmlElement("w:cantSplit"))  # the schema's order: cantSplit before tblHeader
        if index == 0:
            properties.append(OxmlElement("w:tblHeader"))
        values = headers if index == 0 else rows[index - 1]
        for column, (cell, value) in enumerate(zip(row.cells, values, strict=False)):
            align = "center" if index == 0 else (aligns[column] if column < len(aligns) else "left")
            paragraph = _format(cell.paragraphs[0], align=align, indent=False, after=0)
            paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
            _run(paragraph, str(value), bold=index == 0, size=size_pt)
    # A little space after the table, as the PDF's margin.
    _format(document.add_paragraph(), indent=False, after=0)


def add_signatures(
    document: Document,
    *,
    left: Sequence[Line],
    right: Sequence[Line],
    left_align: str = "center",
    left_underline_first: bool = False,
    left_pt: float | None = None,
    layout: PartyDocumentLayout = LAYOUT,
) -> None:
    """Two signature blocks side by side (or recipients on the left), in a borderless table kept on one page."""
    table = document.add_table(rows=1, cols=2)
    width = _text_width_mm(layout)
    _widths(table, [width * 0.45, width * 0.55])
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    left_cell, right_cell = table.rows[0].cells
    for index, (text, bold) in enumerate(left):
        paragraph = _cell_line(left_cell, "", first=index == 0, align=left_align, before=12 if index == 0 else 0)
        size = None if index == 0 or left_pt is None else left_pt
        _run(paragraph, text, bold=bold, underline=left_underline_first and index == 0, size=size)
    for index, (text, bold) in enumerate(right):
        paragraph = _cell_line(right_cell, "", first=index == 0, before=12 if index == 0 else 0)
        _run(paragraph, text, bold=bold, size=layout.signature_pt)


# ---------------------------------------------------------------------------------------------------
# Long texts: plain paragraphs (chibo.lib.html.text_blocks)
# ---------------------------------------------------------------------------------------------------


def add_text(document: Document, text: str) -> None:
    """A long plain text as body paragraphs: one per blank-line-separated block, its single line breaks kept."""
    for lines in text_blocks(text):
        paragraph = _format(document.add_paragraph())
        for number, line in enumerate(lines):
            if number:
                paragraph.runs[-1].add_break()  # a single line break stays one, inside the paragraph
            paragraph.add_run(line)


def to_bytes(document: Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
