"""Nothing lost, nothing twice (issue 17, faults 4 and 5): emails whose message was lost or whose worker died are
found from their rows and queued again by the periodic job (``notifications.tasks``, ``resolutions/background.py``).

The crash cases run with a REAL worker and broker (``tests/worker.py``: Redis when REDIS_URL is set, as in CI,
else the filesystem transport): the worker process is killed with SIGKILL in the middle of a send, the broker is
a dead port while the sweep runs, and a Redis of the test's own is restarted with and without the production
compose file's persistence (skipped where redis-server is not installed). The clock is the test's pinned one,
moved to age the rows.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from chibo.celery import app as celery_app
from members.models import today
from notifications.events import tell
from notifications.models import Delivery, Kind
from notifications.reminders import Draft, store
from notifications.tasks import MAX_SEND_ATTEMPTS, requeue_unfinished, send_delivery
from tests.factories import UserFactory
from tests.notifications.hanging_mail import silent_mail_server
from tests.production import free_port
from tests.resolutions.test_background_work import broker_down
from tests.worker import Worker, broker, publishing_to_worker, running_worker

D = Delivery.Status


def recipients(n: int) -> list[Draft]:
    users = [UserFactory.create(username=f"dv{i}", email=f"dv{i}@example.vn") for i in range(n)]
    return [Draft(u.pk, Kind.MEETING_NOTICE, "meeting:1", "Họp chi bộ", "Họp lúc 19:00", "") for u in users]


def mail_settings(tmp_path: Path) -> tuple[str, Path]:
    outbox = tmp_path / "mail"
    extra = (
        "EMAIL_BACKEND = 'tests.notifications.hanging_mail.BlockingBackend'\n"
        f"EMAIL_FILE_PATH = {str(outbox)!r}\n"
        f"MAIL_BLOCK_DIR = {str(tmp_path)!r}\n"
    )
    return extra, outbox


def messages_to(outbox: Path) -> list[str]:
    """The addresses of the messages the worker handed to the mail server, one per message."""
    if not outbox.exists():
        return []
    found = []
    for path in sorted(outbox.iterdir()):
        for chunk in path.read_text(encoding="utf-8").split("\n" + "-" * 79 + "\n"):
            for line in chunk.splitlines():
                if line.startswith("To: "):
                    found.append(line[4:])
    return found


def statuses() -> dict[str, int]:
    out: dict[str, int] = {}
    for status in Delivery.objects.values_list("status", flat=True):
        out[status] = out.get(status, 0) + 1
    return out


# ---------------------------------------------------------------------------------------------------
# (a) The broker down while the sweep runs
# ---------------------------------------------------------------------------------------------------


def test_the_sweep_and_an_event_finish_with_the_broker_down(db, django_capture_on_commit_callbacks) -> None:
    drafts = recipients(3)
    started = time.monotonic()
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        report = store(drafts, today())
        told = tell([Draft(drafts[0].recipient_id, Kind.TASK_ASSIGNED, "task:9", "Nhiệm vụ", "Nhiệm vụ mới")])
    assert time.monotonic() - started < 20
    assert (report.created, report.emails, told) == (3, 3, 1)
    assert statuses() == {D.PENDING: 4}
    assert not mail.outbox


@pytest.mark.django_db(transaction=True)
def test_emails_queued_while_the_broker_was_down_are_sent_once_by_the_periodic_job(tmp_path, clock) -> None:
    with broker_down():
        report = store(recipients(4), today())  # its own transaction: the queueing after commit fails
    assert report.emails == 4
    assert statuses() == {D.PENDING: 4}

    extra, outbox = mail_settings(tmp_path)
    with running_worker(tmp_path, extra) as worker:
        assert requeue_unfinished().deliveries == 0  # too young: the first message may still be on its way
        clock.shift(dt.timedelta(minutes=6))
        assert requeue_unfinished().deliveries == 4
        worker.wait_until(lambda: statuses() == {D.SENT: 4}, "the four emails sent")
        assert requeue_unfinished().deliveries == 0  # nothing left to queue
        clock.shift(dt.timedelta(minutes=30))
        assert requeue_unfinished().deliveries == 0
    assert sorted(messages_to(outbox)) == [f"dv{i}@example.vn" for i in range(4)]
    assert "send_delivery" in worker.log.read_text()


# ---------------------------------------------------------------------------------------------------
# (b) A worker killed while it sends
# ---------------------------------------------------------------------------------------------------


def _kill_while_sending(tmp_path: Path, worker: Worker, pk: int) -> None:
    """Wait until the worker has claimed the row and is inside the send, then SIGKILL it."""
    sending = lambda: any(tmp_path.glob("sending-*")) and Delivery.objects.get(pk=pk).status == D.SENDING  # noqa: E731
    worker.wait_until(sending, "the worker inside the send")
    os.kill(worker.process.pid, signal.SIGKILL)
    worker.process.wait(timeout=10)
    for flag in tmp_path.glob("sending-*"):
        flag.unlink()


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_sending_is_sent_once_more_then_never_again(tmp_path, clock) -> None:
    extra, outbox = mail_settings(tmp_path)
    (tmp_path / "block").touch()
    with running_worker(tmp_path, extra) as worker:
        store(recipients(1), today())
        pk = Delivery.objects.get().pk
        _kill_while_sending(tmp_path, worker, pk)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (D.SENDING, 1)  # the claim stays: the row says what happened
    assert messages_to(outbox) == []

    clock.shift(dt.timedelta(minutes=5))
    assert requeue_unfinished().abandoned == 0  # the send may still be running
    clock.shift(dt.timedelta(minutes=6))
    (tmp_path / "block").unlink()
    with running_worker(tmp_path, extra) as worker:
        report = requeue_unfinished()
        assert (report.abandoned, report.deliveries) == (1, 1)
        worker.wait_until(lambda: Delivery.objects.get().status == D.SENT, "the email sent again")
    delivery = Delivery.objects.get()
    assert (delivery.attempts, delivery.abandoned_claims) == (2, 1)
    assert messages_to(outbox) == ["dv0@example.vn"]
    clock.shift(dt.timedelta(hours=1))
    assert requeue_unfinished().deliveries == 0


@pytest.mark.django_db(transaction=True)
def test_a_send_killed_twice_is_left_for_a_person_to_check_not_sent_a_third_time(tmp_path, clock) -> None:
    extra, outbox = mail_settings(tmp_path)
    (tmp_path / "block").touch()
    with running_worker(tmp_path, extra) as worker:
        store(recipients(1), today())
        pk = Delivery.objects.get().pk
        _kill_while_sending(tmp_path, worker, pk)
    clock.shift(dt.timedelta(minutes=11))
    with running_worker(tmp_path, extra) as worker:
        assert requeue_unfinished().abandoned == 1
        _kill_while_sending(tmp_path, worker, pk)
    clock.shift(dt.timedelta(minutes=11))
    report = requeue_unfinished()
    assert (report.unsure, report.deliveries) == (1, 0)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.abandoned_claims) == (D.UNSURE, 2, 2)
    assert "Check with the recipient" in delivery.last_error
    clock.shift(dt.timedelta(hours=2))
    assert requeue_unfinished().deliveries == 0
    assert messages_to(outbox) == []


def test_the_operator_finds_the_deliveries_to_check(db, client, people, clock) -> None:
    store(recipients(2), today())
    first = Delivery.objects.order_by("pk").first()
    assert first is not None
    Delivery.objects.filter(pk=first.pk).update(status=D.UNSURE)  # "unsure" > "pending"
    admin = people["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    html = client.get(reverse("admin:notifications_delivery_changelist") + "?status__exact=unsure").content.decode()
    assert "Cần kiểm tra" in html
    unsure, fine = (d.address for d in Delivery.objects.order_by("-status"))
    assert unsure in html
    assert fine not in html


# ---------------------------------------------------------------------------------------------------
# The claim, unit by unit (eager Celery)
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [D.SENDING, D.SENT, D.FAILED, D.UNSURE])
def test_a_row_not_pending_is_not_sent(db, status: str) -> None:
    store(recipients(1), today())
    Delivery.objects.update(status=status)
    assert send_delivery.apply(args=(Delivery.objects.get().pk,)).get() == status
    assert not mail.outbox


def test_a_message_delivered_twice_sends_once(db) -> None:
    store(recipients(1), today())
    pk = Delivery.objects.get().pk
    assert send_delivery.apply(args=(pk,)).get() == D.SENT
    assert send_delivery.apply(args=(pk,)).get() == D.SENT
    assert len(mail.outbox) == 1
    delivery = Delivery.objects.get()
    assert delivery.claimed_at is not None
    assert delivery.sent_at is not None
    assert delivery.attempts == 1


def test_a_retry_waiting_its_turn_is_not_hurried_by_the_job(db, clock) -> None:
    store(recipients(1), today())
    Delivery.objects.update(attempts=3, due_at=timezone.now() + dt.timedelta(minutes=8))
    clock.shift(dt.timedelta(minutes=10))
    assert requeue_unfinished().deliveries == 0
    clock.shift(dt.timedelta(minutes=4))
    assert requeue_unfinished().deliveries == 1
    assert len(mail.outbox) == 1


# ---------------------------------------------------------------------------------------------------
# (c) A mail server that accepts and never answers
# ---------------------------------------------------------------------------------------------------


@pytest.fixture
def retries_run_eagerly(monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)


def test_a_silent_mail_server_holds_a_send_only_for_the_email_timeout(db, settings, retries_run_eagerly) -> None:
    store(recipients(1), today())
    with silent_mail_server() as port:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 1
        started = time.monotonic()
        send_delivery.apply(args=(Delivery.objects.get().pk,))
        elapsed = time.monotonic() - started
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (D.FAILED, MAX_SEND_ATTEMPTS)  # each try ended by the timeout
    assert "timed out" in delivery.last_error
    assert elapsed < MAX_SEND_ATTEMPTS * 3


def test_time_limits_end_a_hung_task_long_before_its_claim_counts_as_abandoned(settings) -> None:
    assert settings.EMAIL_TIMEOUT == 20
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT
    assert send_delivery.soft_time_limit < send_delivery.time_limit
    assert send_delivery.time_limit < settings.CHIBO["DELIVERY_CLAIM_MINUTES"] * 60
    assert send_delivery.acks_late
    assert send_delivery.reject_on_worker_lost
    beat = settings.CELERY_BEAT_SCHEDULE["requeue-unfinished-emails"]
    assert beat["task"] == "notifications.tasks.requeue_unfinished_emails"
    assert beat["schedule"].minute == {0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55}


# ---------------------------------------------------------------------------------------------------
# The broker restarted: with the production compose file's persistence, and without
# ---------------------------------------------------------------------------------------------------

PERSISTENCE = ["--appendonly", "yes", "--appendfsync", "everysec"]  # as in docker-compose.yml


@contextmanager
def own_redis(folder: Path, options: list[str]) -> Iterator[Callable[[], None]]:
    """A Redis of the test's own (the broker of this process and of its worker); yields a function that restarts
    it, as an operator or a crash would."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    folder.mkdir()
    port = free_port()
    command = [binary, "--port", str(port), "--dir", str(folder), "--save", "", *options]
    client = redis.Redis(port=port, db=14)

    def start() -> subprocess.Popen[bytes]:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                client.ping()
                return process
            except redis.ConnectionError:
                time.sleep(0.05)
        raise AssertionError("Redis did not start")

    server = start()

    def restart() -> None:
        nonlocal server
        server.terminate()  # SIGTERM: Redis ends cleanly (writing its append-only file when it keeps one)
        server.wait(timeout=10)
        server = start()

    saved = os.environ.get("REDIS_URL")
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
    try:
        yield restart
    finally:
        if saved is None:
            os.environ.pop("REDIS_URL", None)
        else:
            os.environ["REDIS_URL"] = saved
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.parametrize("persistent", [True, False], ids=["append-only file", "no persistence"])
@pytest.mark.django_db(transaction=True)
def test_emails_queued_before_a_broker_restart_are_sent_once(tmp_path, clock, persistent: bool) -> None:
    extra, outbox = mail_settings(tmp_path)
    with own_redis(tmp_path / "redis", PERSISTENCE if persistent else []) as restart:
        with publishing_to_worker(tmp_path):
            store(recipients(3), today())  # queued to the broker; no worker runs yet
        queue = redis.Redis.from_url(broker(tmp_path)[0])
        assert queue.llen("mail") == 3  # the mail queue (CELERY_TASK_ROUTES)
        restart()
        assert queue.llen("mail") == (3 if persistent else 0)
        with running_worker(tmp_path, extra) as worker:
            if persistent:  # the worker finds the messages where they were
                worker.wait_until(lambda: statuses() == {D.SENT: 3}, "the emails kept by Redis")
            clock.shift(dt.timedelta(minutes=6))
            assert requeue_unfinished().deliveries == (0 if persistent else 3)
            worker.wait_until(lambda: statuses() == {D.SENT: 3}, "the three emails sent")
    assert sorted(messages_to(outbox)) == [f"dv{i}@example.vn" for i in range(3)]
