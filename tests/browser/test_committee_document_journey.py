"""A ward committee's plan, from its adoption to the picture of its cells, on a phone, without typing an address.

The ward's standing member opens the committee's documents from her home, drafts a plan with a target for each
cell ("vận động ít nhất 5 hộ …"), submits it and records the committee's vote. Cell A1's secretary finds it on her
home under "Cấp trên giao", goes from there to her next resolution, ticks the plan, takes its target as a task in one
click and names the member who leads it. Once the cell has adopted it, the member reports a figure, which the
secretary confirms. After the deadline, the standing member opens the plan's page over its cells from the plan: cell
A1 with its resolution, its task and its figure against the goal, and cell A2, which never made the plan concrete,
first and in red.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from members.models import Member, today
from resolutions.forms.drafting import month_bounds
from resolutions.models import ProgressUpdate, Resolution, Task
from resolutions.services import FLOW, create_resolution, review_update
from tests.browser.conftest import expect_fits_the_screen, log_in_as
from tests.browser.test_security_policy import WATCH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.clock("2026-03-02 09:00")]

PLAN = "Kế hoạch vận động hộ gia đình phân loại rác tại nguồn"
TARGET = "Vận động ít nhất 5 hộ phân loại rác tại nguồn"


def _day(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


def test_a_ward_plan_carried_into_a_cell_and_seen_back_up_over_the_cells(
    live_server, page: Page, tree, people, clock
) -> None:
    base = live_server.url
    day = today()
    concretise_by = day + dt.timedelta(days=10)
    target_deadline = day + dt.timedelta(days=25)
    hang = Member.objects.get(user=people["member"])
    Member.objects.filter(pk=hang.pk).update(full_name="Nguyễn Thị Hằng", search_name="nguyen thi hang")
    page.add_init_script(WATCH)  # the pages' script works within the Content Security Policy
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # --- The ward's standing member drafts the plan, submits it and records the committee's vote. -----------
    log_in_as(page, base, "standing")
    page.get_by_role("link", name="Văn bản của Đảng ủy").first.click()
    expect_fits_the_screen(page, "Văn bản của Đảng ủy")
    page.get_by_role("link", name="Soạn văn bản mới").click()
    page.locator("#id_document_type").select_option("KH")
    page.locator("#id_kind").select_option("yearly")
    page.locator("#id_period_start").fill("01/01/2026")
    page.locator("#id_period_end").fill("31/12/2026")
    page.locator("#id_title").fill(PLAN)
    page.locator("#id_concretise_by").fill(_day(concretise_by))
    page.get_by_role("button", name="Tạo dự thảo").click()
    expect_fits_the_screen(page, "01-KH/ĐU")
    page.locator("#id_targets-0-name").fill(TARGET)
    page.locator("#id_targets-0-measure").select_option("number")
    page.locator("#id_targets-0-goal").fill("5")
    page.locator("#id_targets-0-unit").fill("hộ")
    page.locator("#id_targets-0-deadline").fill(_day(target_deadline))
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã lưu")
    plan = Resolution.objects.get(number="01-KH/ĐU", cell=tree.ward_a)
    assert plan.cell_targets.get().goal == 5
    expect(page).to_have_url(f"{base}/resolutions/{plan.pk}/")  # saved: back on the plan's page
    page.get_by_role("button", name="Trình Ban Chấp hành").click()
    page.get_by_role("link", name="Ghi kết quả biểu quyết của Đảng ủy").click()
    page.locator("#id_entitled").fill("9")
    page.locator("#id_present").fill("8")
    page.locator("#id_votes_for").fill("8")
    page.locator("#id_votes_against").fill("0")
    page.locator("#id_votes_abstain").fill("0")
    page.get_by_role("button", name="Ghi kết quả biểu quyết", exact=True).click()
    expect(page.get_by_role("alert").first).to_be_visible()
    plan.refresh_from_db()
    assert plan.status == Resolution.Status.ADOPTED

    # --- Cell A1's secretary carries it into her next resolution. --------------------------------------------
    start, end = month_bounds(day)
    draft = create_resolution(
        cell=tree.cell_a1, by=people["secretary"], kind="monthly", period_start=start, period_end=end, title="Tháng 3"
    )
    log_in_as(page, base, "secretary")
    upper = page.get_by_role("region", name=re.compile("Cấp trên giao"))
    expect(upper).to_contain_text("01-KH/ĐU")
    expect(upper).to_contain_text(TARGET)
    upper.get_by_role("link", name="Cụ thể hóa trong nghị quyết").click()
    expect_fits_the_screen(page, draft.number)
    page.get_by_label("01-KH/ĐU").check()
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã lưu")
    expect(page).to_have_url(f"{base}/resolutions/{draft.pk}/")  # saved: on the draft's page, back to edit it
    page.get_by_role("link", name="Sửa dự thảo và nhiệm vụ").click()
    page.get_by_role("button", name=re.compile(r"Nhận chỉ tiêu cấp trên giao \(1\)")).click()
    expect(page.get_by_role("alert").first).to_contain_text("1")
    task = Task.objects.get(resolution=draft, cell_target__resolution=plan)
    assert (task.lead_kind, task.deadline) == (Task.LeadKind.COMMITTEE, target_deadline)
    row = page.locator("[data-formset-row]").filter(has=page.locator(f"input[value='{task.pk}']"))
    row.locator("select[id$='-lead_kind']").select_option("member")
    row.locator("input[id$='-lead_member_search']").fill("hang")
    page.get_by_role("option", name="Nguyễn Thị Hằng").click()
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã lưu")
    task.refresh_from_db()
    assert task.lead_member == hang
    # The cell adopts it at its meeting (the meeting's vote has journeys of its own).
    FLOW.move(draft, Resolution.Status.SUBMITTED, by=people["secretary"])
    FLOW.move(draft, Resolution.Status.ADOPTED, by=people["secretary"], adopted_on=day + dt.timedelta(days=3))

    # --- The member reports a figure; the secretary confirms it. ---------------------------------------------
    clock.move_to(dt.datetime(2026, 3, 12, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7))))
    log_in_as(page, base, "member")
    page.get_by_role("link", name=re.compile(TARGET)).first.click()
    page.locator("#id_status").select_option("in_progress")
    page.locator("#id_progress").fill("60")
    page.locator("#id_figure").fill("3")
    page.locator("#id_note").fill("Đã vận động được 3 hộ ở tổ 2")
    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    report = ProgressUpdate.objects.get(task=task)
    assert report.figure == 3
    review_update(update=report, confirm=True, note="", by=people["secretary"])

    # --- After the deadline the standing member sees the plan over its cells. -------------------------------
    clock.move_to(dt.datetime(2026, 3, 20, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7))))
    log_in_as(page, base, "standing")
    page.get_by_role("link", name="Văn bản của Đảng ủy").first.click()
    page.get_by_role("link", name="01-KH/ĐU").click()
    page.get_by_role("link", name="Tình hình thực hiện ở các chi bộ").click()
    expect_fits_the_screen(page, "01-KH/ĐU")
    cards = page.locator("article[data-cell]")
    expect(cards).to_have_count(2)
    late = cards.nth(0)  # late cells first
    expect(late).to_have_attribute("data-cell", str(tree.cell_a2.pk))
    expect(late.locator("[data-state]")).to_have_attribute("data-state", "late")
    expect(late).to_have_class(re.compile("border-danger"))
    red, green, blue = map(
        int, re.findall(r"\d+", late.locator(".card-header").evaluate("e => getComputedStyle(e).color"))
    )
    assert red > 150  # in red (the danger colour), as well as said in words
    assert max(green, blue) < 80
    a1 = cards.nth(1)
    expect(a1).to_have_attribute("data-cell", str(tree.cell_a1.pk))
    expect(a1.locator("[data-state]")).to_have_attribute("data-state", "done")
    expect(a1).to_contain_text(draft.number)
    expect(a1).to_contain_text("3 hộ / 5 hộ")
    expect(a1).to_contain_text("Nguyễn Thị Hằng · 60%")
    expect(page.locator("[data-figure='late']")).to_have_text("1")
    expect(page.locator("[data-figure='total']")).to_contain_text("3")
    assert page.evaluate("window.__violations") == []
    assert errors == []
