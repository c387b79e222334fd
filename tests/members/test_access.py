"""The access rules, role by role, on the same objects."""

import pytest

from members.access import Access, access_for
from members.models import Member, Role
from tests.factories import MemberFactory, UserFactory, grant

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
    for cell in (tree.cell_a1, tree.cell_a2, tree.cell_b1):
        MemberFactory.create(cell=cell)
    user = people[role]
    # Everyone also sees their own record, wherever it is; leave it out here.
    visible = {m.cell_id for m in Member.objects.visible_to(access_for(user)).exclude(user=user)}
    assert visible == {getattr(tree, name).pk for name in cells}


def test_access_is_read_once_per_request(people, django_assert_num_queries) -> None:
    user = people["secretary"]
    with django_assert_num_queries(1):  # the roles and the linked member, together
        access_for(user)
    with django_assert_num_queries(0):
        access_for(user)


def _read_by_the_orm(user) -> Access:
    """The access as the ORM reads it (two queries): what access_for's one written-out query must answer."""
    all_roles = Role.objects.filter(user=user).values_list("kind", "organisation__path", "organisation_id")
    roles = tuple(role for role in all_roles if role[0] != Role.Kind.ADMIN)
    member = Member.objects.active().filter(user=user).values_list("pk", "cell__path").first()
    return Access(
        user.pk,
        user.is_superuser or len(roles) < len(all_roles),
        roles,
        member[0] if member else None,
        member[1] if member else None,
    )


def test_access_reads_what_the_orm_reads_for_every_role(people) -> None:
    for user in people.values():
        assert access_for(user) == _read_by_the_orm(user), user.username


def test_access_holds_every_role_in_order_and_the_active_member_record(tree, people) -> None:
    user = people["secretary"]
    for kind, org in [
        ("standing", tree.ward_b),
        ("admin", None),
        ("committee", tree.cell_a2),
        ("in_charge", tree.ward_a),
        ("party_secretary", tree.ward_a),
    ]:
        grant(user, kind, org)
    access = access_for(user)
    # The roles as the model orders them (organisation path, then kind), the administrator's left out.
    assert access == _read_by_the_orm(user)
    assert [kind for kind, _, _ in access.roles] == [
        "in_charge",
        "party_secretary",
        "secretary",
        "committee",
        "standing",
    ]
    assert access.is_admin
    assert (access.member_id, access.member_cell_path) == (user.member.pk, tree.cell_a1.path)


@pytest.mark.parametrize("status", ["transferred_out", "left", "deceased"])
def test_a_member_record_no_longer_managed_gives_no_access(people, status) -> None:
    user = people["member"]
    Member.objects.filter(user=user).update(management_status=status)
    assert access_for(user) == Access(user.pk, False, (), None, None) == _read_by_the_orm(user)
    assert not access_for(user).has_any_access


def test_a_superuser_without_roles_is_an_administrator(db) -> None:
    user = UserFactory.create(is_superuser=True)
    assert access_for(user) == Access(user.pk, True, (), None, None) == _read_by_the_orm(user)
