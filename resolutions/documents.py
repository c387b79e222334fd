"""A resolution as a document (PDF, print page, .docx); the minutes and the meeting pack are in ``meetings.documents``.

Each document is a pure function of what ``minutes_context`` (or ``resolution_document``) reads: the reading
is done once, in a fixed number of queries, and the PDF template, the print page and the Word file all show
the same prepared lines. The fixed words of the official form ("BIÊN BẢN", "THƯ KÝ", "CHỦ TRÌ") are the
Vietnamese text of the form, not interface strings, so they are written here and in the templates as they print.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone, translation

from chibo.lib import docx as word
from chibo.lib.layout import (
    PARTY_COMMITTEE,
    RESOLUTION,
    Signature,
    committee_name,
    document_context,
    document_signature,
    number_text,
    party_body_name,
    place_and_date,
    place_from_name,
    roman,
    signature,
    upper,
)
from chibo.lib.pdf import render_pdf
from chibo.lib.text import normalize
from members.models import Member, Organisation, office_holders
from resolutions.models import Resolution, Task
from resolutions.rules import DOCUMENT_HEADINGS
from resolutions.services import goal_text

# ---------------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------------


# The official document is Vietnamese whatever language the reader's interface is in.
DOCUMENT_LANGUAGE = "vi"

# Section headings of a resolution, in their order; a section with nothing in it is left out and the
# Roman numerals run on without a gap.
SECTION_TITLES = {
    "assessment": "ĐÁNH GIÁ KẾT QUẢ THỰC HIỆN NHIỆM VỤ KỲ TRƯỚC",
    "tasks": "NHIỆM VỤ TRỌNG TÂM",
    "targets": "CHỈ TIÊU",
    "cell_targets": "CHỈ TIÊU GIAO CÁC CHI BỘ",
    "solutions": "GIẢI PHÁP",
    "implementation": "TỔ CHỨC THỰC HIỆN",
}

NOT_ADOPTED = (
    Resolution.Status.DRAFT,
    Resolution.Status.SUBMITTED,
    Resolution.Status.REJECTED,
    Resolution.Status.WITHDRAWN,
)


def signature_of(org: Organisation, document: str) -> Signature:
    """Who signs ``document`` for ``org`` (``chibo.lib.layout.document_signature``): its secretary, or its deputy
    when no secretary is recorded, by the name on their member record; one query."""
    head, deputy = office_holders(org)
    return document_signature(document, is_cell=org.is_cell, head=head, deputy=deputy)


def resolution_document(resolution: Resolution, *, on: dt.date | None = None) -> dict[str, Any]:
    """Every line of the document, prepared as text: two queries (the upper body, the signer).

    ``resolution`` must come from ``load_for_printing`` (tasks, targets and upper resolutions prefetched).
    A resolution not adopted is a draft, dated ``on`` (today by default) and marked "DỰ THẢO"; an adopted one
    is dated the day it was adopted.
    """
    cell = resolution.cell
    parent = Organisation.objects.get_parent(cell)
    is_draft = resolution.status in NOT_ADOPTED
    day = (None if is_draft else resolution.adopted_on) or on or timezone.localdate()
    place = (
        (cell.place_name or place_from_name(cell.name))  # a committee's document: its own place
        if resolution.is_upper
        else (
            (parent.place_name if parent else "")
            or cell.place_name
            or (place_from_name(parent.name) if parent else place_from_name(cell.name))
        )
    )
    tasks = [
        {
            "title": task.title,
            "details": task.details,
            "is_focal": task.is_focal,
            "lead": str(task.lead_label()),
            "supporters": [member.full_name for member in task.supporters.all()],
            "deadline": task.deadline,
        }
        for task in resolution.tasks.all()
    ]
    targets = [
        {"name": target.name, "value": number_text(target.target_value), "unit": target.unit}
        for target in resolution.targets.all()
    ]
    committee = _committee_lines(resolution)
    present = {
        "assessment": bool(resolution.assessment.strip()),
        "tasks": bool(resolution.focal_tasks.strip() or tasks),
        "targets": bool(targets),
        "cell_targets": bool(committee["cell_targets"]),
        "solutions": bool(resolution.solutions.strip()),
        "implementation": bool(resolution.implementation.strip()),
    }
    sections = [{"key": key, "title": title} for key, title in SECTION_TITLES.items() if present[key]]
    for index, section in enumerate(sections, start=1):
        section["numeral"] = roman(index)
    upper_body = party_body_name(parent.name) if parent else ""
    return {
        "upper_body": upper(upper_body),
        "issuing_body": upper(committee_name(cell.name) if resolution.is_upper else cell.name),
        "heading": DOCUMENT_HEADINGS[Resolution.DocumentType(resolution.document_type)],
        **committee,
        "number": resolution.number,
        "place_date": place_and_date(place, day),
        "is_draft": is_draft,
        "subject": _subject(resolution.title, DOCUMENT_HEADINGS[Resolution.DocumentType(resolution.document_type)]),
        "period": str(resolution.period_label()),
        "sections": sections,
        "tasks": tasks,
        "targets": targets,
        "upper_resolutions": [
            f"Nghị quyết số {upper_resolution.number} của {party_body_name(upper_resolution.cell.name)} "
            f"{_about(upper_resolution.title)}"
            for upper_resolution in resolution.upper_resolutions.all()
        ],
        "signature": _committee_signature(cell) if resolution.is_upper else signature_of(cell, RESOLUTION),
        "recipients": [
            *([f"- {committee_name(upper_body)},"] if upper_body else []),
            *(committee["cell_recipients"] if resolution.is_upper else ["- Đảng viên chi bộ,"]),
            "- Lưu.",
        ],
    }


def _committee_lines(resolution: Resolution) -> dict[str, Any]:
    """What a committee's document prints beyond a cell's resolution: the targets it sets each cell (a table),
    the day the cells make it concrete by, the cells it is addressed to (among the recipients). Two queries for
    a committee's document (none when prefetched), none for a cell's resolution."""
    if not resolution.is_upper:
        return {"cell_targets": [], "concretise_line": "", "cell_recipients": []}
    cells = [cell.name for cell in resolution.addressed_cells.all()]
    by = resolution.concretise_by
    return {
        "cell_targets": [
            {"name": target.name, "goal": goal_text(target), "deadline": target.deadline}
            for target in resolution.cell_targets.all()
        ],
        "concretise_line": (
            f"Các chi bộ cụ thể hóa {DOCUMENT_HEADINGS[Resolution.DocumentType(resolution.document_type)].lower()} "
            f"này bằng nghị quyết của chi bộ, xong trước ngày {by:%d/%m/%Y}."
            if by
            else ""
        ),
        "cell_recipients": [f"- Các chi bộ: {', '.join(cells)},"] if cells else ["- Các chi bộ trực thuộc,"],
    }


def _committee_signature(org: Organisation) -> Signature:
    """A committee's document is signed for the committee ("T/M ĐẢNG ỦY") by its secretary, or its deputy."""
    head, deputy = office_holders(org)
    return signature(PARTY_COMMITTEE, head=head, deputy=deputy)


def _subject(title: str, heading: str = "NGHỊ QUYẾT") -> str:
    """The subject line under the document's name: "Về …" under "NGHỊ QUYẾT" (or "CHỈ THỊ", "KẾT LUẬN"); a plan's
    as it is written ("KẾ HOẠCH / Vận động …"). A title that begins with the document's own name does not repeat
    it under the heading ("Kế hoạch vận động …", "Chỉ thị về …")."""
    title = normalize(title)
    is_plan = heading == DOCUMENT_HEADINGS[Resolution.DocumentType.PLAN]
    rest = title[len(heading) + 1 :] if title.casefold().startswith(heading.casefold() + " ") else ""
    if rest and (is_plan or rest.casefold().startswith("về ")):
        title = rest
    if is_plan or title.casefold().startswith("về "):
        return title[:1].upper() + title[1:]
    return f"Về {title}"


def _about(title: str) -> str:
    """ "về …" inside a sentence."""
    subject = _subject(title)
    return subject[:1].lower() + subject[1:]


def resolution_template_context(resolution: Resolution, *, embed_fonts: bool) -> dict[str, Any]:
    with translation.override(DOCUMENT_LANGUAGE):
        doc = resolution_document(resolution)
    return {**document_context(embed_fonts=embed_fonts), "resolution": resolution, "doc": doc}


def render_resolution_pdf(resolution: Resolution) -> bytes:
    """The PDF of a resolution loaded by ``load_for_printing``."""
    context = resolution_template_context(resolution, embed_fonts=True)
    with translation.override(DOCUMENT_LANGUAGE):
        return render_pdf("resolutions/pdf/resolution.html", context)


def pdf_filename(resolution: Resolution) -> str:
    return resolution.number.replace("/", "-").replace("\\", "-") + ".pdf"


def prefetch_for_document(resolutions: list[Resolution]) -> None:
    """What ``resolution_document`` reads: tasks with leads and supporters, targets, upper-level resolutions."""
    prefetch_related_objects(
        resolutions,
        Prefetch(
            "tasks",
            queryset=Task.objects.select_related("lead_member", "lead_mass_organisation").prefetch_related(
                Prefetch("supporters", queryset=Member.objects.only("pk", "full_name", "cell_id").order_by("pk"))
            ),
        ),
        "targets",
        Prefetch("upper_resolutions", queryset=Resolution.objects.select_related("cell").order_by("pk")),
    )


# ---------------------------------------------------------------------------------------------------
# A resolution as .docx
# ---------------------------------------------------------------------------------------------------


def render_resolution_docx(resolution: Resolution) -> bytes:
    """The resolution as an editable Word file, with the lines of its PDF."""
    prefetch_for_document([resolution])
    with translation.override(DOCUMENT_LANGUAGE):
        doc = resolution_document(resolution)
    document = word.new_document()
    word.add_header(
        document,
        upper_body=doc["upper_body"],
        issuing_body=doc["issuing_body"],
        number=doc["number"],
        place_date=doc["place_date"],
    )
    if doc["is_draft"]:
        word.add_paragraph(document, "DỰ THẢO", bold=True, indent=False, align="center")
    subject = [doc["subject"]] + ([doc["period"][:1].upper() + doc["period"][1:]] if doc["period"] else [])
    word.add_title(document, doc["heading"], subject, subject_upper=False)
    texts = {
        "assessment": resolution.assessment,
        "solutions": resolution.solutions,
        "implementation": resolution.implementation,
    }
    for section in doc["sections"]:
        word.add_heading(document, f"{section['numeral']}. {section['title']}")
        key = section["key"]
        if key in texts:
            word.add_text(document, texts[key])
        elif key == "tasks":
            word.add_text(document, resolution.focal_tasks)
            for number, task in enumerate(doc["tasks"], start=1):
                focal = " (nhiệm vụ trọng tâm)" if task["is_focal"] else ""
                word.add_paragraph(
                    document,
                    runs=[(f"{number}. {task['title']}", True, False), (focal, False, True)],
                    keep_with_next=True,
                )
                if task["details"]:
                    word.add_text(document, task["details"])
                supporters = f"; phối hợp: {', '.join(task['supporters'])}" if task["supporters"] else ""
                word.add_paragraph(
                    document,
                    f"Chủ trì: {task['lead']}{supporters}; thời hạn: {task['deadline']:%d/%m/%Y}.",
                )
        else:
            _add_table(document, key, doc)
    if doc["concretise_line"]:
        word.add_paragraph(document, doc["concretise_line"])
    if doc["upper_resolutions"]:
        word.add_paragraph(document, f"Nghị quyết này cụ thể hóa việc thực hiện {'; '.join(doc['upper_resolutions'])}.")
    word.add_signatures(
        document,
        left=[("Nơi nhận:", False), *((line, False) for line in doc["recipients"])],
        right=[
            (doc["signature"].for_line, True),
            (doc["signature"].title, True),
            ("", False),
            ("", False),
            ("", False),
            (doc["signature"].name, True),
        ],
        left_align="left",
        left_underline_first=True,
        left_pt=12,
    )
    return word.to_bytes(document)


def _add_table(document: Any, key: str, doc: dict[str, Any]) -> None:
    """The table of a section of the Word file: a cell's targets, or a committee's targets for each cell."""
    if key == "targets":
        word.add_table(
            document,
            ["TT", "Chỉ tiêu", "Mức chỉ tiêu", "Đơn vị tính"],
            [[str(n), t["name"], t["value"], t["unit"]] for n, t in enumerate(doc["targets"], start=1)],
            widths_mm=[15, 95, 30, 25],
            aligns=["center", "left", "right", "left"],
        )
    elif key == "cell_targets":
        word.add_table(
            document,
            ["TT", "Chỉ tiêu", "Mức mỗi chi bộ", "Thời hạn"],
            [
                [str(n), t["name"], t["goal"], f"{t['deadline']:%d/%m/%Y}"]
                for n, t in enumerate(doc["cell_targets"], start=1)
            ],
            widths_mm=[15, 95, 30, 25],
            aligns=["center", "left", "right", "center"],
        )


def resolution_docx_filename(resolution: Resolution) -> str:
    return resolution.number.replace("/", "-").replace("\\", "-") + ".docx"
