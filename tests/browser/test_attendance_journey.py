"""On a phone, the secretary takes the attendance by finding two members by name (typed without accents) and
tapping them absent, one with a reason; the counts at the top follow each tap, and the saved rows and the
meeting's counts agree with them."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from meetings.models import Attendance
from meetings.services import plan_meeting
from members.models import Exemption, today
from tests.browser.conftest import expect_fits_the_screen, log_in_as
from tests.browser.test_security_policy import WATCH
from tests.factories import MemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

A = Attendance.Status


def _expect_counts(page: Page, attended: int, with_reason: int, without_reason: int, expected: int) -> None:
    for key, value in (
        ("attended", attended),
        ("absent_reason", with_reason),
        ("absent_no_reason", without_reason),
        ("expected", expected),
    ):
        expect(page.locator(f"[data-count='{key}']")).to_have_text(str(value))


def test_two_absentees_tapped_by_name_with_the_counts_live(live_server, page: Page, tree, people) -> None:
    cell = tree.cell_a1
    hang = MemberFactory.create(cell=cell, full_name="Nguyễn Thị Hằng")
    duc = MemberFactory.create(cell=cell, full_name="Đặng Văn Đức")
    MemberFactory.create_batch(6, cell=cell)
    elder = MemberFactory.create(cell=cell, full_name="Trần Văn Thọ")
    Exemption.objects.create(member=elder, starts_on=today() - dt.timedelta(days=90), reason="Tuổi cao")
    meeting = plan_meeting(
        cell=cell,
        by=None,
        kind="regular",
        date=today(),
        starts_at=dt.time(19),
        ends_at=dt.time(21),
        place="Nhà văn hóa",
    )
    total = meeting.attendance.count()
    expected = total - 1  # the exempt member is not expected

    page.add_init_script(WATCH)  # the script works within the Content Security Policy
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in_as(page, live_server.url, "secretary")
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/attendance/")
    expect_fits_the_screen(page, "Điểm danh")
    _expect_counts(page, expected, 0, 0, expected)
    # The phone shows a button per member; the selects stay in the form, out of sight.
    box = page.locator(f"#id_status_{hang.pk}").locator("xpath=..").bounding_box()
    assert box is not None
    assert box["width"] <= 1
    expect(page.get_by_role("button", name=re.compile("Nguyễn Thị Hằng"))).to_be_visible()

    search = page.get_by_placeholder("Tìm đảng viên: gõ một phần họ tên")
    search.fill("hang")
    expect(page.locator("[data-attendance-row]:visible")).to_have_count(1)
    page.get_by_role("button", name=re.compile("Nguyễn Thị Hằng")).click()
    _expect_counts(page, expected - 1, 0, 1, expected)

    search.fill("dang van duc")
    expect(page.locator("[data-attendance-row]:visible")).to_have_count(1)
    page.get_by_role("button", name=re.compile("Đặng Văn Đức")).click()
    _expect_counts(page, expected - 2, 0, 2, expected)
    page.get_by_role("button", name="Có lý do").click()
    expect(page.locator(f"#id_reason_{duc.pk}")).to_be_focused()
    page.locator(f"#id_reason_{duc.pk}").fill("Đi công tác tỉnh")
    _expect_counts(page, expected - 2, 1, 1, expected)

    search.fill("")
    expect(page.locator("[data-attendance-row]:visible")).to_have_count(total)
    expect_fits_the_screen(page, "Điểm danh")
    assert page.evaluate("window.__violations") == []
    page.get_by_role("button", name="Lưu điểm danh").click()
    expect(page.get_by_role("alert").first).to_contain_text("2")

    rows = {row.member_id: (row.status, row.reason) for row in meeting.attendance.all()}
    assert rows[hang.pk] == (A.ABSENT_WITHOUT_REASON, "")
    assert rows[duc.pk] == (A.ABSENT_WITH_REASON, "Đi công tác tỉnh")
    assert rows[elder.pk][0] == A.EXEMPT
    assert sum(1 for status, _reason in rows.values() if status == A.PRESENT) == expected - 2
    meeting.refresh_from_db()
    assert (meeting.attended_count, meeting.expected_count) == (expected - 2, expected)
    assert errors == []
