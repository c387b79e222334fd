"""The secretary, on a phone, records the vote of a meeting held two days ago: the page counts on that day's roll
and attendance; more ballots than entitled members present are refused and nothing is written; the right count,
sent twice, is recorded once; a mistake in it is corrected with a reason."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from meetings.models import Attendance, Vote
from meetings.services import mark_held, plan_meeting, set_attendance
from members.models import today
from resolutions.models import Resolution, Task, Version
from resolutions.services import create_resolution, take_step
from tests.browser.conftest import expect_fits_the_screen, log_in
from tests.factories import MemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

A = Attendance.Status


def test_more_ballots_than_members_present_are_refused_and_a_vote_sent_twice_is_recorded_once(
    live_server, page: Page, tree, people
) -> None:
    cell, day = tree.cell_a1, today() - dt.timedelta(days=2)
    # Eight official members on the meeting's date: the four of ``people`` and these four.
    excused, truant, lead, _other = (
        MemberFactory.create(cell=cell, full_name=name)
        for name in ("Lê Văn Ốm", "Trần Văn Vắng", "Phạm Thị Làm", "Ngô Văn Hai")
    )
    MemberFactory.create(cell=cell, full_name="Đỗ Thị Dự", admitted_on=day - dt.timedelta(days=90), official_on=None)
    # Recognised as official since the meeting: on its date a probationary member, who did not vote.
    MemberFactory.create(
        cell=cell, full_name="Huỳnh Văn Mới", admitted_on=day - dt.timedelta(days=370), official_on=today()
    )
    meeting = plan_meeting(
        cell=cell,
        by=people["secretary"],
        kind="regular",
        date=day,
        starts_at=dt.time(19, 0),
        ends_at=dt.time(21, 0),
        place="Nhà văn hóa khu phố 1",
    )
    set_attendance(
        meeting=meeting, changes={excused.pk: (A.ABSENT_WITH_REASON, "Ốm"), truant.pk: (A.ABSENT_WITHOUT_REASON, "")}
    )
    mark_held(meeting=meeting, opened_at=dt.time(19, 0), closed_at=dt.time(21, 0))
    resolution = create_resolution(
        cell=cell, by=None, kind="monthly", period_start=today(), period_end=today(), title="Tháng tới"
    )
    Task.objects.create(resolution=resolution, title="Thu quỹ", deadline=today(), lead_member=lead)
    take_step(resolution=resolution, step_name="submit", by=people["secretary"])

    page.goto(live_server.url + f"/meetings/{meeting.pk}/")
    log_in(page, "secretary")
    page.get_by_role("link", name=f"Ghi kết quả biểu quyết {resolution.number}").click()
    expect_fits_the_screen(page, "Ghi kết quả biểu quyết")

    # The base, from the attendance of the meeting's date: 8 official, 7 entitled, 6 of them there, 2 probationary.
    note = page.get_by_role("note")
    expect(note).to_contain_text(f"Theo điểm danh hội nghị ngày {day:%d/%m/%Y}:")
    expect(note.locator("[data-figure=official]")).to_have_text("8")
    expect(note.locator("[data-figure=entitled]")).to_have_text("7")
    expect(note.locator("[data-figure=present]")).to_have_text("6")
    expect(note.locator("[data-figure=probationary]")).to_have_text("2")
    expect(note).to_contain_text("lớn hơn 7 / 2, tức là ít nhất 4")
    expect(note).not_to_contain_text("Hiện chi bộ có")

    # Seven ballots typed where six members could vote.
    page.get_by_label("Số phiếu tán thành").fill("4")
    page.get_by_label("Số phiếu không tán thành").fill("2")
    page.get_by_label("Số phiếu không biểu quyết").fill("1")
    page.get_by_role("button", name="Ghi kết quả biểu quyết").click()
    expect(page.locator("main")).to_contain_text("7 phiếu nhưng chỉ có 6 đảng viên có quyền biểu quyết có mặt")
    expect(note.locator("[data-figure=present]")).to_have_text("6")  # the numbers stay beside the refusal
    assert not Vote.objects.exists()
    resolution.refresh_from_db()
    assert resolution.status == Resolution.Status.SUBMITTED

    # The right count is recorded; sent again (back to the form, the same numbers, save), it is recorded once.
    page.get_by_label("Số phiếu không biểu quyết").fill("0")
    page.get_by_role("button", name="Ghi kết quả biểu quyết").click()
    expect(page.locator("main")).to_contain_text("Đã thông qua")
    # Back on the meeting's page, the vote as its minutes show it.
    expect(page.locator("main")).to_contain_text("7 đảng viên có quyền biểu quyết, trong đó 6 đồng chí có mặt.")
    posts: list[str] = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    page.go_back()  # the form page was a POST's answer: the browser may send that POST again, which is refused
    page.locator("#id_meeting").select_option(str(meeting.pk))
    page.get_by_label("Số phiếu tán thành").fill("4")
    page.get_by_label("Số phiếu không tán thành").fill("2")
    page.get_by_label("Số phiếu không biểu quyết").fill("0")
    page.get_by_role("button", name="Ghi kết quả biểu quyết").click()
    expect(page.get_by_role("alert").first).to_contain_text("Kết quả biểu quyết này đã được ghi nhận.")
    assert posts, "the form was not sent again"
    assert all("/vote/" in url for url in posts), posts
    vote = Vote.objects.get(resolution=resolution)
    assert (vote.entitled_count, vote.present_count, vote.votes_for, vote.adopted) == (7, 6, 4, True)
    assert Version.objects.filter(resolution=resolution).count() == 1

    # Four for were typed where three were counted: corrected with the reason; not adopted after all.
    page.get_by_role("link", name="Đính chính kết quả biểu quyết").click()
    expect_fits_the_screen(page, "Đính chính kết quả biểu quyết")
    page.get_by_label("Số phiếu tán thành").fill("3")
    page.get_by_label("Số phiếu không tán thành").fill("3")
    page.get_by_label("Lý do đính chính").fill("Kiểm phiếu lại: nhập nhầm")
    page.get_by_role("button", name="Lưu đính chính").click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã đính chính kết quả biểu quyết.")
    expect(page.get_by_role("alert").first).to_contain_text("chưa quá nửa")
    vote.refresh_from_db()
    resolution.refresh_from_db()
    assert (vote.votes_for, vote.adopted, resolution.status) == (3, False, Resolution.Status.SUBMITTED)
    assert [h.votes_for for h in vote.history.order_by("history_date", "history_id")][-2:] == [4, 3]
