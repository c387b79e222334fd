"""The results of a year's evaluation as a party document: the members with their level, the counts per level,
the cell's own level and its emulation score.

``results_document`` prepares every line as text; the words of the form and the names of the levels are the
official Vietnamese text, so they are written here as they print. Before the upper level has approved, the
document shows the proposed levels and is marked "DỰ THẢO".
"""

from __future__ import annotations

from typing import Any

from django.db.models import Sum
from django.utils import timezone, translation

from chibo.lib.layout import (
    EVALUATION_REPORT,
    REPORT,
    blank_number,
    committee_name,
    party_body_name,
    percent,
    place_and_date,
    place_from_name,
    upper,
)
from chibo.lib.pdf import render_pdf
from evaluations.models import EmulationCriterion, EvaluationCycle, Level, MemberEvaluation
from evaluations.rules import exclusion_label
from evaluations.services import classification_roll
from members.models import Organisation
from resolutions.documents import signature_of

LEVEL_TEXT: dict[str, str] = {
    Level.EXCELLENT: "Hoàn thành xuất sắc nhiệm vụ",
    Level.GOOD: "Hoàn thành tốt nhiệm vụ",
    Level.DONE: "Hoàn thành nhiệm vụ",
    Level.NOT_DONE: "Không hoàn thành nhiệm vụ",
}


def _percent(part: int, whole: int) -> str:
    """ "66,7%": a level's share of the members classified, to one decimal as the results write it."""
    share = percent(part, whole, places=1)
    return "—" if share is None else f"{share}%".replace(".", ",")


def results_document(cycle: EvaluationCycle) -> dict[str, Any]:
    """Every line of the results, in six queries whatever the size of the cell."""
    cell = cycle.cell
    parent = Organisation.objects.get_parent(cell)
    closed = cycle.is_closed
    excluded = {entry.member.pk: entry.exclusion for entry in classification_roll(cell, cycle.year) if entry.exclusion}
    evaluations = list(
        MemberEvaluation.objects.filter(cycle=cycle).select_related("member").order_by("member__search_name", "pk")
    )
    rows, unclassified = [], []
    for evaluation in evaluations:
        level = evaluation.approved_level if closed else evaluation.proposed_level
        if evaluation.member_id in excluded:
            with translation.override("vi"):
                reason = exclusion_label(excluded[evaluation.member_id])
            unclassified.append({"name": evaluation.member.full_name, "reason": reason})
            continue
        rows.append({"name": evaluation.member.full_name, "level": LEVEL_TEXT.get(level, "Chưa xếp loại")})
    classified = len(rows)
    levels = [e.approved_level if closed else e.proposed_level for e in evaluations if e.member_id not in excluded]
    counts = [
        {"label": text, "count": levels.count(value), "percent": _percent(levels.count(value), classified)}
        for value, text in LEVEL_TEXT.items()
    ]
    cell_level = cycle.cell_approved_level if closed else cycle.cell_proposed_level
    emulation = EmulationCriterion.objects.filter(cycle=cycle).aggregate(points=Sum("max_points"), score=Sum("score"))
    day = cycle.approved_at.astimezone(timezone.get_current_timezone()).date() if cycle.approved_at else None
    day = day or timezone.localdate()
    place = (
        (parent.place_name if parent else "")
        or cell.place_name
        or place_from_name(parent.name if parent else cell.name)
    )
    upper_body = party_body_name(parent.name) if parent else ""
    return {
        "upper_body": upper(upper_body),
        "issuing_body": upper(cell.name),
        "number": cycle.report_number or blank_number(REPORT, is_cell=True),
        "numbered_by_hand": not cycle.report_number,
        "place_date": place_and_date(place, day),
        "is_draft": not closed,
        "subject": f"Kết quả đánh giá, xếp loại chất lượng đảng viên và chi bộ năm {cycle.year}",
        "year": cycle.year,
        "total": len(evaluations),
        "classified": classified,
        "rows": rows,
        "unclassified": unclassified,
        "counts": counts,
        "cell_level": LEVEL_TEXT.get(cell_level, "Chưa xếp loại"),
        "emulation": emulation if emulation["points"] or emulation["score"] else None,
        "signature": signature_of(cell, EVALUATION_REPORT),
        "recipients": [*([f"- {committee_name(upper_body)},"] if upper_body else []), "- Lưu."],
    }


def render_results_pdf(cycle: EvaluationCycle) -> bytes:
    with translation.override("vi"):
        return render_pdf("evaluations/pdf/results.html", {"doc": results_document(cycle)})


def results_filename(cycle: EvaluationCycle) -> str:
    return f"xep-loai-{cycle.year}-{cycle.cell.code}.pdf".replace("/", "-")
