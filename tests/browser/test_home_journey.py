"""On a phone: the secretary lands on her home page, taps the minutes waiting for her and is asked before locking
them; the member lands on hers, taps an open task, reports it done and is asked first; the report waits for the
secretary, who finds it on her home page and confirms it, and the task then takes no more reports."""

import datetime as dt

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from meetings.models import Meeting
from members.models import Member, today
from resolutions.models import Resolution, Task
from tests.browser.conftest import expect_fits_the_screen, log_in_as
from tests.resolutions.factories import ResolutionFactory, TaskFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOME = "Việc cần đồng chí xử lý"


def test_each_lands_on_what_needs_them_and_is_asked_before_what_cannot_be_undone(
    live_server, page: Page, tree, people
) -> None:
    base, day = live_server.url, today()
    member = Member.objects.get(user=people["member"])
    resolution = ResolutionFactory.create(
        cell=tree.cell_a1, period_start=day.replace(day=1), period_end=day + dt.timedelta(days=20)
    )
    task = TaskFactory.create(resolution=resolution, lead_member=member, deadline=day + dt.timedelta(days=5))
    held = Meeting.objects.create(
        cell=tree.cell_a1,
        date=day - dt.timedelta(days=2),
        starts_at=dt.time(19),
        ends_at=dt.time(21),
        place="Nhà văn hóa khu phố 1",
        status=Meeting.Status.HELD,
    )

    log_in_as(page, base, "secretary")
    expect_fits_the_screen(page, HOME)
    page.get_by_role("link", name=f"Duyệt biên bản buổi sinh hoạt ngày {held.date:%d/%m/%Y}").click()
    page.get_by_role("button", name="Thông qua và khóa biên bản").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Biên bản sẽ bị khóa, không sửa được nữa")
    expect(dialog).to_contain_text("Muốn sửa phải mở lại bằng một lần chỉnh sửa có lý do")
    dialog.get_by_role("button", name="Hủy").click()
    expect(dialog).to_have_count(0)
    assert Meeting.objects.get(pk=held.pk).status == Meeting.Status.HELD  # nothing was sent

    log_in_as(page, base, "member")
    expect_fits_the_screen(page, HOME)
    page.locator("#main").get_by_role("link", name=task.title).click()
    page.get_by_label("Trạng thái").select_option("done")
    page.get_by_label("Những việc đã làm").fill("Đã xong toàn bộ.")
    page.get_by_role("button", name="Gửi báo cáo").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("không nhận thêm báo cáo nữa")
    expect(dialog).to_contain_text("chi ủy có thể trả lại báo cáo, nhiệm vụ vẫn tiếp tục")
    dialog.get_by_role("button", name="Đúng, nhiệm vụ đã hoàn thành").click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã lưu báo cáo")
    expect(page.locator("main")).to_contain_text("Báo cáo chờ xác nhận")
    assert Task.objects.get(pk=task.pk).status == Task.Status.NOT_STARTED  # counted once confirmed

    log_in_as(page, base, "secretary")
    expect_fits_the_screen(page, HOME)
    page.get_by_role("link", name=f"{member.full_name} báo cáo “{task.title}”").click()
    page.get_by_role("button", name="Xác nhận", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã xác nhận báo cáo")
    assert Task.objects.get(pk=task.pk).status == Task.Status.DONE

    log_in_as(page, base, "member")
    expect_fits_the_screen(page, HOME)
    page.goto(base + reverse("resolutions:task-detail", args=[task.pk]))
    expect(page.locator("main")).to_contain_text("Đã xác nhận")
    expect(page.get_by_role("button", name="Gửi báo cáo")).to_have_count(0)
    assert Resolution.objects.get(pk=resolution.pk).status == Resolution.Status.IN_PROGRESS
