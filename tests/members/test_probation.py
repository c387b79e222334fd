"""Twelve months of probation on every path: the admin, the cell and ward pages, the member page.

The rule itself is table-tested in ``test_rules.py``; the service, the member form and the import in
``test_status_changes.py``, ``test_member_pages.py`` and ``test_imports.py``; the reminder in
``tests/notifications/test_reminders.py``."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from members.models import Member, MemberEvent, cell_roll, ending_probation, roll_probations
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.clock("2026-11-18 10:00")
D = dt.date


def _admin_client(client):
    client.force_login(UserFactory.create(username="root", is_staff=True, is_superuser=True))
    return client


def _inlines(prefix: str) -> dict[str, str]:
    return {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}


def test_the_admin_refuses_an_official_date_before_the_twelve_months_end(client, tree) -> None:
    member = MemberFactory.create(
        cell=tree.cell_a1, full_name="Lý Thị Dự", admitted_on=D(2025, 11, 20), official_on=None
    )
    client = _admin_client(client)
    url = reverse("admin:members_member_change", args=[member.pk])
    data = {
        "full_name": member.full_name,
        "sex": member.sex,
        "birth_date": "1970-05-17",
        "admitted_on": "2025-11-20",
        "official_on": "2026-11-18",
        "cell": tree.cell_a1.pk,
        "management_status": "active",
        **_inlines("exemptions"),
        **_inlines("away_periods"),
        **_inlines("disciplines"),
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "sớm nhất từ ngày 20/11/2026" in response.content.decode()
    member.refresh_from_db()
    assert member.official_on is None
    # Admitted two days earlier, the same date is the day the twelve months end.
    response = client.post(url, {**data, "admitted_on": "2025-11-18"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.official_on == D(2026, 11, 18)


def test_the_admin_refuses_a_recognition_event_before_the_twelve_months_end(client, tree) -> None:
    member = MemberFactory.create(cell=tree.cell_a1, admitted_on=D(2025, 11, 20), official_on=None)
    data = {"member": member.pk, "kind": "official", "on": "2026-11-18", "recorded_at_0": "2026-11-18"}
    data["recorded_at_1"] = "09:00:00"
    response = _admin_client(client).post(reverse("admin:members_memberevent_add"), data)
    assert response.status_code == 200
    assert "sớm nhất từ ngày 20/11/2026" in response.content.decode()
    assert not MemberEvent.objects.exists()


@pytest.fixture
def probationers(tree):
    """Seen on 18/11/2026: probation ending in 30 days, in 60, in 61, ended and due, ended and overdue."""
    make = MemberFactory
    return {
        "in_30": make(cell=tree.cell_a1, full_name="Trần Thị Ba Mươi", admitted_on=D(2025, 12, 18), official_on=None),
        "in_60": make(cell=tree.cell_a2, full_name="Lê Văn Sáu Mươi", admitted_on=D(2026, 1, 17), official_on=None),
        "in_61": make(cell=tree.cell_a1, full_name="Phan Văn Chưa Tới", admitted_on=D(2026, 1, 18), official_on=None),
        "ended": make(cell=tree.cell_a1, full_name="Võ Thị Đã Hết", admitted_on=D(2025, 11, 1), official_on=None),
        "overdue": make(cell=tree.cell_a1, full_name="Đỗ Văn Quá Hạn", admitted_on=D(2025, 9, 1), official_on=None),
        "official": make(cell=tree.cell_a1, full_name="Hồ Thị Chính Thức", admitted_on=D(2025, 11, 1)),
        "other_ward": make(
            cell=tree.cell_b1, full_name="Ngô Văn Phường Khác", admitted_on=D(2025, 12, 18), official_on=None
        ),
        "left": make(
            cell=tree.cell_a1,
            full_name="Mai Văn Đã Chuyển",
            admitted_on=D(2025, 12, 18),
            official_on=None,
            management_status=Member.ManagementStatus.TRANSFERRED_OUT,
            left_on=D(2026, 10, 1),
        ),
    }


def _rows(response) -> list[tuple[str, str, str, str]]:
    # A cell's page lists rows of its roll (members.models.cell_roll), a committee's page members.
    return [
        (
            m["full_name"] if isinstance(m, dict) else m.full_name,
            f"{p.ends_on:%d/%m/%Y}",
            f"{p.review_by:%d/%m/%Y}",
            "overdue" if p.review_overdue else "",
        )
        for m, p in response.context["probation_rows"]
    ]


def test_the_cells_list_from_its_roll_is_the_querys_list(tree, probationers) -> None:
    day = D(2026, 11, 18)
    # Two more admitted the same day as another: within a day, in name order.
    MemberFactory.create(cell=tree.cell_a1, full_name="Ân Văn Cùng Ngày", admitted_on=D(2025, 11, 1), official_on=None)
    MemberFactory.create(cell=tree.cell_a1, full_name="Xuân Cùng Ngày", admitted_on=D(2025, 11, 1), official_on=None)
    from_roll = roll_probations(cell_roll(tree.cell_a1, day), day)
    from_query = ending_probation(Member.objects.in_cell(tree.cell_a1), day)
    assert [(row["pk"], p) for row, p in from_roll] == [(member.pk, p) for member, p in from_query]
    assert [row["full_name"] for row, _ in from_roll] == [
        "Đỗ Văn Quá Hạn",
        "Ân Văn Cùng Ngày",
        "Võ Thị Đã Hết",
        "Xuân Cùng Ngày",
        "Trần Thị Ba Mươi",
    ]


def test_the_cell_page_lists_the_probations_ending_within_60_days(client_for, tree, probationers) -> None:
    response = client_for("secretary").get(reverse("members:org-detail", args=[tree.cell_a1.pk]))
    assert _rows(response) == [
        ("Đỗ Văn Quá Hạn", "01/09/2026", "13/10/2026", "overdue"),
        ("Võ Thị Đã Hết", "01/11/2026", "11/12/2026", ""),
        ("Trần Thị Ba Mươi", "18/12/2026", "29/01/2027", ""),
    ]
    page = response.content.decode()
    assert 'id="probation-ending"' in page
    assert "Sắp hết thời gian dự bị" in page
    assert "còn 30 ngày" in page
    assert "Chưa Tới" not in page.split('id="probation-ending"')[1].split("</section>")[0]


def test_the_ward_page_lists_them_for_every_cell_of_the_ward(client_for, tree, probationers) -> None:
    response = client_for("standing").get(reverse("members:org-detail", args=[tree.ward_a.pk]))
    assert [name for name, *_ in _rows(response)] == [
        "Đỗ Văn Quá Hạn",
        "Võ Thị Đã Hết",
        "Trần Thị Ba Mươi",
        "Lê Văn Sáu Mươi",  # cell A2, ending in exactly 60 days
    ]
    section = response.content.decode().split('id="probation-ending"')[1].split("</section>")[0]
    assert "Chi bộ khu phố 2" in section  # the cell is named on a committee's page
    # Ends on Sunday 17/01/2027, 60 days on; the 30 working days count from Monday 18/01 to Friday 26/02.
    assert "17/01/2027" in section
    assert "26/02/2027" in section


def test_a_plain_member_does_not_see_the_list(client_for, tree, probationers) -> None:
    response = client_for("member").get(reverse("members:org-detail", args=[tree.cell_a1.pk]))
    assert "probation_rows" not in response.context
    assert 'id="probation-ending"' not in response.content.decode()


def test_the_member_page_shows_the_end_of_probation_and_the_review_deadline(client_for, probationers) -> None:
    page = client_for("secretary").get(reverse("members:member-detail", args=[probationers["ended"].pk]))
    text = page.content.decode()
    assert "Hết dự bị" in text
    assert "01/11/2026" in text
    assert "Xét chậm nhất" in text
    assert "11/12/2026" in text
