"""Work is routed to a queue per kind (documents, mail, sweeps), and a worker started without -Q consumes them all.
The real worker's tests (tests/resolutions/test_celery_worker.py, tests/worker.py) start it so: the minutes and the
summary report they wait for are built from the documents queue."""

from __future__ import annotations

import pytest
from django.conf import settings

from chibo.celery import app


@pytest.fixture(autouse=True)
def _tasks_registered() -> None:
    """Every app's tasks module imported, as a worker does at start (inside the test, under its pinned clock)."""
    app.loader.import_default_modules()


ROUTED = [
    ("resolutions.tasks.build_minutes_pdf", "documents"),
    ("resolutions.tasks.build_summary_pdf", "documents"),
    ("resolutions.tasks.send_delivery", "mail"),
    ("resolutions.tasks.send_daily_digests", "mail"),
    ("resolutions.tasks.sweep_reminders", "sweeps"),
    ("members.tasks.apply_retention", "sweeps"),
    ("resolutions.tasks.requeue_unfinished_work", "celery"),
    ("notifications.tasks.requeue_unfinished_emails", "celery"),
]


@pytest.mark.parametrize(("task", "queue"), ROUTED)
def test_each_kind_of_work_goes_to_its_queue(task: str, queue: str) -> None:
    assert task in app.tasks
    assert app.amqp.router.route({}, task)["queue"].name == queue


def test_every_route_names_a_task_and_a_queue_a_worker_consumes() -> None:
    consumed = {queue.name for queue in app.conf.task_queues}
    assert consumed == {"celery", "documents", "mail", "sweeps"}
    for task, route in settings.CELERY_TASK_ROUTES.items():
        assert task in app.tasks, task
        assert route["queue"] in consumed


def test_every_task_of_the_project_is_routed_or_goes_to_the_default_queue() -> None:
    ours = [name for name in app.tasks if not name.startswith("celery.")]
    assert len(ours) >= len(ROUTED)
    assert {name for name, _ in ROUTED} == set(ours)  # a new task is added to the table above, with its queue
