"""On a phone, the secretary adds tasks to the draft in the page (no reload), picks the lead and a supporter by
typing part of a name without its accents, picks a deadline on the calendar, and saves: the tasks are saved with
the right people and dates, and the blank row she added last is skipped without a word."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from members.models import Member, today
from resolutions.forms.drafting import month_bounds
from resolutions.models import Task
from resolutions.services import create_resolution
from tests.browser.conftest import expect_fits_the_screen, log_in_as
from tests.browser.test_security_policy import WATCH
from tests.factories import MemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_two_tasks_added_in_the_page_with_people_picked_by_name_and_a_date_on_the_calendar(
    live_server, page: Page, tree, people
) -> None:
    cell = tree.cell_a1
    hang = MemberFactory.create(cell=cell, full_name="Nguyễn Thị Hằng")
    duc = MemberFactory.create(cell=cell, full_name="Đặng Văn Đức")
    loan = MemberFactory.create(cell=cell, full_name="Lê Thị Loan")
    start, end = month_bounds(today())
    draft = create_resolution(
        cell=cell, by=people["secretary"], kind="monthly", period_start=start, period_end=end, title="Vệ sinh"
    )
    first_deadline = today() + dt.timedelta(days=5)
    second_deadline = today() + dt.timedelta(days=12)

    page.add_init_script(WATCH)  # the script works within the Content Security Policy
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in_as(page, live_server.url, "secretary")
    page.goto(f"{live_server.url}/resolutions/{draft.pk}/edit/")
    expect_fits_the_screen(page, draft.number)
    page.evaluate("window.stillTheSamePage = true")
    # The rows' member lists came as one shared list, put into each row's lists by the script.
    members = Member.objects.filter(cell=cell).active().count()
    expect(page.locator("#id_tasks-0-lead_member option")).to_have_count(members + 1)  # and the blank
    expect(page.locator("#id_tasks-0-supporters option")).to_have_count(members)

    # A second target, added in the page.
    page.locator("#id_targets-0-name").fill("Hộ ký cam kết")
    page.locator("#id_targets-0-target_value").fill("100")
    page.get_by_role("button", name="Thêm chỉ tiêu").click()
    expect(page.locator("#id_targets-1-name")).to_be_focused()
    page.locator("#id_targets-1-name").fill("Thu quỹ")
    page.locator("#id_targets-1-target_value").fill("90")

    # The first task: the lead picked by typing "hang" (no accents).
    page.locator("#id_tasks-0-title").fill("Ra quân dọn vệ sinh")
    page.locator("#id_tasks-0-deadline").fill(first_deadline.strftime("%d/%m/%Y"))
    page.locator("#id_tasks-0-lead_member_search").fill("hang")
    page.get_by_role("option", name="Nguyễn Thị Hằng").click()
    expect(page.locator("#id_tasks-0-lead_member")).to_have_value(str(hang.pk))

    # The second, added in the page: the title box has the focus.
    page.get_by_role("button", name="Thêm nhiệm vụ").click()
    expect(page.locator("#id_tasks-1-title")).to_be_focused()
    expect(page.locator("[name='tasks-TOTAL_FORMS']")).to_have_value("2")
    page.locator("#id_tasks-1-title").fill("Vận động hộ ký cam kết")
    page.locator("#id_tasks-1-lead_member_search").fill("loan")
    page.get_by_role("option", name="Lê Thị Loan").click()
    page.locator("#id_tasks-1-supporters_search").fill("dang van d")  # "Đặng Văn Đức", typed without accents
    page.get_by_role("option", name="Đặng Văn Đức").click()
    # The list stays open for the next name, the one tapped marked chosen; the chosen names show above the box.
    expect(page.get_by_role("option", name="Đặng Văn Đức")).to_have_attribute("aria-selected", "true")
    page.locator("#id_tasks-1-supporters_search").fill("hang")
    page.get_by_role("option", name="Nguyễn Thị Hằng").click()
    chosen = page.locator("#id_tasks-1-supporters_search").locator("xpath=..").locator(".picker-chosen")
    expect(chosen).to_contain_text("Đặng Văn Đức")
    expect(chosen).to_contain_text("Nguyễn Thị Hằng")
    chosen.get_by_role("button", name="Bỏ chọn Nguyễn Thị Hằng").click()
    expect(chosen).not_to_contain_text("Nguyễn Thị Hằng")
    # The deadline picked on the browser's calendar lands in the box, day first.
    page.get_by_label("Chọn ngày trên lịch").nth(3).fill(second_deadline.isoformat())  # period start, end, task 1, 2
    expect(page.locator("#id_tasks-1-deadline")).to_have_value(second_deadline.strftime("%d/%m/%Y"))

    # A third row begun, then removed in the page; a fourth left blank: both skipped on saving, without a
    # "required" anywhere. Enter in a box neither adds a row nor sends the page.
    page.get_by_role("button", name="Thêm nhiệm vụ").click()
    expect(page.locator("#id_tasks-2-title")).to_be_focused()
    page.locator("#id_tasks-2-title").fill("Việc viết nhầm")
    page.locator("#id_tasks-2-title").press("Enter")
    expect(page.locator("[name='tasks-TOTAL_FORMS']")).to_have_value("3")
    page.locator("[data-formset-row]").filter(has=page.locator("#id_tasks-2-title")).get_by_role(
        "button", name="Bỏ dòng này"
    ).click()
    expect(page.locator("#id_tasks-2-title")).to_be_hidden()
    page.get_by_role("button", name="Thêm nhiệm vụ").click()
    expect(page.locator("#id_tasks-3-title")).to_be_focused()
    expect(page.get_by_role("group", name="Nhiệm vụ 4")).to_be_visible()
    assert page.evaluate("window.stillTheSamePage") is True  # no reload: the page is the one first loaded
    assert page.evaluate("window.__violations") == []
    expect_fits_the_screen(page, draft.number)

    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã lưu")
    tasks = {t.title: t for t in Task.objects.filter(resolution=draft).prefetch_related("supporters")}
    assert set(tasks) == {"Ra quân dọn vệ sinh", "Vận động hộ ký cam kết"}
    assert (tasks["Ra quân dọn vệ sinh"].lead_member, tasks["Ra quân dọn vệ sinh"].deadline) == (hang, first_deadline)
    second = tasks["Vận động hộ ký cam kết"]
    assert (second.lead_member, second.deadline) == (loan, second_deadline)
    assert list(second.supporters.all()) == [duc]
    assert sorted(draft.targets.values_list("name", flat=True)) == ["Hộ ký cam kết", "Thu quỹ"]

    # At the limit of 100 tasks the page says so and adds nothing.
    page.goto(f"{live_server.url}/resolutions/{draft.pk}/edit/")
    page.evaluate("document.querySelector(\"[name='tasks-TOTAL_FORMS']\").value = '100'")
    page.get_by_role("button", name="Thêm nhiệm vụ").click()
    expect(page.get_by_text("Chỉ lưu được tối đa 100 dòng ở đây.")).to_be_visible()
    expect(page.locator("[name='tasks-TOTAL_FORMS']")).to_have_value("100")
    assert errors == []
