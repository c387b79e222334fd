import datetime as dt
import re

import pytest
from django.urls import reverse

from members.models import AwayPeriod, Exemption, Member, ResidentialGroup, today
from tests.factories import MemberFactory
from tests.resolutions.factories import ResolutionFactory, TaskFactory

VALID = {
    "full_name": "Trần Văn Bình",
    "sex": "male",
    "birth_date": "05/03/1962",
    "phone": "0912 345 678",
    "admitted_on": "19/05/1990",
    "official_on": "19/05/1991",
}


def _post_new(client, cell, **changes):
    data = {**VALID, "cell": cell.pk, **changes}
    return client.post(reverse("members:member-create", args=[cell.pk]), data)


def test_secretary_adds_a_member_with_vietnamese_dates(client_for, tree) -> None:
    response = _post_new(client_for("secretary"), tree.cell_a1)
    member = Member.objects.get(full_name="Trần Văn Bình")
    assert response.status_code == 302
    assert member.birth_date == dt.date(1962, 3, 5)
    assert member.phone == "0912345678"
    assert member.status == Member.Status.OFFICIAL
    assert member.history.count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"phone": "12345"}, "phone", "số điện thoại"),
        ({"birth_date": "31/02/1962"}, "birth_date", "ngày hợp lệ"),
        ({"admitted_on": "01/01/2099"}, "admitted_on", "tương lai"),
        ({"official_on": "01/01/1980"}, "official_on", "trước ngày vào Đảng"),
        ({"official_on": "18/05/1991"}, "official_on", "sớm nhất từ ngày 19/05/1991"),  # a day short of a year
        ({"admitted_on": "01/01/1970"}, "admitted_on", "18 tuổi"),
        ({"full_name": "Bình"}, "full_name", "họ và tên"),
        ({"citizen_id": "123"}, "citizen_id", "12 chữ số"),
    ],
)
def test_bad_input_gets_a_vietnamese_message_and_writes_nothing(client_for, tree, changes, field, message) -> None:
    response = _post_new(client_for("secretary"), tree.cell_a1, **changes)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors[field])
    assert message.lower() in errors.lower()
    assert not Member.objects.filter(full_name__startswith="Trần Văn").exists()


def test_a_duplicate_member_is_refused(client_for, tree) -> None:
    client = client_for("secretary")
    _post_new(client, tree.cell_a1)
    response = _post_new(client, tree.cell_a1, full_name="TRẦN  Văn Bình".replace("TRẦN", "Trần"))
    assert "đã là đảng viên" in response.content.decode()
    assert Member.objects.filter(full_name="Trần Văn Bình").count() == 1


def test_a_secretary_cannot_put_a_member_in_another_cell(client_for, tree) -> None:
    url = reverse("members:member-create", args=[tree.cell_a1.pk])
    response = client_for("secretary").post(url, {**VALID, "cell": tree.cell_b1.pk})
    assert response.status_code == 200
    assert "cell" in response.context["form"].errors
    assert not Member.objects.filter(cell=tree.cell_b1, full_name="Trần Văn Bình").exists()


def test_secretary_edits_a_phone_and_history_keeps_who(client_for, people, member_a1) -> None:
    client = client_for("secretary")
    data = {**VALID, "full_name": member_a1.full_name, "cell": member_a1.cell_id, "phone": "0987 654 321"}
    response = client.post(reverse("members:member-edit", args=[member_a1.pk]), data)
    assert response.status_code == 302
    member_a1.refresh_from_db()
    assert member_a1.phone == "0987654321"
    latest = member_a1.history.latest()
    assert latest.history_user == people["secretary"]
    detail = client.get(reverse("members:member-detail", args=[member_a1.pk])).content.decode()
    assert "Số điện thoại" in detail


@pytest.mark.parametrize(
    ("role", "status"), [("standing", 403), ("in_charge", 403), ("committee", 403), ("member", 404)]
)
def test_only_the_cells_secretaries_edit(client_for, member_a1, role, status) -> None:
    response = client_for(role).post(reverse("members:member-edit", args=[member_a1.pk]), {**VALID})
    assert response.status_code == status
    member_a1.refresh_from_db()
    assert member_a1.full_name == "Nguyễn Thị Hồng"


@pytest.mark.parametrize("typed", ["nguyen thi hong", "NGUYEN THI HONG", "Nguyễn Thị Hồng", "hong nguyen", "thi ho"])
def test_search_ignores_accents_and_case(client_for, tree, member_a1, typed) -> None:
    MemberFactory.create(cell=tree.cell_a1, full_name="Nguyễn Thị Hương")
    response = client_for("secretary").get(reverse("members:member-list"), {"q": typed})
    names = [m.full_name for m in response.context["page"]]
    assert "Nguyễn Thị Hồng" in names
    assert "Nguyễn Thị Hương" not in names or typed == "thi ho"


def test_search_on_the_queryset(tree, member_a1) -> None:
    assert list(Member.objects.search("nguyen thi hong")) == [member_a1]
    assert list(Member.objects.search("Hòng")) == [member_a1]
    assert not Member.objects.search("nguyen van hong").exists()


@pytest.mark.parametrize(
    ("flag", "expected"),
    [("away", {"Away Person"}), ("exempt", {"Exempt Person"}), ("propagandist", {"Propagandist Person"})],
)
def test_member_list_filters(client_for, tree, flag, expected) -> None:
    today = dt.date.today()
    away = MemberFactory.create(cell=tree.cell_a1, full_name="Away Person")
    AwayPeriod.objects.create(member=away, starts_on=today - dt.timedelta(days=30), place="Bình Dương")
    exempt = MemberFactory.create(cell=tree.cell_a1, full_name="Exempt Person")
    Exemption.objects.create(member=exempt, starts_on=today - dt.timedelta(days=30), reason="Tuổi cao")
    MemberFactory.create(cell=tree.cell_a1, full_name="Propagandist Person", is_propagandist=True)
    ended = MemberFactory.create(cell=tree.cell_a1, full_name="Back Home")
    AwayPeriod.objects.create(
        member=ended, starts_on=today - dt.timedelta(days=300), ends_on=today - dt.timedelta(days=1), place="Long An"
    )
    response = client_for("secretary").get(reverse("members:member-list"), {"flag": flag, "org": tree.cell_a1.pk})
    assert {m.full_name for m in response.context["page"]} == expected


@pytest.mark.parametrize("size", [5, 60])
def test_member_list_runs_a_fixed_number_of_queries(client_for, tree, django_assert_num_queries, size) -> None:
    MemberFactory.create_batch(size, cell=tree.cell_a1)
    client = client_for("standing")
    # session, user, roles with own member record, the tokens of what the user sees (the list is kept in the cache
    # under them: tests/members/test_member_search_cache.py), organisations for the filter, count, page; the bell's
    # unread count
    with django_assert_num_queries(8):
        response = client.get(reverse("members:member-list"))
    assert response.status_code == 200


@pytest.mark.parametrize("size", [5, 60])
def test_cell_page_runs_a_fixed_number_of_queries(client_for, tree, django_assert_num_queries, size) -> None:
    MemberFactory.create_batch(size, cell=tree.cell_a1)
    ending = today() - dt.timedelta(days=340)  # probation ends in about 25 days
    MemberFactory.create_batch(size, cell=tree.cell_a1, admitted_on=ending, official_on=None)
    day = today()
    for kind, start, end in (("monthly", day.replace(day=1), day), ("thematic", day - dt.timedelta(days=90), day)):
        resolution = ResolutionFactory.create(cell=tree.cell_a1, kind=kind, period_start=start, period_end=end)
        TaskFactory.create_batch(size // 5, resolution=resolution, deadline=day - dt.timedelta(days=1))  # overdue
        TaskFactory.create_batch(size // 5, resolution=resolution, deadline=day + dt.timedelta(days=9))
    client = client_for("secretary")
    # session, user, roles with own member record, the cell (with its cache token), its ancestors, roles, its roll
    # (the members, their counts and the probations ending), the resolutions in force and their tasks (progress and
    # those overdue); the bell's unread count
    with django_assert_num_queries(10):
        response = client.get(reverse("members:org-detail", args=[tree.cell_a1.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('href="/members/') >= 3 * size  # both lists
    assert len(re.findall(r'href="/tasks/\d+/"', page)) == min(10, 2 * (size // 5))  # the first ten overdue
    assert len(response.context["probation_rows"]) == size


def _member_rows(page: str) -> dict[str, tuple[str, str, str, str]]:
    """The cell page's member table, by name: the name cell's HTML, the badges, the residential group, the phone."""
    table = page.split('<h2 class="h5">Đảng viên</h2>')[1].split("</tbody>")[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S):
        cells = [cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        name = re.sub(r"<[^>]+>", "", cells[0])
        badges = " + ".join(re.findall(r'<span class="badge [^"]*">([^<]*)</span>', cells[1]))
        rows[name] = (cells[0], badges, cells[2], re.sub(r"<[^>]+>", "", cells[3]) if len(cells) > 3 else "")
    return rows


def test_the_cell_page_shows_each_members_status_flags_group_and_link(client_for, tree, people) -> None:
    day = today()
    group = ResidentialGroup.objects.create(cell=tree.cell_a1, name="Tổ 5")
    official = MemberFactory.create(
        cell=tree.cell_a1, full_name="An Chính Thức", residential_group=group, is_propagandist=True, phone="0901"
    )
    MemberFactory.create(
        cell=tree.cell_a1, full_name="Bình Dự Bị", admitted_on=day - dt.timedelta(days=100), official_on=None, phone=""
    )
    # Recognised from tomorrow: still probationary today.
    MemberFactory.create(
        cell=tree.cell_a1,
        full_name="Cúc Mai Chính Thức",
        admitted_on=day - dt.timedelta(days=364),
        official_on=day + dt.timedelta(days=1),
    )
    exempt = MemberFactory.create(cell=tree.cell_a1, full_name="Dũng Miễn")
    Exemption.objects.create(member=exempt, starts_on=day - dt.timedelta(days=30), reason="Tuổi cao")
    away = MemberFactory.create(cell=tree.cell_a1, full_name="Em Đi Xa")
    AwayPeriod.objects.create(member=away, starts_on=day, ends_on=day, place="Long An")
    back = MemberFactory.create(cell=tree.cell_a1, full_name="Giang Đã Về")
    AwayPeriod.objects.create(
        member=back, starts_on=day - dt.timedelta(days=60), ends_on=day - dt.timedelta(days=1), place="Cà Mau"
    )
    MemberFactory.create(cell=tree.cell_a1, full_name="Hà Đã Chuyển", management_status="transferred_out", left_on=day)
    MemberFactory.create(cell=tree.cell_a2, full_name="Khánh Chi Bộ Khác")

    rows = _member_rows(
        client_for("secretary").get(reverse("members:org-detail", args=[tree.cell_a1.pk])).content.decode()
    )
    assert "Hà Đã Chuyển" not in rows
    assert "Khánh Chi Bộ Khác" not in rows
    link = f'<a href="{reverse("members:member-detail", args=[official.pk])}">An Chính Thức</a>'
    assert rows["An Chính Thức"] == (link, "Chính thức + Tuyên truyền viên", "Tổ 5", "0901")
    assert rows["Bình Dự Bị"][1:] == ("Dự bị", "", "")
    assert rows["Cúc Mai Chính Thức"][1] == "Dự bị"
    assert rows["Dũng Miễn"][1] == "Chính thức + Miễn sinh hoạt"
    assert rows["Em Đi Xa"][1] == "Chính thức + Vắng địa phương"
    assert rows["Giang Đã Về"][1] == "Chính thức"
    assert list(rows)[:2] == ["An Chính Thức", "Bình Dự Bị"]  # in name order

    # A member of the cell sees the table without the links and without the phones.
    rows = _member_rows(
        client_for("member").get(reverse("members:org-detail", args=[tree.cell_a1.pk])).content.decode()
    )
    assert rows["An Chính Thức"] == ("An Chính Thức", "Chính thức + Tuyên truyền viên", "Tổ 5", "")


@pytest.mark.parametrize(("who", "shown"), [("member", True), ("secretary", True), ("standing", False)])
def test_the_cell_page_leads_its_own_members_to_their_tasks(client_for, tree, who, shown) -> None:
    page = client_for(who).get(reverse("members:org-detail", args=[tree.cell_a1.pk])).content.decode()
    button = re.compile(rf'<a class="btn [^"]*" href="{reverse("resolutions:my-tasks")}">Việc của tôi</a>')
    assert bool(button.search(page)) is shown  # the ward's member sees cell A1 but belongs to cell A2


@pytest.mark.parametrize("size", [1, 3])
def test_tree_page_runs_a_fixed_number_of_queries(client_for, tree, django_assert_num_queries, size) -> None:
    for cell in (tree.cell_a1, tree.cell_a2, tree.cell_b1):
        MemberFactory.create_batch(size, cell=cell)
    client = client_for("admin")
    # session, user, roles with own member record, organisations, member counts per cell; the bell's unread count
    with django_assert_num_queries(6):
        response = client.get(reverse("members:org-tree"))
    rows = {row["org"].code: row["members"] for row in response.context["rows"]}
    # Every account in the fixtures is a member of a cell, too.
    assert rows["BT"] == Member.objects.count()
    assert rows["AH"] == Member.objects.filter(cell=tree.cell_b1).count()


def test_an_exemption_cannot_overlap_another(client_for, member_a1) -> None:
    Exemption.objects.create(member=member_a1, starts_on=dt.date(2025, 1, 1), reason="Bệnh dài ngày")
    url = reverse("members:exemption-create", args=[member_a1.pk])
    response = client_for("secretary").post(url, {"starts_on": "01/06/2025", "reason": "Tuổi cao"})
    assert response.status_code == 200
    assert "trùng" in response.content.decode()
    assert member_a1.exemptions.count() == 1


def test_leaving_keeps_the_record(client_for, member_a1) -> None:
    url = reverse("members:member-leave", args=[member_a1.pk])
    response = client_for("secretary").post(url, {"management_status": "transferred_out", "left_on": "01/10/2026"})
    assert response.status_code == 302
    member_a1.refresh_from_db()
    assert member_a1.management_status == "transferred_out"
    assert not Member.objects.active().filter(pk=member_a1.pk).exists()


def test_health_check_answers_without_login(client, db, settings) -> None:
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert ("redis" in response.json()) is bool(settings.REDIS_URL)


@pytest.mark.parametrize(("who", "has_record"), [("member", True), ("secretary", True), ("admin", False)])
def test_the_user_menu_leads_a_member_to_their_own_record(client_for, people, who, has_record) -> None:
    page = client_for(who).get(reverse("home")).content.decode()
    member = Member.objects.filter(user=people[who]).first()
    assert (member is not None) == has_record
    if member is not None:
        assert f'href="{reverse("members:member-detail", args=[member.pk])}">Hồ sơ đảng viên của tôi' in page
    else:
        assert "Hồ sơ đảng viên của tôi" not in page
