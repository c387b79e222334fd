"""Background work that survives a broker down, a broker restarted and a worker killed.

The database row is the source of truth, never the broker's message: a ``Delivery`` waits as PENDING, a PDF as
"building" with the moment it was asked for. A message may be lost (the broker was down when it was queued, or
restarted without it) or its worker may die; ``requeue_unfinished`` (in ``resolutions.tasks`` for the PDFs, in
``notifications.tasks`` for the emails, beside the tasks they queue; Celery beat, every few minutes) finds the rows
that should have moved on by now and queues them again (the PDFs of the apps above, such as the dashboards'
summary report, through ``register_pdf_build``):

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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
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


@dataclass(frozen=True)
class PdfBuild:
    """A kind of stored PDF built by a worker, for ``requeue_unfinished``: its model, the fields of its state
    (``state`` is "building" while it is built), the task that builds it (called with the row's id and version),
    and the field of ``resolutions.tasks.Requeued`` that counts the builds queued again."""

    model: Any
    task: Any
    counter: str
    state: str = "state"
    requested: str = "requested_at"
    requeued: str = "requeued"


PDF_BUILDS: list[PdfBuild] = []


def register_pdf_build(build: PdfBuild) -> None:
    """An app above this one has its PDFs queued again by ``requeue_unfinished`` (from its ``AppConfig.ready``)."""
    if build not in PDF_BUILDS:
        PDF_BUILDS.append(build)


class PdfState(models.TextChoices):
    """Where a stored PDF stands (the minutes, the summary report): its row is the truth, not the broker."""

    NONE = "", _("Not built")
    BUILDING = "building", _("Being built")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


def store_pdf(
    task: Any,
    build: PdfBuild,
    row: Any,
    version: int,
    *,
    current: Callable[[], bool],
    render: Callable[[], bytes],
    file_field: str,
    path: str,
    what: str,
    **written: Any,
) -> str:
    """The worker's build of a stored PDF of ``row`` (a model of ``build``) for ``version``; returns what it did
    ("stale", "reused", "built"), for the worker's log and the tests.

    Idempotent: a version that is no longer the row's is left alone (whoever changed the row asks again) and a
    file already current (``current()``) is reused. The final write is conditional on the version, so a build that
    an edit overtook while it rendered never overwrites the newer state, and its file is deleted; the file it
    replaces is deleted too. A failure marks the row failed once the task's retries (``OSError`` only) are spent.
    ``written``: further fields stored with the file."""
    rows, state = build.model.objects.filter(pk=row.pk), build.state
    if row.version != version:
        # Nobody asked for the newer version yet: the state no longer says "building" for this one.
        rows.filter(**{state: PdfState.BUILDING, "pdf_version": version}).update(**{state: PdfState.NONE})
        return "stale"
    if current():
        return "reused"
    storage = getattr(row, file_field).storage
    try:
        name = storage.save(path, ContentFile(render()))
    except Exception as exc:
        retrying = isinstance(exc, OSError) and task.request.retries < task.max_retries
        if not retrying:
            rows.filter(version=version).update(**{state: PdfState.FAILED, "pdf_version": version})
            logger.exception("%s (version %s) could not be built", what, version)
        raise
    old = getattr(row, file_field).name
    changed = rows.filter(version=version).update(
        **{file_field: name, "pdf_version": version, state: PdfState.READY, **written}
    )
    if changed != 1:
        storage.delete(name)  # an edit overtook this build: its file shows an old version
        return "stale"
    if old and old != name:
        storage.delete(old)
    return "built"
