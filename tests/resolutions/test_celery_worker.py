"""The minutes PDF built by a REAL Celery worker: a separate process, a real broker, the test's own database.

The worker and its broker come from tests/worker.py (Redis when REDIS_URL is set, as in CI; else the filesystem
transport in a temporary folder). The test publishes to that broker with an explicit connection and waits, at
most a minute, until the meeting row says "ready" and the file exists.
"""

from __future__ import annotations

import pytest

from chibo.celery import app as celery_app
from meetings.models import Meeting
from meetings.tasks import build_minutes_pdf
from tests.meetings.test_minutes import build_meeting
from tests.worker import broker, environment, start_worker, stop_worker, wait_until


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_builds_and_stores_the_minutes_pdf(tree, people, tmp_path, settings) -> None:
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    meeting = build_meeting(tree, people)  # committed: the test runs outside a transaction
    Meeting.objects.filter(pk=meeting.pk).update(pdf_state=Meeting.PdfState.BUILDING, pdf_version=meeting.version)

    broker_url, options = broker(tmp_path)
    process, log = start_worker(tmp_path, environment(tmp_path, MEDIA_ROOT=str(media)))
    try:
        eager = celery_app.conf.task_always_eager
        celery_app.conf.task_always_eager = False
        try:
            with celery_app.connection_for_write(broker_url, transport_options=options) as connection:
                build_minutes_pdf.apply_async(args=(meeting.pk, meeting.version), connection=connection)
        finally:
            celery_app.conf.task_always_eager = eager

        def built() -> bool:
            meeting.refresh_from_db()
            return meeting.pdf_state != Meeting.PdfState.BUILDING

        wait_until(built, process, log)
        worker_log = log.read_text(errors="replace")
        assert meeting.pdf_state == Meeting.PdfState.READY, f"state {meeting.pdf_state!r}\n{worker_log[-4000:]}"
        assert meeting.pdf_is_current
        assert (media / meeting.minutes_pdf.name).read_bytes().startswith(b"%PDF-")
        assert "build_minutes_pdf" in worker_log
        assert "succeeded" in worker_log
    finally:
        stop_worker(process)
    assert process.returncode is not None
    if broker_url == "filesystem://":
        assert not list((tmp_path / "broker" / "queue").iterdir())  # the message was consumed and acknowledged
