from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from django.utils import translation
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from members.models import Member, Organisation, Role
from tests.factories import MemberFactory, UserFactory, grant, make_org

pytest_plugins = ["tests.clock"]

K = Organisation.Kind

# Property tests (tests/hostile/). "ci" is reproducible: the same examples on every run, no example database.
# "dev" explores new examples on each run and replays the failures it found (in .hypothesis/, not committed).
# Choose with HYPOTHESIS_PROFILE; CI (which sets CI=true) gets "ci". An example may make a dozen queries and
# render a page, hence no deadline and no "too slow" health check.
_PROFILE: dict[str, Any] = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}
hypothesis_settings.register_profile("ci", max_examples=15, derandomize=True, database=None, **_PROFILE)
hypothesis_settings.register_profile("dev", max_examples=25, **_PROFILE)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(autouse=True)
def vietnamese():
    """Every test starts in the site's language: a request in another language must not leak into the next test
    (LocaleMiddleware activates the request's language for the thread and leaves it there)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with an empty cache (the dashboards cache their rows; CI's cache is a shared Redis)."""
    cache.clear()
    yield
    cache.clear()


@dataclass
class Tree:
    """A city with two wards: ward A has cells A1 and A2 (A1 has a party group), ward B has cell B1."""

    city: Organisation
    ward_a: Organisation
    ward_b: Organisation
    cell_a1: Organisation
    group_a1: Organisation
    cell_a2: Organisation
    cell_b1: Organisation


@pytest.fixture
def tree(db) -> Tree:
    city = make_org("Thành phố Bến Tre", K.PROVINCE, code="BT")
    ward_a = make_org("Phường Phú Khương", K.WARD, city, code="PK")
    ward_b = make_org("Phường An Hội", K.WARD, city, code="AH")
    cell_a1 = make_org("Chi bộ khu phố 1", K.CELL, ward_a, code="PK-KP1")
    group_a1 = make_org("Tổ đảng 1", K.GROUP, cell_a1, code="PK-KP1-T1")
    cell_a2 = make_org("Chi bộ khu phố 2", K.CELL, ward_a, code="PK-KP2")
    cell_b1 = make_org("Chi bộ khu phố 3", K.CELL, ward_b, code="AH-KP3")
    return Tree(city, ward_a, ward_b, cell_a1, group_a1, cell_a2, cell_b1)


@pytest.fixture
def people(tree: Tree) -> dict[str, User]:
    """One login account for every role, around cell A1, plus outsiders."""

    def member_user(username: str, cell: Organisation) -> User:
        user = UserFactory.create(username=username)
        MemberFactory.create(cell=cell, user=user, full_name=f"Đảng viên {username}")
        return user

    admin = UserFactory.create(username="admin")
    grant(admin, Role.Kind.ADMIN, None)
    standing = member_user("standing", tree.cell_a2)
    grant(standing, Role.Kind.STANDING, tree.ward_a)
    in_charge = member_user("in_charge", tree.cell_a2)
    grant(in_charge, Role.Kind.IN_CHARGE, tree.cell_a1)
    secretary = member_user("secretary", tree.cell_a1)
    grant(secretary, Role.Kind.SECRETARY, tree.cell_a1)
    deputy = member_user("deputy", tree.cell_a1)
    grant(deputy, Role.Kind.DEPUTY, tree.cell_a1)
    committee = member_user("committee", tree.cell_a1)
    grant(committee, Role.Kind.COMMITTEE, tree.cell_a1)
    member = member_user("member", tree.cell_a1)
    other_secretary = member_user("other_secretary", tree.cell_b1)
    grant(other_secretary, Role.Kind.SECRETARY, tree.cell_b1)
    nobody = UserFactory.create(username="nobody")
    return {
        "admin": admin,
        "standing": standing,
        "in_charge": in_charge,
        "secretary": secretary,
        "deputy": deputy,
        "committee": committee,
        "member": member,
        "other_secretary": other_secretary,
        "nobody": nobody,
    }


@pytest.fixture
def client_for(people):
    def make(name: str) -> Client:
        client = Client()
        client.force_login(people[name])
        return client

    return make


@pytest.fixture
def member_a1(tree: Tree) -> Member:
    return MemberFactory.create(cell=tree.cell_a1, full_name="Nguyễn Thị Hồng", phone="0912345678")
