"""The roster pages: who opens them, the filters, the suggestions and one-click add, editing and ending."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from members.models import Background, ResidentialGroup
from propagandists.models import Propagandist, PropagandistTopic
from propagandists.services import save_entry
from tests.factories import MemberFactory

DAY = dt.date(2026, 1, 5)


@pytest.fixture
def groups(tree):
    return [ResidentialGroup.objects.create(cell=tree.cell_a1, name=f"Tổ tự quản số {n}") for n in (1, 2)]


def _entry(cell, *, name: str = "", member=None, topics=("law",), areas=(), **fields) -> Propagandist:
    entry = Propagandist(cell=cell, member=member, full_name=name, starts_on=fields.pop("starts_on", DAY), **fields)
    return save_entry(entry=entry, topics=topics, areas=areas)


def _roster(client, cell, **params):
    return client.get(reverse("propagandists:roster", args=[cell.pk]), params)


@pytest.mark.parametrize(
    ("who", "status"),
    [("admin", 200), ("standing", 200), ("in_charge", 200), ("secretary", 200), ("committee", 200),
     ("member", 403), ("other_secretary", 404), ("nobody", 404)],
)  # fmt: skip
def test_who_opens_a_cells_roster(client_for, tree, who: str, status: int) -> None:
    assert _roster(client_for(who), tree.cell_a1).status_code == status


def test_the_roster_filters_by_topic_area_and_name_without_accents(client_for, tree, groups) -> None:
    hong = _entry(tree.cell_a1, name="Nguyễn Thị Hồng", topics=["health"], areas=[groups[0]])
    dung = _entry(tree.cell_a1, name="Trần Văn Dũng", topics=["law", "public_order"], areas=[groups[1]])
    member = MemberFactory.create(cell=tree.cell_a1, full_name="Lê Văn Đức")
    duc = _entry(tree.cell_a1, member=member, topics=["law"], areas=groups)
    _entry(tree.cell_a2, name="Nguyễn Văn Khác")  # another cell
    client = client_for("secretary")

    def names(**params):
        return [e.pk for e in _roster(client, tree.cell_a1, **params).context["entries"]]

    assert names() == [dung.pk, duc.pk, hong.pk] or set(names()) == {hong.pk, dung.pk, duc.pk}
    assert set(names(topic="law")) == {dung.pk, duc.pk}
    assert set(names(area=groups[0].pk)) == {hong.pk, duc.pk}
    assert names(q="nguyen thi hong") == [hong.pk]
    assert names(q="duc") == [duc.pk]  # a member's name is searched on the member record


def test_ended_entries_leave_the_active_roster(client_for, tree) -> None:
    gone = _entry(tree.cell_a1, name="Phạm Văn Cũ", starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2021, 1, 1))
    here = _entry(tree.cell_a1, name="Phạm Văn Mới")
    client = client_for("secretary")
    assert [e.pk for e in _roster(client, tree.cell_a1).context["entries"]] == [here.pk]
    assert [e.pk for e in _roster(client, tree.cell_a1, state="ended").context["entries"]] == [gone.pk]


def test_members_with_a_trusted_background_are_suggested_and_added_in_one_click(client_for, tree, groups) -> None:
    teacher_bg = Background.objects.get_or_create(code="giao-vien", defaults={"name": "Giáo viên"})[0]
    trader_bg = Background.objects.get_or_create(code="doanh-nhan", defaults={"name": "Doanh nhân"})[0]
    teacher = MemberFactory.create(cell=tree.cell_a1, full_name="Võ Thị Giáo", residential_group=groups[1])
    teacher.backgrounds.add(teacher_bg)
    trader = MemberFactory.create(cell=tree.cell_a1, full_name="Võ Văn Buôn")
    trader.backgrounds.add(trader_bg)
    flagged = MemberFactory.create(cell=tree.cell_a1, full_name="Võ Văn Cờ", is_propagandist=True)
    on_roster = MemberFactory.create(cell=tree.cell_a1, full_name="Võ Văn Có", is_propagandist=True)
    _entry(tree.cell_a1, member=on_roster)
    client = client_for("secretary")

    suggestions = {m.pk: s for m, s in _roster(client, tree.cell_a1).context["suggestions"]}
    assert set(suggestions) == {teacher.pk, flagged.pk}
    assert suggestions[teacher.pk].reasons == ("Giáo viên",)

    response = client.post(reverse("propagandists:add-suggestion", args=[tree.cell_a1.pk]), {"member": teacher.pk})
    assert response.status_code == 302
    entry = Propagandist.objects.get(member=teacher)
    assert entry.group == Propagandist.Group.TEACHER
    assert entry.ends_on is None
    assert list(entry.areas.all()) == [groups[1]]
    assert set(PropagandistTopic.objects.filter(propagandist=entry).values_list("topic", flat=True)) == {
        "education",
        "law",
    }
    # Twice is refused, and a member who is not a candidate cannot be added this way.
    client.post(reverse("propagandists:add-suggestion", args=[tree.cell_a1.pk]), {"member": teacher.pk})
    client.post(reverse("propagandists:add-suggestion", args=[tree.cell_a1.pk]), {"member": trader.pk})
    assert Propagandist.objects.filter(member__in=[teacher, trader]).count() == 1


def test_the_committee_member_sees_no_suggestions_and_cannot_add(client_for, tree) -> None:
    MemberFactory.create(cell=tree.cell_a1, is_propagandist=True)
    assert _roster(client_for("committee"), tree.cell_a1).context["suggestions"] == []
    response = client_for("committee").post(reverse("propagandists:add-suggestion", args=[tree.cell_a1.pk]))
    assert response.status_code == 403


def test_the_secretary_adds_a_person_outside_the_party(client_for, tree, groups) -> None:
    response = client_for("secretary").post(
        reverse("propagandists:entry-create", args=[tree.cell_a1.pk]),
        {
            "full_name": "  Huỳnh   Văn Mục ",
            "phone": "0912 345 670",
            "group": "religious",
            "occupation": "Chức sắc Phật giáo",
            "residential_group": groups[0].pk,
            "areas": [groups[0].pk, groups[1].pk],
            "topics": ["law", "culture"],
            "starts_on": "01/02/2026",
        },
    )
    assert response.status_code == 302
    entry = Propagandist.objects.get()
    assert (entry.full_name, entry.phone, entry.starts_on) == ("Huỳnh Văn Mục", "0912345670", dt.date(2026, 2, 1))
    assert entry.areas.count() == 2
    assert sorted(t.topic for t in entry.topics.all()) == ["culture", "law"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"starts_on": "01/02/2026"}, "full_name"),
        ({"full_name": "Huỳnh Văn Mục", "starts_on": "2026/31/12"}, "starts_on"),
        ({"full_name": "Huỳnh Văn Mục", "starts_on": "01/02/2026", "phone": "12345"}, "phone"),
    ],
)
def test_bad_input_writes_nothing(client_for, tree, data, field) -> None:
    response = client_for("secretary").post(reverse("propagandists:entry-create", args=[tree.cell_a1.pk]), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Propagandist.objects.exists()


def test_a_member_of_another_cell_cannot_be_put_on_the_roster(client_for, tree) -> None:
    outsider = MemberFactory.create(cell=tree.cell_b1)
    response = client_for("secretary").post(
        reverse("propagandists:entry-create", args=[tree.cell_a1.pk]),
        {"member": outsider.pk, "starts_on": "01/02/2026"},
    )
    assert "member" in response.context["form"].errors
    assert not Propagandist.objects.exists()


def test_edit_and_end_an_entry(client_for, tree, groups) -> None:
    entry = _entry(tree.cell_a1, name="Huỳnh Văn Mục", topics=["law"])
    client = client_for("secretary")
    response = client.post(
        reverse("propagandists:entry-edit", args=[entry.pk]),
        {"full_name": "Huỳnh Văn Mục", "starts_on": "05/01/2026", "topics": ["health"], "areas": [groups[1].pk]},
    )
    assert response.status_code == 302
    assert [t.topic for t in entry.topics.all()] == ["health"]
    assert (
        client.post(reverse("propagandists:entry-end", args=[entry.pk]), {"ends_on": "01/01/2025"}).status_code == 200
    )
    response = client.post(
        reverse("propagandists:entry-end", args=[entry.pk]), {"ends_on": "31/03/2026", "end_reason": "Chuyển nơi ở"}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.ends_on, entry.end_reason) == (dt.date(2026, 3, 31), "Chuyển nơi ở")
    assert entry.history.count() == 3


@pytest.mark.parametrize(("who", "status"), [("committee", 403), ("in_charge", 403), ("other_secretary", 404)])
def test_only_the_cells_secretaries_change_entries(client_for, tree, who, status) -> None:
    entry = _entry(tree.cell_a1, name="Huỳnh Văn Mục")
    client = client_for(who)
    for name in ("propagandists:entry-edit", "propagandists:entry-end"):
        assert client.post(reverse(name, args=[entry.pk]), {"ends_on": "31/03/2026"}).status_code == status
    entry.refresh_from_db()
    assert entry.ends_on is None


def test_the_ward_sees_the_rosters_of_its_cells(client_for, tree) -> None:
    _entry(tree.cell_a1, name="Huỳnh Văn Mục")
    _entry(tree.cell_a1, member=MemberFactory.create(cell=tree.cell_a1))
    _entry(tree.cell_a2, name="Trần Thị Hai")
    _entry(tree.cell_b1, name="Ngoài Phường")
    response = _roster(client_for("standing"), tree.ward_a)
    assert response.status_code == 200
    rows = {cell.pk: row for cell, row in response.context["rows"]}
    assert set(rows) == {tree.cell_a1.pk, tree.cell_a2.pk}
    assert {k: rows[tree.cell_a1.pk][k] for k in ("total", "members", "others")} == {
        "total": 2,
        "members": 1,
        "others": 1,
    }
    assert response.context["totals"]["total"] == 3
    assert _roster(client_for("secretary"), tree.ward_a).status_code == 404


@pytest.mark.parametrize("size", [1, 6])
def test_the_roster_runs_a_fixed_number_of_queries(client_for, tree, groups, django_assert_num_queries, size) -> None:
    bg = Background.objects.get_or_create(code="cuu-chien-binh", defaults={"name": "Cựu chiến binh"})[0]
    for n in range(size):
        member = MemberFactory.create(cell=tree.cell_a1)
        _entry(tree.cell_a1, member=member, topics=["law", "health"], areas=groups)
        _entry(tree.cell_a1, name=f"Người Ngoài {n}", topics=["law"], areas=[groups[0]])
        MemberFactory.create(cell=tree.cell_a1, residential_group=groups[0]).backgrounds.add(bg)
    client = client_for("secretary")
    # session, user, roles with own member record, the cell, the residential groups of the filter, the entries with
    # their members and groups, their topics, their areas, the candidates with their flags, their backgrounds
    # and the bell's unread count
    with django_assert_num_queries(11):
        response = _roster(client, tree.cell_a1)
    assert len(response.context["entries"]) == 2 * size
    assert len(response.context["suggestions"]) == size


@pytest.mark.parametrize("size", [1, 6])
def test_the_ward_overview_runs_a_fixed_number_of_queries(client_for, tree, django_assert_num_queries, size) -> None:
    for n in range(size):
        _entry(tree.cell_a1, name=f"Người Ngoài {n}")
        _entry(tree.cell_a2, name=f"Người Khác {n}")
    client = client_for("standing")
    # session, user, roles with own member record, the ward, its cells, the counts per cell
    with django_assert_num_queries(7):
        response = _roster(client, tree.ward_a)
    assert response.context["totals"]["total"] == 2 * size


def test_adding_a_suggestion_is_a_post(client_for, tree) -> None:
    url = reverse("propagandists:add-suggestion", args=[tree.cell_a1.pk])
    assert client_for("secretary").get(url).status_code == 405
