"""The member search: it stops counting past its cap and says "more than", and a province's user picks a ward, then
its cells."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from chibo.lib.pagination import CappedPaginator
from chibo.lib.text import search_key
from members.models import Exemption, Member, today
from tests.factories import MemberFactory


@pytest.mark.parametrize(
    ("rows", "cap", "count", "capped", "pages"),
    [
        (0, 10, 0, False, 1),
        (9, 10, 9, False, 3),
        (10, 10, 10, False, 3),
        (11, 10, 10, True, 3),
        (500, 10, 10, True, 3),
    ],
)
def test_counts_up_to_the_cap(rows: int, cap: int, count: int, capped: bool, pages: int) -> None:
    paginator = CappedPaginator(list(range(rows)), 4, cap=cap)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (count, capped, pages)
    last = paginator.get_page(99)
    assert list(last) == list(range(rows))[(pages - 1) * 4 : count]  # never a row past the cap


@pytest.mark.django_db
def test_counting_a_queryset_reads_at_most_cap_plus_one_rows(django_assert_num_queries, tree) -> None:
    MemberFactory.create_batch(7, cell=tree.cell_a1, full_name="Nguyễn Văn Tìm")
    members = Member.objects.search("nguyen van tim").order_by("search_name", "pk")
    paginator = CappedPaginator(members, 2, cap=5)
    with django_assert_num_queries(1) as counted:
        assert (paginator.count, paginator.capped) == (5, True)
    # In no order: any six rows count the same, and an order would have the database sort every match first.
    assert "ORDER BY" not in counted.captured_queries[0]["sql"]
    assert CappedPaginator(members, 2, cap=7).capped is False


@pytest.mark.django_db
def test_the_member_list_says_more_than_the_cap(client_for, tree, settings) -> None:
    settings.CHIBO = {**settings.CHIBO, "MEMBER_LIST_COUNT_CAP": 5, "MEMBER_LIST_PAGE_SIZE": 2}
    MemberFactory.create_batch(6, cell=tree.cell_a1, full_name="Trần Thị Đông")
    client = client_for("standing")
    html = client.get(reverse("members:member-list"), {"q": "tran thi dong"}).content.decode()
    assert "Tìm thấy hơn 5 đảng viên; danh sách chỉ hiện 5 người đầu tiên." in html
    assert "Trang 1/3" in html  # five rows in pages of two
    MemberFactory.create_batch(1, cell=tree.cell_a1, full_name="Trần Thị Đông Hai")
    Member.objects.filter(full_name="Trần Thị Đông").order_by("pk")[0].delete()
    settings.CHIBO = {**settings.CHIBO, "MEMBER_LIST_COUNT_CAP": 6}
    html = client.get(reverse("members:member-list"), {"q": "tran thi dong"}).content.decode()
    assert "Tìm thấy 6 đảng viên" in html
    assert "hơn" not in html.split('role="status"', 1)[1].split("</p>", 1)[0]


@pytest.mark.django_db
def test_the_pages_list_the_matches_in_name_order(client_for, tree, settings) -> None:
    """A page's members are found by their keys in name order, then read in full: every match once, in order."""
    settings.CHIBO = {**settings.CHIBO, "MEMBER_LIST_PAGE_SIZE": 3}
    names = [f"Nguyễn Văn {given}" for given in ("Út", "An", "Bảo", "Ân", "Cường", "Bình", "Anh")]
    for n, name in enumerate(names):
        MemberFactory.create(cell=(tree.cell_a1, tree.cell_a2, tree.cell_b1)[n % 3], full_name=name)
    MemberFactory.create(cell=tree.cell_a1, full_name="Nguyễn Văn Đã Đi", management_status="left")
    client = client_for("admin")
    listed = []
    for number in (1, 2, 3):
        page = client.get(reverse("members:member-list"), {"q": "nguyen van", "page": number}).context["page"]
        listed += [m.full_name for m in page]
        assert all(m.cell.name for m in page)  # read with the page, as every column shown
    assert listed == sorted(names, key=lambda name: (search_key(name), names.index(name)))  # then as created


@pytest.mark.django_db
def test_a_province_user_picks_a_ward_then_its_cells(client_for, tree) -> None:
    """The filter of someone who sees several wards offers the committees, and the cells of the ward chosen; any
    organisation they see is still accepted (a link may name a cell)."""
    client = client_for("admin")
    form = client.get(reverse("members:member-list")).context["form"]
    offered = {str(label) for value, label in form.fields["org"].widget.choices if value}
    assert form.cells_by_ward  # the administrator sees the whole city
    assert tree.ward_a.name in offered
    assert tree.cell_a1.name not in offered
    form = client.get(reverse("members:member-list"), {"org": tree.ward_a.pk}).context["form"]
    offered = {str(label) for value, label in form.fields["org"].widget.choices if value}
    assert {tree.cell_a1.name, tree.cell_a2.name} <= offered
    assert tree.cell_b1.name not in offered
    response = client.get(reverse("members:member-list"), {"org": tree.cell_b1.pk})
    assert response.context["form"].cleaned_data["org"] == tree.cell_b1
    offered = {str(label) for value, label in response.context["form"].fields["org"].widget.choices if value}
    assert tree.cell_b1.name in offered
    assert tree.cell_a1.name not in offered


@pytest.mark.django_db
def test_choosing_a_ward_brings_back_the_filters_and_typing_only_the_list(client_for, tree) -> None:
    client = client_for("admin")
    url = reverse("members:member-list")
    whole = client.get(url, {"org": tree.ward_a.pk}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="member-search")
    assert 'id="member-search"' in whole.content.decode()
    table = client.get(url, {"q": "a"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="member-table")
    assert 'id="member-search"' not in table.content.decode()
    assert 'role="status"' in table.content.decode()


@pytest.mark.django_db
def test_a_ward_user_sees_every_cell_of_the_ward(client_for, tree) -> None:
    form = client_for("standing").get(reverse("members:member-list")).context["form"]
    assert not form.cells_by_ward
    offered = {str(org) for org in form.fields["org"].queryset}
    assert tree.cell_a1.name in offered


@pytest.mark.django_db
def test_each_row_has_its_own_badges_and_link(client_for, tree) -> None:
    """The badges are rendered once per combination, and each row still gets its own."""
    day = today()
    official = MemberFactory.create(cell=tree.cell_a1, full_name="Lê Văn Chính")
    exempt = MemberFactory.create(cell=tree.cell_a1, full_name="Lê Văn Miễn")
    Exemption.objects.create(member=exempt, starts_on=day - dt.timedelta(days=30), reason="Tuổi cao")
    html = client_for("standing").get(reverse("members:member-list"), {"q": "le van"}).content.decode()
    rows = {row.split("</a>", 1)[0].rsplit(">", 1)[1]: row for row in html.split("<tr>")[2:]}
    assert f'href="/members/{official.pk}/"' in rows["Lê Văn Chính"]
    assert f'href="/members/{exempt.pk}/"' in rows["Lê Văn Miễn"]
    assert "Miễn sinh hoạt" in rows["Lê Văn Miễn"]
    assert "Miễn sinh hoạt" not in rows["Lê Văn Chính"]
    assert "Chính thức" in rows["Lê Văn Chính"]
