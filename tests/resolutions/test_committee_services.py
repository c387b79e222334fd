"""A committee's documents through the services: numbering, the committee's vote, which cells a document addresses,
and carrying its targets into a cell's draft."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from chibo.lib.workflow import WorkflowError
from meetings.models import Vote
from meetings.services import committee_size, record_committee_vote
from members.models import Role
from resolutions.models import CellTarget, Resolution, Task
from resolutions.pages import upper_candidates, upper_choices
from resolutions.services import FLOW, carry_targets, create_resolution
from tests.factories import UserFactory, grant
from tests.resolutions.factories import ResolutionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.clock("2026-04-15 09:00")]

S = Resolution.Status
DocumentType = Resolution.DocumentType


def _document(tree, *, document_type: str = DocumentType.PLAN, **fields) -> Resolution:
    return create_resolution(
        cell=tree.ward_a,
        by=None,
        document_type=document_type,
        kind=Resolution.Kind.YEARLY,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        title="Kế hoạch vận động hộ gia đình phân loại rác tại nguồn",
        **fields,
    )


def _adopted(tree, **fields) -> Resolution:
    document = _document(tree, **fields)
    FLOW.move(document, S.SUBMITTED, by=None)
    record_committee_vote(
        resolution=document,
        held_on=dt.date(2026, 4, 15),
        entitled=9,
        present=8,
        votes_for=8,
        votes_against=0,
        votes_abstain=0,
        by=UserFactory.create(),
    )
    document.refresh_from_db()
    return document


def test_each_kind_of_document_has_its_own_run_of_numbers(tree) -> None:
    numbers = [
        _document(tree, document_type=DocumentType.PLAN).number,
        _document(tree, document_type=DocumentType.RESOLUTION).number,
        _document(tree, document_type=DocumentType.PLAN).number,
        _document(tree, document_type=DocumentType.DIRECTIVE).number,
    ]
    assert numbers == ["01-KH/ĐU", "01-NQ/ĐU", "02-KH/ĐU", "01-CT/ĐU"]
    cell_draft = create_resolution(
        cell=tree.cell_a1,
        by=None,
        kind=Resolution.Kind.MONTHLY,
        period_start=dt.date(2026, 4, 1),
        period_end=dt.date(2026, 4, 30),
        title="Tháng 4",
    )
    assert cell_draft.number == "01-NQ/CB"


def test_a_party_group_issues_no_resolution(tree) -> None:
    with pytest.raises(WorkflowError):
        create_resolution(
            cell=tree.group_a1,
            by=None,
            period_start=dt.date(2026, 4, 1),
            period_end=dt.date(2026, 4, 30),
            title="Tổ đảng",
        )
    assert not Resolution.objects.exists()


def test_the_committees_vote_adopts_by_the_charter_rule(tree) -> None:
    document = _adopted(tree)
    assert document.status == S.ADOPTED
    assert document.adopted_on == dt.date(2026, 4, 15)
    vote = Vote.objects.get(resolution=document)
    assert (vote.entitled_count, vote.present_count, vote.votes_for, vote.meeting) == (9, 8, 8, None)
    assert document.versions.count() == 1


@pytest.mark.parametrize(
    ("votes_for", "adopted"),
    [(5, True), (4, False)],  # 9 entitled: more than half is 5; 4 of 9 is not, even with 4 of 6 present
)
def test_half_of_the_committee_is_not_enough(tree, votes_for: int, adopted: bool) -> None:
    document = _document(tree)
    FLOW.move(document, S.SUBMITTED, by=None)
    record_committee_vote(
        resolution=document,
        held_on=dt.date(2026, 4, 15),
        entitled=9,
        present=6,
        votes_for=votes_for,
        votes_against=6 - votes_for,
        votes_abstain=0,
        by=UserFactory.create(),
    )
    document.refresh_from_db()
    assert (document.status == S.ADOPTED) is adopted


@pytest.mark.parametrize(
    ("present", "ballots"),
    [(6, (5, 2, 0)), (10, (6, 0, 0)), (0, (0, 0, 0))],  # more ballots than present; more present than entitled
)
def test_refused_counts_write_nothing(tree, present: int, ballots: tuple[int, int, int]) -> None:
    document = _document(tree)
    FLOW.move(document, S.SUBMITTED, by=None)
    with pytest.raises(WorkflowError):
        record_committee_vote(
            resolution=document,
            held_on=dt.date(2026, 4, 15),
            entitled=9,
            present=present,
            votes_for=ballots[0],
            votes_against=ballots[1],
            votes_abstain=ballots[2],
            by=UserFactory.create(),
        )
    document.refresh_from_db()
    assert document.status == S.SUBMITTED
    assert not Vote.objects.exists()


def test_a_cells_resolution_is_not_voted_by_a_committee(tree) -> None:
    resolution = ResolutionFactory.create(cell=tree.cell_a1, status=S.SUBMITTED)
    with pytest.raises(WorkflowError):
        record_committee_vote(
            resolution=resolution,
            held_on=dt.date(2026, 4, 15),
            entitled=9,
            present=9,
            votes_for=9,
            votes_against=0,
            votes_abstain=0,
            by=UserFactory.create(),
        )
    assert not Vote.objects.exists()


def test_the_committee_counts_its_standing_members_and_those_in_charge_of_its_cells(tree) -> None:
    standing, secretary, in_charge, elsewhere = UserFactory.create_batch(4)
    grant(standing, Role.Kind.STANDING, tree.ward_a)
    grant(secretary, Role.Kind.PARTY_SECRETARY, tree.ward_a)
    grant(secretary, Role.Kind.STANDING, tree.ward_a)  # one person, two roles: counted once
    grant(in_charge, Role.Kind.IN_CHARGE, tree.cell_a1)
    grant(elsewhere, Role.Kind.IN_CHARGE, tree.cell_b1)
    assert committee_size(tree.ward_a) == 3


def test_a_document_addresses_every_cell_under_it_or_those_chosen(tree) -> None:
    to_all = _adopted(tree)
    chosen = _adopted(tree)
    chosen.addressed_cells.set([tree.cell_a2])
    _document(tree)  # a draft addresses nobody yet
    assert list(upper_candidates(tree.cell_a1)) == [to_all]
    assert set(upper_candidates(tree.cell_a2)) == {to_all, chosen}
    assert not upper_candidates(tree.cell_b1).exists()  # another ward's cell
    # The edit page offers the same, read in one prepared statement.
    assert [pk for pk, _label in upper_choices(tree.cell_a1)] == [to_all.pk]
    assert {pk for pk, _label in upper_choices(tree.cell_a2)} == {to_all.pk, chosen.pk}


def test_targets_are_carried_into_a_draft_once(tree) -> None:
    document = _adopted(tree)
    houses = CellTarget.objects.create(
        resolution=document,
        name="Vận động ít nhất 5 hộ phân loại rác",
        goal=Decimal(5),
        unit="hộ",
        deadline=dt.date(2026, 6, 30),
        order=1,
    )
    CellTarget.objects.create(
        resolution=document,
        name="Sinh hoạt chuyên đề về phân loại rác",
        measure="yes_no",
        goal=Decimal(1),
        deadline=dt.date(2026, 5, 31),
        order=2,
    )
    draft = ResolutionFactory.create(cell=tree.cell_a1, status=S.DRAFT)
    draft.upper_resolutions.add(document)
    added = carry_targets(resolution=draft, by=UserFactory.create())
    assert [(t.title, t.deadline, t.lead_kind) for t in added] == [
        ("Vận động ít nhất 5 hộ phân loại rác", dt.date(2026, 6, 30), Task.LeadKind.COMMITTEE),
        ("Sinh hoạt chuyên đề về phân loại rác", dt.date(2026, 5, 31), Task.LeadKind.COMMITTEE),
    ]
    assert added[0].cell_target == houses
    assert "01-KH/ĐU: 5 hộ" in added[0].details
    assert carry_targets(resolution=draft, by=UserFactory.create()) == []
    assert draft.tasks.count() == 2


def test_targets_are_not_carried_into_an_adopted_resolution(tree) -> None:
    document = _adopted(tree)
    CellTarget.objects.create(resolution=document, name="5 hộ", goal=Decimal(5), deadline=dt.date(2026, 6, 30))
    adopted = ResolutionFactory.create(cell=tree.cell_a1, status=S.ADOPTED)
    adopted.upper_resolutions.add(document)
    with pytest.raises(WorkflowError):
        carry_targets(resolution=adopted, by=UserFactory.create())
    assert not adopted.tasks.exists()
