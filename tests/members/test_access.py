"""The access rules, role by role, on the same objects."""

import pytest

from members.access import access_for
from tests.factories import MemberFactory

# role -> (sees cell A1, oversees cell A1, manages cell A1, sees cell B1, sees ward A, lists members)
EXPECTED = {
    "admin": (True, True, True, True, True, True),
    "standing": (True, True, False, False, True, True),
    "in_charge": (True, True, False, False, False, True),
    "secretary": (True, True, True, False, False, True),
    "deputy": (True, True, True, False, False, True),
    "committee": (True, True, False, False, False, True),
    "member": (True, False, False, False, False, False),
    "other_secretary": (False, False, False, True, False, True),
    "nobody": (False, False, False, False, False, False),
}


@pytest.mark.parametrize(("role", "expected"), EXPECTED.items())
def test_what_each_role_sees_and_manages(tree, people, role, expected) -> None:
    access = access_for(people[role])
    got = (
        access.can_view_org(tree.cell_a1),
        access.can_oversee_org(tree.cell_a1),
        access.can_manage_org(tree.cell_a1),
        access.can_view_org(tree.cell_b1),
        access.can_view_org(tree.ward_a),
        access.can_list_members,
    )
    assert got == expected


@pytest.mark.parametrize(
    ("role", "sees_other_member", "manages_other_member"),
    [
        ("admin", True, True),
        ("standing", True, False),
        ("in_charge", True, False),
        ("secretary", True, True),
        ("committee", True, False),
        ("member", False, False),
        ("other_secretary", False, False),
        ("nobody", False, False),
    ],
)
def test_member_records_follow_the_cell(tree, people, role, sees_other_member, manages_other_member) -> None:
    other = MemberFactory.create(cell=tree.cell_a1)
    access = access_for(people[role])
    assert access.can_view_member(other) is sees_other_member
    assert access.can_manage_member(other) is manages_other_member


def test_a_member_sees_their_own_record(people) -> None:
    user = people["member"]
    assert access_for(user).can_view_member(user.member)


@pytest.mark.parametrize(
    ("role", "cells"),
    [
        ("admin", {"cell_a1", "cell_a2", "cell_b1"}),
        ("standing", {"cell_a1", "cell_a2"}),
        ("in_charge", {"cell_a1"}),
        ("secretary", {"cell_a1"}),
        ("other_secretary", {"cell_b1"}),
        ("nobody", set()),
    ],
)
def test_member_querysets_are_scoped(tree, people, role, cells) -> None:
    from members.models import Member

    for cell in (tree.cell_a1, tree.cell_a2, tree.cell_b1):
        MemberFactory.create(cell=cell)
    user = people[role]
    # Everyone also sees their own record, wherever it is; leave it out here.
    visible = {m.cell_id for m in Member.objects.visible_to(access_for(user)).exclude(user=user)}
    assert visible == {getattr(tree, name).pk for name in cells}


def test_access_is_read_once_per_request(people, django_assert_num_queries) -> None:
    user = people["secretary"]
    with django_assert_num_queries(2):  # roles, linked member
        access_for(user)
    with django_assert_num_queries(0):
        access_for(user)
