"""A year of demo inspections and supervisions across the wards: the ward's inspection committee inspects each cell
once in the year, the cell committee supervises a member, some wards are inspected at their own level; past ones
are concluded (a few with shortcomings, some follow-ups overdue), recent ones under way, later ones planned.

Deterministic (one ``random.Random`` with a fixed seed) and written with one ``bulk_create``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from inspections.models import Inspection
from members.models import Member, Organisation

SEED = 20260708
B = Inspection.Body
S = Inspection.Status
C = Inspection.Conclusion
M = Inspection.Mode

CELL_TITLES = (
    "việc lãnh đạo thực hiện nghị quyết chi bộ và chấp hành Điều lệ Đảng",
    "việc thực hiện chế độ sinh hoạt chi bộ định kỳ",
    "việc quản lý đảng viên và thu, nộp đảng phí",
    "việc thực hiện quy chế dân chủ ở cơ sở",
)
MEMBER_TITLES = (
    "việc thực hiện nhiệm vụ đảng viên và giữ mối liên hệ với nơi cư trú",
    "việc thực hiện những điều đảng viên không được làm",
    "việc thực hiện nhiệm vụ được chi bộ phân công",
)
WARD_TITLE = "việc lãnh đạo, chỉ đạo công tác kiểm tra, giám sát của các chi bộ trực thuộc"
FINDINGS = {
    C.GOOD: "Thực hiện nghiêm túc, đầy đủ các nội dung được kiểm tra; hồ sơ, sổ sách rõ ràng.",
    C.SATISFACTORY: "Cơ bản thực hiện đúng quy định; một số nội dung còn chậm so với kế hoạch.",
    C.SHORTCOMINGS: "Còn khuyết điểm: sinh hoạt chưa đều, việc đôn đốc, kiểm tra chưa thường xuyên.",
    C.VIOLATION: "Có vi phạm quy định, cần kiểm điểm làm rõ trách nhiệm.",
}
RECOMMENDATION = "Tổ chức kiểm điểm, khắc phục khuyết điểm và báo cáo kết quả bằng văn bản."
TEAM = ("Nguyễn Văn Kiểm", "Trần Thị Sát", "Lê Minh Tra", "Phạm Thị Hòa", "Võ Văn Chính")


def seed_demo(root: Organisation, today: dt.date) -> int:
    """Inspections for every ward and cell under ``root``; returns how many."""
    rng = random.Random(SEED)
    orgs = list(Organisation.objects.under(root).filter(kind__in=["ward", "cell"]).order_by("path"))
    members: dict[int, list[int]] = defaultdict(list)
    for pk, cell_id in Member.objects.in_org(root).active().order_by("pk").values_list("pk", "cell_id"):
        members[cell_id].append(pk)
    ward_of: dict[int, Organisation] = {}
    current = root
    for org in orgs:
        if org.kind == Organisation.Kind.WARD:
            current = org
        ward_of[org.pk] = current if org.kind == Organisation.Kind.CELL else org
    rows: list[Inspection] = []

    def add(body: str, body_org: Organisation, subject: Organisation, member: int | None, title: str, act: str) -> None:
        start = today - dt.timedelta(days=rng.randint(-60, 350))
        end = start + dt.timedelta(days=rng.randint(5, 20))
        row = Inspection(
            activity=act,
            mode=rng.choice(
                [Inspection.Mode.REGULAR, Inspection.Mode.THEMATIC]
                if act == Inspection.Activity.SUPERVISION
                else [
                    Inspection.Mode.PERIODIC,
                    Inspection.Mode.PERIODIC,
                    Inspection.Mode.THEMATIC,
                    Inspection.Mode.AD_HOC,
                ]
            ),
            body=body,
            body_org=body_org,
            subject_org=subject,
            subject_member_id=member,
            title=title,
            period_from=dt.date(start.year - 1, 1, 1) if start.month < 4 else dt.date(start.year, 1, 1),
            period_to=start - dt.timedelta(days=1),
            planned_start=start,
            planned_end=end,
            team="\n".join(rng.sample(TEAM, 3)),
        )
        if start > today:
            row.status = S.PLANNED
        elif end >= today or rng.random() < 0.04:
            row.status, row.actual_start = S.IN_PROGRESS, start
        else:
            conclusion = rng.choices(list(FINDINGS), weights=(45, 35, 15, 5))[0]
            row.status, row.actual_start, row.actual_end = S.CONCLUDED, start, end
            row.conclusion, row.findings = conclusion, FINDINGS[conclusion]
            if conclusion in (C.SHORTCOMINGS, C.VIOLATION) or rng.random() < 0.3:
                row.recommendations = RECOMMENDATION
                row.follow_up_due = end + dt.timedelta(days=rng.randint(20, 60))
                if row.follow_up_due < today and rng.random() < 0.75:
                    row.follow_up_done_on = row.follow_up_due - dt.timedelta(days=rng.randint(0, 10))
                    row.follow_up_note = "Đã khắc phục, có báo cáo bằng văn bản."
        rows.append(row)

    for org in orgs:
        if org.kind == Organisation.Kind.WARD:
            if rng.random() < 0.5:
                add(B.STANDING_COMMITTEE, org, org, None, WARD_TITLE, Inspection.Activity.SUPERVISION)
            continue
        ward = ward_of[org.pk]
        add(B.INSPECTION_COMMITTEE, ward, org, None, rng.choice(CELL_TITLES), Inspection.Activity.INSPECTION)
        if members.get(org.pk):
            member = rng.choice(members[org.pk])
            add(B.CELL_COMMITTEE, org, org, member, rng.choice(MEMBER_TITLES), Inspection.Activity.SUPERVISION)
    # Numbers of the notices: in order of conclusion within each body and year.
    seq: dict[tuple[int, int], int] = defaultdict(int)
    concluded = [(r.actual_end, r) for r in rows if r.status == S.CONCLUDED and r.actual_end is not None]
    for end, row in sorted(concluded, key=lambda pair: (pair[0], pair[1].body_org.pk)):
        key = (row.body_org.pk, end.year)
        seq[key] += 1
        row.number_year, row.number_seq = end.year, seq[key]
    Inspection.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def delete_demo_data(org: Organisation) -> None:
    """The inspections of organisations under ``org`` or conducted there (before the tree goes)."""
    Inspection.objects.filter(subject_org__path__startswith=org.path).delete()
    Inspection.objects.filter(body_org__path__startswith=org.path).delete()
