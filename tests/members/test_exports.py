"""Member lists as Excel files: the import's columns, real dates, the page's filters, and a fixed query count."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from members.imports import import_members
from members.models import Exemption, Member
from tests.factories import MemberFactory
from tests.members.test_imports import HEADERS  # the form secretaries keep, as the import reads it


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment;")
    return load_workbook(io.BytesIO(response.content)).worksheets[0]


def test_a_cells_list_reads_back_with_real_dates_and_numbers(client_for, tree, member_a1) -> None:
    member_a1.address = "Tổ 3, khu phố 1"
    member_a1.save()
    sheet = _sheet(client_for("secretary").get(reverse("members:cell-members-export", args=[tree.cell_a1.pk])))
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    by_name = {row[1]: row for row in rows[1:]}
    row = by_name["Nguyễn Thị Hồng"]
    assert row[2:] == (
        dt.datetime(1970, 5, 17),
        "Nữ",
        dt.datetime(2000, 3, 2),
        dt.datetime(2001, 3, 2),
        "Tổ 3, khu phố 1",
        "0912345678",
    )
    assert [r[0] for r in rows[1:]] == list(range(1, len(rows)))  # numbers, not text
    birth_cell = next(c for c in sheet.iter_rows(min_row=2) if c[1].value == "Nguyễn Thị Hồng")[2]
    assert birth_cell.is_date
    assert birth_cell.number_format == "dd/mm/yyyy"


def test_an_exported_list_imports_again_into_another_cell(client_for, tree, member_a1) -> None:
    response = client_for("admin").get(reverse("members:cell-members-export", args=[tree.cell_a1.pk]))
    count = Member.objects.filter(cell=tree.cell_a1).count()
    result = import_members(tree.cell_b1, io.BytesIO(response.content), user=None)
    assert (result.errors, result.created) == ([], count)
    again = import_members(tree.cell_a1, io.BytesIO(response.content), user=None)
    assert again.invalid_count == count  # every one is already a member of A1
    assert again.created == 0


def test_the_member_list_export_keeps_the_pages_filters(client_for, tree, member_a1) -> None:
    MemberFactory.create(cell=tree.cell_a1, full_name="Trần Văn Bình")
    exempt = MemberFactory.create(cell=tree.cell_a2, full_name="Lê Thị Miễn")
    Exemption.objects.create(member=exempt, starts_on=dt.date(2020, 1, 1), reason="Tuổi cao")
    client = client_for("standing")
    url = reverse("members:member-list-export")
    names = [r[1] for r in _sheet(client.get(url, {"q": "nguyen thi hong"})).iter_rows(min_row=2, values_only=True)]
    assert names == ["Nguyễn Thị Hồng"]
    rows = list(_sheet(client.get(url, {"flag": "exempt"})).iter_rows(values_only=True))
    assert rows[0][-1] == "Chi bộ"
    assert [(r[1], r[-1]) for r in rows[1:]] == [("Lê Thị Miễn", "Chi bộ khu phố 2")]
    page = client.get(reverse("members:member-list"), {"flag": "exempt"}).content.decode()
    assert f"{url}?flag=exempt" in page


@pytest.mark.parametrize("n", [3, 30])
def test_the_exports_take_a_fixed_number_of_queries(client_for, tree, django_assert_num_queries, n) -> None:
    MemberFactory.create_batch(n, cell=tree.cell_a1)
    client = client_for("secretary")
    client.get("/")  # the session and access are read once, outside the count
    # session, user, roles with own member record, the organisation, the members, and the access log's row in a
    # savepoint of its own (savepoint, insert, release: a failed log write never breaks the export)
    with django_assert_num_queries(8):
        client.get(reverse("members:cell-members-export", args=[tree.cell_a1.pk]))
    # session, user, roles with own member record, the organisations of the filter, the members, the log (3)
    with django_assert_num_queries(8):
        client.get(reverse("members:member-list-export"), {"org": tree.cell_a1.pk})


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("secretary", 200),
        ("committee", 200),
        ("standing", 200),
        ("in_charge", 200),
        ("member", 403),
        ("other_secretary", 404),
    ],
)
def test_who_exports_a_cells_list(client_for, tree, who, status) -> None:
    response = client_for(who).get(reverse("members:cell-members-export", args=[tree.cell_a1.pk]))
    assert response.status_code == status


def test_a_member_cannot_export_the_member_list(client_for, tree) -> None:
    assert client_for("member").get(reverse("members:member-list-export")).status_code == 403
