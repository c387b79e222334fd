"""The meeting's documents: the minutes (PDF, print page, .docx) and the meeting pack.

Each document is a pure function of what ``minutes_context`` (or ``resolution_document``) reads: the reading
is done once, in a fixed number of queries, and the PDF template, the print page and the Word file all show
the same prepared lines. The fixed words of the official form ("BIÊN BẢN", "THƯ KÝ", "CHỦ TRÌ") are the
Vietnamese text of the form, not interface strings, so they are written here and in the templates as they print.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from chibo.lib import docx as word
from chibo.lib.layout import (
    MEETING_PACK,
    committee_name,
    date_line,
    document_context,
    minutes_signatures,
    number_text,
    party_body_name,
    percent,
    place_and_date,
    place_from_name,
    roman,
    upper,
)
from chibo.lib.pdf import render_pdf
from meetings.models import AgendaItem, Meeting, MonthlyReview
from meetings.services import attendance_roll, review_snapshot, reviewable_resolutions
from members.models import Member, Organisation, Role
from resolutions.documents import DOCUMENT_LANGUAGE, prefetch_for_document, resolution_document, signature_of
from resolutions.models import Resolution, Task

# Where each part of the proceedings is written: under the first agenda item whose title has one of these
# words (the official order of business names them), or after the agenda items when no item does.
SLOTS: dict[str, tuple[tuple[str, ...], str]] = {
    "review": (("tháng trước", "sơ kết"), "Đánh giá tình hình thực hiện nghị quyết"),
    "discussion": (("thảo luận",), "Thảo luận"),
    "vote": (("biểu quyết",), "Biểu quyết"),
    "conclusion": (("kết luận", "bế mạc"), "Kết luận"),
}

POSITIONS = {
    Role.Kind.SECRETARY: "Bí thư chi bộ",
    Role.Kind.DEPUTY: "Phó Bí thư chi bộ",
    Role.Kind.COMMITTEE: "Chi ủy viên",
}

REVIEW_TEXTS = (
    ("results", "Kết quả đạt được"),
    ("shortcomings", "Hạn chế, khuyết điểm"),
    ("causes", "Nguyên nhân"),
    ("lessons", "Bài học kinh nghiệm"),
    ("next_programme", "Chương trình công tác tháng tới"),
)

# The resolutions a meeting pack carries: drafts not yet adopted.
PACK_STATUSES = (Resolution.Status.DRAFT, Resolution.Status.SUBMITTED)


def clock(value: dt.time | None) -> str:
    """ "19 giờ 30 phút"; dots for the recorder to fill in by hand when the time is not recorded."""
    if value is None:
        return "… giờ … phút"
    return f"{value.hour:02d} giờ {value.minute:02d} phút"


def _day(value: str | None) -> str:
    return dt.date.fromisoformat(value).strftime("%d/%m/%Y") if value else ""


def _account_name(user: Any) -> str:
    """The name of a login account: its member's name when it has one."""
    if user is None:
        return ""
    member = getattr(user, "member", None)  # None also when the account has no member record
    return (member.full_name if member else "") or user.get_full_name() or user.get_username()


def _comrade(name: str, position: str = "") -> str:
    if not name:
        return ""
    return f"đồng chí {name}" + (f", {position}" if position else "")


def _slot_of(title: str) -> str | None:
    folded = title.casefold()
    for slot, (words, _title) in SLOTS.items():
        if any(word in folded for word in words):
            return slot
    return None


def _task_row(task: dict[str, Any]) -> dict[str, str]:
    status = task.get("status") or ""
    label = str(Task.Status(status).label) if status in Task.Status.values else task.get("status_label", "")
    late = task.get("days_late") or 0
    if task.get("overdue"):
        lateness = f"Quá hạn {late} ngày"
    elif late:
        lateness = f"Trễ {late} ngày"
    else:
        lateness = ""
    return {
        "title": task.get("title", ""),
        "lead": task.get("lead", ""),
        "deadline": _day(task.get("deadline")),
        "status": label,
        "progress": f"{task.get('progress', 0)}%",
        "lateness": lateness,
    }


def _summary_line(summary: dict[str, int]) -> str:
    if not summary:
        return ""
    return (
        f"Tổng số nhiệm vụ: {summary.get('total', 0)}; hoàn thành đúng hạn: {summary.get('done', 0)}; "
        f"hoàn thành trễ hạn: {summary.get('done_late', 0)}; quá hạn: {summary.get('overdue', 0)}; "
        f"chưa thực hiện: {summary.get('not_started', 0)}; không đạt: {summary.get('not_met', 0)}."
    )


def _place(cell: Organisation, parent: Organisation | None) -> str:
    return (
        (parent.place_name if parent else "")
        or cell.place_name
        or (place_from_name(parent.name) if parent else place_from_name(cell.name))
    )


def minutes_context(meeting: Meeting) -> dict[str, Any]:
    """Everything the minutes show, prepared as text, in nine queries whatever the size of the cell.

    1 the meeting with its cell, chair, recorder and the ward member in charge, 2 the cell's parent,
    3 the chair's and recorder's positions in the cell (left out when neither has a login account),
    4 agenda items, 5 opinions raised with their speakers, 6 public opinion raised at the meeting,
    7 the attendance roll, 8 the monthly reviews with their resolutions, 9 the votes with their resolutions.
    """
    with translation.override(DOCUMENT_LANGUAGE):
        return _minutes_context(meeting)


def _minutes_context(meeting: Meeting) -> dict[str, Any]:
    meeting = Meeting.objects.select_related("cell", "chair", "recorder", "guest_in_charge__member").get(pk=meeting.pk)
    cell = meeting.cell
    parent = Organisation.objects.get_parent(cell)
    upper_body = party_body_name(parent.name) if parent else ""
    chair, recorder, guests = _minutes_people(meeting)
    attendance = _minutes_attendance(meeting)

    # --- proceedings ----------------------------------------------------------------------------------
    agenda = list(meeting.agenda_items.all())
    speeches = _speeches_by_item(meeting)
    opinions = [
        {"source": opinion.source, "content": opinion.content, "response": opinion.response}
        for opinion in meeting.opinions.order_by("received_on", "pk")
    ]
    reviews = [
        _review_doc(review.resolution, review.snapshot or {}, review)
        for review in meeting.reviews.select_related("resolution").order_by("resolution__period_start", "pk")
    ]
    votes = _minutes_votes(meeting)
    content = {
        "review": bool(reviews),
        "discussion": bool(speeches.get(None) or opinions or meeting.criticism.strip()),
        "vote": bool(votes),
        "conclusion": bool(meeting.conclusion.strip() or meeting.decisions.strip()),
    }
    month = f"{meeting.date.month:02d}"
    subject, kind_words = _minutes_subject(meeting)
    doc = {
        "meeting": meeting,
        "upper_body": upper(upper_body),
        "issuing_body": upper(cell.name),
        "place_date": place_and_date(_place(cell, parent), meeting.date),
        "document_type": "BIÊN BẢN",
        "subject": subject,
        "title_line": f"BIÊN BẢN {subject}",
        "opening": (
            f"Vào lúc {clock(meeting.opened_at or meeting.starts_at)}, {date_line(meeting.date)}, {cell.name} "
            f"tiến hành {kind_words} tháng {month} năm {meeting.date.year}."
        ),
        "place": meeting.place.strip(),
        "chair": chair,
        "recorder": recorder,
        "guests": guests,
        "attendance": attendance,
        "items": _minutes_items(agenda, speeches, content),
        "loose_speeches": speeches.get(None, []),  # raised outside any item (or under an item since deleted)
        "opinions": opinions,
        "criticism": meeting.criticism.strip(),
        "reviews": reviews,
        "votes": votes,
        "conclusion": meeting.conclusion.strip(),
        "decisions": meeting.decisions.strip(),
        "approved": meeting.status == Meeting.Status.APPROVED,
        # The time it really closed, never the planned end: dots to fill in by hand when it was not recorded.
        "closing": f"Buổi sinh hoạt kết thúc lúc {clock(meeting.closed_at)} cùng ngày.",
        "sections": {"time": roman(1), "people": roman(2), "content": roman(3)},
    }
    doc["people"] = _people_lines(doc)
    doc["signatures"] = minutes_signatures(recorder=recorder["name"], chair=chair["name"])
    return doc


def _minutes_people(meeting: Meeting) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """The chair and the recorder, each with their highest position in the cell, and the guests."""
    users = [m.user_id for m in (meeting.chair, meeting.recorder) if m is not None and m.user_id]
    positions: dict[int, str] = {}  # user id → the highest position held in the cell
    if users:
        rank = list(POSITIONS)
        roles = Role.objects.filter(user_id__in=users, organisation=meeting.cell, kind__in=rank)
        for user_id, kind in sorted(
            roles.values_list("user_id", "kind"), key=lambda role: rank.index(Role.Kind(role[1])), reverse=True
        ):
            positions[user_id] = POSITIONS[Role.Kind(kind)]

    def person(member: Member | None) -> dict[str, str]:
        if member is None:
            return {"name": "", "position": "", "line": ""}
        position = positions.get(member.user_id, "") if member.user_id else ""
        return {"name": member.full_name, "position": position, "line": _comrade(member.full_name, position)}

    guests = []
    if meeting.guest_in_charge_id:
        guests.append(_comrade(_account_name(meeting.guest_in_charge), "Đảng ủy viên phụ trách chi bộ"))
    if meeting.other_guests.strip():
        guests.append(meeting.other_guests.strip())
    return person(meeting.chair), person(meeting.recorder), guests


def _minutes_attendance(meeting: Meeting) -> dict[str, Any]:
    """The counts of the attendance roll and who was absent, with or without a reason."""
    roll = attendance_roll(meeting)
    counts = roll.counts
    return {
        "total": counts.total,
        "official": counts.official,
        "probationary": counts.probationary,
        "exempt": counts.exempt_members,
        "exempt_attended": counts.exempt_attended,
        "away": counts.away,
        "expected": counts.expected,
        "attended": counts.attended,
        "late": counts.late,
        "rate": counts.rate,
        "absent_with_reason": counts.absent_with_reason,
        "absent_without_reason": counts.absent_without_reason,
        "with_reason": [
            {"name": row.member.full_name, "reason": row.reason.strip()} for row in roll.absent_with_reason
        ],
        "without_reason": [row.member.full_name for row in roll.absent_without_reason],
    }


def _speeches_by_item(meeting: Meeting) -> dict[int | None, list[dict[str, str]]]:
    """The opinions raised, by agenda item (``None``: outside any item), each with its speaker."""
    speeches: dict[int | None, list[dict[str, str]]] = {}
    for speech in meeting.speeches.select_related("speaker").order_by("order", "pk"):
        name = speech.speaker.full_name if speech.speaker is not None else speech.speaker_name
        speaker = f"Đồng chí {name}" if speech.speaker is not None else name
        speeches.setdefault(speech.agenda_item_id, []).append({"speaker": speaker, "content": speech.content})
    return speeches


def _minutes_votes(meeting: Meeting) -> list[dict[str, Any]]:
    """The votes taken at the meeting, with the lines the minutes write for each."""
    votes: list[dict[str, Any]] = []
    for vote in meeting.votes.select_related("resolution").order_by("pk"):
        votes.append(
            {
                "resolution": _resolution_name(vote.resolution),
                "entitled": vote.entitled_count,
                "for": vote.votes_for,
                "for_percent": number_text(percent(vote.votes_for, vote.entitled_count)),  # "66,67"
                "against": vote.votes_against,
                "abstain": vote.votes_abstain,
                "adopted": vote.adopted,
                "dissent": vote.dissent.strip(),
            }
        )
    for row in votes:
        row["lines"] = _vote_lines(row)
    return votes


def _minutes_items(
    agenda: list[AgendaItem], speeches: dict[int | None, list[dict[str, str]]], content: dict[str, bool]
) -> list[dict[str, Any]]:
    """The agenda items in order, each part of the proceedings under the first item that names it (``SLOTS``),
    and after them a heading for each part that has something to say and no item of its own."""
    items = []
    claimed: set[str] = set()
    for item in agenda:
        slot = _slot_of(item.title)
        if slot in claimed:
            slot = None
        if slot:
            claimed.add(slot)
        items.append({"title": item.title, "notes": item.notes, "speeches": speeches.get(item.pk, []), "slot": slot})
    for slot, (_words, title) in SLOTS.items():
        if slot not in claimed and content[slot]:
            items.append({"title": title, "notes": "", "speeches": [], "slot": slot})
    return items


def _minutes_subject(meeting: Meeting) -> tuple[str, str]:
    """The subject line of the minutes and the words the opening names the meeting with."""
    month = f"{meeting.date.month:02d}"
    if meeting.kind == Meeting.Kind.THEMATIC:
        return f"SINH HOẠT CHUYÊN ĐỀ THÁNG {month} NĂM {meeting.date.year}", "sinh hoạt chuyên đề"
    kind_words = "sinh hoạt chi bộ thường kỳ"
    if meeting.combined_with_thematic:
        kind_words += " kết hợp sinh hoạt chuyên đề"
    return f"SINH HOẠT CHI BỘ THÁNG {month} NĂM {meeting.date.year}", kind_words


def _review_doc(resolution: Resolution, snapshot: dict[str, Any], review: MonthlyReview | None) -> dict[str, Any]:
    """A monthly review as the documents show it: its figures as frozen (or as they stand, for one not yet
    written) and the cell's texts."""
    day = _day(snapshot.get("day"))
    name = _resolution_name(resolution)
    return {
        "resolution": name,
        "heading": f"Sơ kết việc thực hiện {name}" + (f" (số liệu đến ngày {day})" if day else "") + ":",
        "tasks": [_task_row(task) for task in snapshot.get("tasks", [])],
        "targets": [
            {
                "name": target.get("name", ""),
                "unit": target.get("unit", ""),
                "target": number_text(Decimal(target["target_value"])) if target.get("target_value") else "",
                "actual": number_text(Decimal(target["actual_value"])) if target.get("actual_value") else "",
            }
            for target in snapshot.get("targets", [])
        ],
        "summary": _summary_line(snapshot.get("summary") or {}),
        "texts": [
            {"title": title, "text": getattr(review, field)}
            for field, title in REVIEW_TEXTS
            if review is not None and getattr(review, field).strip()
        ],
    }


def _resolution_name(resolution: Resolution) -> str:
    title = " ".join(resolution.title.split())
    about = title if title.casefold().startswith("về ") else f"về {title}"
    return f"Nghị quyết số {resolution.number} {about[:1].lower()}{about[1:]}"


# ---------------------------------------------------------------------------------------------------
# The minutes
# ---------------------------------------------------------------------------------------------------


def minutes_template_context(meeting: Meeting, *, embed_fonts: bool) -> dict[str, Any]:
    return {**document_context(embed_fonts=embed_fonts), "doc": minutes_context(meeting)}


def render_minutes_pdf(meeting: Meeting) -> bytes:
    """The minutes (biên bản sinh hoạt chi bộ) as a PDF in the party layout."""
    context = minutes_template_context(meeting, embed_fonts=True)
    with translation.override(DOCUMENT_LANGUAGE):
        return render_pdf("meetings/pdf/minutes.html", context)


def minutes_filename(meeting: Meeting, suffix: str) -> str:
    return f"bien-ban-{meeting.date:%Y-%m-%d}.{suffix}"


def render_minutes_docx(meeting: Meeting) -> bytes:
    """The minutes as an editable Word file with the same lines as the PDF."""
    doc = minutes_context(meeting)
    document = word.new_document()
    word.add_header(
        document,
        upper_body=doc["upper_body"],
        issuing_body=doc["issuing_body"],
        number="",
        place_date=doc["place_date"],
    )
    word.add_title(document, doc["document_type"], [doc["subject"]])

    sections = doc["sections"]
    word.add_heading(document, f"{sections['time']}. THỜI GIAN, ĐỊA ĐIỂM")
    word.add_paragraph(document, doc["opening"])
    if doc["place"]:
        word.add_paragraph(document, f"Địa điểm: {doc['place']}.")

    word.add_heading(document, f"{sections['people']}. THÀNH PHẦN")
    for line in doc["people"]:
        word.add_paragraph(document, line)

    word.add_heading(document, f"{sections['content']}. NỘI DUNG")
    for number, item in enumerate(doc["items"], start=1):
        word.add_subheading(document, f"{number}. {item['title']}")
        if item["notes"].strip():
            word.add_text(document, item["notes"])
        _docx_speeches(document, item["speeches"])
        if item["slot"] == "review":
            for review in doc["reviews"]:
                _docx_review(document, review)
        elif item["slot"] == "discussion":
            _docx_speeches(document, doc["loose_speeches"])
            if doc["opinions"]:
                _lead_in(document, "Dư luận nhân dân được nêu tại buổi sinh hoạt:")
                for opinion in doc["opinions"]:
                    line = f"- {opinion['source']}: {opinion['content']}"
                    if opinion["response"]:
                        line += f" Hướng xử lý: {opinion['response']}"
                    word.add_paragraph(document, line)
            if doc["criticism"]:
                _lead_in(document, "Phê bình và tự phê bình:")
                word.add_text(document, doc["criticism"])
        elif item["slot"] == "vote":
            for vote in doc["votes"]:
                for number, line in enumerate(vote["lines"], start=1):
                    word.add_paragraph(document, line, keep_with_next=number < len(vote["lines"]))
        elif item["slot"] == "conclusion":
            if doc["conclusion"]:
                _lead_in(document, "Kết luận của đồng chí chủ trì:")
                word.add_text(document, doc["conclusion"])
            if doc["decisions"]:
                _lead_in(document, "Chi bộ thống nhất quyết định:")
                word.add_text(document, doc["decisions"])

    word.add_paragraph(document, doc["closing"])
    if doc["approved"]:
        word.add_paragraph(document, "Biên bản đã được thông qua trước chi bộ; các đảng viên dự họp nhất trí.")
    recorder, chair = doc["signatures"]
    word.add_signatures(
        document,
        left=[(recorder.title, True), ("", False), ("", False), ("", False), (recorder.name, True)],
        right=[(chair.title, True), ("", False), ("", False), ("", False), (chair.name, True)],
    )
    return word.to_bytes(document)


def _people_lines(doc: dict[str, Any]) -> list[str]:
    """Section II as lines of text, the same in the PDF, the print page and the Word file."""
    att = doc["attendance"]
    lines = [
        f"- Chủ trì: {doc['chair']['line'] or '…'}.",
        f"- Thư ký: {doc['recorder']['line'] or '…'}.",
    ]
    if doc["guests"]:
        lines.append(f"- Đại biểu dự: {'; '.join(doc['guests'])}.")
    lines.append(
        f"- Tổng số đảng viên của chi bộ: {att['total']}; chính thức: {att['official']}; dự bị: {att['probationary']}; "
        f"miễn sinh hoạt: {att['exempt']} (dự họp: {att['exempt_attended']}); vắng địa phương: {att['away']}."
    )
    present = f"- Có mặt: {att['attended']}"
    if att["late"]:
        present += f" (đi muộn {att['late']})"
    if att["rate"] is not None:
        present += f"; đạt {att['rate']}% số đảng viên phải dự sinh hoạt"
    lines.append(present + ".")
    with_reason = f"- Vắng có lý do: {att['absent_with_reason']}"
    if att["with_reason"]:
        with_reason += " (" + "; ".join(_absentee(a) for a in att["with_reason"]) + ")"
    lines.append(with_reason + ".")
    without_reason = f"- Vắng không lý do: {att['absent_without_reason']}"
    if att["without_reason"]:
        without_reason += " (" + "; ".join(f"đồng chí {name}" for name in att["without_reason"]) + ")"
    lines.append(without_reason + ".")
    return lines


def _absentee(absentee: dict[str, str]) -> str:
    line = f"đồng chí {absentee['name']}"
    return f"{line}, lý do: {absentee['reason']}" if absentee["reason"] else line


def _vote_lines(vote: dict[str, Any]) -> list[str]:
    share = f" ({vote['for_percent']}%)" if vote["for_percent"] else ""
    # The Charter computation (art. 10): adopted only when those for are more than half of those entitled.
    half = "quá nửa" if vote["adopted"] else "không quá nửa"
    outcome = "nghị quyết được thông qua" if vote["adopted"] else "nghị quyết không được thông qua"
    lines = [
        f"Biểu quyết thông qua {vote['resolution']}:",
        f"Tổng số đảng viên chính thức có quyền biểu quyết: {vote['entitled']}; tán thành: {vote['for']}{share}; "
        f"không tán thành: {vote['against']}; không biểu quyết: {vote['abstain']}.",
        f"Kết quả: {vote['for']}/{vote['entitled']} đảng viên chính thức có quyền biểu quyết tán thành, {half} "
        f"(Điều 10 Điều lệ Đảng); {outcome}.",
    ]
    if vote["dissent"]:
        lines.append(f"Ý kiến khác: {vote['dissent']}")
    return lines


def _lead_in(document: Any, text: str) -> None:
    word.add_paragraph(document, text, bold=True, italic=True, keep_with_next=True)


def _docx_speeches(document: Any, speeches: list[dict[str, str]]) -> None:
    for speech in speeches:
        word.add_paragraph(document, runs=[(f"{speech['speaker']}: ", True, False), (speech["content"], False, False)])


def _docx_review(document: Any, review: dict[str, Any]) -> None:
    word.add_paragraph(document, review["heading"], bold=True, keep_with_next=True)
    if review["summary"]:
        word.add_paragraph(document, review["summary"])
    if review["tasks"]:
        word.add_table(
            document,
            ["TT", "Nhiệm vụ", "Chủ trì", "Thời hạn", "Tình trạng", "Tiến độ", "Trễ hạn"],
            [
                [str(n), t["title"], t["lead"], t["deadline"], t["status"], t["progress"], t["lateness"]]
                for n, t in enumerate(review["tasks"], start=1)
            ],
            widths_mm=[9, 45, 27, 24, 22, 16, 22],
            aligns=["center", "left", "left", "center", "left", "right", "left"],
        )
    if review["targets"]:
        word.add_table(
            document,
            ["TT", "Chỉ tiêu", "Mức chỉ tiêu", "Thực hiện", "Đơn vị tính"],
            [
                [str(n), t["name"], t["target"], t["actual"], t["unit"]]
                for n, t in enumerate(review["targets"], start=1)
            ],
            widths_mm=[9, 76, 27, 27, 26],
            aligns=["center", "left", "right", "right", "left"],
        )
    for text in review["texts"]:
        _lead_in(document, f"{text['title']}:")
        word.add_text(document, text["text"])


# ---------------------------------------------------------------------------------------------------
# The meeting pack: the agenda, the draft resolution(s) and last month's review, one PDF to post for members
# ---------------------------------------------------------------------------------------------------


def pack_resolutions(meeting: Meeting) -> list[Resolution]:
    """The drafts submitted to the meeting: the cell's resolutions not yet adopted whose period has not ended."""
    drafts = list(
        Resolution.objects.select_related("cell")
        .filter(cell_id=meeting.cell_id, status__in=PACK_STATUSES, period_end__gte=meeting.date)
        .order_by("period_start", "pk")
    )
    prefetch_for_document(drafts)
    return drafts


def pack_reviews(meeting: Meeting, day: dt.date) -> list[dict[str, Any]]:
    """The review of last month's resolution(s) the meeting holds: the one written for it, else the figures as
    they stand on ``day``. Resolutions adopted at this very meeting are not yet reviewed."""
    adopted_here = set(meeting.votes.values_list("resolution_id", flat=True))
    written = {review.resolution_id: review for review in meeting.reviews.all()}
    reviews = []
    for resolution in reviewable_resolutions(meeting):
        if resolution.pk in adopted_here:
            continue
        review = written.get(resolution.pk)
        snapshot = review.snapshot if review is not None else review_snapshot(resolution, min(day, meeting.date))
        reviews.append(_review_doc(resolution, snapshot, review))
    return reviews


def _article(html: SafeString) -> SafeString:
    """The ``<article>`` of a rendered party document: the whole document without its page wrapper.

    Stored texts are plain and escaped when shown (the ``paragraphs`` filter), so the first opening and the
    last closing ``article`` tag are the template's own."""
    start = html.index("<article")
    end = html.rindex("</article>") + len("</article>")
    return mark_safe(html[start:end])  # a slice of a template's output, escaped when it was rendered


def meeting_pack_context(meeting: Meeting, *, on: dt.date | None = None) -> dict[str, Any]:
    with translation.override(DOCUMENT_LANGUAGE):
        meeting = Meeting.objects.select_related("cell", "guest_in_charge__member").get(pk=meeting.pk)
        cell = meeting.cell
        parent = Organisation.objects.get_parent(cell)
        upper_body = party_body_name(parent.name) if parent else ""
        # Dated the day it is made, and never after the meeting it prepares.
        day = on or min(timezone.localdate(), meeting.date)
        drafts = pack_resolutions(meeting)
        parts = []
        for resolution in drafts:
            doc = resolution_document(resolution, on=day)
            html = render_to_string(
                "resolutions/pdf/resolution.html",
                {**document_context(embed_fonts=False), "resolution": resolution, "doc": doc},
            )
            parts.append(_article(html))
        reviews = pack_reviews(meeting, day)
        month = f"{meeting.date.month:02d}"
        kind = "chuyên đề" if meeting.kind == Meeting.Kind.THEMATIC else "chi bộ"
        subject = f"Sinh hoạt {kind} tháng {month} năm {meeting.date.year}"
        common = {
            "upper_body": upper(upper_body),
            "issuing_body": upper(cell.name),
            "place_date": place_and_date(_place(cell, parent), day),
            "signature": signature_of(cell, MEETING_PACK),
            "recipients": [
                "- Đảng viên chi bộ,",
                *([f"- {committee_name(upper_body)} (để b/c),"] if upper_body else []),
                "- Lưu.",
            ],
        }
        if reviews:
            html = render_to_string(
                "meetings/pdf/pack_review.html",
                {
                    **document_context(embed_fonts=False),
                    "doc": {**common, "subject": f"Sơ kết việc thực hiện nghị quyết, trình buổi {subject.lower()}"},
                    "reviews": reviews,
                },
            )
            parts.insert(0, _article(html))
        guests = []
        if meeting.guest_in_charge_id:
            guests.append(_comrade(_account_name(meeting.guest_in_charge), "Đảng ủy viên phụ trách chi bộ"))
        if meeting.other_guests.strip():
            guests.append(meeting.other_guests.strip())
        return {
            "doc": {
                **common,
                "subject": subject,
                "when": f"{clock(meeting.starts_at)}, {date_line(meeting.date)}",
                "place": meeting.place.strip(),
                "guests": guests,
                "agenda": [item.title for item in meeting.agenda_items.all()],
                "drafts": [_resolution_name(r) for r in drafts],
                "reviews": [review["resolution"] for review in reviews],
            },
            "parts": parts,
        }


def render_meeting_pack_pdf(meeting: Meeting, *, on: dt.date | None = None) -> bytes:
    """The agenda, last month's review and each draft resolution, each document paged on its own, as one PDF."""
    context = {**document_context(embed_fonts=True), **meeting_pack_context(meeting, on=on)}
    with translation.override(DOCUMENT_LANGUAGE):
        return render_pdf("meetings/pdf/meeting_pack.html", context)
