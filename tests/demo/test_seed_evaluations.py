"""The demo's evaluations: last year closed for most cells, this year open in ``bithu``'s cell."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import pytest
from django.core.management import call_command

from demo.assemble import delete_demo_data
from evaluations.evidence import MemberEvidence, cell_evidence
from evaluations.models import EmulationCriterion, EvaluationCycle, MemberEvaluation
from evaluations.rules import excellent_quota
from members.models import Discipline, Organisation, Role, today

S = EvaluationCycle.Status


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock():
        delete_demo_data()
        call_command("seed_demo", "--months", "2", stdout=None)
    yield
    with django_db_blocker.unblock():
        delete_demo_data()


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded")]


def test_last_year_is_closed_and_approved_for_most_cells() -> None:
    last_year = today().year - 1
    cells = Organisation.objects.cells().count()
    cycles = EvaluationCycle.objects.filter(year=last_year)
    assert cycles.count() == cells
    closed = cycles.filter(status=S.CLOSED)
    assert closed.count() > cells * 0.8
    assert cycles.filter(status=S.APPROVAL).exists()
    assert not closed.filter(cell_approved_level="").exists()
    assert EmulationCriterion.objects.filter(cycle__in=closed, score__isnull=False).count() == 4 * closed.count()


def test_every_list_keeps_to_the_cap_of_excellent() -> None:
    """The members' cap, on every proposed list and every approved one: "excellent" at most 20% of "well
    completed" (the closed year of a cell once had 11 with 49)."""
    proposed, approved = defaultdict(list), defaultdict(list)
    rows = MemberEvaluation.objects.filter(cycle__year=today().year - 1)
    for cycle_id, status, proposed_level, approved_level in rows.values_list(
        "cycle_id", "cycle__status", "proposed_level", "approved_level"
    ):
        proposed[cycle_id].append(proposed_level)
        if status == S.CLOSED:
            approved[cycle_id].append(approved_level)
    assert proposed
    assert approved
    breaches = {
        cycle_id: check.error
        for lists in (proposed, approved)
        for cycle_id, values in lists.items()
        if not (check := excellent_quota(values)).ok
    }
    assert breaches == {}
    assert any(level == "excellent" for values in approved.values() for level in values)


def test_the_excellent_cells_of_each_ward_keep_to_the_cap() -> None:
    wards = defaultdict(list)
    closed = EvaluationCycle.objects.filter(status=S.CLOSED).values_list("year", "cell__path", "cell_approved_level")
    for year, path, level in closed:
        wards[(year, path[: -Organisation.steplen])].append(level)
    assert wards
    assert {
        ward: check.error for ward, levels in wards.items() if not (check := excellent_quota(levels, cells=True)).ok
    } == {}


def test_every_level_the_evidence_weighs_against_is_confirmed_with_a_reason() -> None:
    """The evidence rule as the app applies it, cell by cell: a proposal of "excellent" or "well completed" that the
    year's evidence warns against carries that warning and a reason; the demo has some, and their discipline."""
    assert Discipline.objects.filter(decided_on__year=today().year - 1).exists()
    confirmed = 0
    for cycle in EvaluationCycle.objects.filter(year=today().year - 1).select_related("cell"):
        evidence = cell_evidence(cycle.cell, cycle.year)
        for row in cycle.evaluations.all():
            warning = evidence.get(row.member_id, MemberEvidence()).warning(row.proposed_level)
            assert not warning or (row.evidence_warning and row.evidence_reason), (cycle, row.member_id, warning)
            confirmed += bool(warning)
    assert confirmed


def test_bithus_cell_is_writing_this_years_self_assessments() -> None:
    role = Role.objects.get(user__username="bithu", kind=Role.Kind.SECRETARY)
    cycle = EvaluationCycle.objects.get(cell=role.organisation, year=today().year)
    assert cycle.status == S.SELF_ASSESSMENT
    submitted = cycle.evaluations.filter(submitted_at__isnull=False)
    assert 0 < submitted.count() < cycle.evaluations.count()
    own = cycle.evaluations.get(member__user__username="dangvien")
    assert own.submitted_at is None  # left for the demo's member to write


def test_the_demo_goes_away_with_its_evaluations() -> None:
    delete_demo_data()
    assert not EvaluationCycle.objects.exists()
    assert not MemberEvaluation.objects.exists()
