"""Background work of the notifications: each email sent by a Celery worker, the daily sweep and digests (Celery
beat), and the periodic job that queues again the emails a lost message or a dead worker left unfinished (see
``resolutions.background``).

The tasks kept the names they had when they lived in ``resolutions.tasks``: the beat schedule and the messages
already queued name them so.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from celery import shared_task
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from notifications.channels import CHANNELS
from notifications.models import Delivery
from notifications.reminders import SEND_DELIVERY, daily_digests, sweep
from resolutions.background import minutes, queue

logger = logging.getLogger(__name__)

MAX_SEND_ATTEMPTS = 5


# ``acks_late`` and ``reject_on_worker_lost``: a message whose worker died is delivered again by the broker. That
# is safe because the row is claimed first: a second copy of the message finds the row SENDING or SENT and stops.
# The time limits end a send that hangs (EMAIL_TIMEOUT ends most of them first); they are far below the age at
# which the periodic job takes a claim for abandoned (CHIBO["DELIVERY_CLAIM_MINUTES"]).
@shared_task(
    name=SEND_DELIVERY,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_SEND_ATTEMPTS,
    soft_time_limit=60,
    time_limit=90,
)
def send_delivery(self, delivery_id: int) -> str:
    """Send one delivery: claim the row, send outside any transaction, mark it sent.

    The claim is a conditional update (PENDING → SENDING) in its own short transaction: only the worker that
    changed the row sends; any other copy of the message returns. A worker that dies after the claim leaves the
    row SENDING, for the periodic job (``requeue_unfinished``) to send once more or to show for checking.
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

    def __str__(self) -> str:
        return (
            f"{self.deliveries} emails queued again ({self.abandoned} abandoned while sending), {self.unsure} to check"
        )


def requeue_unfinished(now: dt.datetime | None = None) -> Requeued:
    """Queue again the emails a lost message or a dead worker left unfinished (see ``resolutions.background``)."""
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

    return report


@shared_task(soft_time_limit=120, time_limit=150)
def requeue_unfinished_emails() -> str:
    """Beat, every few minutes: queue again the emails a lost message or a dead worker left unfinished."""
    report = requeue_unfinished()
    logger.info("Requeued %s", report)
    return str(report)


@shared_task(name="resolutions.tasks.sweep_reminders", acks_late=True)
def sweep_reminders(day: str | None = None) -> str:
    """The daily reminder sweep (Celery beat); ``day`` as ISO date, today in Asia/Ho_Chi_Minh by default."""
    report = sweep(dt.date.fromisoformat(day) if day else timezone.localdate())
    logger.info("Reminder sweep %s", report)
    return str(report)


@shared_task(name="resolutions.tasks.send_daily_digests", acks_late=True)
def send_daily_digests(day: str | None = None) -> int:
    return daily_digests(dt.date.fromisoformat(day) if day else timezone.localdate())
