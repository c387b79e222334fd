"""The member search is kept in the cache under whom the viewer sees, the tokens of the organisations they see, the
query string and the day: a second search reads the access and the tokens only; every write it shows is shown at
the next search; each viewer gets their own list; and the statuses follow the day."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from members.models import Exemption, Member, Organisation, Role, today
from tests.factories import MemberFactory, UserFactory, grant, make_org

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'(csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]*"')


def _search(client, **query: Any) -> str:
    response = client.get(reverse("members:member-list"), query)
    assert response.status_code == 200
    return CSRF.sub(r'\1"…"', response.content.decode())


def _rows(page: str) -> dict[str, str]:
    """The list's rows by name: each row's HTML (none for "No member matches")."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = [row for row in re.findall(r"<tr>(.*?)</tr>", body, re.S) if "colspan" not in row]
    return {re.sub(r"<[^>]+>", "", re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[0]).strip(): row for row in rows}


def _filters(page: str) -> str:
    return page.split('<select name="org"', 1)[1].split("</select>", 1)[0]


@pytest.fixture
def world(tree, people) -> SimpleNamespace:
    """Three members named Nguyễn Văn in ward A (one probationary until tomorrow), one in ward B."""
    day = today()
    an = MemberFactory.create(cell=tree.cell_a1, full_name="Nguyễn Văn An", phone="0911000001")
    binh = MemberFactory.create(
        cell=tree.cell_a2,
        full_name="Nguyễn Văn Bình",
        admitted_on=day - dt.timedelta(days=364),
        official_on=day + dt.timedelta(days=1),
    )
    cuong = MemberFactory.create(cell=tree.cell_a1, full_name="Nguyễn Văn Cường")
    dung = MemberFactory.create(cell=tree.cell_b1, full_name="Nguyễn Văn Dũng")
    return SimpleNamespace(tree=tree, people=people, day=day, an=an, binh=binh, cuong=cuong, dung=dung)


@pytest.mark.parametrize("viewer", ["standing", "admin"])
def test_a_second_search_is_served_from_the_cache(client_for, world, django_assert_num_queries, viewer) -> None:
    client = client_for(viewer)
    # session, user, roles, own member record, the tokens of what the viewer sees; the part: the organisations of
    # the filter, the count, the page; the bell's unread count
    with django_assert_num_queries(8):
        first = _search(client, q="nguyen van")
    with django_assert_num_queries(5):
        again = _search(client, q="nguyen van")
    assert again == first
    assert {"Nguyễn Văn An", "Nguyễn Văn Bình", "Nguyễn Văn Cường"} <= set(_rows(again))
    with django_assert_num_queries(8):  # another query string: another part
        _search(client, q="nguyen van an")


def test_typing_gets_the_list_alone_and_choosing_the_whole_search(client_for, world) -> None:
    client = client_for("admin")
    url = reverse("members:member-list")
    for _ in range(2):  # the second time from the cache
        table = client.get(url, {"q": "nguyen"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="member-table")
        assert table.content.decode().lstrip().startswith('<p class="text-body-secondary small" role="status">')
        assert "<html" not in table.content.decode()
        whole = client.get(url, {"q": "nguyen"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="member-search")
        assert 'id="member-search"' in whole.content.decode()
        assert "<html" in whole.content.decode()


def _rename(obj: Any, field: str = "full_name", value: str = "Nguyễn Văn Mới") -> None:
    setattr(obj, field, value)
    obj.save()


# Each write the search shows, and what it shows after it (the standing committee of ward A searching "nguyen van").
WRITES: list[tuple[str, Callable[[SimpleNamespace], object], Callable[[str], bool]]] = [
    ("a member renamed", lambda w: _rename(w.an), lambda page: "Nguyễn Văn Mới" in _rows(page)),
    (
        "a member renamed in bulk",
        lambda w: Member.objects.filter(pk=w.an.pk).update(full_name="Trần Thị An", search_name="tran thi an"),
        lambda page: "Nguyễn Văn An" not in _rows(page),
    ),
    (
        "a phone changed",
        lambda w: Member.objects.filter(pk=w.an.pk).update(phone="0987000111"),
        lambda page: "0987000111" in _rows(page)["Nguyễn Văn An"],
    ),
    (
        "a member added",
        lambda w: MemberFactory.create(cell=w.tree.cell_a2, full_name="Nguyễn Văn Em"),
        lambda page: "Nguyễn Văn Em" in _rows(page),
    ),
    (
        "a member left",
        lambda w: Member.objects.filter(pk=w.cuong.pk).update(management_status="left", left_on=w.day),
        lambda page: "Nguyễn Văn Cường" not in _rows(page),
    ),
    (
        "a member moved out of the ward",
        lambda w: _rename(w.cuong, "cell", w.tree.cell_b1),
        lambda page: "Nguyễn Văn Cường" not in _rows(page),
    ),
    (
        "a member moved into the ward",
        lambda w: _rename(w.dung, "cell", w.tree.cell_a1),
        lambda page: "Nguyễn Văn Dũng" in _rows(page),
    ),
    (
        "an exemption granted",
        lambda w: Exemption.objects.create(member=w.an, starts_on=w.day, reason="Tuổi cao"),
        lambda page: "Miễn sinh hoạt" in _rows(page)["Nguyễn Văn An"],
    ),
    (
        "a cell renamed",
        lambda w: _rename(w.tree.cell_a1, "name", "Chi bộ Mới"),
        lambda page: "Chi bộ Mới" in _rows(page)["Nguyễn Văn An"] and "Chi bộ Mới" in _filters(page),
    ),
    (
        "a cell added",
        lambda w: make_org("Chi bộ khu phố 9", Organisation.Kind.CELL, w.tree.ward_a, code="PK-KP9"),
        lambda page: "Chi bộ khu phố 9" in _filters(page),
    ),
]


@pytest.mark.parametrize(("write", "shown"), [pytest.param(w, s, id=name) for name, w, s in WRITES])
@pytest.mark.parametrize("viewer", ["standing", "admin"])
def test_every_write_the_search_shows_is_shown_at_the_next_search(client_for, world, viewer, write, shown) -> None:
    client = client_for(viewer)
    query = {"q": "nguyen van"} if viewer == "standing" else {"q": "nguyen van", "org": world.tree.ward_a.pk}
    before = _search(client, **query)
    assert _search(client, **query) == before  # from the cache
    assert not shown(before)
    write(world)
    after = _search(client, **query)
    assert shown(after)
    cache.clear()
    assert _search(client, **query) == after  # the list searched afresh is the same


def test_a_write_outside_what_the_viewer_sees_leaves_their_search_in_the_cache(
    client_for, world, django_assert_num_queries
) -> None:
    client = client_for("standing")
    first = _search(client, q="nguyen van")
    _rename(world.dung, "full_name", "Nguyễn Văn Dũng Hai")  # in ward B
    with django_assert_num_queries(5):
        assert _search(client, q="nguyen van") == first


@pytest.mark.parametrize(
    ("viewer", "listed"),
    [
        ("admin", {"Nguyễn Văn An", "Nguyễn Văn Bình", "Nguyễn Văn Cường", "Nguyễn Văn Dũng"}),
        ("standing", {"Nguyễn Văn An", "Nguyễn Văn Bình", "Nguyễn Văn Cường"}),
        ("secretary", {"Nguyễn Văn An", "Nguyễn Văn Cường"}),
        ("other_secretary", {"Nguyễn Văn Dũng"}),
    ],
)
def test_each_viewer_gets_the_list_of_what_they_see(client_for, world, viewer, listed) -> None:
    for other in ("admin", "standing", "secretary", "other_secretary"):
        _search(client_for(other), q="nguyen van")  # the others' lists are in the cache
    page = _search(client_for(viewer), q="nguyen van")
    assert set(_rows(page)) == listed
    cache.clear()
    assert _search(client_for(viewer), q="nguyen van") == page  # the same as searched for them alone


def test_ones_own_record_is_listed_with_what_one_oversees(client_for, world, people) -> None:
    """The member in charge of cell A1 is a member of cell A2: their own record comes with cell A1's list, and
    another member of cell A2 in charge of cell A1 does not get it from the cache (each gets their own)."""
    _rename(Member.objects.get(user=people["in_charge"]), "full_name", "Nguyễn Văn Phụ Trách")
    other = UserFactory.create(username="in_charge_two")
    MemberFactory.create(cell=world.tree.cell_a2, user=other, full_name="Nguyễn Văn Phụ Trách Hai")
    grant(other, Role.Kind.IN_CHARGE, world.tree.cell_a1)
    first = _rows(_search(client_for("in_charge"), q="nguyen van"))
    client = Client()
    client.force_login(other)
    second = _rows(_search(client, q="nguyen van"))
    assert set(first) == {"Nguyễn Văn An", "Nguyễn Văn Cường", "Nguyễn Văn Phụ Trách"}
    assert set(second) == {"Nguyễn Văn An", "Nguyễn Văn Cường", "Nguyễn Văn Phụ Trách Hai"}


def test_the_statuses_follow_the_day(client_for, world, clock) -> None:
    page = _search(client_for("standing"), q="nguyen van", status="probationary")
    assert set(_rows(page)) == {"Nguyễn Văn Bình"}  # official from tomorrow
    assert "Dự bị" in _rows(page)["Nguyễn Văn Bình"]
    clock.shift(dt.timedelta(days=1))
    client = client_for("standing")  # signed in again: a session lasts less than a day
    assert _rows(_search(client, q="nguyen van", status="probationary")) == {}
    assert "Chính thức" in _rows(_search(client, q="nguyen van"))["Nguyễn Văn Bình"]
