"""The demo's evaluations: last year closed for most cells, this year open in ``bithu``'s cell."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import pytest
from django.core.management import call_command

from evaluations.models import EmulationCriterion, EvaluationCycle, MemberEvaluation
from evaluations.rules import excellent_quota
from members.models import Organisation, Role, today
from resolutions.demo import delete_demo_data

S = EvaluationCycle.Status


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[None]:  # type: ignore[no-untyped-def]
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


def test_every_closed_list_keeps_to_the_quota_of_excellent() -> None:
    levels = defaultdict(list)
    rows = MemberEvaluation.objects.filter(cycle__status=S.CLOSED).values_list("cycle_id", "approved_level")
    for cycle_id, level in rows:
        levels[cycle_id].append(level)
    assert levels
    assert all(excellent_quota(values).ok for values in levels.values())
    assert any(level == "excellent" for values in levels.values() for level in values)


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
