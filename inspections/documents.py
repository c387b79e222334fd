"""The notice of conclusion (thông báo kết luận kiểm tra / giám sát) in the official party layout.

``conclusion_document`` prepares every line as text in a fixed number of queries; the template only places them.
The fixed words of the form are the Vietnamese text of the document, not interface strings.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation

from chibo.lib.layout import (
    CELL_COMMITTEE,
    INSPECTION_COMMITTEE,
    PARTY_COMMITTEE,
    STANDING_COMMITTEE,
    committee_name,
    date_line,
    party_body_name,
    place_and_date,
    place_from_name,
    signature,
    upper,
)
from chibo.lib.pdf import render_pdf
from chibo.lib.text import normalize
from inspections.models import Inspection
from members.models import Organisation, office_holders

B = Inspection.Body
DOCUMENT_LANGUAGE = "vi"

CONCLUSIONS: dict[str, str] = {
    Inspection.Conclusion.GOOD: "Tốt",
    Inspection.Conclusion.SATISFACTORY: "Đạt",
    Inspection.Conclusion.SHORTCOMINGS: "Có khuyết điểm",
    Inspection.Conclusion.VIOLATION: "Có vi phạm",
}
ACTIVITIES: dict[str, str] = {Inspection.Activity.INSPECTION: "kiểm tra", Inspection.Activity.SUPERVISION: "giám sát"}
MODES: dict[str, str] = {
    Inspection.Mode.REGULAR: "thường xuyên",
    Inspection.Mode.PERIODIC: "định kỳ",
    Inspection.Mode.THEMATIC: "chuyên đề",
    Inspection.Mode.AD_HOC: "khi có dấu hiệu vi phạm",
}


def _day(value: Any) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _bodies(inspection: Inspection, parent: Organisation | None) -> dict[str, str]:
    """The header's two lines, the body's name in a sentence, and the body that signs (``layout.SIGNING_BODIES``)."""
    org = inspection.body_org
    upper_of_org = party_body_name(parent.name) if parent else ""
    committee = committee_name(org.name)
    if inspection.body == B.CELL_COMMITTEE:
        return {
            "upper_body": upper_of_org,
            "issuing_body": org.name,
            "sentence": f"Chi ủy {org.name[:1].lower()}{org.name[1:]}",
            "signer": CELL_COMMITTEE,
        }
    if inspection.body == B.INSPECTION_COMMITTEE:
        return {
            "upper_body": committee,
            "issuing_body": "Ủy ban Kiểm tra",
            "sentence": f"Ủy ban Kiểm tra {committee}",
            "signer": INSPECTION_COMMITTEE,
        }
    if inspection.body == B.STANDING_COMMITTEE:
        return {
            "upper_body": upper_of_org,
            "issuing_body": committee,
            "sentence": f"Ban Thường vụ {committee}",
            "signer": STANDING_COMMITTEE,
        }
    return {
        "upper_body": upper_of_org,
        "issuing_body": committee,
        "sentence": committee,
        "signer": PARTY_COMMITTEE,
    }


def _paragraphs(text: str) -> list[str]:
    return [normalize(line) for line in (text or "").splitlines() if line.strip()]


def conclusion_document(inspection: Inspection) -> dict[str, Any]:
    """Every line of the notice: two queries (the body organisation's parent, its secretary and deputy).
    ``inspection`` comes with its subject and body organisations and subject member loaded.

    The secretary of the cell (for its committee) or of the party committee (for the committee or its standing
    committee) signs, or the deputy when no secretary is recorded; the product keeps no role for the chairman of an
    inspection committee, so that notice leaves the name to be written by hand."""
    parent = Organisation.objects.get_parent(inspection.body_org)
    bodies = _bodies(inspection, parent)
    head, deputy = ("", "") if inspection.body == B.INSPECTION_COMMITTEE else office_holders(inspection.body_org)
    activity = ACTIVITIES[inspection.activity]
    if (member := inspection.subject_member) is not None:
        subject = f"đồng chí {member.full_name}, đảng viên {inspection.subject_org.name}"
    else:
        subject = inspection.subject_org.name
    place = (
        inspection.body_org.place_name
        or (parent.place_name if parent else "")
        or place_from_name(parent.name if parent and inspection.body_org.is_cell else inspection.body_org.name)
    )
    concluded_on = inspection.actual_end
    period = ""
    if inspection.period_from and inspection.period_to:
        period = f" (thời kỳ {activity} từ ngày {_day(inspection.period_from)} đến ngày {_day(inspection.period_to)})"
    team = inspection.team_names
    started = inspection.actual_start or inspection.planned_start
    opening = (
        f"Thực hiện kế hoạch {activity} {MODES[inspection.mode]}, từ ngày {_day(started)} đến ngày "
        f"{_day(concluded_on)}, {bodies['sentence']} đã tiến hành {activity} đối với {subject} "
        f"về {normalize(inspection.title)}{period}."
    )
    recipients = [f"- {subject[:1].upper()}{subject[1:]} (thực hiện),"]
    if parent:
        recipients.append(f"- {committee_name(parent.name)} (báo cáo),")
    recipients.append("- Lưu.")
    return {
        "upper_body": upper(bodies["upper_body"]),
        "issuing_body": upper(bodies["issuing_body"]),
        "number": inspection.number,
        "place_date": place_and_date(place, concluded_on) if concluded_on else "",
        "document_type": f"THÔNG BÁO KẾT LUẬN {activity.upper()}",
        "subject": f"Đối với {subject}",
        "opening": opening,
        "team": team,
        "considered": f"Xét báo cáo kết quả {activity} của Đoàn {activity}, {bodies['sentence']} kết luận như sau:",
        "findings": _paragraphs(inspection.findings),
        "conclusion": CONCLUSIONS.get(inspection.conclusion, ""),
        "recommendations": _paragraphs(inspection.recommendations),
        "follow_up_due": date_line(inspection.follow_up_due) if inspection.follow_up_due else "",
        "activity": activity,
        "recipients": recipients,
        "signature": signature(bodies["signer"], head=head, deputy=deputy),
    }


def render_conclusion_pdf(inspection: Inspection) -> bytes:
    with translation.override(DOCUMENT_LANGUAGE):
        doc = conclusion_document(inspection)
        return render_pdf("inspections/pdf/conclusion.html", {"doc": doc, "inspection": inspection})


def pdf_filename(inspection: Inspection) -> str:
    return f"ket-luan-{inspection.number.replace('/', '-')}-{inspection.number_year}.pdf"
