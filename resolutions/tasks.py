"""Background work of the resolution side: reminders, deliveries, the summary PDF, and queueing lost work again.

The minutes PDF is built by ``meetings.tasks``; its lost builds are queued again here, with the summary's
(``PDF_BUILDS``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from chibo.lib.layout import REPORT, document_number
from members.models import DocumentSequence, today
from resolutions.background import minutes, queue, queue_after_commit
from resolutions.channels import CHANNELS
from resolutions.exports import render_summary_pdf
from resolutions.models import Delivery, SummaryReport
from resolutions.models.reports import report_path
from resolutions.reminders import daily_digests, sweep

logger = logging.getLogger(__name__)

# A PDF takes seconds; the limits only end a build that hangs (the periodic job then queues it again).
PDF_LIMITS = {"soft_time_limit": 240, "time_limit": 300}


# ---------------------------------------------------------------------------------------------------
# Reminders
# ---------------------------------------------------------------------------------------------------

MAX_SEND_ATTEMPTS = 5


# ``acks_late`` and ``reject_on_worker_lost``: a message whose worker died is delivered again by the broker. That
# is safe because the row is claimed first: a second copy of the message finds the row SENDING or SENT and stops.
# The time limits end a send that hangs (EMAIL_TIMEOUT ends most of them first); they are far below the age at
# which the periodic job takes a claim for abandoned (CHIBO["DELIVERY_CLAIM_MINUTES"]).
@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_SEND_ATTEMPTS,
    soft_time_limit=60,
    time_limit=90,
)
def send_delivery(self, delivery_id: int) -> str:  # type: ignore[no-untyped-def]
    """Send one delivery: claim the row, send outside any transaction, mark it sent.

    The claim is a conditional update (PENDING → SENDING) in its own short transaction: only the worker that
    changed the row sends; any other copy of the message returns. A worker that dies after the claim leaves the
    row SENDING, for the periodic job (``resolutions.background``) to send once more or to show for checking.
    A failing channel puts the row back to PENDING with the error and retries with exponential backoff."""
    D = Delivery.Status
    now = timezone.now()
    with transaction.atomic():
        claimed = Delivery.objects.filter(pk=delivery_id, status=D.PENDING).update(
            status=D.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    delivery = Delivery.objects.select_related("notification__recipient").filter(pk=delivery_id).first()
    if delivery is None:
        return "missing"
    if claimed != 1:
        return delivery.status  # someone else has it, or it is done
    try:
        CHANNELS[delivery.channel].send(delivery)
    except Exception as exc:  # the channel failed (or took too long): record it, then retry later
        final = delivery.attempts >= MAX_SEND_ATTEMPTS
        countdown = min(60 * 2**delivery.attempts, 3600)
        Delivery.objects.filter(pk=delivery_id, status=D.SENDING).update(
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            status=D.FAILED if final else D.PENDING,
            due_at=timezone.now() + dt.timedelta(seconds=countdown),
        )
        if final:
            logger.error("Delivery %s failed for good: %s", delivery_id, exc)
            return D.FAILED
        raise self.retry(exc=exc, countdown=countdown) from exc
    Delivery.objects.filter(pk=delivery_id, status=D.SENDING).update(
        status=D.SENT, sent_at=timezone.now(), last_error=""
    )
    return D.SENT


@dataclass(frozen=True)
class PdfBuild:
    """A stored PDF the periodic job looks after: its model, the fields of its state, its task, its count."""

    model: Any
    state: str
    requested: str
    requeued: str
    task: Any
    counter: str

    def __iter__(self) -> Iterator[Any]:
        return iter((self.model, self.state, self.requested, self.requeued, self.task, self.counter))


# The PDFs of the apps above (the minutes: ``MeetingsConfig.ready``); the summary report's is added below.
PDF_BUILDS: list[PdfBuild] = []


@dataclass
class Requeued:
    deliveries: int = 0
    abandoned: int = 0
    unsure: int = 0
    minutes_pdfs: int = 0
    summary_pdfs: int = 0
    failed_pdfs: int = 0

    def __str__(self) -> str:
        return (
            f"{self.deliveries} emails queued again ({self.abandoned} abandoned while sending), {self.unsure} to "
            f"check, {self.minutes_pdfs + self.summary_pdfs} PDFs queued again, {self.failed_pdfs} given up"
        )


def requeue_unfinished(now: dt.datetime | None = None) -> Requeued:
    """Queue again what a lost message or a dead worker left unfinished (see ``resolutions.background``)."""
    now = now or timezone.now()
    report = Requeued()
    D = Delivery.Status

    # Claims abandoned by a dead worker: the first goes back to PENDING, the second is left for a person.
    stale_claim = Q(status=D.SENDING, claimed_at__lt=now - minutes("DELIVERY_CLAIM_MINUTES"))
    report.unsure = Delivery.objects.filter(stale_claim, abandoned_claims__gte=1).update(
        status=D.UNSURE,
        abandoned_claims=2,
        last_error="The worker stopped twice while sending: the message may have gone. Check with the recipient.",
    )
    report.abandoned = Delivery.objects.filter(stale_claim, abandoned_claims=0).update(
        status=D.PENDING,
        abandoned_claims=1,
        due_at=now,
        last_error="The worker stopped while sending: sent once more.",
    )

    late = now - minutes("DELIVERY_REQUEUE_MINUTES")
    pending = Delivery.objects.filter(status=D.PENDING).filter(
        Q(due_at__lt=late) | Q(due_at__isnull=True, created_at__lt=late) | Q(due_at=now)
    )
    ids = list(pending.order_by("pk").values_list("pk", flat=True))
    report.deliveries = queue(send_delivery, [(pk,) for pk in ids])
    # Not queued again before another DELIVERY_REQUEUE_MINUTES have passed.
    Delivery.objects.filter(pk__in=ids[: report.deliveries]).update(due_at=now)

    # PDFs: queued again once, then given up (the page offers "Try again").
    cutoff = now - minutes("PDF_BUILD_MINUTES")
    summary = PdfBuild(SummaryReport, "state", "requested_at", "requeued", build_summary_pdf, "summary_pdfs")
    for model, state, requested, requeued, task, field in (*PDF_BUILDS, summary):
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
    """Beat, every few minutes: queue again the emails and PDFs a lost message or a dead worker left unfinished."""
    report = requeue_unfinished()
    logger.info("Requeued %s", report)
    return str(report)


@shared_task(acks_late=True)
def sweep_reminders(day: str | None = None) -> str:
    """The daily reminder sweep (Celery beat); ``day`` as ISO date, today in Asia/Ho_Chi_Minh by default."""
    report = sweep(dt.date.fromisoformat(day) if day else timezone.localdate())
    logger.info("Reminder sweep %s", report)
    return str(report)


@shared_task(acks_late=True)
def send_daily_digests(day: str | None = None) -> int:
    return daily_digests(dt.date.fromisoformat(day) if day else timezone.localdate())


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
