"""The demo rosters and inspections on a small tree: every cell gets both, the same every time, and both go."""

from __future__ import annotations

import datetime as dt

from demo import inspections as inspections_demo
from demo import propagandists as propagandists_demo
from inspections.models import Inspection
from members.models import Background
from propagandists.models import Propagandist
from tests.factories import MemberFactory

TODAY = dt.date(2026, 11, 28)


def _snapshot() -> tuple[list[tuple], list[tuple]]:
    return (
        list(Propagandist.objects.order_by("pk").values_list("cell_id", "member_id", "full_name", "group")),
        list(Inspection.objects.order_by("pk").values_list("subject_org_id", "body", "status", "number_seq")),
    )


def test_the_demo_gives_every_cell_a_roster_and_inspections_and_is_removed(tree) -> None:
    teacher = Background.objects.get_or_create(code="giao-vien", defaults={"name": "Giáo viên"})[0]
    for cell in (tree.cell_a1, tree.cell_a2, tree.cell_b1):
        for n in range(8):
            member = MemberFactory.create(cell=cell, is_propagandist=n < 3)
            if n < 3:
                member.backgrounds.add(teacher)
    assert propagandists_demo.seed_demo(tree.city, TODAY) > 0
    assert inspections_demo.seed_demo(tree.city, TODAY) > 0
    for cell in (tree.cell_a1, tree.cell_a2, tree.cell_b1):
        entries = Propagandist.objects.filter(cell=cell)
        assert entries.filter(member__isnull=True).count() >= 2
        assert entries.filter(member__isnull=False, group=Propagandist.Group.TEACHER).exists()
        assert all(e.topics.exists() for e in entries)
        assert Inspection.objects.filter(subject_org=cell, body=Inspection.Body.INSPECTION_COMMITTEE).count() == 1
        assert Inspection.objects.filter(subject_org=cell, subject_member__cell=cell).count() == 1
    numbers = list(
        Inspection.objects.filter(status=Inspection.Status.CONCLUDED).values_list(
            "body_org", "number_year", "number_seq"
        )
    )
    assert len(numbers) == len(set(numbers))
    first = _snapshot()
    for ward in (tree.ward_a, tree.ward_b):
        propagandists_demo.delete_demo_data(ward)
        inspections_demo.delete_demo_data(ward)
    assert not Propagandist.objects.exists()
    assert not Inspection.objects.exists()
    propagandists_demo.seed_demo(tree.city, TODAY)
    inspections_demo.seed_demo(tree.city, TODAY)
    again = _snapshot()
    assert again[0] == first[0]
    assert again[1] == first[1]
