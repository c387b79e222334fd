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
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from chibo.lib.layout import REPORT, document_number
from members.models import DocumentSequence, today
from resolutions.background import minutes, queue, queue_after_commit
from resolutions.documents import render_minutes_pdf
from resolutions.exports import render_summary_pdf
from resolutions.models import Meeting, SummaryReport
from resolutions.models.meetings import minutes_path
from resolutions.models.reports import report_path

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
    for model, state, task, field in (
        (Meeting, "pdf_state", build_minutes_pdf, "minutes_pdfs"),
        (SummaryReport, "state", build_summary_pdf, "summary_pdfs"),
    ):
        requested, requeued = ("pdf_requested_at", "pdf_requeued") if model is Meeting else ("requested_at", "requeued")
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


# ---------------------------------------------------------------------------------------------------
# The monthly summary report of an organisation above the cells
# ---------------------------------------------------------------------------------------------------


@transaction.atomic
def request_summary_pdf(org, day: dt.date, *, by_hand: bool = False):  # type: ignore[no-untyped-def]
    """Ask for the summary PDF of ``org`` for the month of ``day``; returns (report, queued).

    One ``SummaryReport`` per organisation and month: a request reuses the file built today, else raises the
    version and queues a build after the transaction commits; the build replaces the stored file. The report is
    numbered from the organisation's run of reports the first time it is asked for without ``by_hand``; the number
    stays with it (a later request by hand prints the blank, the next one without prints the number again)."""
    month = day.replace(day=1)
    report, _created = SummaryReport.objects.get_or_create(org=org, month=month)
    draw = not by_hand and not report.number
    if report.is_current(day) and report.numbered_by_hand == by_hand and not draw:
        return report, False
    fields: dict[str, object] = {"numbered_by_hand": by_hand}
    if draw:
        seq = DocumentSequence.draw(organisation=org, kind=REPORT, year=month.year)
        fields["number"] = document_number(seq, REPORT, is_cell=org.is_cell)
    SummaryReport.objects.filter(pk=report.pk).update(
        version=F("version") + 1, state=SummaryReport.PdfState.BUILDING, pdf_version=F("version") + 1, **fields
    )
    report.refresh_from_db(fields=["version", "pdf_version", "state", "number", "numbered_by_hand"])
    SummaryReport.objects.filter(pk=report.pk).update(requested_at=timezone.now(), requeued=False)
    report.refresh_from_db(fields=["requested_at", "requeued"])
    queue_after_commit(build_summary_pdf, [(report.pk, report.version)])
    return report, True


@shared_task(bind=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3, **PDF_LIMITS)
def build_summary_pdf(self, report_id: int, version: int | None = None) -> str:  # type: ignore[no-untyped-def]
    """Render and store the summary of the report's organisation as of today; returns what it did.

    A build asked for by an older request is left alone; the final write is conditional on the version, so a
    newer request that overtook this build wins, and the file it replaces is deleted."""
    R = SummaryReport.PdfState
    report = SummaryReport.objects.select_related("org").filter(pk=report_id).first()
    if report is None:
        return "gone"
    version = report.version if version is None else version
    if report.version != version:
        SummaryReport.objects.filter(pk=report_id, state=R.BUILDING, pdf_version=version).update(state=R.NONE)
        return "stale"
    day = today()
    if report.is_current(day):
        return "reused"
    try:
        pdf = render_summary_pdf(report.org, day, number="" if report.numbered_by_hand else report.number)
        storage = report.file.storage
        name = storage.save(report_path(report, "report.pdf"), ContentFile(pdf))
    except Exception as exc:
        retrying = isinstance(exc, OSError) and self.request.retries < self.max_retries
        if not retrying:
            SummaryReport.objects.filter(pk=report_id, version=version).update(state=R.FAILED, pdf_version=version)
            logger.exception("The summary report %s (version %s) could not be built", report_id, version)
        raise
    old = report.file.name
    changed = SummaryReport.objects.filter(pk=report_id, version=version).update(
        file=name, pdf_version=version, state=R.READY, built_on=day
    )
    if changed != 1:
        storage.delete(name)
        return "stale"
    if old and old != name:
        storage.delete(old)
    return "built"
