"""The yearly evaluation in the demo: last year's cycle closed and approved for most cells, and this year's open
for self-assessment in the cell of the demo secretary ``bithu``, with a few self-assessments written.

Deterministic (a fixed random seed) and written with ``bulk_create``: a province of 120,000 members takes a few
seconds. The levels keep to the rules, as the app would require: the evidence of the year is weighed (a member
whose year draws a warning is proposed "excellent" or "well completed" only with a reason, and most are proposed
lower: ``rules.evidence_warning``), "excellent" members are at most 20% of the "well completed" of their cell and
"excellent" cells at most 20% of the "well completed" cells of their ward (``rules.excellent_quota``).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone, translation

from demo.members import seed_disciplines
from evaluations.evidence import MemberEvidence, evidence_under
from evaluations.models import CycleStep, EmulationCriterion, EvaluationCycle, Level, MemberEvaluation, PeopleComment
from evaluations.rules import WEIGHED_LEVELS, exclusion, setting
from members.models import Exemption, Member, Organisation, Role, Suspension

SEED = 124  # Quy định 124-QĐ/TW
S = EvaluationCycle.Status
LEVELS = (Level.EXCELLENT, Level.GOOD, Level.DONE, Level.NOT_DONE)
WEIGHTS = (12, 60, 25, 3)
CELL_WEIGHTS = (15, 60, 23, 2)
# One cell in nine has not finished last year's evaluation: it waits for the ward's approval. The cells are in tree
# order, so the second cell of the first ward (khu phố 2 of Phú Khương, which the demo's ``phutrach`` is in charge
# of) is one of them: the ward's demo accounts find a classification waiting for them on their home page.
SKIP_EVERY = 9
WAITING_INDEX = 1
KEEP_EVERY = 3  # of the members whose evidence warns against their level, one in three keeps it with a reason
KEPT_REASON = "Đã nhận khuyết điểm và khắc phục kịp thời; hoàn thành tốt các nhiệm vụ còn lại trong năm."
BATCH = 5000

CRITERIA = (
    ("100% đảng viên dự sinh hoạt chi bộ đầy đủ", "100%", 20),
    ("Thu quỹ vì người nghèo đạt chỉ tiêu", "100%", 20),
    ("Khu phố đạt chuẩn văn minh đô thị", "Đạt", 30),
    ("Không có đảng viên vi phạm kỷ luật", "0 trường hợp", 30),
)
SELF_TEXTS = (
    (
        "Chấp hành tốt chủ trương của Đảng, chính sách, pháp luật của Nhà nước; tham gia đầy đủ sinh hoạt chi bộ.",
        "Có lúc chưa mạnh dạn phát biểu ý kiến trong sinh hoạt chi bộ.",
        "Tích cực nghiên cứu, đóng góp ý kiến; gương mẫu vận động gia đình và bà con trong tổ tự quản.",
        Level.GOOD,
    ),
    (
        "Hoàn thành các nhiệm vụ được phân công đúng hạn; giữ mối liên hệ với nhân dân nơi cư trú.",
        "Một số nhiệm vụ phối hợp còn chậm so với kế hoạch.",
        "Chủ động báo cáo tiến độ, phối hợp chặt chẽ hơn với các đoàn thể.",
        Level.GOOD,
    ),
    (
        "Tham gia sinh hoạt chi bộ, thực hiện nhiệm vụ được giao.",
        "Vắng sinh hoạt một số buổi vì công việc gia đình.",
        "Sắp xếp công việc để dự sinh hoạt đầy đủ.",
        Level.DONE,
    ),
)


def _capped(levels: list[str]) -> list[str]:
    """``levels`` with the last "excellent" made "well completed" until they are at most the share of the "well
    completed" (each one moved down joins the base)."""
    levels = list(levels)
    percent = setting("EXCELLENT_PERCENT")
    while levels.count(Level.EXCELLENT) > levels.count(Level.GOOD) * percent // 100:
        last = len(levels) - 1 - levels[::-1].index(Level.EXCELLENT)
        levels[last] = Level.GOOD
    return levels


def _weighed(level: str, evidence: MemberEvidence, index: int) -> str:
    """The level proposed after weighing the evidence: most members whose year warns against "excellent" or "well
    completed" are proposed "completed"; one in three (by ``index``) keeps the level, with a reason."""
    if evidence.warning(level) and index % KEEP_EVERY:
        return Level.DONE
    return level


def seed_evaluations(root: Organisation, today: dt.date) -> None:
    rng = random.Random(SEED)
    year = today.year - 1
    year_end = dt.date(year, 12, 31)
    cell_paths = dict(Organisation.objects.cells().filter(path__startswith=root.path).values_list("pk", "path"))
    cells = list(cell_paths)
    seed_disciplines(root, year)
    evidence = evidence_under(root, year, day=year_end)
    members: dict[int, list[tuple[int, dt.date]]] = defaultdict(list)
    roll = (
        Member.objects.filter(cell__path__startswith=root.path)
        .on_roll(year_end)
        .order_by("cell_id", "search_name", "pk")
        .values_list("pk", "cell_id", "admitted_on")
    )
    for pk, cell_id, admitted_on in roll:
        members[cell_id].append((pk, admitted_on))
    under = Q(member__cell__path__startswith=root.path)
    exempt = set(Exemption.objects.filter(under).current_on(year_end).values_list("member_id", flat=True))
    suspended = set(Suspension.objects.filter(under).current_on(year_end).values_list("member_id", flat=True))
    decided_by = (
        get_user_model()
        .objects.filter(roles__kind=Role.Kind.STANDING, roles__organisation__path__startswith=root.path)
        .order_by("pk")
        .first()
    )
    approved_at = timezone.make_aware(dt.datetime(today.year, 1, 20, 9))

    # The cells' own levels: "excellent" cells capped among the cells the ward approves (the closed ones).
    cell_levels = dict(zip(cells, rng.choices(LEVELS, CELL_WEIGHTS, k=len(cells)), strict=True))
    closed_cells = [cell_id for index, cell_id in enumerate(cells) if index % SKIP_EVERY != WAITING_INDEX]
    wards: dict[str, list[int]] = defaultdict(list)
    for cell_id in closed_cells:
        wards[cell_paths[cell_id][: -Organisation.steplen]].append(cell_id)
    for ward_cells in wards.values():
        cell_levels.update(zip(ward_cells, _capped([cell_levels[c] for c in ward_cells]), strict=True))

    cycles: list[EvaluationCycle] = []
    evaluations: list[MemberEvaluation] = []
    steps: list[CycleStep] = []
    criteria: list[EmulationCriterion] = []
    weighed = 0
    for index, cell_id in enumerate(cells):
        closed = index % SKIP_EVERY != WAITING_INDEX
        cell_level = cell_levels[cell_id]
        roll_of_cell = members.get(cell_id, [])
        classified = [
            pk
            for pk, admitted_on in roll_of_cell
            if not exclusion(admitted_on=admitted_on, year=year, is_exempt=pk in exempt, is_suspended=pk in suspended)
        ]
        drawn: list[str] = rng.choices(LEVELS, WEIGHTS, k=len(classified))
        for position, pk in enumerate(classified):
            if pk in evidence and evidence[pk].weighs_against and drawn[position] in WEIGHED_LEVELS:
                drawn[position] = _weighed(drawn[position], evidence[pk], weighed)
                weighed += 1
        levels = dict(zip(classified, _capped(drawn), strict=True))
        # The levels kept against the evidence carry its warning, as the committee confirmed it, and the reason.
        weighing: dict[int, tuple[str, str]] = {}
        with translation.override(settings.LANGUAGE_CODE):
            for pk, level in levels.items():
                if pk in evidence and (warning := evidence[pk].warning(level)):
                    weighing[pk] = (warning, KEPT_REASON)
        entitled = len(classified)
        cycle = EvaluationCycle(
            cell_id=cell_id,
            year=year,
            status=S.CLOSED if closed else S.APPROVAL,
            strengths="Chi bộ duy trì sinh hoạt định kỳ, lãnh đạo thực hiện tốt các chỉ tiêu nghị quyết năm.",
            shortcomings="Tỷ lệ đảng viên dự sinh hoạt có tháng chưa đạt; một số nhiệm vụ còn trễ hạn.",
            direction="Nâng cao chất lượng sinh hoạt chi bộ, tăng cường kiểm tra, đôn đốc thực hiện nhiệm vụ.",
            cell_proposed_level=cell_level,
            cell_approved_level=cell_level if closed else "",
            vote_date=dt.date(year, 12, 15),
            entitled_count=entitled,
            votes_for=entitled - rng.randint(0, min(2, entitled // 3)),
            votes_against=0,
            votes_abstain=0,
            approved_by=decided_by if closed else None,
            approved_at=approved_at if closed else None,
        )
        cycles.append(cycle)
        for pk, _ in roll_of_cell:
            level = levels.get(pk, "")
            warning, reason = weighing.get(pk, ("", ""))
            evaluations.append(
                MemberEvaluation(
                    cycle=cycle,
                    member_id=pk,
                    self_level=level,
                    proposed_level=level,
                    evidence_warning=warning,
                    evidence_reason=reason,
                    approved_level=level if closed else "",
                )
            )
        path = [S.OPEN, S.SELF_ASSESSMENT, S.PROPOSAL, S.VOTE, S.APPROVAL] + ([S.CLOSED] if closed else [])
        steps += [
            CycleStep(cycle=cycle, from_status=path[max(0, i - 1)], to_status=status) for i, status in enumerate(path)
        ]
        for order, (text, target, points) in enumerate(CRITERIA, start=1):
            score = points - rng.choice((0, 0, 0, 5, 10))
            criteria.append(
                EmulationCriterion(cycle=cycle, text=text, target=target, max_points=points, score=score, order=order)
            )
    # bulk_create sets the primary keys on PostgreSQL and SQLite alike, so the rows below point at their cycle.
    EvaluationCycle.objects.bulk_create(cycles, batch_size=BATCH)
    pointing: list[MemberEvaluation | CycleStep | EmulationCriterion] = [*evaluations, *steps, *criteria]
    for row in pointing:
        row.cycle_id = row.cycle.pk
    MemberEvaluation.objects.bulk_create(evaluations, batch_size=BATCH)
    CycleStep.objects.bulk_create(steps, batch_size=BATCH)
    EmulationCriterion.objects.bulk_create(criteria, batch_size=BATCH)
    _current_year(today)


def _current_year(today: dt.date) -> None:
    """This year's cycle of ``bithu``'s cell, open for self-assessment, with a few written."""
    role = Role.objects.filter(user__username="bithu", kind=Role.Kind.SECRETARY).select_related("organisation").first()
    if role is None or role.organisation is None:
        return
    cell = role.organisation
    cycle = EvaluationCycle.objects.create(cell=cell, year=today.year, status=S.SELF_ASSESSMENT)
    CycleStep.objects.bulk_create(
        [
            CycleStep(cycle=cycle, from_status=S.OPEN, to_status=S.OPEN, by=role.user),
            CycleStep(cycle=cycle, from_status=S.OPEN, to_status=S.SELF_ASSESSMENT, by=role.user),
        ]
    )
    roll = list(
        Member.objects.filter(cell=cell).on_roll(today).order_by("search_name", "pk").values_list("pk", "user_id")
    )
    # A third of the members without a login have written theirs; the demo accounts have their own still to write.
    written = {pk for pk, user_id in roll[::3] if user_id is None}
    now = timezone.now()
    rows = []
    for index, (pk, _) in enumerate(roll):
        row = MemberEvaluation(cycle=cycle, member_id=pk)
        if pk in written:
            strengths, shortcomings, direction, level = SELF_TEXTS[index % len(SELF_TEXTS)]
            row.strengths, row.shortcomings, row.direction, row.self_level = strengths, shortcomings, direction, level
            row.submitted_at = now
        rows.append(row)
    MemberEvaluation.objects.bulk_create(rows)
    EmulationCriterion.objects.bulk_create(
        EmulationCriterion(cycle=cycle, text=text, target=target, max_points=points, order=order)
        for order, (text, target, points) in enumerate(CRITERIA, start=1)
    )
    PeopleComment.objects.create(
        cycle=cycle,
        source="Ban Công tác Mặt trận khu phố",
        text="Chi bộ gần dân, lắng nghe ý kiến của bà con; cần quan tâm hơn đến vệ sinh môi trường.",
        given_on=today,
    )


def delete_demo_evaluations(org: Organisation) -> None:
    """Every evaluation of the cells under ``org``, before its members and cells go."""
    cycles = EvaluationCycle.objects.filter(cell__path__startswith=org.path)
    for model in (MemberEvaluation, CycleStep, EmulationCriterion, PeopleComment):
        model.objects.filter(cycle__in=cycles)._raw_delete(model.objects.db)
    cycles.delete()
