"""The daily sweep, day by day with the clock frozen: every kind, the thresholds, muting, the daily digest,
exactly once, and retries when the mail server fails."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.utils import timezone

from chibo.celery import app as celery_app
from meetings.models import Meeting, MonthlyReview
from meetings.services import plan_meeting
from members.models import Exemption, Role
from notifications.models import Delivery, Kind, Notification, Preference
from notifications.reminders import daily_digests, sweep
from resolutions.models import Resolution, Task
from resolutions.services import create_resolution
from tests.factories import MemberFactory, UserFactory
from tests.notifications import flaky_mail
from tests.worker import environment, start_worker, stop_worker, wait_until

DAY = dt.date(2026, 11, 10)  # a Tuesday


def at(day: dt.date):
    """Freeze the clock at 07:00 in Ho Chi Minh City, when beat runs the sweep."""
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 0, 0, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def world(tree, people):
    """Cell A1 with a resolution in force; every account has an email address."""
    for user in people.values():
        user.email = f"{user.username}@example.vn"
        user.save()
    lead_user, helper_user = (
        UserFactory.create(username="lead", email="lead@example.vn"),
        UserFactory.create(username="helper", email="helper@example.vn"),
    )
    lead = MemberFactory.create(cell=tree.cell_a1, user=lead_user, full_name="Lê Văn Làm")
    helper = MemberFactory.create(cell=tree.cell_a1, user=helper_user, full_name="Trần Thị Giúp")
    resolution = create_resolution(
        cell=tree.cell_a1,
        by=None,
        kind="monthly",
        period_start=dt.date(2026, 11, 1),
        period_end=dt.date(2026, 11, 30),
        title="Tháng 11",
    )
    Resolution.objects.filter(pk=resolution.pk).update(status="in_progress")
    return {"tree": tree, "people": people, "lead": lead, "helper": helper, "resolution": resolution}


def task(world, deadline: dt.date, title: str = "Dọn vệ sinh", **extra) -> Task:
    t = Task.objects.create(
        resolution=world["resolution"], title=title, deadline=deadline, lead_member=world["lead"], **extra
    )
    t.supporters.set([world["helper"]])
    return t


def sent(kind: str, day: dt.date = DAY) -> set[str]:
    return set(Notification.objects.filter(kind=kind, day=day).values_list("recipient__username", flat=True))


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """The sweep on a day, with the emails it queues after commit sent (eager Celery in tests)."""

    def sweep_on(day: dt.date):
        with at(day), django_capture_on_commit_callbacks(execute=True):
            return sweep(timezone.localdate())

    return sweep_on


@pytest.mark.parametrize(("days_before", "reminded"), [(3, True), (2, False), (1, True), (4, False)])
def test_due_soon_goes_to_the_lead_and_supporters(world, days_before: int, reminded: bool, run) -> None:
    task(world, DAY + dt.timedelta(days=days_before))
    run(DAY)
    assert sent(Kind.DUE_SOON) == ({"lead", "helper"} if reminded else set())


def test_due_today_goes_to_the_lead(world, run) -> None:
    task(world, DAY)
    run(DAY)
    assert sent(Kind.DUE_TODAY) == {"lead"}
    assert sent(Kind.DUE_SOON) == set()


@pytest.mark.parametrize(
    ("days_late", "reminded"), [(1, True), (2, False), (3, False), (4, True), (7, True), (8, False)]
)
def test_overdue_repeats_every_three_days(world, days_late: int, reminded: bool, run) -> None:
    task(world, DAY - dt.timedelta(days=days_late))
    run(DAY)
    assert sent(Kind.OVERDUE) == ({"lead"} if reminded else set())


def test_done_or_draft_tasks_are_not_reminded(world, tree, run) -> None:
    task(world, DAY, status="done", progress=100)
    draft = create_resolution(
        cell=tree.cell_a1, by=None, kind="thematic", period_start=DAY, period_end=DAY, title="Dự thảo"
    )
    Task.objects.create(resolution=draft, title="Chưa thông qua", deadline=DAY, lead_member=world["lead"])
    run(DAY)
    assert not Notification.objects.exists()


def test_escalation_to_the_secretary_lists_every_late_task_once(world, run) -> None:
    task(world, DAY - dt.timedelta(days=8), title="Trễ 8 ngày")  # crosses the 7-day threshold today
    task(world, DAY - dt.timedelta(days=12), title="Trễ 12 ngày")
    run(DAY)
    [message] = Notification.objects.filter(kind=Kind.ESCALATION_CELL)
    assert message.recipient.username == "secretary"
    assert "Trễ 8 ngày" in message.body
    assert "Trễ 12 ngày" in message.body
    assert sent(Kind.ESCALATION_WARD) == set()


def test_escalation_to_the_member_in_charge_after_two_weeks(world, run) -> None:
    task(world, DAY - dt.timedelta(days=15), title="Trễ 15 ngày")
    run(DAY)
    assert sent(Kind.ESCALATION_WARD) == {"in_charge"}
    assert sent(Kind.ESCALATION_CELL) == set()  # crossed a week ago: the secretary was told then


@pytest.mark.parametrize(("days_before", "noticed"), [(3, True), (2, False), (1, True)])
def test_meeting_notice_to_every_member_not_exempt_and_the_member_in_charge(
    world, tree, days_before, noticed, run
) -> None:
    exempt = MemberFactory.create(cell=tree.cell_a1, user=UserFactory.create(username="old", email="old@example.vn"))
    Exemption.objects.create(member=exempt, starts_on=DAY - dt.timedelta(days=300), reason="Tuổi cao")
    plan_meeting(
        cell=tree.cell_a1,
        by=None,
        kind="regular",
        date=DAY + dt.timedelta(days=days_before),
        starts_at=dt.time(19),
        place="Nhà văn hóa",
    )
    run(DAY)
    got = sent(Kind.MEETING_NOTICE)
    if not noticed:
        assert got == set()
        return
    assert {"lead", "helper", "secretary", "member", "in_charge"} <= got
    assert "old" not in got
    assert "other_secretary" not in got
    notice = Notification.objects.filter(kind=Kind.MEETING_NOTICE).first()
    assert notice is not None
    body = notice.body
    assert "Nhà văn hóa" in body
    assert "Khai mạc" in body  # the agenda


def test_missing_monthly_work_on_the_25th(world, tree, run) -> None:
    day = dt.date(2026, 11, 25)
    held = plan_meeting(
        cell=tree.cell_a2,
        by=None,
        kind="regular",
        date=dt.date(2026, 11, 5),
        starts_at=dt.time(19),
        place="Nhà văn hóa",
    )
    Meeting.objects.filter(pk=held.pk).update(status="held")
    MonthlyReview.objects.create(meeting=held, resolution=world["resolution"])
    run(day)
    refs = set(
        Notification.objects.filter(kind=Kind.MISSING_MONTHLY_WORK).values_list("recipient__username", "object_ref")
    )
    assert ("secretary", f"cell:{tree.cell_a1.pk}") in refs
    assert ("in_charge", f"cell:{tree.cell_a1.pk}") in refs
    assert not any(ref == f"cell:{tree.cell_a2.pk}" for _user, ref in refs)
    run(day - dt.timedelta(days=1))
    assert not Notification.objects.filter(kind=Kind.MISSING_MONTHLY_WORK, day=day - dt.timedelta(days=1)).exists()


def test_weekly_digest_on_monday_for_ward_committee_members(world, run) -> None:
    task(world, DAY - dt.timedelta(days=3), title="Trễ")
    monday = dt.date(2026, 11, 9)
    run(monday)
    assert sent(Kind.WEEKLY_DIGEST, monday) == {"standing", "in_charge"}
    run(DAY)
    assert sent(Kind.WEEKLY_DIGEST) == set()


def test_running_the_sweep_twice_sends_nothing_new(world, run) -> None:
    task(world, DAY + dt.timedelta(days=1))
    task(world, DAY - dt.timedelta(days=1), title="Trễ")
    first = run(DAY)
    outbox, rows = len(mail.outbox), Notification.objects.count()
    second = run(DAY)
    call_command("send_reminders", "--date", DAY.strftime("%d/%m/%Y"), stdout=StringIO())
    assert first.created == rows == 3
    assert second.created == 0
    assert len(mail.outbox) == outbox == 3
    assert Notification.objects.count() == rows
    assert Delivery.objects.filter(status="sent").count() == 3


def test_a_muted_kind_is_not_sent(world, run) -> None:
    Preference.objects.create(user=world["helper"].user, muted_kinds=[Kind.DUE_SOON])
    task(world, DAY + dt.timedelta(days=1))
    run(DAY)
    assert sent(Kind.DUE_SOON) == {"lead"}


def test_the_daily_digest_replaces_immediate_emails(world, run, django_capture_on_commit_callbacks) -> None:
    Preference.objects.create(user=world["lead"].user, daily_digest=True)
    task(world, DAY + dt.timedelta(days=1), title="Việc một")
    task(world, DAY - dt.timedelta(days=1), title="Việc hai")
    run(DAY)
    assert Notification.objects.filter(recipient=world["lead"].user).count() == 2  # in the app at once
    assert not [m for m in mail.outbox if "lead@example.vn" in m.to]
    with at(DAY), django_capture_on_commit_callbacks(execute=True):
        daily_digests(DAY)
        daily_digests(DAY)
    [digest] = [m for m in mail.outbox if "lead@example.vn" in m.to]
    assert "Việc một" in digest.body
    assert "Việc hai" in digest.body
    assert isinstance(digest, EmailMultiAlternatives)
    assert digest.alternatives  # text and HTML


def test_emails_are_three_templates_in_vietnamese(world, run) -> None:
    task(world, DAY)
    run(DAY)
    [message] = mail.outbox
    assert message.subject == "Nhiệm vụ đến hạn hôm nay: Dọn vệ sinh"
    assert "Kính gửi đồng chí Lê Văn Làm," in message.body  # the member's name, not the account's
    assert isinstance(message, EmailMultiAlternatives)
    html, mime = message.alternatives[0]
    assert mime == "text/html"
    assert isinstance(html, str)
    assert "Dọn vệ sinh" in html


@pytest.fixture
def retries_run_eagerly(monkeypatch):
    """Eager Celery runs a task's retries at once, in order, when failures are not propagated to the caller."""
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)


def test_a_failing_mail_server_is_retried_and_sends_exactly_once(world, settings, run, retries_run_eagerly) -> None:
    settings.EMAIL_BACKEND = "tests.notifications.flaky_mail.FlakyBackend"
    flaky_mail.FlakyBackend.failures_left = 2
    task(world, DAY)
    run(DAY)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("sent", 3)
    assert len(mail.outbox) == 1
    flaky_mail.FlakyBackend.failures_left = 0


def test_a_mail_server_down_for_good_leaves_the_error_on_the_row(world, settings, run, retries_run_eagerly) -> None:
    settings.EMAIL_BACKEND = "tests.notifications.flaky_mail.FlakyBackend"
    flaky_mail.FlakyBackend.failures_left = 100
    task(world, DAY)
    run(DAY)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 5)
    assert "refused" in delivery.last_error
    assert not mail.outbox
    flaky_mail.FlakyBackend.failures_left = 0


def test_the_command_replays_a_day(world, run) -> None:
    task(world, dt.date(2026, 12, 1))
    out = subprocess.run(
        [sys.executable, "manage.py", "send_reminders", "--date", "31/12/2099"], capture_output=True, text=True
    )
    assert out.returncode == 0 or "Not a date" not in out.stderr
    with at(dt.date(2026, 11, 30)):
        call_command("send_reminders", stdout=StringIO())
    assert sent(Kind.DUE_SOON, dt.date(2026, 11, 30)) == {"lead", "helper"}


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_the_reminders_of_beats_job_once(world, tmp_path, run) -> None:
    """The beat job (the sweep, run as its command) queues the emails; a real worker sends each once."""
    outbox = tmp_path / "mail"
    extra = f"EMAIL_BACKEND = 'django.core.mail.backends.filebased.EmailBackend'\nEMAIL_FILE_PATH = {str(outbox)!r}"
    env = environment(tmp_path, extra)
    task(world, DAY + dt.timedelta(days=3))
    process, log = start_worker(tmp_path, env)
    try:
        for _ in range(2):  # beat firing twice
            subprocess.run(
                [sys.executable, "manage.py", "send_reminders", "--date", DAY.strftime("%d/%m/%Y")],
                cwd=str(env["PYTHONPATH"].split(":")[1]),
                env=env,
                check=True,
                capture_output=True,
            )
        wait_until(lambda: Delivery.objects.filter(status="sent").count() == 2, process, log)
    finally:
        stop_worker(process)
    assert Notification.objects.count() == 2
    assert Delivery.objects.filter(status="sent").count() == 2
    messages = [p.read_text() for p in outbox.iterdir()]
    assert len(messages) == 2
    assert sum("lead@example.vn" in m for m in messages) == 1
    assert "send_delivery" in log.read_text()


def test_roles_without_a_cell_member_record_still_get_escalations(world, tree, run) -> None:
    ward_user = UserFactory.create(username="ward_only", email="w@example.vn")
    Role.objects.create(user=ward_user, kind=Role.Kind.IN_CHARGE, organisation=tree.cell_a1)
    task(world, DAY - dt.timedelta(days=15))
    run(DAY)
    assert "ward_only" in sent(Kind.ESCALATION_WARD)


# ---------------------------------------------------------------------------------------------------
# Probation ending: the secretary, once per member
# ---------------------------------------------------------------------------------------------------


@pytest.fixture
def probationers(tree):
    """Seen on Tuesday 10/11/2026 (DAY): probation ending in 30 and 31 days, ended with the review still due,
    ended with the review overdue, and the same dates for members who are not to be reminded."""
    make = MemberFactory
    return {
        "in_30": make(
            cell=tree.cell_a1, full_name="Lý Thị Ba Mươi", admitted_on=dt.date(2025, 12, 10), official_on=None
        ),
        "in_31": make(
            cell=tree.cell_a1, full_name="Lý Văn Ba Mốt", admitted_on=dt.date(2025, 12, 11), official_on=None
        ),
        "ended": make(cell=tree.cell_a1, full_name="Võ Thị Đã Hết", admitted_on=dt.date(2025, 11, 1), official_on=None),
        "overdue": make(
            cell=tree.cell_a1, full_name="Đỗ Văn Quá Hạn", admitted_on=dt.date(2025, 9, 1), official_on=None
        ),
        "official": make(cell=tree.cell_a1, full_name="Hồ Thị Chính Thức", admitted_on=dt.date(2025, 11, 1)),
        "left": make(
            cell=tree.cell_a1,
            full_name="Mai Văn Đã Chuyển",
            admitted_on=dt.date(2025, 12, 10),
            official_on=None,
            management_status="transferred_out",
            left_on=dt.date(2026, 10, 1),
        ),
        "other_cell": make(
            cell=tree.cell_b1, full_name="Ngô Văn Chi Bộ Khác", admitted_on=dt.date(2025, 12, 10), official_on=None
        ),
    }


def probation_notices(day: dt.date | None = None) -> list[tuple[str, str, str]]:
    notices = Notification.objects.filter(kind=Kind.PROBATION_ENDING)
    if day:
        notices = notices.filter(day=day)
    return sorted(notices.values_list("recipient__username", "object_ref", "subject"))


def test_the_secretary_is_reminded_of_a_probation_ending_within_30_days(world, probationers, run) -> None:
    run(DAY)
    p = probationers
    assert probation_notices(DAY) == sorted(
        [
            ("secretary", f"member:{p['in_30'].pk}", "Đồng chí Lý Thị Ba Mươi hết thời gian dự bị ngày 10/12/2026"),
            ("secretary", f"member:{p['ended'].pk}", "Đồng chí Võ Thị Đã Hết hết thời gian dự bị ngày 01/11/2026"),
            (
                "other_secretary",
                f"member:{p['other_cell'].pk}",
                "Đồng chí Ngô Văn Chi Bộ Khác hết thời gian dự bị ngày 10/12/2026",
            ),
        ]
    )
    message = Notification.objects.get(kind=Kind.PROBATION_ENDING, object_ref=f"member:{p['in_30'].pk}")
    assert message.body == (
        "Vào Đảng ngày 10/12/2025: hết thời gian dự bị ngày 10/12/2026, là ngày sớm nhất được công nhận chính "
        "thức; chi bộ xét, biểu quyết trong 30 ngày làm việc, chậm nhất ngày 21/01/2027.\n"
        "Đề nghị chuẩn bị để chi bộ xét, biểu quyết; sau đó cấp ủy có thẩm quyền quyết định."
    )
    assert message.url == f"/members/{p['in_30'].pk}/"
    ended = Notification.objects.get(kind=Kind.PROBATION_ENDING, object_ref=f"member:{p['ended'].pk}")
    assert "chậm nhất ngày 11/12/2026" in ended.body
    assert any("secretary@example.vn" in m.to and "Lý Thị Ba Mươi" in m.subject for m in mail.outbox)


def test_each_probation_is_reminded_exactly_once(world, probationers, run) -> None:
    p = probationers
    first = run(DAY)
    assert first.drafted[Kind.PROBATION_ENDING] == 3
    assert run(DAY).created == 0  # the same day again
    run(DAY + dt.timedelta(days=1))  # the next day: only the member whose probation now ends within 30 days
    assert probation_notices(DAY + dt.timedelta(days=1)) == [
        ("secretary", f"member:{p['in_31'].pk}", "Đồng chí Lý Văn Ba Mốt hết thời gian dự bị ngày 11/12/2026")
    ]
    for later in (2, 10, 31, 45):
        run(DAY + dt.timedelta(days=later))
    refs = list(
        Notification.objects.filter(kind=Kind.PROBATION_ENDING).values_list("recipient__username", "object_ref")
    )
    assert len(refs) == len(set(refs)) == 4
    deliveries = Delivery.objects.filter(notification__kind=Kind.PROBATION_ENDING, status="sent")
    assert deliveries.count() == 4


def test_a_new_secretary_is_told_too(world, probationers, run) -> None:
    run(DAY)
    newcomer = UserFactory.create(username="new_secretary", email="n@example.vn")
    Role.objects.create(user=newcomer, kind=Role.Kind.SECRETARY, organisation=world["tree"].cell_a1)
    run(DAY + dt.timedelta(days=1))
    told = {
        (user, ref)
        for user, ref, _subject in probation_notices(DAY + dt.timedelta(days=1))
        if user in ("secretary", "new_secretary")
    }
    p = probationers
    assert told == {
        ("new_secretary", f"member:{p['in_30'].pk}"),
        ("new_secretary", f"member:{p['in_31'].pk}"),
        ("new_secretary", f"member:{p['ended'].pk}"),
        ("secretary", f"member:{p['in_31'].pk}"),
    }


def test_the_notice_is_a_setting(world, probationers, run, settings) -> None:
    settings.CHIBO = {**settings.CHIBO, "REMINDERS": {"PROBATION_NOTICE_DAYS": 31}}
    run(DAY)
    assert f"member:{probationers['in_31'].pk}" in {ref for _user, ref, _subject in probation_notices(DAY)}
