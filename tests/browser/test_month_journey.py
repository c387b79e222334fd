"""One month of a cell, end to end, as its people do it in the browser (a phone), with a real Celery worker.

The secretary drafts the month's resolution with a target and two tasks, each assigned to a named member with a
deadline, and submits it; plans the monthly meeting, records the attendance and the vote that adopts it, and
marks the meeting held. The two members log in and report progress, one with a photo as evidence. Beat's reminder
sweep goes through the broker to the worker, which writes the reminder and emails it; the member sees it under
the bell. The secretary finds the two reports waiting on her home page and confirms them: only then do they count.
The ward's standing committee member reads the cell's figures on the dashboard and drills down to the
resolution. The secretary writes the monthly review and the conclusion, approves and locks the minutes, and has
the worker build the minutes PDF, which is downloaded, read back and checked for its fonts.

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
from django.urls import reverse
from PIL import Image
from playwright.sync_api import Page, expect

from members.models import Member, today
from resolutions.dashboard import thresholds
from resolutions.forms.drafting import month_bounds
from resolutions.models import Delivery, Kind, Meeting, Notification, ProgressUpdate, Resolution, Task, Vote
from resolutions.tasks import sweep_reminders
from tests.browser.conftest import expect_fits_the_screen, log_in_as, pdf_text, plan_meeting
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
    messages = []
    for path in sorted(outbox.glob("*.log")) if outbox.exists() else []:
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk.lstrip(), policy=email.policy.default))
    return messages  # type: ignore[return-value]


def _draft_and_submit(page: Page, cell, day: dt.date, hai: Member, bich: Member) -> Resolution:  # type: ignore[no-untyped-def]
    """The secretary, from her home page, drafts this month's resolution, assigns the tasks and submits it."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Việc cần đồng chí xử lý")
    page.get_by_role("link", name="Soạn nghị quyết tháng này").click()
    start, end = month_bounds(day)
    page.locator("#id_period_start").fill(start.strftime("%d/%m/%Y"))
    page.locator("#id_period_end").fill(end.strftime("%d/%m/%Y"))
    page.get_by_label("Trích yếu").fill(SUBJECT)
    page.get_by_role("button", name="Tạo dự thảo").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("01-NQ/CB")
    expect_fits_the_screen(page, "01-NQ/CB")

    page.locator("#id_assessment").fill("Tháng qua chi bộ lãnh đạo hoàn thành các chỉ tiêu đề ra.")
    page.locator("#id_targets-0-name").fill("Hộ ký cam kết giữ gìn vệ sinh")
    page.locator("#id_targets-0-unit").fill("%")
    page.locator("#id_targets-0-target_value").fill("100")
    tasks = ((CLEAN_UP, hai, day + dt.timedelta(days=3)), (COMMITMENTS, bich, day + dt.timedelta(days=10)))
    for i, (title, lead, deadline) in enumerate(tasks):
        if i:
            page.get_by_role("button", name="Thêm nhiệm vụ").click()
        page.locator(f"#id_tasks-{i}-title").fill(title)
        page.locator(f"#id_tasks-{i}-deadline").fill(deadline.strftime("%d/%m/%Y"))
        page.locator(f"#id_tasks-{i}-lead_member").select_option(str(lead.pk))
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã lưu")
    for title, lead, deadline in tasks:
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


def _meeting_adopts(page: Page, cell, resolution: Resolution, people, away: Member) -> Meeting:  # type: ignore[no-untyped-def]
    """The secretary plans today's meeting, records who is absent and the vote that adopts the resolution."""
    page.get_by_role("link", name=cell.name, exact=True).click()  # the breadcrumb back to the cell
    plan_meeting(page, today(), PLACE, people["secretary"].member.pk, people["deputy"].member.pk)
    expect(page.get_by_role("alert").first).to_contain_text("kế hoạch")
    meeting = Meeting.objects.get(cell=cell)

    expect_fits_the_screen(page, today().strftime("%d/%m/%Y"))
    page.get_by_role("link", name="Điểm danh").click()
    expect_fits_the_screen(page, "Điểm danh")
    page.locator(f"#id_status_{away.pk}").select_option("absent_reason")
    page.locator(f"#id_reason_{away.pk}").fill("Đi công tác tỉnh")
    page.get_by_role("button", name="Lưu điểm danh").click()
    expect(page.locator("main")).to_contain_text(f"{away.full_name} (Đi công tác tỉnh)")

    official = Member.objects.filter(cell=cell).official_on(today()).count()
    page.get_by_role("link", name=f"Ghi kết quả biểu quyết {resolution.number}").click()
    expect_fits_the_screen(page, "Ghi kết quả biểu quyết")
    page.get_by_label("Số phiếu tán thành").fill(str(official - 1))
    page.get_by_role("button", name="Ghi kết quả biểu quyết").click()
    expect(page.get_by_role("alert").first).to_contain_text("quá nửa")
    expect(page.locator("main")).to_contain_text("Đã thông qua")
    vote = Vote.objects.get(resolution=resolution)
    assert vote.adopted
    assert vote.meeting == meeting
    assert vote.entitled_count == official - 1  # the member away with a reason is not in the base

    # The vote returns to the meeting, which is over: it is held.
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting.pk}/$"))
    page.get_by_role("button", name="Đánh dấu đã họp").click()
    expect(page.get_by_role("button", name="Thông qua và khóa biên bản")).to_be_visible()  # shown once held
    return meeting


def _member_reports(page: Page, base_url: str, username: str, title: str, status: str, progress: int, note: str,
                    evidence: dict[str, object] | None = None) -> None:  # fmt: skip
    """A member logs in, lands on the home page, goes to "My tasks" and reports on the task."""
    log_in_as(page, base_url, username)
    page.locator("#main").get_by_role("link", name="Việc của tôi").click()  # on the page, not in the menu
    expect_fits_the_screen(page, "Việc của tôi")
    page.get_by_role("link", name=title).click()
    expect_fits_the_screen(page, title)
    page.get_by_label("Trạng thái").select_option(status)
    page.get_by_label("Tiến độ (%)").fill(str(progress))
    page.get_by_label("Những việc đã làm").fill(note)
    if evidence:
        page.get_by_label("Minh chứng (không bắt buộc)").set_input_files(evidence)  # type: ignore[arg-type]
    page.get_by_role("button", name="Gửi báo cáo").click()
    if status == "done":  # closing a task is asked first
        page.get_by_role("dialog").get_by_role("button", name="Đúng, nhiệm vụ đã hoàn thành").click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã lưu báo cáo")
    expect(page.locator("main")).to_contain_text(note)
    expect(page.locator("main")).to_contain_text("Báo cáo chờ xác nhận")  # it counts once confirmed


def _secretary_confirms(page: Page, base_url: str, reports: list[tuple[str, str]]) -> None:
    """The secretary finds the reports waiting on her home page and confirms each on its task's page: only then
    do they count toward the task's progress (and the dashboard)."""
    log_in_as(page, base_url, "secretary")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    for name, title in reports:
        page.goto(base_url + reverse("home"))
        page.get_by_role("link", name=f"{name} báo cáo “{title}”").click()
        expect_fits_the_screen(page, title)
        expect(page.locator("main")).to_contain_text("Báo cáo chờ xác nhận")
        page.get_by_role("button", name="Xác nhận", exact=True).click()
        expect(page.get_by_role("alert").first).to_contain_text("Đã xác nhận báo cáo")
        expect(page.locator("main")).not_to_contain_text("Báo cáo chờ xác nhận")


def _reminder_on_the_worker(page: Page, base_url: str, worker: Worker, outbox: Path, hai: Member) -> None:
    """Beat's job, sent through the broker: the worker sweeps today, writes the reminder and emails it."""
    sweep_reminders.delay(today().isoformat())
    reminder = Notification.objects.filter(recipient=hai.user, kind=Kind.DUE_SOON, object_ref__startswith="task:")
    worker.wait_until(reminder.exists, "the sweep's reminder to the lead of the task due in 3 days")
    emailed = Delivery.objects.filter(notification__in=reminder, status=Delivery.Status.SENT)
    worker.wait_until(emailed.exists, "the reminder's email")
    # Before it, he was told at once of the meeting he was invited to and of the task adopted for him: the bell
    # below counts the three, and each was emailed.
    told = Notification.objects.filter(recipient=hai.user)
    assert sorted(told.values_list("kind", flat=True)) == sorted(
        [Kind.MEETING_INVITED, Kind.TASK_ASSIGNED, Kind.DUE_SOON]
    )
    unsent = Delivery.objects.filter(notification__recipient=hai.user).exclude(status=Delivery.Status.SENT)
    worker.wait_until(lambda: not unsent.exists(), "the emails of the invitation and the task assigned")
    assert "sweep_reminders" in worker.log.read_text()
    assert "send_delivery" in worker.log.read_text()
    mails = [m for m in _emails(outbox) if hai.user.email in str(m["To"])]
    assert len(mails) == 3, [str(m["Subject"]) for m in _emails(outbox)]
    [due] = [m for m in mails if "đến hạn" in str(m["Subject"])]
    assert CLEAN_UP in str(due["Subject"])
    body = due.get_body(preferencelist=("plain",)).get_content()
    assert f"Kính gửi đồng chí {hai.full_name}," in body
    assert CLEAN_UP in body

    # The member sees them under the bell, and the bell leads to the task.
    log_in_as(page, base_url, hai.user.username)
    bell = page.get_by_role("link", name="Thông báo")
    expect(bell).to_contain_text("3", timeout=10_000)
    bell.click()
    expect_fits_the_screen(page, "Thông báo")
    expect(page.get_by_role("listitem").filter(has_text="Giấy mời sinh hoạt chi bộ")).to_be_visible()
    item = page.get_by_role("listitem").filter(has_text=CLEAN_UP).filter(has_text="3 ngày")
    item.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(CLEAN_UP)
    assert reminder.get().read_at is not None  # opened from the bell, so read


def _ward_reads_the_dashboard(page: Page, base_url: str, tree, resolution: Resolution) -> None:  # type: ignore[no-untyped-def]
    """The ward's standing committee member opens the dashboard, reads the cell's row, and drills down."""
    log_in_as(page, base_url, "standing")
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Theo dõi").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(tree.ward_a.name)
    row = page.locator("table").first.locator("tbody tr").filter(has_text=tree.cell_a1.name)
    on_time = today() <= resolution.period_start + dt.timedelta(days=thresholds().adopted_within_days)
    adopted = "đúng hạn" if on_time else "thông qua trễ hạn"
    expect(row.locator("[data-label='Nghị quyết']")).to_contain_text(f"{resolution.number} {adopted}")
    expect(row.locator("[data-label='Nhiệm vụ']")).to_have_text("2")
    expect(row.locator("[data-label='Hoàn thành']")).to_have_text("1")
    expect(row.locator("[data-label='Tiến độ']")).to_have_text("80%")  # (60 + 100) / 2
    expect(row.locator("[data-label='Buổi sinh hoạt gần nhất']")).to_have_text(f"{today():%d/%m/%Y}")
    expect(row.locator("[data-label='Tỷ lệ dự họp tháng này']")).to_have_text("83%")  # 5 of 6
    expect_fits_the_screen(page, tree.ward_a.name)
    row.get_by_role("link", name=resolution.number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(resolution.number)
    main = page.locator("main")
    expect(main).to_contain_text("Đã thông qua")
    expect(main).to_contain_text(CLEAN_UP)
    expect(main).to_contain_text(COMMITMENTS)


def _minutes(page: Page, base_url: str, meeting: Meeting, resolution: Resolution, tmp_path: Path) -> Path:
    """The secretary writes the review and the conclusion, holds and locks the meeting, and gets the PDF."""
    log_in_as(page, base_url, "secretary")
    page.get_by_role("link", name="Sinh hoạt chi bộ").click()
    page.get_by_role("link", name=meeting.date.strftime("%d/%m/%Y")).click()
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
    # Planned and held on the same day, the meeting never had its documents a day ahead: the page says so.
    expect(page.get_by_role("alert").filter(has_text="Tài liệu sinh hoạt chưa được phát hành")).to_be_visible()

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


def test_one_month_of_a_cell(live_server, page: Page, tree, people, tmp_path, settings) -> None:
    media, outbox = tmp_path / "media", tmp_path / "mail"
    settings.MEDIA_ROOT = media
    cell, day = tree.cell_a1, today()
    hai, bich = (
        MemberFactory(cell=cell, full_name=name, user=UserFactory(username=username, email=f"{username}@example.vn"))
        for name, username in (("Nguyễn Văn Hải", "hai"), ("Trần Thị Bích", "bich"))
    )
    away = people["committee"].member
    mail_settings = (
        f"EMAIL_BACKEND = 'django.core.mail.backends.filebased.EmailBackend'\nEMAIL_FILE_PATH = {str(outbox)!r}"
    )
    with running_worker(tmp_path, mail_settings, MEDIA_ROOT=str(media)) as worker:
        log_in_as(page, live_server.url, "secretary")
        resolution = _draft_and_submit(page, cell, day, hai, bich)
        meeting = _meeting_adopts(page, cell, resolution, people, away)

        _member_reports(page, live_server.url, "hai", CLEAN_UP, "in_progress", 60, "Đã dọn xong 3 trên 5 tuyến đường.")
        photo = {"name": "anh-ky-cam-ket.jpg", "mimeType": "image/jpeg", "buffer": _photo()}
        _member_reports(page, live_server.url, "bich", COMMITMENTS, "done", 100, "42/42 hộ đã ký cam kết.", photo)
        with page.expect_download() as download:
            page.get_by_role("link", name="Minh chứng: anh-ky-cam-ket.jpg").click()
        assert Path(download.value.path()).read_bytes() == photo["buffer"]
        assert ProgressUpdate.objects.get(task__title=COMMITMENTS).evidence_name == "anh-ky-cam-ket.jpg"
        assert Task.objects.get(title=COMMITMENTS).status == Task.Status.NOT_STARTED  # not confirmed yet

        _reminder_on_the_worker(page, live_server.url, worker, outbox, hai)
        _secretary_confirms(page, live_server.url, [(hai.full_name, CLEAN_UP), (bich.full_name, COMMITMENTS)])
        assert Task.objects.get(title=COMMITMENTS).status == Task.Status.DONE
        _ward_reads_the_dashboard(page, live_server.url, tree, resolution)
        pdf = _minutes(page, live_server.url, meeting, resolution, tmp_path)
        assert "build_minutes_pdf" in worker.log.read_text()

    text = pdf_text(pdf)
    adopted = f"Nghị quyết số {resolution.number} {SUBJECT[0].lower()}{SUBJECT[1:]}"
    for expected in (
        cell.name.upper(),
        adopted,
        "nghị quyết được thông qua",
        away.full_name,
        "Đi công tác tỉnh",
        PLACE,
        "kết thúc lúc 21 giờ 00 phút",
    ):
        assert expected in text, f"{expected!r} is not in the minutes:\n{text[:3000]}"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    font_rows = fonts.splitlines()[2:]
    assert font_rows, fonts
    assert all("+Liberation-Serif" in row for row in font_rows), fonts
    assert all(row.split()[-5] == "yes" for row in font_rows), fonts  # every font embedded
