"""A secretary, on a phone, drafts a monthly resolution with three tasks and two targets, assigns them,
records the vote, sees it adopted, amends it and prints it."""

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from meetings.services import plan_meeting, set_attendance
from members.models import Member
from resolutions.models import Resolution
from tests.browser.conftest import log_in
from tests.factories import MemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_draft_vote_adopt_amend_and_print(live_server, page: Page, tree, people) -> None:
    cell = tree.cell_a1
    leads = [
        MemberFactory.create(cell=cell, full_name=name) for name in ("Lê Văn An", "Trần Thị Bích", "Phạm Văn Cường")
    ]
    official = Member.objects.filter(cell=cell).official_on(dt.date.today()).count()

    page.goto(live_server.url + "/accounts/login/")
    log_in(page, "secretary")
    expect(page.get_by_role("heading", level=1)).to_have_text("Việc cần đồng chí xử lý")  # her home
    page.get_by_role("link", name="Trang chi bộ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(cell.name)

    # Draft
    page.get_by_role("link", name="Soạn nghị quyết").first.click()
    page.get_by_label("Trích yếu").fill("Về công tác vệ sinh môi trường")
    page.get_by_role("button", name="Tạo dự thảo").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("01-NQ/CB")

    page.locator("#id_assessment").fill("Tháng qua chi bộ hoàn thành các chỉ tiêu.")
    page.locator("#id_targets-0-name").fill("Hộ ký cam kết")
    page.locator("#id_targets-0-unit").fill("%")
    page.locator("#id_targets-0-target_value").fill("100")
    page.get_by_role("button", name="Thêm chỉ tiêu").click()
    page.locator("#id_targets-1-name").fill("Thu quỹ")
    page.locator("#id_targets-1-unit").fill("%")
    page.locator("#id_targets-1-target_value").fill("90")
    deadline = (dt.date.today() + dt.timedelta(days=20)).strftime("%d/%m/%Y")
    titles = ("Ra quân dọn vệ sinh", "Vận động ký cam kết", "Thu quỹ vì người nghèo")
    for i, (title, lead) in enumerate(zip(titles, leads, strict=True)):
        if i:
            page.get_by_role("button", name="Thêm nhiệm vụ").click()
        page.locator(f"#id_tasks-{i}-title").fill(title)
        page.locator(f"#id_tasks-{i}-deadline").fill(deadline)
        page.locator(f"#id_tasks-{i}-lead_member").select_option(str(lead.pk))
    page.locator("#id_tasks-0-supporters").select_option([str(leads[1].pk)])
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã lưu")
    for title in ("Ra quân dọn vệ sinh", "Vận động ký cam kết", "Thu quỹ vì người nghèo"):
        expect(page.get_by_role("cell", name=title, exact=True)).to_be_visible()

    # Submit, and vote at this morning's meeting, its attendance taken: the vote page chooses it.
    page.get_by_role("button", name="Trình hội nghị").click()
    meeting = plan_meeting(
        cell=cell,
        by=people["secretary"],
        kind="regular",
        date=dt.date.today(),
        starts_at=dt.time(0, 0),
        ends_at=dt.time(2, 0),
        place="Nhà văn hóa",
    )
    set_attendance(meeting=meeting, changes={})
    page.get_by_role("link", name="Ghi kết quả biểu quyết").click()
    page.get_by_label("Số phiếu tán thành").fill(str(official))
    page.get_by_role("button", name="Ghi kết quả biểu quyết").click()
    expect(page.get_by_role("alert").first).to_contain_text("quá nửa")
    expect(page.locator("main")).to_contain_text("Đã thông qua")
    page.get_by_role("link", name="01-NQ/CB", exact=True).click()  # from the meeting back to the resolution

    # Amend
    page.get_by_role("link", name="Bổ sung, điều chỉnh").click()
    page.get_by_label("Lý do bổ sung, điều chỉnh").fill("Phát sinh dịch sốt xuất huyết")
    page.get_by_role("button", name="Thêm nhiệm vụ").click()
    page.locator("#id_tasks-3-title").fill("Phun thuốc diệt muỗi")
    page.locator("#id_tasks-3-deadline").fill(deadline)
    page.locator("#id_tasks-3-lead_member").select_option(str(leads[2].pk))
    page.get_by_role("button", name=re.compile("Lưu")).last.click()
    expect(page.get_by_role("link", name="Phiên bản 2")).to_be_visible()

    resolution = Resolution.objects.get(cell=cell)
    assert resolution.status == "adopted"
    assert resolution.version == 2
    assert resolution.tasks.count() == 4
    assert resolution.targets.count() == 2

    # Print
    page.get_by_role("link", name="Bản in", exact=True).click()
    expect(page.locator("body")).to_contain_text("NGHỊ QUYẾT")
    expect(page.locator("body")).to_contain_text("Phun thuốc diệt muỗi")
    pdf = page.request.get(live_server.url + f"/resolutions/{resolution.pk}/pdf/")
    assert pdf.ok
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body()[:5] == b"%PDF-"
