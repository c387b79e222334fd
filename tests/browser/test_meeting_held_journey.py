"""A secretary, on a phone, releases next week's meeting pack (a member is notified and reads it), then marks a
meeting of two days ago held from 19:30 to 20:00 and sees what those 30 minutes cost."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from meetings.models import Meeting
from meetings.services import plan_meeting
from members.models import today
from tests.browser.conftest import expect_fits_the_screen, log_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _meeting(cell, people, day: dt.date) -> Meeting:
    return plan_meeting(
        cell=cell,
        by=people["secretary"],
        kind="regular",
        date=day,
        starts_at=dt.time(19, 30),
        ends_at=dt.time(21, 30),
        place="Nhà văn hóa khu phố 1",
        chair=people["secretary"].member,
        recorder=people["deputy"].member,
    )


def test_release_the_pack_then_hold_a_meeting_too_short(live_server, page: Page, tree, people) -> None:
    base = live_server.url
    coming = _meeting(tree.cell_a1, people, today() + dt.timedelta(days=7))
    past = _meeting(tree.cell_a1, people, today() - dt.timedelta(days=2))
    Meeting.objects.filter(pk=past.pk).update(pack_published_at=coming.created_at - dt.timedelta(days=5))

    log_in_as(page, base, "secretary")
    page.goto(f"{base}/meetings/{coming.pk}/")
    expect(page.locator("main")).to_contain_text("Tài liệu sinh hoạt chưa được phát hành cho đảng viên.")
    page.get_by_role("button", name="Phát hành tài liệu sinh hoạt cho đảng viên").click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã phát hành tài liệu sinh hoạt")
    expect(page.locator("main")).to_contain_text("Tài liệu sinh hoạt đã phát hành cho đảng viên lúc")
    expect(page.get_by_role("button", name="Phát hành tài liệu sinh hoạt cho đảng viên")).to_have_count(0)

    log_in_as(page, base, "member")
    page.goto(f"{base}/notifications/")
    notice = page.get_by_role("link", name=f"Tài liệu sinh hoạt chi bộ ngày {coming.date:%d/%m/%Y}")
    expect(notice).to_be_visible()
    pdf = page.request.get(base + str(notice.get_attribute("href")))
    assert pdf.ok
    assert pdf.headers["content-type"] == "application/pdf"

    log_in_as(page, base, "secretary")
    page.goto(f"{base}/meetings/{past.pk}/")
    expect(page.get_by_label("Giờ khai mạc")).to_have_value("19:30")  # the plan, offered
    page.get_by_label("Giờ khai mạc").fill("19:30")
    page.get_by_label("Giờ bế mạc").fill("20:00")
    page.get_by_role("button", name="Đánh dấu đã họp").click()
    short = "Buổi sinh hoạt thường kỳ cần kéo dài ít nhất 90 phút; buổi này chỉ diễn ra 30 phút."
    expect(page.get_by_role("alert").nth(1)).to_have_text(short)  # after "Đã lưu."
    main = page.locator("main")
    expect(main).to_contain_text("19:30–20:00 (30 phút)")
    expect(main).to_contain_text(f"Thời gian: tối đa 0/5 điểm. {short}")
    expect_fits_the_screen(page, past.date.strftime("%d/%m/%Y"))
    assert Meeting.objects.get(pk=past.pk).actual_minutes() == 30
