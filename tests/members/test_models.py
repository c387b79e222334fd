import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from members.models import AwayPeriod, Exemption, Member, Organisation, cell_roll, roll_counts, status_counts
from tests.factories import MemberFactory

D = dt.date


@pytest.mark.parametrize(
    ("admitted", "official", "left", "day", "status"),
    [
        (D(2025, 6, 1), None, None, D(2025, 5, 31), None),  # not yet admitted
        (D(2025, 6, 1), None, None, D(2025, 6, 1), "probationary"),
        (D(2025, 6, 1), D(2026, 6, 1), None, D(2026, 5, 31), "probationary"),
        (D(2025, 6, 1), D(2026, 6, 1), None, D(2026, 6, 1), "official"),
        (D(2000, 1, 1), D(2001, 1, 1), D(2026, 10, 1), D(2026, 9, 30), "official"),
        (D(2000, 1, 1), D(2001, 1, 1), D(2026, 10, 1), D(2026, 10, 1), None),  # left the roll
    ],
)
def test_status_on_a_day(admitted, official, left, day, status) -> None:
    member = Member(admitted_on=admitted, official_on=official, left_on=left)
    assert member.status_on(day) == status


def test_counts_by_status_use_the_day_given(tree) -> None:
    day = D(2026, 11, 1)
    MemberFactory.create_batch(3, cell=tree.cell_a1)
    MemberFactory.create(cell=tree.cell_a1, admitted_on=D(2026, 3, 1), official_on=None)
    becomes_official = MemberFactory.create(cell=tree.cell_a1, admitted_on=D(2025, 11, 20), official_on=D(2026, 11, 20))
    exempt = MemberFactory.create(cell=tree.cell_a1, is_propagandist=True)
    Exemption.objects.create(member=exempt, starts_on=D(2026, 1, 1), reason="Tuổi cao")
    away = MemberFactory.create(cell=tree.cell_a1)
    AwayPeriod.objects.create(member=away, starts_on=D(2026, 1, 1), ends_on=D(2026, 10, 31), place="Long An")
    MemberFactory.create(cell=tree.cell_b1)  # another ward: not counted
    gone = MemberFactory.create(cell=tree.cell_a1, management_status="left", left_on=D(2026, 5, 1))
    assert gone.pk

    counts = status_counts(Member.objects.in_org(tree.ward_a), day)

    assert counts == {"total": 7, "official": 5, "probationary": 2, "exempt": 1, "away": 0, "propagandists": 1}
    assert becomes_official.status_on(day) == "probationary"
    # The cell page counts the same over its roll, read with the flags looked up member by member.
    roll = cell_roll(tree.cell_a1, day)
    assert roll_counts(roll, day) == counts == status_counts(Member.objects.in_cell(tree.cell_a1), day)
    assert {row["pk"]: (row["is_exempt"], row["is_away"]) for row in roll} == {
        m.pk: (m.is_exempt, m.is_away)  # type: ignore[attr-defined]  # annotated by with_flags()
        for m in Member.objects.in_cell(tree.cell_a1).active().with_flags(day)
    }
    assert {row["pk"]: row["status"] for row in roll} == {
        m.pk: m.status_on(day) for m in Member.objects.in_cell(tree.cell_a1).active()
    }


@pytest.mark.parametrize("per_member", [False, True])
def test_flags_on_a_day_either_way(tree, per_member) -> None:
    day = D(2026, 11, 1)
    exempt = MemberFactory.create(cell=tree.cell_a1, full_name="Miễn")
    Exemption.objects.create(member=exempt, starts_on=D(2020, 1, 1), ends_on=D(2021, 1, 1), reason="Ốm")
    Exemption.objects.create(member=exempt, starts_on=day, reason="Tuổi cao")  # from the day itself
    ended = MemberFactory.create(cell=tree.cell_a1, full_name="Hết miễn")
    Exemption.objects.create(member=ended, starts_on=D(2026, 1, 1), ends_on=D(2026, 10, 31), reason="Ốm")
    away = MemberFactory.create(cell=tree.cell_a1, full_name="Vắng")
    AwayPeriod.objects.create(member=away, starts_on=D(2026, 1, 1), ends_on=day, place="Long An")  # to the day
    later = MemberFactory.create(cell=tree.cell_a1, full_name="Sắp đi")
    AwayPeriod.objects.create(member=later, starts_on=D(2026, 11, 2), place="Cà Mau")

    members = Member.objects.in_cell(tree.cell_a1).with_flags(day, per_member=per_member)
    flags = {m.full_name: (m.is_exempt, m.is_away) for m in members}  # type: ignore[attr-defined]  # with_flags()
    assert flags == {
        "Miễn": (True, False),
        "Hết miễn": (False, False),
        "Vắng": (False, True),
        "Sắp đi": (False, False),
    }
    exempt_ones = members.filter(is_exempt=True)  # type: ignore[misc]  # annotated by with_flags()
    assert set(exempt_ones.values_list("full_name", flat=True)) == {"Miễn"}


@pytest.mark.parametrize(
    ("existing", "new", "overlaps"),
    [
        ((D(2025, 1, 1), D(2025, 6, 30)), (D(2025, 7, 1), None), False),
        ((D(2025, 1, 1), D(2025, 6, 30)), (D(2025, 6, 30), None), True),
        ((D(2025, 1, 1), None), (D(2030, 1, 1), D(2030, 2, 1)), True),
        ((D(2025, 3, 1), D(2025, 4, 1)), (D(2025, 1, 1), D(2025, 12, 31)), True),
        ((D(2025, 3, 1), D(2025, 4, 1)), (D(2024, 1, 1), D(2025, 2, 28)), False),
    ],
)
def test_periods_of_one_member_do_not_overlap(member_a1, existing, new, overlaps) -> None:
    AwayPeriod.objects.create(member=member_a1, starts_on=existing[0], ends_on=existing[1], place="Cần Thơ")
    period = AwayPeriod(member=member_a1, starts_on=new[0], ends_on=new[1], place="Cần Thơ")
    if overlaps:
        with pytest.raises(ValidationError):
            period.full_clean()
    else:
        period.full_clean()


def test_subtree_queries_work_at_any_depth(tree) -> None:
    under_city = set(Organisation.objects.under(tree.city).values_list("code", flat=True))
    under_ward = set(Organisation.objects.under(tree.ward_a).values_list("code", flat=True))
    assert under_city == {"BT", "PK", "AH", "PK-KP1", "PK-KP1-T1", "PK-KP2", "AH-KP3"}
    assert under_ward == {"PK", "PK-KP1", "PK-KP1-T1", "PK-KP2"}
    assert tree.group_a1.ancestor_paths() == [tree.city.path, tree.ward_a.path, tree.cell_a1.path, tree.group_a1.path]


def test_a_member_is_never_deleted_from_the_admin(rf, people, member_a1) -> None:
    from django.contrib.admin.sites import site

    request = rf.get("/")
    request.user = people["admin"]
    assert site._registry[Member].has_delete_permission(request, member_a1) is False
