"""Background work that survives a broker down, a broker restarted and a worker killed.

The database row is the source of truth, never the broker's message: a ``Delivery`` waits as PENDING, a PDF as
"building" with the moment it was asked for. A message may be lost (the broker was down when it was queued, or
restarted without it) or its worker may die; ``requeue_unfinished`` (Celery beat, every few minutes) finds the rows
that should have moved on by now and queues them again:

- PENDING deliveries past their due time by ``DELIVERY_REQUEUE_MINUTES`` are queued again;
- SENDING deliveries claimed more than ``DELIVERY_CLAIM_MINUTES`` ago (longer than the sending task may run, so
  no live send is taken for dead) were abandoned by a worker that died: the first time the row goes back to
  PENDING and is queued again, the second time it becomes UNSURE ("needs checking", shown in the admin's list)
  rather than risking a third copy. The mail server may have taken the message before the worker died, so a
  delivery is sent at least once and at most twice;
- a PDF still "building" ``PDF_BUILD_MINUTES`` after it was asked for is queued again once; after that it is
  marked failed (the page offers "Try again"). Meanwhile the page offers the build again as soon as it is stale.

Queueing never fails the caller: with the broker down, ``queue_after_commit`` logs and leaves the rows as they
are, for the periodic job.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# Raised by Celery when the broker cannot be reached (after its own retries), or by the filesystem transport.
BROKER_ERRORS: tuple[type[BaseException], ...] = (OperationalError, OSError)

DEFAULTS = {"DELIVERY_REQUEUE_MINUTES": 5, "DELIVERY_CLAIM_MINUTES": 10, "PDF_BUILD_MINUTES": 10}


def minutes(name: str) -> dt.timedelta:
    return dt.timedelta(minutes=int(settings.CHIBO.get(name, DEFAULTS[name])))


def build_is_stale(requested_at: dt.datetime | None) -> bool:
    """A build asked for longer ago than a build can take (or before the moment was recorded)."""
    return requested_at is None or requested_at < timezone.now() - minutes("PDF_BUILD_MINUTES")


def queue(task: Any, calls: Iterable[tuple[Any, ...]]) -> int:
    """Queue ``task`` once per argument tuple; returns how many went. With the broker down it logs, stops at the
    first failure (the rest would fail the same way, each after Celery's retries) and returns the count so far."""
    done = 0
    for args in calls:
        try:
            task.delay(*args)
        except BROKER_ERRORS as exc:
            logger.warning("Could not queue %s%s (the periodic job will): %s", task.name, args, exc)
            return done
        done += 1
    return done


def queue_after_commit(task: Any, calls: Iterable[tuple[Any, ...]]) -> None:
    """``queue`` once the current transaction commits, so that the worker sees what it wrote."""
    calls = list(calls)
    if calls:
        transaction.on_commit(lambda: queue(task, calls))


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
    """Queue again what a lost message or a dead worker left unfinished (see the module's text)."""
    from resolutions.models import Delivery, Meeting, SummaryReport
    from resolutions.tasks import build_minutes_pdf, build_summary_pdf, send_delivery

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
