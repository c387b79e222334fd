"""One month of a cell, end to end, as its people do it on a phone, without typing an address: each step starts
from the home page, the bell or a link on the page before it. A real Celery worker sends the mail.

The secretary lands on her home, drafts the month's resolution from it (adding two tasks in the page) and submits it,
plans the meeting two days ahead and releases its pack; the lead of a task sees the invitation in his bell. On the
meeting's day the secretary takes the attendance by tapping two absentees, records the vote from the meeting page on
that attendance, corrects one number, and marks the meeting held. The two members report progress; the secretary
sees each report in her bell and confirms it. Beat's reminder sweep goes through the broker to the worker, which
writes the reminder and emails it. The ward's standing committee member opens the dashboard from her home: the
cell's figure opens a page with the same figure, and the resolution's page agrees. The secretary writes the review
and the conclusion, locks the minutes after the question, and has the worker build the minutes PDF, which shows the
vote as corrected and is read back and checked for its fonts.

The worker and its broker come from tests/worker.py: Redis when REDIS_URL is set (CI), else a filesystem broker
in the test's folder. Everything the live server queues goes to that worker for the time of the journey.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import FilePayload, Page, expect

from dashboards.dashboard import thresholds
from meetings.models import Meeting, Vote
from members.models import Member, today
from notifications.models import Delivery, Kind, Notification
from notifications.tasks import sweep_reminders
from resolutions.forms.drafting import month_bounds
from resolutions.models import ProgressUpdate, Resolution, Task
from tests.browser.conftest import expect_fits_the_screen, log_in_as, pdf_text
from tests.factories import MemberFactory, UserFactory
from tests.worker import WAIT_SECONDS, Worker, running_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBJECT = "Về công tác vệ sinh môi trường và vận động hộ ký cam kết"
CLEAN_UP = "Ra quân dọn vệ sinh đường làng"
COMMITMENTS = "Vận động hộ ký cam kết giữ gìn vệ sinh"
PLACE = "Nhà văn hóa khu phố 1"


def _photo() -> bytes:
    """A small JPEG, as a phone's camera would send (the upload is checked by its content)."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 60)).save(out, "JPEG")
    return out.getvalue()


def _emails(outbox: Path) -> list[email.message.EmailMessage]:
    """The messages Django's file backend wrote: one file per connection, messages separated by a dashed line."""
    messages: list[email.message.EmailMessage] = []
    for path in sorted(outbox.glob("*.log")) if outbox.exists() else []:
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk.lstrip(), policy=email.policy.default))
    return messages


def _home(page: Page, base_url: str, username: str) -> None:
    """Log in from the login page: everyone lands on the home page that says what needs them now."""
    log_in_as(page, base_url, username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Việc cần đồng chí xử lý")


def _bell(page: Page):
    """The bell in the bar (its name says how many messages are unread), not the cell's "messages sent" tab."""
    return page.get_by_role("link", name=re.compile(r"^Thông báo( \d+ thông báo chưa đọc)?$"))


def _go_home(page: Page) -> None:
    """On a phone the menu folds away: open it and tap "Home"."""
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Trang chủ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Việc cần đồng chí xử lý")


def _draft_and_submit(page: Page, cell, day: dt.date, hai: Member, bich: Member) -> Resolution:
    """From her home, the secretary drafts this month's resolution, adds the two tasks in the page and submits it."""
    page.get_by_role("link", name="Soạn nghị quyết tháng này").click()
    page.wait_for_load_state()  # the date boxes are enhanced by the page's script: fill them after
    start, end = month_bounds(day)
    page.locator("#id_period_start").fill(start.strftime("%d/%m/%Y"))
    page.locator("#id_period_end").fill(end.strftime("%d/%m/%Y"))
    page.get_by_label("Trích yếu").fill(SUBJECT)
    page.get_by_role("button", name="Tạo dự thảo").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("01-NQ/CB")
    expect_fits_the_screen(page, "01-NQ/CB")

    page.evaluate("window.stillTheSamePage = true")
    page.locator("#id_assessment").fill("Tháng qua chi bộ lãnh đạo hoàn thành các chỉ tiêu đề ra.")
    expect(page.locator("#id_assessment")).not_to_have_value(re.compile("<p>"))  # plain text, not HTML
    page.locator("#id_targets-0-name").fill("Hộ ký cam kết giữ gìn vệ sinh")
    page.locator("#id_targets-0-unit").fill("%")
    page.locator("#id_targets-0-target_value").fill("100")
    tasks = ((CLEAN_UP, hai, "hai"), (COMMITMENTS, bich, "bich"))
    deadlines = (day + dt.timedelta(days=5), day + dt.timedelta(days=12))
    for i, ((title, lead, typed), deadline) in enumerate(zip(tasks, deadlines, strict=True)):
        if i:
            page.get_by_role("button", name="Thêm nhiệm vụ").click()  # a row added in the page, no reload
            expect(page.locator(f"#id_tasks-{i}-title")).to_be_focused()
        page.locator(f"#id_tasks-{i}-title").fill(title)
        page.locator(f"#id_tasks-{i}-deadline").fill(deadline.strftime("%d/%m/%Y"))
        page.locator(f"#id_tasks-{i}-lead_member_search").fill(typed)  # the name typed without accents
        page.get_by_role("option", name=lead.full_name).click()
    assert page.evaluate("window.stillTheSamePage") is True
    expect(page.locator(".invalid-feedback:visible")).to_have_count(0)  # no "required" on a row being written
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã lưu")
    for (title, lead, _typed), deadline in zip(tasks, deadlines, strict=True):
        row = page.get_by_role("row").filter(has_text=title)
        expect(row).to_contain_text(lead.full_name)
        expect(row).to_contain_text(deadline.strftime("%d/%m/%Y"))

    expect_fits_the_screen(page, "01-NQ/CB")
    page.get_by_role("button", name="Trình hội nghị").click()
    expect(page.get_by_role("alert").first).to_contain_text("trình hội nghị")
    resolution = Resolution.objects.get(cell=cell)
    assert resolution.status == Resolution.Status.SUBMITTED
    assert (resolution.period_start, resolution.period_end) == (start, end)
    return resolution


def _plan_and_release(page: Page, base_url: str, meeting_day: dt.date, people) -> Meeting:
    """Back on her home, the secretary plans the month's meeting two days ahead and releases its pack."""
    _go_home(page)
    page.get_by_role("link", name="Lập kế hoạch sinh hoạt tháng này").click()
    page.wait_for_load_state()  # the date box is enhanced by the page's script: fill it after
    page.locator("#id_date").fill(meeting_day.strftime("%d/%m/%Y"))
    page.locator("#id_starts_at").fill("19:00")
    page.locator("#id_ends_at").fill("21:00")
    page.locator("#id_place").fill(PLACE)
    page.locator("#id_chair").select_option(str(people["secretary"].member.pk))
    page.locator("#id_recorder").select_option(str(people["deputy"].member.pk))
    page.get_by_role("button", name="Lên kế hoạch").click()
    expect(page.get_by_role("alert").first).to_contain_text("kế hoạch")
    expect_fits_the_screen(page, meeting_day.strftime("%d/%m/%Y"))
    meeting = Meeting.objects.get(cell=people["secretary"].member.cell)

    # The home now asks for the pack; it leads back to the meeting, where the pack is released.
    _go_home(page)
    page.get_by_role("link", name=f"Phát hành tài liệu sinh hoạt ngày {meeting_day:%d/%m/%Y}").click()
    page.get_by_role("button", name="Phát hành tài liệu sinh hoạt cho đảng viên").click()
    expect(page.locator("main")).to_contain_text("Tài liệu sinh hoạt đã phát hành cho đảng viên lúc")
    meeting.refresh_from_db()
    assert meeting.pack_published_at is not None
    return meeting


def _invitation_in_the_bell(page: Page, base_url: str, hai: Member, meeting: Meeting) -> None:
    """The lead of a task opens his bell: the invitation and the released pack are there at once."""
    assert hai.user is not None
    _home(page, base_url, hai.user.username)
    bell = _bell(page)
    expect(bell).to_contain_text("2")
    bell.click()
    expect_fits_the_screen(page, "Thông báo")
    invitation = page.get_by_role("listitem").filter(has_text="Giấy mời sinh hoạt chi bộ")
    expect(invitation).to_contain_text(f"{meeting.date:%d/%m/%Y} lúc 19:00")
    expect(invitation).to_contain_text(PLACE)
    expect(page.get_by_role("listitem").filter(has_text="Tài liệu")).to_be_visible()
    invitation.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{meeting.date:%d/%m/%Y}")


def _meeting_day(page: Page, base_url: str, cell, resolution: Resolution, meeting: Meeting, absent: list[Member],
                 reason: str) -> Vote:  # fmt: skip
    """On the meeting's day: the attendance by tapping two absentees, the vote from the meeting page on that
    attendance, one number corrected, and the meeting marked held."""
    _home(page, base_url, "secretary")
    page.get_by_role("link", name="Tổ chức buổi sinh hoạt hôm nay lúc 19:00").click()
    expect_fits_the_screen(page, meeting.date.strftime("%d/%m/%Y"))
    page.get_by_role("link", name="Điểm danh").first.click()
    page.wait_for_load_state()  # the counts are kept by the page's script
    expect_fits_the_screen(page, "Điểm danh")
    search = page.get_by_placeholder("Tìm đảng viên: gõ một phần họ tên")
    expected = int(page.locator("[data-count='expected']").inner_text())
    for n, member in enumerate(absent, start=1):
        search.fill(member.search_name)  # typed as a phone keyboard would, without accents
        page.get_by_role("button", name=re.compile(member.full_name)).click()
        expect(page.locator("[data-count='attended']")).to_have_text(str(expected - n))  # the counts follow the tap
    page.get_by_role("button", name="Có lý do").click()  # the last one tapped: away with a reason
    page.locator(f"#id_reason_{absent[-1].pk}").fill(reason)
    expect(page.locator("[data-count='absent_reason']")).to_have_text("1")
    expect(page.locator("[data-count='absent_no_reason']")).to_have_text("1")
    page.get_by_role("button", name="Lưu điểm danh").click()
    expect(page.locator("main")).to_contain_text(f"{absent[-1].full_name} ({reason})")

    # The vote, from the meeting page, on this meeting and its attendance.
    official = Member.objects.filter(cell=cell).official_on(today()).count()
    page.get_by_role("link", name=f"Ghi kết quả biểu quyết {resolution.number}").click()
    expect_fits_the_screen(page, "Ghi kết quả biểu quyết")
    expect(page.get_by_label("Tại buổi sinh hoạt")).to_have_value(str(meeting.pk))
    expect(page.locator("[data-figure='entitled']")).to_have_text(str(official - 1))  # away with a reason: not in it
    expect(page.locator("[data-figure='present']")).to_have_text(str(official - 2))
    page.locator("#id_votes_for").fill(str(official - 3))  # one ballot mistyped
    page.get_by_role("button", name="Ghi kết quả biểu quyết").click()
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting.pk}/$"))  # back on the meeting

    # The secretary sees the slip and corrects it, with a reason.
    page.get_by_role("link", name="Đính chính kết quả biểu quyết").click()
    page.locator("#id_votes_for").fill(str(official - 2))
    page.get_by_label("Lý do đính chính").fill("Thư ký đếm sót một phiếu tán thành.")
    page.get_by_role("button", name="Lưu đính chính").click()
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting.pk}/$"))
    votes = page.locator("main")
    expect(votes).to_contain_text(f"{official - 2} tán thành")

    page.get_by_role("button", name="Đánh dấu đã họp").click()
    expect(page.get_by_role("button", name="Thông qua và khóa biên bản")).to_be_visible()  # shown once held
    vote = Vote.objects.get(resolution=resolution)
    assert (vote.meeting, vote.votes_for, vote.entitled_count, vote.present_count) == (
        meeting,
        official - 2,
        official - 1,
        official - 2,
    )
    assert vote.adopted
    resolution.refresh_from_db()
    assert resolution.status == Resolution.Status.ADOPTED
    return vote


def _member_reports(page: Page, base_url: str, username: str, title: str, status: str, progress: int, note: str,
                    evidence: FilePayload | None = None) -> None:  # fmt: skip
    """A member logs in, finds the task on the home page and reports on it."""
    _home(page, base_url, username)
    page.locator("#main").get_by_role("link", name=re.compile(title)).first.click()
    expect_fits_the_screen(page, title)
    page.get_by_label("Trạng thái").select_option(status)
    page.get_by_label("Tiến độ (%)").fill(str(progress))
    page.get_by_label("Những việc đã làm").fill(note)
    if evidence:
        page.get_by_label("Minh chứng (không bắt buộc)").set_input_files(evidence)
    page.get_by_role("button", name="Gửi báo cáo").click()
    if status == "done":  # closing a task is asked first
        page.get_by_role("dialog").get_by_role("button", name="Đúng, nhiệm vụ đã hoàn thành").click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã lưu báo cáo")
    expect(page.locator("main")).to_contain_text(note)


def _secretary_confirms(page: Page, base_url: str, titles: tuple[str, ...]) -> None:
    """The secretary's bell holds each report waiting; each opens the report, which she confirms."""
    _home(page, base_url, "secretary")
    for title in titles:
        _bell(page).click()
        item = page.get_by_role("listitem").filter(has_text=f"Báo cáo tiến độ chờ xác nhận: {title}")
        expect(item).to_be_visible()
        item.get_by_role("link").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(title)
        page.get_by_role("button", name="Xác nhận", exact=True).click()
        expect(page.get_by_role("alert").first).to_contain_text("xác nhận")
    assert not ProgressUpdate.objects.filter(review=ProgressUpdate.Review.PENDING).exists()


def _reminder_on_the_worker(page: Page, base_url: str, worker: Worker, outbox: Path, hai: Member) -> None:
    """Beat's job, sent through the broker: the worker sweeps today, writes the reminder and emails it."""
    assert hai.user is not None
    sweep_reminders.delay(today().isoformat())
    reminder = Notification.objects.filter(recipient=hai.user, kind=Kind.DUE_SOON, object_ref__startswith="task:")
    worker.wait_until(reminder.exists, "the sweep's reminder to the lead of the task due in 3 days")
    # Before it, he was told at once of the meeting, its pack, the task adopted for him and his report confirmed;
    # each was emailed.
    told = Notification.objects.filter(recipient=hai.user)
    assert sorted(told.values_list("kind", flat=True)) == sorted(
        [Kind.MEETING_INVITED, Kind.MEETING_PACK, Kind.TASK_ASSIGNED, Kind.REPORT_DECIDED, Kind.DUE_SOON]
    )
    unsent = Delivery.objects.filter(notification__recipient=hai.user).exclude(status=Delivery.Status.SENT)
    worker.wait_until(lambda: not unsent.exists(), "the emails of everything he was told")
    assert "sweep_reminders" in worker.log.read_text()
    assert "send_delivery" in worker.log.read_text()
    mails = [m for m in _emails(outbox) if hai.user.email in str(m["To"])]
    assert len(mails) == told.count(), [str(m["Subject"]) for m in mails]
    [due] = [m for m in mails if "đến hạn" in str(m["Subject"])]
    assert CLEAN_UP in str(due["Subject"])
    plain = due.get_body(preferencelist=("plain",))
    assert plain is not None
    body = plain.get_content()
    assert f"Kính gửi đồng chí {hai.full_name}," in body
    assert CLEAN_UP in body

    # The member sees it under the bell, and the bell leads to the task.
    _home(page, base_url, hai.user.username)
    _bell(page).click()
    expect_fits_the_screen(page, "Thông báo")
    item = page.get_by_role("listitem").filter(has_text=CLEAN_UP).filter(has_text="3 ngày")
    item.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(CLEAN_UP)
    assert reminder.get().read_at is not None  # opened from the bell, so read


def _ward_reads_the_dashboard(page: Page, base_url: str, tree, resolution: Resolution) -> None:
    """The ward's standing committee member opens the dashboard from her home; the cell's figures open a page
    that shows the same figures, and the resolution's page shows the same progress."""
    _home(page, base_url, "standing")
    page.get_by_role("link", name="Số liệu các chi bộ").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(tree.ward_a.name)
    row = page.locator(f"tr[data-row='{tree.cell_a1.pk}']")
    assert resolution.adopted_on is not None
    on_time = resolution.adopted_on <= resolution.period_start + dt.timedelta(days=thresholds().adopted_within_days)
    adopted = "đúng hạn" if on_time else "thông qua trễ hạn"
    expect(row.locator("[data-label='Nghị quyết']")).to_contain_text(f"{resolution.number} {adopted}")
    figures = {name: row.locator(f"[data-figure='{name}']").inner_text() for name in ("tasks", "done", "progress")}
    assert figures == {"tasks": "2", "done": "1", "progress": "80%"}  # (60 + 100) / 2, both reports confirmed
    expect(row.locator("[data-label='Buổi sinh hoạt gần nhất']")).to_contain_text(f"{today():%d/%m/%Y}")
    expect_fits_the_screen(page, tree.ward_a.name)

    row.locator("[data-figure='progress']").click()
    block = page.locator("[data-figures='cell']")
    for name, value in figures.items():
        expect(block.locator(f"[data-figure='{name}']")).to_have_text(value)
    page.get_by_role("link", name=resolution.number).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(resolution.number)
    expect(page.locator("[data-figures='resolution'] [data-figure='progress']")).to_have_text(figures["progress"])
    main = page.locator("main")
    expect(main).to_contain_text("Đã thông qua")
    expect(main).to_contain_text(CLEAN_UP)
    expect(main).to_contain_text(COMMITMENTS)


def _minutes(page: Page, base_url: str, meeting: Meeting, tmp_path: Path) -> Path:
    """From her home, the secretary writes the review and the conclusion, locks the minutes and gets the PDF."""
    _home(page, base_url, "secretary")
    page.get_by_role("link", name=f"Duyệt biên bản buổi sinh hoạt ngày {meeting.date:%d/%m/%Y}").click()
    page.get_by_role("link", name="Viết sơ kết").click()
    expect_fits_the_screen(page, "Sơ kết")
    page.locator("#id_shortcomings").fill("Còn hộ chưa ký cam kết giữ gìn vệ sinh.")
    page.get_by_role("button", name="Lưu sơ kết").click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã lưu")

    page.get_by_role("link", name="Chương trình, nội dung và kết luận").click()
    expect_fits_the_screen(page, "Chương trình, nội dung và kết luận")
    page.locator("#id_conclusion-conclusion").fill("Chi bộ thống nhất ra quân dọn vệ sinh trước ngày hạn.")
    page.get_by_label("Giờ bế mạc").fill("21:00")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="Đã lưu")).to_be_visible()
    # The pack went out two days ahead: no warning about it.
    expect(page.get_by_role("alert").filter(has_text="Tài liệu sinh hoạt chưa được phát hành")).to_have_count(0)

    page.get_by_role("button", name="Thông qua và khóa biên bản").click()
    # Locking is asked first, saying what happens and how a correction reopens the minutes.
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Biên bản sẽ bị khóa, không sửa được nữa")
    expect(dialog).to_contain_text("Muốn sửa phải mở lại bằng một lần chỉnh sửa có lý do")
    dialog.get_by_role("button", name="Đồng ý thông qua và khóa").click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã lưu")
    expect(page.get_by_role("link", name="Điểm danh")).to_have_count(0)  # locked: nothing to change

    expect_fits_the_screen(page, meeting.date.strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Tạo biên bản PDF").click()
    link = page.get_by_role("link", name="Biên bản (PDF)")
    expect(link).to_be_visible(timeout=WAIT_SECONDS * 1000)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.APPROVED
    assert meeting.pdf_is_current
    response = page.request.get(base_url + str(link.get_attribute("href")))
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    path = tmp_path / "bien-ban.pdf"
    path.write_bytes(response.body())
    return path


@pytest.mark.clock("2026-11-18 09:00")
def test_one_month_of_a_cell(live_server, page: Page, tree, people, tmp_path, settings, clock) -> None:
    media, outbox = tmp_path / "media", tmp_path / "mail"
    settings.MEDIA_ROOT = media
    cell, day = tree.cell_a1, today()
    meeting_day = day + dt.timedelta(days=2)
    hai, bich = (
        MemberFactory.create(
            cell=cell, full_name=name, user=UserFactory.create(username=username, email=f"{username}@example.vn")
        )
        for name, username in (("Nguyễn Văn Hải", "hai"), ("Trần Thị Bích", "bich"))
    )
    late = MemberFactory.create(cell=cell, full_name="Lê Văn Tâm")
    away = people["committee"].member
    mail_settings = (
        f"EMAIL_BACKEND = 'django.core.mail.backends.filebased.EmailBackend'\nEMAIL_FILE_PATH = {str(outbox)!r}"
    )
    with running_worker(tmp_path, mail_settings, MEDIA_ROOT=str(media)) as worker:
        _home(page, live_server.url, "secretary")
        resolution = _draft_and_submit(page, cell, day, hai, bich)
        meeting = _plan_and_release(page, live_server.url, meeting_day, people)
        _invitation_in_the_bell(page, live_server.url, hai, meeting)

        clock.move_to(dt.datetime.combine(meeting_day, dt.time(19, 5), tzinfo=dt.UTC) - dt.timedelta(hours=7))
        vote = _meeting_day(page, live_server.url, cell, resolution, meeting, [late, away], "Đi công tác tỉnh")

        _member_reports(page, live_server.url, "hai", CLEAN_UP, "in_progress", 60, "Đã dọn xong 3 trên 5 tuyến đường.")
        photo: FilePayload = {"name": "anh-ky-cam-ket.jpg", "mimeType": "image/jpeg", "buffer": _photo()}
        _member_reports(page, live_server.url, "bich", COMMITMENTS, "done", 100, "42/42 hộ đã ký cam kết.", photo)
        with page.expect_download() as download:
            page.get_by_role("link", name="Minh chứng: anh-ky-cam-ket.jpg").click()
        assert Path(download.value.path()).read_bytes() == photo["buffer"]
        assert ProgressUpdate.objects.get(task__title=COMMITMENTS).evidence_name == "anh-ky-cam-ket.jpg"
        _secretary_confirms(page, live_server.url, (CLEAN_UP, COMMITMENTS))
        assert Task.objects.get(title=COMMITMENTS).status == Task.Status.DONE

        _reminder_on_the_worker(page, live_server.url, worker, outbox, hai)
        _ward_reads_the_dashboard(page, live_server.url, tree, resolution)
        pdf = _minutes(page, live_server.url, meeting, tmp_path)
        assert "build_minutes_pdf" in worker.log.read_text()

    text = pdf_text(pdf)
    adopted = f"Nghị quyết số {resolution.number} {SUBJECT[0].lower()}{SUBJECT[1:]}"
    for expected in (
        cell.name.upper(),
        adopted,
        f"tán thành: {vote.votes_for}",  # the vote as corrected
        f"Tổng số đảng viên chính thức có quyền biểu quyết: {vote.entitled_count}",
        "nghị quyết được thông qua",
        away.full_name,
        "Đi công tác tỉnh",
        late.full_name,
        PLACE,
        "kết thúc lúc 21 giờ 00 phút",
    ):
        assert expected in text, f"{expected!r} is not in the minutes:\n{text[:3000]}"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    font_rows = fonts.splitlines()[2:]
    assert font_rows, fonts
    assert all("+Liberation-Serif" in row for row in font_rows), fonts
    assert all(row.split()[-5] == "yes" for row in font_rows), fonts  # every font embedded
