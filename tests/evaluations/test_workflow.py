"""The workflow of the yearly evaluation, through its service functions."""

from __future__ import annotations

import datetime as dt

import pytest

from evaluations.models import CycleStep, EvaluationCycle, Level, MemberEvaluation
from evaluations.services import (
    WorkflowError,
    approve,
    check_proposal,
    record_vote,
    save_proposal,
    save_self_assessment,
    send_back,
    take_step,
)
from members.models import Exemption
from tests.evaluations.conftest import YEAR, evaluation_of, propose_all
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db
S = EvaluationCycle.Status
E, G, D = Level.EXCELLENT, Level.GOOD, Level.DONE


def test_the_whole_year_from_self_assessment_to_approval(make_cycle, people) -> None:
    cycle = make_cycle(S.SELF_ASSESSMENT)
    on_roll = {people[n].member.pk for n in ("secretary", "deputy", "committee", "member")}
    assert set(cycle.evaluations.values_list("member_id", flat=True)) == on_roll

    mine = evaluation_of(cycle, people["member"])
    data = {"strengths": "Tích cực", "shortcomings": "Còn vắng họp", "direction": "Dự họp đầy đủ", "self_level": G}
    save_self_assessment(evaluation=mine, data=data)
    mine.refresh_from_db()
    assert (mine.self_level, mine.submitted_at is not None) == (G, True)

    take_step(cycle=cycle, step="proposal", by=people["secretary"])
    propose_all(cycle, D)
    take_step(cycle=cycle, step="vote", by=people["secretary"])
    explanation = record_vote(
        cycle=cycle,
        day=dt.date(YEAR, 12, 20),
        votes_for=3,
        votes_against=1,
        votes_abstain=0,
        absent_with_reason=set(),
        by=people["secretary"],
    )
    assert "3" in explanation
    assert cycle.status == S.APPROVAL
    approve(cycle=cycle, levels={mine.pk: G}, cell_level=G, by=people["in_charge"])
    cycle.refresh_from_db()
    assert (cycle.status, cycle.cell_approved_level, cycle.approved_by) == (S.CLOSED, G, people["in_charge"])
    levels = dict(cycle.evaluations.values_list("member_id", "approved_level"))
    assert levels[people["member"].member.pk] == G
    assert levels[people["deputy"].member.pk] == D  # unchanged: the proposal stands
    assert list(cycle.steps.values_list("to_status", flat=True)) == [
        S.OPEN,
        S.SELF_ASSESSMENT,
        S.PROPOSAL,
        S.VOTE,
        S.APPROVAL,
        S.CLOSED,
    ]
    assert cycle.steps.last().by == people["in_charge"]


def test_too_many_excellent_at_the_proposal_is_refused_and_nothing_is_written(make_cycle) -> None:
    cycle = make_cycle(S.PROPOSAL)
    evaluations = list(cycle.evaluations.order_by("pk"))
    levels: dict[int, tuple[str, str]] = {e.pk: (E if i == 0 else G, "") for i, e in enumerate(evaluations)}
    with pytest.raises(WorkflowError) as error:
        save_proposal(cycle=cycle, levels=levels, cell_fields={"cell_proposed_level": G})
    assert str(error.value) == (
        "1 đảng viên xếp loại hoàn thành xuất sắc nhiệm vụ, vượt quá 20% của 3 đảng viên hoàn thành tốt nhiệm vụ "
        "(tối đa 0)"
    )
    assert not MemberEvaluation.objects.filter(cycle=cycle).exclude(proposed_level="").exists()
    assert EvaluationCycle.objects.get(pk=cycle.pk).cell_proposed_level == ""


def test_excellent_within_the_quota_is_saved(make_cycle, tree) -> None:
    MemberFactory.create_batch(2, cell=tree.cell_a1, admitted_on=dt.date(2010, 1, 1))
    cycle = make_cycle(S.PROPOSAL)
    evaluations = list(cycle.evaluations.order_by("pk"))
    assert len(evaluations) == 6  # one excellent with five well completed: 20% of 5 is 1
    save_proposal(
        cycle=cycle, levels={e.pk: (E if i == 0 else G, "") for i, e in enumerate(evaluations)}, cell_fields={}
    )
    assert cycle.evaluations.filter(proposed_level=E).count() == 1


def test_the_vote_waits_for_every_level_and_the_cells(make_cycle) -> None:
    cycle = make_cycle(S.PROPOSAL)
    first = cycle.evaluations.order_by("pk").first()
    save_proposal(cycle=cycle, levels={first.pk: (G, "")}, cell_fields={})
    with pytest.raises(WorkflowError, match="3 đảng viên chưa được đề xuất"):
        take_step(cycle=cycle, step="vote", by=None)
    levels: dict[int, tuple[str, str]] = {e.pk: (G, "") for e in cycle.evaluations.all()}
    save_proposal(cycle=cycle, levels=levels, cell_fields={})
    with pytest.raises(WorkflowError, match="Đề xuất mức xếp loại của chi bộ"):
        check_proposal(cycle)
    assert EvaluationCycle.objects.get(pk=cycle.pk).status == S.PROPOSAL


def test_members_not_classified_get_no_level(make_cycle, people) -> None:
    exempt = people["deputy"].member
    Exemption.objects.create(member=exempt, starts_on=dt.date(2024, 1, 1), reason="Tuổi cao")
    newcomer = MemberFactory.create(cell=people["secretary"].member.cell, admitted_on=dt.date(YEAR, 10, 1))
    cycle = make_cycle(S.CLOSED)
    levels = dict(cycle.evaluations.values_list("member_id", "approved_level"))
    assert levels[exempt.pk] == ""
    assert levels[newcomer.pk] == ""
    assert levels[people["member"].member.pk] == G


def test_a_vote_without_a_majority_sends_the_list_back_to_the_committee(make_cycle, people) -> None:
    cycle = make_cycle(S.VOTE)
    record_vote(
        cycle=cycle,
        day=dt.date(YEAR, 12, 20),
        votes_for=2,
        votes_against=2,
        votes_abstain=0,
        absent_with_reason=set(),
        by=people["secretary"],
    )
    cycle.refresh_from_db()
    assert (cycle.status, cycle.votes_for, cycle.entitled_count) == (S.PROPOSAL, 2, 4)
    # The step keeps the whole explanation; the change history, whose reason column is short, its beginning.
    note = cycle.steps.latest("pk").note
    reason = cycle.history.latest().history_change_reason
    assert len(note) > 100
    assert len(reason) == 100
    assert reason == note[:99] + "…"


def test_members_absent_with_reason_leave_the_base_of_the_vote(make_cycle, people) -> None:
    cycle = make_cycle(S.VOTE)
    away = {people["deputy"].member.pk, people["committee"].member.pk}
    record_vote(
        cycle=cycle,
        day=dt.date(YEAR, 12, 20),
        votes_for=2,
        votes_against=0,
        votes_abstain=0,
        absent_with_reason=away,
        by=None,
    )
    assert (cycle.status, cycle.entitled_count) == (S.APPROVAL, 2)


def test_more_votes_than_entitled_are_refused(make_cycle) -> None:
    cycle = make_cycle(S.VOTE)
    with pytest.raises(WorkflowError):
        record_vote(
            cycle=cycle,
            day=dt.date(YEAR, 12, 20),
            votes_for=9,
            votes_against=0,
            votes_abstain=0,
            absent_with_reason=set(),
            by=None,
        )
    assert EvaluationCycle.objects.get(pk=cycle.pk).status == S.VOTE


def test_the_ward_cannot_approve_too_many_excellent(make_cycle, people) -> None:
    cycle = make_cycle(S.APPROVAL)
    levels: dict[int, str] = {e.pk: E for e in cycle.evaluations.all()[:1]}
    with pytest.raises(WorkflowError, match="tối đa 0"):
        approve(cycle=cycle, levels=levels, cell_level=G, by=people["in_charge"])
    assert EvaluationCycle.objects.get(pk=cycle.pk).status == S.APPROVAL
    assert not cycle.evaluations.exclude(approved_level="").exists()


def test_sending_back_needs_a_reason_and_returns_to_the_proposal(make_cycle, people) -> None:
    cycle = make_cycle(S.APPROVAL)
    with pytest.raises(WorkflowError):
        send_back(cycle=cycle, reason="  ", by=people["in_charge"])
    send_back(cycle=cycle, reason="Chưa đủ căn cứ", by=people["in_charge"])
    cycle.refresh_from_db()
    assert (cycle.status, cycle.sent_back_reason) == (S.PROPOSAL, "Chưa đủ căn cứ")
    last = CycleStep.objects.filter(cycle=cycle).last()
    assert last is not None
    assert last.note == "Chưa đủ căn cứ"


def test_a_step_already_taken_by_someone_else_is_refused(make_cycle) -> None:
    cycle = make_cycle(S.SELF_ASSESSMENT)
    stale = EvaluationCycle.objects.get(pk=cycle.pk)
    take_step(cycle=cycle, step="proposal", by=None)
    with pytest.raises(WorkflowError):
        take_step(cycle=stale, step="proposal", by=None)
    assert CycleStep.objects.filter(cycle=cycle, to_status=S.PROPOSAL).count() == 1


def test_the_self_assessment_closes_with_its_stage(make_cycle, people) -> None:
    cycle = make_cycle(S.PROPOSAL)
    with pytest.raises(WorkflowError):
        save_self_assessment(
            evaluation=evaluation_of(cycle, people["member"]),
            data={"strengths": "x", "shortcomings": "", "direction": "", "self_level": G},
        )


def test_a_member_who_joins_during_the_self_assessment_is_on_the_committees_list(make_cycle, tree) -> None:
    cycle = make_cycle(S.SELF_ASSESSMENT)
    transferred_in = MemberFactory.create(cell=tree.cell_a1, admitted_on=dt.date(2010, 5, 1))
    assert not cycle.evaluations.filter(member=transferred_in).exists()
    take_step(cycle=cycle, step="proposal", by=None)
    assert cycle.evaluations.filter(member=transferred_in).exists()
