"""Background work of the resolution side: the minutes PDF, built by a Celery worker into a stored file.

``Meeting.version`` goes up with every change of what the minutes show. ``pdf_version`` is the version the
PDF state speaks of: the one being built, built, or whose build failed. A stored file is current only for its
own version (``Meeting.pdf_is_current``), so an edit makes it stale without touching the file.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from celery import shared_task
from django.core.files.base import ContentFile
from django.db.models import Q
from django.utils import timezone

from resolutions.background import PDF_BUILDS, PdfBuild, minutes, queue, queue_after_commit
from resolutions.documents import render_minutes_pdf
from resolutions.models import Meeting
from resolutions.models.meetings import minutes_path

logger = logging.getLogger(__name__)

S = Meeting.PdfState


def request_minutes_pdf(meeting: Meeting) -> bool:
    """Ask for the minutes PDF of the meeting's current version; False when the stored one is current already.

    The task is queued after the transaction commits, so the worker sees the state this wrote."""
    meeting.refresh_from_db(fields=["version", "minutes_pdf", "pdf_version", "pdf_state"])
    if meeting.pdf_is_current:
        return False
    version, now = meeting.version, timezone.now()
    Meeting.objects.filter(pk=meeting.pk, version=version).update(
        pdf_state=S.BUILDING, pdf_version=version, pdf_requested_at=now, pdf_requeued=False
    )
    meeting.pdf_state, meeting.pdf_version, meeting.pdf_requested_at = S.BUILDING, version, now
    # With the broker down the row says "building" and the periodic job queues it once the build is stale.
    queue_after_commit(build_minutes_pdf, [(meeting.pk, version)])
    return True


# A PDF takes seconds; the limits only end a build that hangs (the periodic job then queues it again).
PDF_LIMITS = {"soft_time_limit": 240, "time_limit": 300}


@shared_task(bind=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3, **PDF_LIMITS)
def build_minutes_pdf(self, meeting_id: int, version: int) -> str:  # type: ignore[no-untyped-def]
    """Render and store the minutes of ``version``; returns what it did (for the worker's log and the tests).

    Idempotent: a version already stored is reused, and a version that is no longer the meeting's is left
    alone (whoever changed the meeting asks again). The final write is a conditional update on the version,
    so a build that an edit overtook while it rendered never overwrites the newer state."""
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    if meeting is None:
        return "gone"
    if meeting.version != version:
        # Nobody asked for the newer version yet: the state no longer says "building" for this one.
        Meeting.objects.filter(pk=meeting_id, pdf_state=S.BUILDING, pdf_version=version).update(pdf_state=S.NONE)
        return "stale"
    if meeting.pdf_is_current:
        return "reused"
    try:
        pdf = render_minutes_pdf(meeting)
        storage = meeting.minutes_pdf.storage
        name = storage.save(minutes_path(meeting, f"{uuid.uuid4().hex}.pdf"), ContentFile(pdf))
    except Exception as exc:
        retrying = isinstance(exc, OSError) and self.request.retries < self.max_retries
        if not retrying:
            Meeting.objects.filter(pk=meeting_id, version=version).update(pdf_state=S.FAILED, pdf_version=version)
            logger.exception("The minutes of meeting %s (version %s) could not be built", meeting_id, version)
        raise
    old = meeting.minutes_pdf.name
    changed = Meeting.objects.filter(pk=meeting_id, version=version).update(
        minutes_pdf=name, pdf_version=version, pdf_state=S.READY
    )
    if changed != 1:
        storage.delete(name)  # an edit overtook this build: its file shows an old version
        return "stale"
    if old and old != name:
        storage.delete(old)
    return "built"


@dataclass
class Requeued:
    minutes_pdfs: int = 0
    summary_pdfs: int = 0
    failed_pdfs: int = 0

    def __str__(self) -> str:
        return f"{self.minutes_pdfs + self.summary_pdfs} PDFs queued again, {self.failed_pdfs} given up"


def requeue_unfinished(now: dt.datetime | None = None) -> Requeued:
    """Queue again the PDFs a lost message or a dead worker left unfinished (see ``resolutions.background``; the
    emails: ``notifications.tasks``)."""
    now = now or timezone.now()
    report = Requeued()
    # PDFs: queued again once, then given up (the page offers "Try again").
    cutoff = now - minutes("PDF_BUILD_MINUTES")
    minutes_pdfs = PdfBuild(Meeting, build_minutes_pdf, "minutes_pdfs", "pdf_state", "pdf_requested_at", "pdf_requeued")
    for build in (minutes_pdfs, *PDF_BUILDS):
        model, state, task, field = build.model, build.state, build.task, build.counter
        requested, requeued = build.requested, build.requeued
        stale = (
            model.objects.filter(**{state: "building"})
            .filter(Q(**{f"{requested}__lt": cutoff}) | Q(**{f"{requested}__isnull": True}))
            .exclude(pdf_version__isnull=True)
        )
        report.failed_pdfs += stale.filter(**{requeued: True}).update(**{state: "failed"})
        rows = list(stale.filter(**{requeued: False}).values_list("pk", "pdf_version", "version"))
        calls = [(pk, version) for pk, version, current in rows if version == current]
        # A build whose version is no longer the current one: nobody waits for it.
        gone = [pk for pk, version, current in rows if version != current]
        model.objects.filter(pk__in=gone, **{state: "building"}).update(**{state: ""})
        sent = queue(task, calls)
        model.objects.filter(pk__in=[pk for pk, _version in calls[:sent]]).update(**{requested: now, requeued: True})
        setattr(report, field, sent)
    return report


@shared_task(soft_time_limit=120, time_limit=150)
def requeue_unfinished_work() -> str:
    """Beat, every few minutes: queue again the PDFs a lost message or a dead worker left unfinished."""
    report = requeue_unfinished()
    logger.info("Requeued %s", report)
    return str(report)
