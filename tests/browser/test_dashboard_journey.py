"""A ward committee member, on a phone, sees their cells, sorts by overdue work, drills into the worst cell's
resolution, and downloads the Excel file and the monthly summary PDF."""

import datetime as dt
import io

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from resolutions.models import Resolution, Task
from resolutions.services import create_resolution
from tests.browser.conftest import log_in
from tests.factories import MemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _resolution_with_tasks(cell, overdue: int, done: int) -> Resolution:
    today = dt.date.today()
    resolution = create_resolution(
        cell=cell, by=None, kind="monthly", period_start=today.replace(day=1), period_end=today, title="Tháng này"
    )
    lead = MemberFactory.create(cell=cell)
    for i in range(overdue):
        Task.objects.create(
            resolution=resolution, title=f"Việc trễ {i}", deadline=today - dt.timedelta(days=5), lead_member=lead
        )
    for i in range(done):
        Task.objects.create(
            resolution=resolution,
            title=f"Việc xong {i}",
            deadline=today,
            lead_member=lead,
            status="done",
            progress=100,
            completed_on=today,
        )
    Resolution.objects.filter(pk=resolution.pk).update(status="in_progress", adopted_on=today.replace(day=1))
    return resolution


def test_ward_member_sorts_drills_down_and_downloads(live_server, page: Page, tree, people, tmp_path, settings) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    _resolution_with_tasks(tree.cell_a1, overdue=1, done=3)
    worst = _resolution_with_tasks(tree.cell_a2, overdue=4, done=1)

    page.goto(live_server.url + "/accounts/login/")
    log_in(page, "standing")

    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Theo dõi").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(tree.ward_a.name)
    table = page.locator("table").first
    expect(table).to_contain_text(tree.cell_a1.name)
    expect(table).to_contain_text(tree.cell_a2.name)

    page.get_by_role("navigation", name="Sắp xếp theo").get_by_role("link", name="Quá hạn").click()
    first_row = page.locator("table").first.locator("tbody tr").first
    expect(first_row).to_contain_text(tree.cell_a2.name)

    excel_url = page.get_by_role("link", name="Tệp Excel").get_attribute("href")
    workbook = openpyxl.load_workbook(io.BytesIO(page.request.get(live_server.url + excel_url).body()))
    names = [row[0] for row in workbook["Theo dõi"].iter_rows(values_only=True)]
    assert tree.cell_a2.name in names

    page.get_by_role("button", name="Tạo báo cáo tháng (PDF)").click()
    summary = page.get_by_role("link", name="Báo cáo tháng (PDF)")
    expect(summary).to_be_visible(timeout=20_000)
    expect(page.locator(f"#dashboard-summary-{tree.ward_a.pk}")).to_contain_text(
        "Số 01-BC/ĐU"
    )  # the ward's first report
    pdf = page.request.get(live_server.url + summary.get_attribute("href"))
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body()[:5] == b"%PDF-"

    first_row = page.locator("table").first.locator("tbody tr").first
    first_row.get_by_role("link", name=worst.number).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(worst.number)
    expect(page.locator("main")).to_contain_text("Việc trễ 3")
