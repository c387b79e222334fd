"""A progress race: reports of one task confirmed and sent back at the same moment by different reviewers leave the
task at its latest confirmed report (by the order the reports were made), never at a stale one.

On PostgreSQL the reviews run in threads released together by a barrier, each in its own connection and
transaction; the task's row lock (``select_for_update`` in ``services.review_update``) makes them apply one after
the other. SQLite has no row locks and serialises its writers: there the same reviews run one after the other,
in a shuffled order, which still checks that the order of confirmation does not matter.
"""

from __future__ import annotations

import datetime as dt
import random
import threading

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from members.models import today
from resolutions.models import ProgressUpdate, Resolution, Task
from resolutions.services import review_update
from tests.factories import MemberFactory, UserFactory
from tests.resolutions.factories import ProgressUpdateFactory, ResolutionFactory, TaskFactory

ROUNDS = 12
REPORTS = 4


def _expected(decisions: list[tuple[ProgressUpdate, bool]]) -> tuple[str, int]:
    """The latest confirmed report, by the order the reports were made; the initial state when none is."""
    confirmed = [update for update, confirm in decisions if confirm]
    if not confirmed:
        return Task.Status.NOT_STARTED, 0
    latest = max(confirmed, key=lambda u: (u.created_at, u.pk))
    return latest.status, latest.progress


def _review(
    update: ProgressUpdate,
    confirm: bool,
    by,
    errors: list[BaseException],
    barrier: threading.Barrier | None,
) -> None:
    """One reviewer's decision; in a thread (``barrier`` given) in its own connection, released with the others."""
    try:
        if barrier is not None:
            barrier.wait(timeout=30)
        review_update(
            update=ProgressUpdate.objects.select_related("author").get(pk=update.pk),
            confirm=confirm,
            note="" if confirm else "Chưa đủ minh chứng.",
            by=by,
        )
    except BaseException as error:
        errors.append(error)
    finally:
        if barrier is not None:
            connection.close()  # the thread's own connection


@pytest.mark.django_db(transaction=True)
def test_concurrent_confirmations_and_send_backs_leave_the_latest_confirmed_report(tree) -> None:
    rng = random.Random(17)
    resolution = ResolutionFactory.create(cell=tree.cell_a1, status=Resolution.Status.IN_PROGRESS)
    lead = MemberFactory.create(cell=tree.cell_a1, user=UserFactory.create(username="lead"))
    reviewers = [UserFactory.create(username=f"reviewer{n}") for n in range(REPORTS)]
    follower = MemberFactory.create(cell=tree.cell_a1, user=reviewers[0])
    concurrent = connection.vendor == "postgresql"
    start = timezone.now() - dt.timedelta(days=3)
    for round_no in range(ROUNDS):
        task = TaskFactory.create(
            resolution=resolution, lead_member=lead, follower=follower, deadline=today() + dt.timedelta(days=9)
        )
        updates = []
        for n in range(REPORTS):
            update = ProgressUpdateFactory.create(task=task, author=lead, progress=10 * (n + 1) + round_no)
            # Reported one after the other: the order that decides which report the task shows.
            ProgressUpdate.objects.filter(pk=update.pk).update(created_at=start + dt.timedelta(hours=n))
            update.refresh_from_db()
            updates.append(update)
        decisions = [(update, rng.random() < 0.6) for update in updates]
        errors: list[BaseException] = []
        barrier = threading.Barrier(REPORTS)

        order = list(zip(decisions, reviewers, strict=True))
        rng.shuffle(order)
        if concurrent:
            threads = [
                threading.Thread(target=_review, args=(update, confirm, by, errors, barrier))
                for (update, confirm), by in order
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
            close_old_connections()
        else:
            for (update, confirm), by in order:
                _review(update, confirm, by, errors, None)
        assert errors == []
        assert ProgressUpdate.objects.filter(task=task, review=ProgressUpdate.Review.PENDING).count() == 0
        task.refresh_from_db()
        assert (task.status, task.progress) == _expected(decisions), f"round {round_no}"
