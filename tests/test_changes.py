"""``chibo.lib.changes``: the bulk writes of a ``NotifiesChanges`` query set say which rows they change."""

from __future__ import annotations

from typing import Any

import pytest

from chibo.lib.changes import rows_changed, watched_fields
from resolutions.models import Resolution, Task
from tests.resolutions.factories import TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    calls: list[tuple[Any, str, set[int]]] = []

    def receiver(sender: Any, rows: Any, action: str, **kwargs: Any) -> None:
        # A query set is read when it is sent: before the update or the delete.
        calls.append((sender, action, {row.pk for row in rows}))

    rows_changed.connect(receiver, dispatch_uid="test-changes")
    yield calls
    rows_changed.disconnect(dispatch_uid="test-changes")


def test_update_delete_and_bulk_create_tell_their_rows(heard, tree) -> None:
    task = TaskFactory.create(resolution__cell=tree.cell_a1)
    Task.objects.filter(pk=task.pk).update(status=Task.Status.DONE)
    assert heard == [(Task, "update", {task.pk})]

    Task.objects.filter(pk=task.pk).update(title="Một tên khác")  # not a watched field: nothing is told
    assert len(heard) == 1

    copy = Task(resolution=task.resolution, title="Bản sao", deadline=task.deadline, lead_member=task.lead_member)
    Task.objects.bulk_create([copy])
    assert heard[-1] == (Task, "create", {copy.pk})

    Task.objects.filter(pk=copy.pk).delete()
    assert heard[-1] == (Task, "delete", {copy.pk})


def test_the_watched_fields_are_read_from_the_default_query_set() -> None:
    assert "status" in watched_fields(Task)
    assert "title" not in watched_fields(Task)
    assert "status" in watched_fields(Resolution)
