"""Who on a cell's roll is classified: exemptions and suspensions current on the roll's day, and only those."""

from __future__ import annotations

import datetime as dt

import pytest

from evaluations.rules import Exclusion
from evaluations.services import classification_roll
from members.models import Exemption, Suspension
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

YEAR = 2025
DAY = dt.date(YEAR, 12, 31)  # the roll's day for a past year: its last day
OLD = dt.date(2010, 1, 1)

# (the period's model or None for no period, its start, its end, why the member is not classified: "" when they are)
CASES = [
    ("none", None, OLD, None, ""),
    ("exempt, open-ended", Exemption, dt.date(YEAR, 3, 1), None, Exclusion.EXEMPT),
    ("exempt up to the roll's day", Exemption, dt.date(YEAR, 3, 1), DAY, Exclusion.EXEMPT),
    ("exemption ended before", Exemption, dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 30), ""),
    ("exemption starting after", Exemption, dt.date(YEAR + 1, 1, 1), None, ""),
    ("suspended, open-ended", Suspension, dt.date(YEAR, 6, 1), None, Exclusion.SUSPENDED),
    ("suspended from the roll's day", Suspension, DAY, dt.date(YEAR + 1, 6, 1), Exclusion.SUSPENDED),
    ("suspension ended before", Suspension, dt.date(YEAR, 1, 1), dt.date(YEAR, 6, 1), ""),
]


def test_each_member_is_classified_unless_exempt_or_suspended_on_the_rolls_day(tree) -> None:
    members = {}
    for name, model, starts_on, ends_on, _expected in CASES:
        member = MemberFactory.create(cell=tree.cell_a1, admitted_on=OLD, full_name=f"Đảng viên {name}")
        if model is not None:
            model.objects.create(member=member, starts_on=starts_on, ends_on=ends_on, reason="Lý do")
        members[name] = member.pk
    # A period of a member of another cell says nothing about this cell's members.
    other = MemberFactory.create(cell=tree.cell_a2, admitted_on=OLD)
    Exemption.objects.create(member=other, starts_on=OLD, reason="Lý do")
    roll = {entry.member.pk: entry.exclusion for entry in classification_roll(tree.cell_a1, YEAR)}
    assert other.pk not in roll
    assert {name: roll[pk] for name, pk in members.items()} == {name: expected for name, *_, expected in CASES}


def test_exempt_comes_before_suspended(tree) -> None:
    member = MemberFactory.create(cell=tree.cell_a1, admitted_on=OLD)
    Exemption.objects.create(member=member, starts_on=OLD, reason="Tuổi cao")
    Suspension.objects.create(member=member, starts_on=OLD, reason="Lý do")
    roll = {entry.member.pk: entry.exclusion for entry in classification_roll(tree.cell_a1, YEAR)}
    assert roll[member.pk] == Exclusion.EXEMPT
