"""Who signs an organisation's documents (the secretary or deputy, from the roles and the member records), the
roles of a party committee's secretary and deputy, and the organisation's own run of document numbers."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from members.access import access_for
from members.models import DocumentSequence, Role, office_holders
from tests.factories import MemberFactory, UserFactory, grant

pytestmark = pytest.mark.django_db
R = Role.Kind


def holder(username: str, cell, name: str, kind: str, org):
    user = UserFactory.create(username=username)
    MemberFactory.create(cell=cell, user=user, full_name=name)
    grant(user, kind, org)
    return user


def test_a_cells_signers_are_its_secretary_and_deputy(tree, people) -> None:
    assert office_holders(tree.cell_a1) == ("Đảng viên secretary", "Đảng viên deputy")
    assert office_holders(tree.cell_a2) == ("", "")  # nobody holds the offices: the name is left to write by hand


def test_a_committees_signers_are_its_party_secretary_and_deputy(tree, people, django_assert_num_queries) -> None:
    # The standing committee member signs nothing as such: only the committee's secretary and deputy do.
    assert office_holders(tree.ward_a) == ("", "")
    holder("pbt", tree.cell_a2, "Trần Thị Bình", R.PARTY_DEPUTY, tree.ward_a)
    assert office_holders(tree.ward_a) == ("", "Trần Thị Bình")
    holder("bt", tree.cell_a1, "Nguyễn Văn An", R.PARTY_SECRETARY, tree.ward_a)
    holder("bt_later", tree.cell_a1, "Lê Văn Sau", R.PARTY_SECRETARY, tree.ward_a)
    with django_assert_num_queries(1):
        assert office_holders(tree.ward_a) == ("Nguyễn Văn An", "Trần Thị Bình")  # the first holder recorded
    # A cell's secretary is not the ward's.
    assert office_holders(tree.ward_b) == ("", "")


@pytest.mark.parametrize(
    ("kind", "org_name", "ok"),
    [
        (R.PARTY_SECRETARY, "ward_a", True),
        (R.PARTY_DEPUTY, "city", True),
        (R.PARTY_SECRETARY, "cell_a1", False),
        (R.PARTY_DEPUTY, "group_a1", False),
        (R.SECRETARY, "ward_a", False),
    ],
)
def test_a_party_committees_secretary_belongs_to_a_committee(tree, kind, org_name, ok) -> None:
    role = Role(user=UserFactory.create(), kind=kind, organisation=getattr(tree, org_name))
    if ok:
        role.clean()
    else:
        with pytest.raises(ValidationError):
            role.clean()


def test_the_party_committees_secretary_oversees_the_ward_but_manages_no_cell(tree) -> None:
    user = holder("bt", tree.cell_a1, "Nguyễn Văn An", R.PARTY_SECRETARY, tree.ward_a)
    access = access_for(user)
    assert access.can_oversee_org(tree.cell_a2)
    assert not access.can_manage_org(tree.cell_a1)
    assert not access.can_view_org(tree.ward_b)


def test_numbers_run_per_organisation_kind_and_year(tree) -> None:
    draw = DocumentSequence.draw
    assert [draw(organisation=tree.ward_a, kind="BC", year=2026) for _ in range(3)] == [1, 2, 3]
    assert draw(organisation=tree.ward_a, kind="BC", year=2027) == 1  # a new year starts again
    assert draw(organisation=tree.ward_a, kind="TB", year=2026) == 1  # another kind has its own run
    assert draw(organisation=tree.ward_b, kind="BC", year=2026) == 1  # another organisation too
    assert draw(organisation=tree.ward_a, kind="BC", year=2026) == 4
    assert DocumentSequence.objects.get(organisation=tree.ward_a, kind="BC", year=2026).last == 4


def test_the_last_number_may_be_raised_but_never_lowered(tree) -> None:
    DocumentSequence.draw(organisation=tree.ward_a, kind="BC", year=2026)
    sequence = DocumentSequence.objects.get()
    sequence.last = 11  # eleven reports issued on paper before the product was used
    sequence.full_clean()
    sequence.save()
    assert DocumentSequence.draw(organisation=tree.ward_a, kind="BC", year=2026) == 12
    sequence.refresh_from_db()
    sequence.last = 5
    with pytest.raises(ValidationError) as refused:
        sequence.full_clean()
    assert refused.value.message_dict["last"] == ["Số 12 đã được cấp; không thể lùi số đã cấp gần nhất về 5."]
