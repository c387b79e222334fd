"""Nothing lost, nothing twice (issue 17, faults 4 and 5): PDFs whose message was lost or whose worker died are
found from their rows and queued again by the periodic job (``resolutions/background.py``; the emails:
``tests/notifications/test_background_work.py``).

The crash cases run with a REAL worker and broker (``tests/worker.py``: Redis when REDIS_URL is set, as in CI,
else the filesystem transport). The clock is the test's pinned one, moved to age the rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.urls import reverse

from chibo.celery import app as celery_app
from dashboards.models import SummaryReport
from dashboards.tasks import build_summary_pdf, request_summary_pdf
from meetings.models import Meeting
from meetings.tasks import build_minutes_pdf, request_minutes_pdf
from members.models import today
from resolutions.tasks import requeue_unfinished
from tests.meetings.test_minutes import build_meeting
from tests.production import free_port
from tests.worker import _drop_broker_connections, running_worker


@contextmanager
def broker_down() -> Iterator[None]:
    """This process queues to a broker that is not there (a Redis address nobody listens on)."""
    conf = celery_app.conf
    saved = {name: conf[name] for name in ("task_always_eager", "broker_url", "broker_transport_options")}
    conf.update(task_always_eager=False, broker_url=f"redis://127.0.0.1:{free_port()}/0", broker_transport_options={})
    _drop_broker_connections()
    try:
        yield
    finally:
        conf.update(saved)
        _drop_broker_connections()


def test_time_limits_end_a_hung_build_long_before_it_counts_as_stuck(settings) -> None:
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT
    for task in (build_minutes_pdf, build_summary_pdf):
        assert task.soft_time_limit < task.time_limit < settings.CHIBO["PDF_BUILD_MINUTES"] * 60
    beat = settings.CELERY_BEAT_SCHEDULE["requeue-unfinished-work"]
    assert beat["task"] == "resolutions.tasks.requeue_unfinished_work"
    assert beat["schedule"].minute == {0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55}


# ---------------------------------------------------------------------------------------------------
# (d) A stuck minutes PDF
# ---------------------------------------------------------------------------------------------------


def status_html(client, meeting: Meeting) -> str:
    return client.get(reverse("meetings:minutes-status", args=[meeting.pk])).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_stuck_minutes_pdf_is_offered_again_and_built_by_the_periodic_job(
    tree, people, client_for, tmp_path, settings, clock
) -> None:
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    meeting = build_meeting(tree, people)
    client = client_for("secretary")
    with broker_down():  # the request finishes; its message is lost
        response = client.post(reverse("meetings:minutes-pdf", args=[meeting.pk]))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.pdf_state == "building"
    assert "Đang tạo biên bản…" in status_html(client, meeting)

    clock.shift(dt.timedelta(minutes=11))
    html = status_html(client, meeting)
    assert "Đang tạo biên bản…" not in html
    assert "every 2s" not in html
    assert "Tạo lại biên bản PDF" in html
    assert "<form" not in status_html(client_for("member"), meeting)  # offered to those who may build it

    with running_worker(tmp_path, "", MEDIA_ROOT=str(media)) as worker:
        assert requeue_unfinished().minutes_pdfs == 1
        worker.wait_until(lambda: Meeting.objects.get(pk=meeting.pk).pdf_state == "ready", "the minutes built")
    meeting.refresh_from_db()
    assert meeting.pdf_is_current
    assert (media / meeting.minutes_pdf.name).read_bytes().startswith(b"%PDF-")
    assert 'href="' + reverse("meetings:minutes-pdf", args=[meeting.pk]) in status_html(client, meeting)


def test_a_build_stuck_twice_is_given_up_and_offered_to_try_again(
    tree, people, client_for, clock, django_capture_on_commit_callbacks
) -> None:
    meeting = build_meeting(tree, people)
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        request_minutes_pdf(meeting)
    clock.shift(dt.timedelta(minutes=5))
    with broker_down():
        assert requeue_unfinished().minutes_pdfs == 0  # not stale yet
    clock.shift(dt.timedelta(minutes=6))
    with broker_down():
        assert requeue_unfinished().minutes_pdfs == 0  # the broker is still down: nothing marked
    meeting.refresh_from_db()
    assert (meeting.pdf_state, meeting.pdf_requeued) == ("building", False)
    Meeting.objects.filter(pk=meeting.pk).update(pdf_requeued=True)  # queued again once already, and lost again
    report = requeue_unfinished()
    assert (report.failed_pdfs, report.minutes_pdfs) == (1, 0)
    html = status_html(client_for("secretary"), meeting)
    assert "Thử lại" in html


def test_asking_again_for_a_stuck_build_starts_afresh(tree, people, client_for, clock) -> None:
    meeting = build_meeting(tree, people)
    Meeting.objects.filter(pk=meeting.pk).update(
        pdf_state="building", pdf_version=meeting.version, pdf_requested_at=None, pdf_requeued=True
    )
    meeting.refresh_from_db()
    assert meeting.pdf_build_is_stale  # a build asked for before the moment was recorded
    with broker_down():
        request_minutes_pdf(meeting)
    meeting.refresh_from_db()
    assert meeting.pdf_state == "building"
    assert not meeting.pdf_build_is_stale
    assert not meeting.pdf_requeued  # the job may queue this new request again once


def test_a_stuck_monthly_summary_is_offered_again_and_queued_again(tree, people, clock, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    with broker_down():
        report, queued = request_summary_pdf(tree.ward_a, today())
    assert queued
    assert report.is_building()
    clock.shift(dt.timedelta(minutes=11))
    report.refresh_from_db()
    assert not report.is_building()
    assert report.build_is_stale()
    result = requeue_unfinished()  # eager in tests: built at once
    assert result.summary_pdfs == 1
    report.refresh_from_db()
    assert report.state == SummaryReport.PdfState.READY
