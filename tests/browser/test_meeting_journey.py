"""A secretary, on a phone, plans the month's meeting, marks two absences (one with a reason), records the
review and the vote, and downloads the minutes PDF built by the Celery task."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from meetings.models import Meeting, Vote
from members.models import Member
from resolutions.models import Resolution, Task
from resolutions.services import create_resolution, take_step
from tests.browser.conftest import log_in, pdf_text, plan_meeting
from tests.factories import MemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_plan_attend_review_vote_and_download_the_minutes(
    live_server, page: Page, tree, people, tmp_path, settings
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    cell, today = tree.cell_a1, dt.date.today()
    excused, missing, lead = (
        MemberFactory.create(cell=cell, full_name=name) for name in ("Lê Văn Ốm", "Trần Văn Vắng", "Phạm Thị Làm")
    )
    current = create_resolution(
        cell=cell, by=None, kind="monthly", period_start=today.replace(day=1), period_end=today, title="Tháng này"
    )
    Task.objects.create(resolution=current, title="Dọn vệ sinh đường làng", deadline=today, lead_member=lead)
    Resolution.objects.filter(pk=current.pk).update(status="in_progress")
    upcoming = create_resolution(
        cell=cell,
        by=None,
        kind="monthly",
        period_start=today,
        period_end=today + dt.timedelta(days=30),
        title="Tháng tới",
    )
    Task.objects.create(resolution=upcoming, title="Thu quỹ", deadline=today + dt.timedelta(days=20), lead_member=lead)
    take_step(resolution=upcoming, step_name="submit", by=people["secretary"])

    page.goto(live_server.url + "/accounts/login/")
    log_in(page, "secretary")

    # Plan
    plan_meeting(page, today, "Nhà văn hóa khu phố 1", people["secretary"].member.pk, people["deputy"].member.pk)
    meeting = Meeting.objects.get(cell=cell)

    # Attendance: two absences, one with a reason
    page.get_by_role("link", name="Điểm danh").click()
    page.locator(f"#id_status_{excused.pk}").select_option("absent_reason")
    page.locator(f"#id_reason_{excused.pk}").fill("Ốm nằm viện")
    page.locator(f"#id_status_{missing.pk}").select_option("absent_no_reason")
    page.get_by_role("button", name="Lưu điểm danh").click()
    expect(page.locator("main")).to_contain_text("Lê Văn Ốm (Ốm nằm viện)")

    # The monthly review
    page.get_by_role("link", name="Viết sơ kết").click()
    page.locator("#id_shortcomings").fill("Còn hộ chưa ký cam kết.")
    page.get_by_role("button", name="Lưu sơ kết").click()

    # The vote, from the meeting's attendance
    official = Member.objects.filter(cell=cell).official_on(today).count()
    page.get_by_role("link", name=f"Ghi kết quả biểu quyết {upcoming.number}").click()
    # Two are absent: only the other official members cast a ballot.
    page.get_by_label("Số phiếu tán thành").fill(str(official - 2))
    page.get_by_role("button", name="Ghi kết quả biểu quyết").click()
    expect(page.get_by_role("alert").first).to_contain_text("quá nửa")
    vote = Vote.objects.get(resolution=upcoming)
    assert vote.meeting == meeting
    assert vote.entitled_count == official - 1  # the excused member is not in the base
    assert vote.present_count == official - 2  # the one absent without a reason is, but cast no ballot

    # Held, then the minutes PDF from the worker
    page.goto(live_server.url + f"/meetings/{meeting.pk}/")
    page.get_by_role("button", name="Đánh dấu đã họp").click()
    page.get_by_role("button", name="Tạo biên bản PDF").click()
    link = page.get_by_role("link", name="Biên bản (PDF)")
    expect(link).to_be_visible(timeout=20_000)
    pdf = page.request.get(live_server.url + link.get_attribute("href"))
    assert pdf.ok
    assert pdf.headers["content-type"] == "application/pdf"
    path = tmp_path / "minutes.pdf"
    path.write_bytes(pdf.body())
    text = pdf_text(path)
    for expected in ("BIÊN BẢN SINH HOẠT CHI BỘ", "Lê Văn Ốm", "Trần Văn Vắng", "Còn hộ chưa ký cam kết"):
        assert expected in text
