"""Queueing lost PDF builds again: the rows are the truth (``resolutions.background``).

The apps above register the PDFs they build (``register_pdf_build``): the minutes (``meetings.tasks``) and the
summary report (``dashboards.tasks``); the emails have their own job (``notifications.tasks``).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from resolutions.background import PDF_BUILDS, minutes, queue

logger = logging.getLogger(__name__)

# A PDF takes seconds; the limits only end a build that hangs (the periodic job then queues it again).
PDF_LIMITS = {"soft_time_limit": 240, "time_limit": 300}


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
    for build in PDF_BUILDS:
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
