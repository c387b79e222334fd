"""Background work of the members app: the monthly retention job (Celery beat, ``CELERY_BEAT_SCHEDULE``)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from members.privacy import apply_retention as apply_retention_rule

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def apply_retention() -> int:
    """Erase what the retention rule erases today (``manage.py apply_retention --apply``); idempotent: a member
    erased once is not erased again. Returns how many members were erased."""
    report = apply_retention_rule(day=timezone.localdate(), apply=True)
    if report.members:
        logger.info("Retention: identifying data of %d member(s) erased", len(report.members))
    return len(report.members)
