"""The evidence weighed against "excellent" and "well completed", the cap of "excellent" among the cells of a ward
at the ward's approval, and the lists stored before the cap was counted on "well completed" alone."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from collections.abc import Sequence

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from evaluations.models import CycleStep, EvaluationCycle, Level, MemberEvaluation
from evaluations.services import WorkflowError, approve, record_vote, save_proposal, take_step
from meetings.models import Attendance, Meeting
from members.models import Discipline, Organisation
from resolutions.models import Task
from tests.evaluations.conftest import YEAR, evaluation_of
from tests.factories import MemberFactory, make_org
from tests.resolutions.factories import ResolutionFactory, TaskFactory

pytestmark = pytest.mark.django_db
S = EvaluationCycle.Status
E, G, D = Level.EXCELLENT, Level.GOOD, Level.DONE
MIGRATION = "0004_send_back_lists_over_the_corrected_cap"


def _lead_overdue_task(cell: Organisation, member) -> Task:
    resolution = ResolutionFactory.create(cell=cell, period_start=dt.date(YEAR, 5, 1), period_end=dt.date(YEAR, 5, 31))
    return TaskFactory.create(
        resolution=resolution, lead_member=member, deadline=dt.date(YEAR, 5, 20), status="in_progress"
    )


def _levels(cycle: EvaluationCycle, level: str = G, **by_member: str) -> dict[int, tuple[str, str]]:
    """Every member at ``level``, and some (by member id as a string) at another."""
    return {e.pk: (by_member.get(str(e.member_id), level), "") for e in cycle.evaluations.all()}


# --- The evidence weighed ------------------------------------------------------------------------------------------


def test_well_completed_against_an_overdue_task_needs_a_reason(make_cycle, people, tree) -> None:
    member = people["member"].member
    _lead_overdue_task(tree.cell_a1, member)
    cycle = make_cycle(S.PROPOSAL)
    mine = evaluation_of(cycle, people["member"])
    with pytest.raises(WorkflowError) as error:
        save_proposal(cycle=cycle, levels=_levels(cycle), cell_fields={})
    assert str(error.value) == (
        "Cần ghi lý do để giữ mức đề xuất, hoặc đổi mức: Đảng viên member: Đề xuất “Hoàn thành tốt nhiệm vụ” trong "
        "khi minh chứng cho thấy: chủ trì 1 nhiệm vụ đang quá hạn."
    )
    assert not cycle.evaluations.exclude(proposed_level="").exists()

    save_proposal(cycle=cycle, levels=_levels(cycle), cell_fields={}, reasons={mine.pk: "Việc chậm do mưa bão"})
    mine.refresh_from_db()
    assert (mine.proposed_level, mine.evidence_reason) == (G, "Việc chậm do mưa bão")
    assert mine.evidence_warning.endswith("chủ trì 1 nhiệm vụ đang quá hạn.")
    others = cycle.evaluations.exclude(pk=mine.pk)
    assert not others.exclude(evidence_warning="").exists()

    # Proposed lower, the warning and its reason go: there is nothing left to confirm.
    save_proposal(cycle=cycle, levels=_levels(cycle, **{str(member.pk): D}), cell_fields={})
    mine.refresh_from_db()
    assert (mine.proposed_level, mine.evidence_warning, mine.evidence_reason) == (D, "", "")


@pytest.mark.parametrize(
    ("record", "figure"),
    [
        ("discipline", "có 1 quyết định kỷ luật trong năm"),
        ("absence", "vắng 1 buổi sinh hoạt không có lý do"),
        ("not_met", "chủ trì 1 nhiệm vụ không đạt"),
    ],
)
def test_each_kind_of_evidence_weighs_against_excellent(make_cycle, people, tree, record, figure) -> None:
    member = people["member"].member
    if record == "discipline":
        Discipline.objects.create(member=member, form="warning", decided_on=dt.date(YEAR, 4, 2), reason="Vi phạm")
        # A decision of another year is not weighed.
        Discipline.objects.create(
            member=people["deputy"].member, form="reprimand", decided_on=dt.date(YEAR - 1, 4, 2), reason="Vi phạm"
        )
    elif record == "absence":
        meeting = Meeting.objects.create(
            cell=tree.cell_a1, date=dt.date(YEAR, 6, 5), starts_at=dt.time(19), place="Nhà văn hóa", status="held"
        )
        Attendance.objects.create(meeting=meeting, member=member, status=Attendance.Status.ABSENT_WITHOUT_REASON)
    else:
        task = _lead_overdue_task(tree.cell_a1, member)
        Task.objects.filter(pk=task.pk).update(status=Task.Status.NOT_MET)
    MemberFactory.create_batch(2, cell=tree.cell_a1, admitted_on=dt.date(2010, 1, 1))
    cycle = make_cycle(S.PROPOSAL)
    with pytest.raises(WorkflowError) as error:
        save_proposal(cycle=cycle, levels=_levels(cycle, **{str(member.pk): E}), cell_fields={})
    assert f"Đảng viên member: Đề xuất “Hoàn thành xuất sắc nhiệm vụ” trong khi minh chứng cho thấy: {figure}." in str(
        error.value
    )
    assert "Đảng viên deputy" not in str(error.value)


def test_the_vote_waits_for_a_reason_when_the_evidence_moved_on(make_cycle, people, tree) -> None:
    cycle = make_cycle(S.PROPOSAL)
    save_proposal(cycle=cycle, levels=_levels(cycle), cell_fields={"cell_proposed_level": G})
    _lead_overdue_task(tree.cell_a1, people["member"].member)  # known after the proposal was saved
    with pytest.raises(WorkflowError, match=r"Đảng viên member: .*chủ trì 1 nhiệm vụ đang quá hạn"):
        take_step(cycle=cycle, step="vote", by=people["secretary"])
    assert EvaluationCycle.objects.get(pk=cycle.pk).status == S.PROPOSAL
    mine = evaluation_of(cycle, people["member"])
    save_proposal(cycle=cycle, levels={}, cell_fields={}, reasons={mine.pk: "Đã bàn giao cho tổ tự quản"})
    take_step(cycle=cycle, step="vote", by=people["secretary"])
    mine.refresh_from_db()
    assert (mine.evidence_reason, "đang quá hạn" in mine.evidence_warning) == ("Đã bàn giao cho tổ tự quản", True)


def test_the_proposal_page_asks_for_the_reason_and_the_ward_reads_it(client_for, make_cycle, people, tree) -> None:
    _lead_overdue_task(tree.cell_a1, people["member"].member)
    cycle = make_cycle(S.PROPOSAL)
    mine = evaluation_of(cycle, people["member"])
    url = reverse("evaluations:proposal", args=[cycle.pk])
    page = client_for("secretary").get(url).content.decode()
    assert f'name="reason_{mine.pk}"' in page  # only the member whose year weighs against a high level
    assert page.count('name="reason_') == 1
    data = {f"level_{e.pk}": "good" for e in cycle.evaluations.all()}
    data["cell-cell_proposed_level"] = "good"
    refused = client_for("secretary").post(url, data, follow=True).content.decode()
    assert "chủ trì 1 nhiệm vụ đang quá hạn" in re.sub(r"\s+", " ", refused)
    assert not cycle.evaluations.exclude(proposed_level="").exists()
    data[f"reason_{mine.pk}"] = "Chậm do thiếu kinh phí, đã xin gia hạn"
    assert client_for("secretary").post(url, data).status_code == 302

    cycle.refresh_from_db()
    take_step(cycle=cycle, step="vote", by=people["secretary"])
    record_vote(
        cycle=cycle,
        day=dt.date(YEAR, 12, 20),
        votes_for=4,
        votes_against=0,
        votes_abstain=0,
        absent_with_reason=set(),
        by=people["secretary"],
    )
    approval = client_for("in_charge").get(reverse("evaluations:approval", args=[cycle.pk])).content.decode()
    text = re.sub(r"\s+", " ", approval)
    assert "Đề xuất “Hoàn thành tốt nhiệm vụ” trong khi minh chứng cho thấy: chủ trì 1 nhiệm vụ đang quá hạn." in text
    assert "Lý do của chi ủy: Chậm do thiếu kinh phí, đã xin gia hạn" in re.sub(r"<[^>]+>", "", text)


# --- The cap among the cells of a ward -----------------------------------------------------------------------------


def _closed_cells(ward: Organisation, levels: Sequence[str], year: int = YEAR) -> None:
    for index, level in enumerate(levels):
        cell = make_org(f"Chi bộ ấp {ward.code}-{year}-{index}", Organisation.Kind.CELL, ward)
        EvaluationCycle.objects.create(cell=cell, year=year, status=S.CLOSED, cell_approved_level=level)


@pytest.mark.parametrize(
    ("good_cells", "refused"),
    [
        (
            4,
            "1 chi bộ xếp loại hoàn thành xuất sắc nhiệm vụ, vượt quá 20% của 4 chi bộ hoàn thành tốt nhiệm vụ "
            "(tối đa 0)",
        ),
        (5, ""),
    ],
)
def test_the_ward_keeps_excellent_cells_to_a_fifth_of_its_well_completed_cells(
    make_cycle, people, tree, good_cells, refused
) -> None:
    _closed_cells(tree.ward_a, [G] * good_cells + [D] * 3)
    _closed_cells(tree.ward_b, [G] * 10)  # another ward's cells are not in the base
    _closed_cells(tree.ward_a, [G] * 10, year=YEAR - 1)  # nor another year's
    cycle = make_cycle(S.APPROVAL)
    if refused:
        with pytest.raises(WorkflowError) as error:
            approve(cycle=cycle, levels={}, cell_level=E, by=people["in_charge"])
        assert str(error.value) == refused
        assert EvaluationCycle.objects.get(pk=cycle.pk).status == S.APPROVAL
        assert not cycle.evaluations.exclude(approved_level="").exists()
    else:
        approve(cycle=cycle, levels={}, cell_level=E, by=people["in_charge"])
        assert EvaluationCycle.objects.get(pk=cycle.pk).cell_approved_level == E


def test_the_approval_page_shows_the_wards_cells_so_far(client_for, make_cycle, tree) -> None:
    _closed_cells(tree.ward_a, [E, G, G, G, G, G, D])
    cycle = make_cycle(S.APPROVAL)
    page = client_for("in_charge").get(reverse("evaluations:approval", args=[cycle.pk])).content.decode()
    assert (
        "Các chi bộ của đảng bộ đã được phê duyệt trong năm: 1 hoàn thành xuất sắc nhiệm vụ, 5 hoàn thành tốt "
        "nhiệm vụ." in re.sub(r"\s+", " ", page)
    )


# --- Lists stored before the correction ----------------------------------------------------------------------------


def _stored(cell: Organisation, status: str, excellent: int, good: int) -> EvaluationCycle:
    """A cycle of ``status`` as stored before the correction, ``excellent`` and ``good`` proposed (and approved
    when closed)."""
    cycle = EvaluationCycle.objects.create(cell=cell, year=YEAR, status=status)
    closed = status == S.CLOSED
    for level in [E] * excellent + [G] * good:
        member = MemberFactory.create(cell=cell, admitted_on=dt.date(2010, 1, 1))
        MemberEvaluation.objects.create(
            cycle=cycle, member=member, proposed_level=level, approved_level=level if closed else ""
        )
    return cycle


def test_the_cell_cannot_vote_a_stored_list_over_the_cap(make_cycle, people) -> None:
    cycle = make_cycle(S.VOTE)
    first = cycle.evaluations.order_by("pk").first()
    MemberEvaluation.objects.filter(pk=first.pk).update(proposed_level=E)  # stored before the correction
    with pytest.raises(WorkflowError, match="vượt quá 20% của 3 đảng viên hoàn thành tốt nhiệm vụ"):
        record_vote(
            cycle=cycle,
            day=dt.date(YEAR, 12, 20),
            votes_for=4,
            votes_against=0,
            votes_abstain=0,
            absent_with_reason=set(),
            by=people["secretary"],
        )
    assert EvaluationCycle.objects.get(pk=cycle.pk).status == S.VOTE


def test_the_migration_sends_waiting_lists_back_and_leaves_closed_years(tree, client_for, people) -> None:
    over_vote = _stored(tree.cell_a1, S.VOTE, excellent=2, good=8)  # allowed before (2 of 10), not now (max 1)
    within = _stored(tree.cell_a2, S.APPROVAL, excellent=1, good=5)
    closed = _stored(tree.cell_b1, S.CLOSED, excellent=11, good=49)
    executor = MigrationExecutor(connection)
    # The test database has today's schema, so the function is given the models as the latest migration leaves
    # them (it reads and writes only fields that its own migration already had).
    state = executor.loader.project_state(executor.loader.graph.leaf_nodes("evaluations"))
    module = importlib.import_module(f"evaluations.migrations.{MIGRATION}")
    module.send_back_over_the_cap(state.apps, None)

    statuses = dict(EvaluationCycle.objects.values_list("pk", "status"))
    assert (statuses[over_vote.pk], statuses[within.pk], statuses[closed.pk]) == (S.PROPOSAL, S.APPROVAL, S.CLOSED)
    step = CycleStep.objects.get(cycle=over_vote)
    assert (step.from_status, step.to_status) == (S.VOTE, S.PROPOSAL)
    assert step.note == (
        "Trả về bước chi ủy đề xuất theo cách tính đúng tỷ lệ xuất sắc: 2 đảng viên xếp loại hoàn thành xuất sắc "
        "nhiệm vụ, vượt quá 20% của 8 đảng viên hoàn thành tốt nhiệm vụ (tối đa 1)."
    )
    latest = over_vote.history.latest()
    assert (latest.status, latest.history_change_reason[:20]) == (S.PROPOSAL, step.note[:20])
    assert not CycleStep.objects.filter(cycle__in=[within, closed]).exists()

    # The closed year stays as approved, and is flagged where the ward reads it.
    breach = (
        "11 đảng viên xếp loại hoàn thành xuất sắc nhiệm vụ, vượt quá 20% của 49 đảng viên hoàn thành tốt nhiệm vụ "
        "(tối đa 9)"
    )
    assert closed.evaluations.filter(approved_level=E).count() == 11
    home = re.sub(r"\s+", " ", client_for("admin").get(reverse("evaluations:home")).content.decode())
    assert home.count("Vượt tỷ lệ xuất sắc") == 1
    assert breach in home
    detail = client_for("admin").get(reverse("evaluations:cycle-detail", args=[closed.pk])).content.decode()
    assert f"Danh sách đã phê duyệt vượt tỷ lệ xuất sắc: {breach}." in re.sub(r"\s+", " ", detail)
