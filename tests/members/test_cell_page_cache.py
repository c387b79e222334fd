"""The cell's page is kept in the cache under the tokens of the cell and of the organisations above it, the day and
what the viewer may do: a second visit reads the access, the cell and the tokens only; every write the page shows
renews it; each viewer gets their own version; and the statuses follow the day."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse

from members.models import AwayPeriod, Exemption, MassOrganisation, Member, Organisation, ResidentialGroup, Role, today
from resolutions.models import Task
from tests.factories import MemberFactory, UserFactory, grant
from tests.resolutions.factories import ResolutionFactory, TaskFactory

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'(csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]*"')


def _page(client, cell: Organisation) -> str:
    response = client.get(reverse("members:org-detail", args=[cell.pk]))
    assert response.status_code == 200
    return CSRF.sub(r'\1"…"', response.content.decode())


def _roll(page: str) -> dict[str, str]:
    """The member table's rows by name: each row's HTML."""
    table = page.split('<h2 class="h5">Đảng viên</h2>')[1].split("</tbody>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)
    return {re.sub(r"<[^>]+>", "", re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[0]).strip(): row for row in rows}


def _section(page: str, start: str, end: str) -> str:
    return page.split(start, 1)[1].split(end, 1)[0] if start in page else ""


def _committee(page: str) -> str:
    return _section(page, '<h2 class="h5">Chi ủy</h2>', "</ul>")


def _probations(page: str) -> str:
    return _section(page, 'id="probation-ending"', "</section>")


def _work(page: str) -> str:
    return _section(page, 'id="cell-work"', "</section>")


@pytest.fixture
def world(tree, people) -> SimpleNamespace:
    """Cell A1 with a member in a residential group, a probationary member whose probation ends in 25 days, a
    member recognised from tomorrow, a resolution in force with a task led by the member and one led by a mass
    organisation; the accounts of the ``people`` fixture (the ward's member in charge of the cell is a member of
    cell A2) and an account in charge of the cell with no member record."""
    day = today()
    group = ResidentialGroup.objects.create(cell=tree.cell_a1, name="Tổ 5")
    hong = MemberFactory.create(
        cell=tree.cell_a1, full_name="Nguyễn Thị Hồng", phone="0912345678", residential_group=group
    )
    binh = MemberFactory.create(
        cell=tree.cell_a1, full_name="Trần Văn Bình", admitted_on=day - dt.timedelta(days=340), official_on=None
    )
    cuc = MemberFactory.create(
        cell=tree.cell_a1,
        full_name="Lê Thị Cúc",
        admitted_on=day - dt.timedelta(days=364),
        official_on=day + dt.timedelta(days=1),
    )
    women = MassOrganisation.objects.create(cell=tree.cell_a1, kind="women", name="Hội Phụ nữ")
    resolution = ResolutionFactory.create(
        cell=tree.cell_a1, title="Nghị quyết tháng", period_start=day.replace(day=1), period_end=day + dt.timedelta(10)
    )
    task = TaskFactory.create(resolution=resolution, lead_member=hong, deadline=day, title="Vận động vệ sinh")
    led = TaskFactory.create(
        resolution=resolution,
        lead_kind=Task.LeadKind.MASS_ORGANISATION,
        lead_member=None,
        lead_mass_organisation=women,
        deadline=day - dt.timedelta(days=3),
        title="Thu gom rác",
    )
    # An account in charge of the cell without a member record: the committee shows the account's name.
    helper = UserFactory.create(username="helper", first_name="Cán Bộ", last_name="")
    grant(helper, Role.Kind.IN_CHARGE, tree.cell_a1)
    return SimpleNamespace(
        tree=tree, people=people, day=day, group=group, hong=hong, binh=binh, cuc=cuc, women=women,
        resolution=resolution, task=task, led=led, helper=helper,
    )  # fmt: skip


def test_a_second_visit_is_served_from_the_cache(client_for, world, django_assert_num_queries) -> None:
    client = client_for("secretary")
    # session, user, roles, own member record, the cell with its token, the names above it; the part: the roles,
    # the roll (the members, their counts and the probations ending), the resolutions in force and their tasks;
    # the bell's unread count
    with django_assert_num_queries(10):
        first = _page(client, world.tree.cell_a1)
    # the part comes from the cache
    with django_assert_num_queries(6):
        again = _page(client, world.tree.cell_a1)
    assert again == first
    assert "Nguyễn Thị Hồng" in _roll(again)
    assert "Thu gom rác" in _work(again)


def test_a_write_elsewhere_in_the_ward_leaves_the_page_in_the_cache(client_for, world, django_assert_num_queries):
    """The page is not kept under the tokens of the ward and the city: any write under them renews those."""
    client = client_for("secretary")
    first = _page(client, world.tree.cell_a1)
    _rename(Member.objects.get(user=world.people["standing"]))  # a member of cell A2
    MemberFactory.create(cell=world.tree.cell_a2)
    with django_assert_num_queries(6):
        assert _page(client, world.tree.cell_a1) == first


def _rename(obj: Any, field: str = "full_name", value: str = "Tên Mới") -> None:
    setattr(obj, field, value)
    obj.save()


# Each write the page shows, and what the page shows after it.
WRITES: list[tuple[str, Callable[[SimpleNamespace], object], Callable[[str], bool]]] = [
    ("a member renamed", lambda w: _rename(w.hong), lambda page: "Tên Mới" in _roll(page)),
    (
        "a phone changed (in bulk)",
        lambda w: Member.objects.filter(pk=w.hong.pk).update(phone="0987000111"),
        lambda page: "0987000111" in _roll(page)["Nguyễn Thị Hồng"],
    ),
    (
        "a member added",
        lambda w: MemberFactory.create(cell=w.tree.cell_a1, full_name="Phạm Văn Mới"),
        lambda page: "Phạm Văn Mới" in _roll(page),
    ),
    (
        "a member left",
        lambda w: Member.objects.filter(pk=w.hong.pk).update(management_status="left", left_on=w.day),
        lambda page: "Nguyễn Thị Hồng" not in _roll(page),
    ),
    (
        "a member moved to another cell",
        lambda w: _rename(w.hong, "cell", w.tree.cell_a2),
        lambda page: "Nguyễn Thị Hồng" not in _roll(page),
    ),
    (
        "an exemption granted",
        lambda w: Exemption.objects.create(member=w.hong, starts_on=w.day, reason="Tuổi cao"),
        lambda page: "Miễn sinh hoạt" in _roll(page)["Nguyễn Thị Hồng"],
    ),
    (
        "an away period",
        lambda w: AwayPeriod.objects.create(member=w.hong, starts_on=w.day, place="Long An"),
        lambda page: "Vắng địa phương" in _roll(page)["Nguyễn Thị Hồng"],
    ),
    (
        "a probationary member recognised",
        lambda w: Member.objects.filter(pk=w.binh.pk).update(official_on=w.day),
        lambda page: "Trần Văn Bình" not in _probations(page) and "Chính thức" in _roll(page)["Trần Văn Bình"],
    ),
    (
        "a residential group renamed",
        lambda w: _rename(w.group, "name", "Tổ 6"),
        lambda page: "Tổ 6" in _roll(page)["Nguyễn Thị Hồng"],
    ),
    (
        "a role given",
        lambda w: grant(w.hong.user or _account(w.hong), Role.Kind.COMMITTEE, w.tree.cell_a1),
        lambda page: "Nguyễn Thị Hồng" in _committee(page),
    ),
    (
        "a role taken away",
        lambda w: Role.objects.filter(user=w.people["deputy"]).delete(),
        lambda page: "Đảng viên deputy" not in _committee(page),
    ),
    (
        "the account of a role holder without a record renamed",
        lambda w: _rename(w.helper, "first_name", "Cán Bộ Mới"),
        lambda page: "Cán Bộ Mới" in _committee(page),
    ),
    (
        "a member of another cell in charge of this one renamed",
        lambda w: _rename(Member.objects.get(user=w.people["in_charge"])),
        lambda page: "Tên Mới" in _committee(page),
    ),
    (
        "a task's deadline moved",
        lambda w: Task.objects.filter(pk=w.task.pk).update(deadline=w.day - dt.timedelta(days=1)),
        lambda page: "Vận động vệ sinh" in _work(page),
    ),
    (
        "a task's progress reported",
        lambda w: Task.objects.filter(pk=w.led.pk).update(progress=80),
        lambda page: "40%" in _work(page),
    ),
    (
        "a resolution renamed",
        lambda w: _rename(w.resolution, "title", "Nghị quyết mới"),
        lambda page: "Nghị quyết mới" in _work(page),
    ),
    (
        "a mass organisation renamed",
        lambda w: _rename(w.women, "name", "Hội Nông dân"),
        lambda page: "Hội Nông dân" in _work(page),
    ),
    (
        "the cell renamed",
        lambda w: _rename(w.tree.cell_a1, "name", "Chi bộ Mới"),
        lambda page: '<h1 class="h3 mb-0 me-auto">Chi bộ Mới</h1>' in page,
    ),
    (
        "the ward renamed",
        lambda w: _rename(w.tree.ward_a, "name", "Phường Mới"),
        lambda page: ">Phường Mới</a></li>" in page,
    ),
    ("the city renamed", lambda w: _rename(w.tree.city, "name", "Tỉnh Mới"), lambda page: ">Tỉnh Mới</a></li>" in page),
]


def _account(member: Member):
    member.user = UserFactory.create(username="hong")
    member.save()
    return member.user


@pytest.mark.parametrize(("write", "shown"), [pytest.param(w, s, id=name) for name, w, s in WRITES])
def test_every_write_the_page_shows_is_shown_at_the_next_visit(client_for, world, write, shown) -> None:
    client = client_for("secretary")
    before = _page(client, world.tree.cell_a1)
    assert _page(client, world.tree.cell_a1) == before  # from the cache
    assert not shown(before)
    write(world)
    after = _page(client, world.tree.cell_a1)
    assert shown(after)
    cache.clear()
    assert _page(client, world.tree.cell_a1) == after  # the page rendered afresh is the same


@pytest.mark.parametrize(
    ("viewer", "manages", "oversees", "own"),
    [
        ("secretary", True, True, True),
        ("committee", False, True, True),
        ("member", False, False, True),
        ("in_charge", False, True, False),
        ("standing", False, True, False),
        ("admin", True, True, False),
    ],
)
def test_each_viewer_gets_the_page_of_their_own_rights(client_for, world, viewer, manages, oversees, own) -> None:
    for other in ("secretary", "member", "standing", "admin"):
        _page(client_for(other), world.tree.cell_a1)  # the others' versions are in the cache
    page = _page(client_for(viewer), world.tree.cell_a1)
    assert ("Thêm đảng viên" in page) is manages
    assert ("0912345678" in page) is oversees  # the phones
    assert ('href="/members/' in _roll(page)["Nguyễn Thị Hồng"]) is oversees  # the links to the records
    assert (_probations(page) != "") is oversees
    assert ("Tuyên truyền viên</a></li>" in page) is oversees  # the tab of the propagandists
    button = re.compile(rf'<a class="btn [^"]*" href="{reverse("resolutions:my-tasks")}">Việc của tôi</a>')
    assert bool(button.search(page)) is own  # the way to one's tasks, on one's own cell's page
    cache.clear()
    assert _page(client_for(viewer), world.tree.cell_a1) == page  # the same as rendered for them alone


def test_the_statuses_follow_the_day(client_for, world, clock) -> None:
    client = client_for("secretary")
    page = _page(client, world.tree.cell_a1)
    assert "Dự bị" in _roll(page)["Lê Thị Cúc"]  # official from tomorrow
    assert "còn 25 ngày" in _probations(page)
    assert "Vận động vệ sinh" not in _work(page)  # due today: not overdue yet
    clock.shift(dt.timedelta(days=1))
    page = _page(client_for("secretary"), world.tree.cell_a1)  # signed in again: a session lasts less than a day
    assert "Chính thức" in _roll(page)["Lê Thị Cúc"]
    assert "còn 24 ngày" in _probations(page)
    assert "Vận động vệ sinh" in _work(page)
