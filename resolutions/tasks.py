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

from resolutions.background import PDF_BUILDS, PdfBuild, minutes, queue, queue_after_commit
from resolutions.channels import CHANNELS
from resolutions.documents import render_minutes_pdf
from resolutions.models import Delivery, Meeting
from resolutions.models.meetings import minutes_path
from resolutions.reminders import daily_digests, sweep

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
