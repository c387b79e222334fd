"""``chibo.lib.changes``: the bulk writes of a ``NotifiesChanges`` query set say which rows they change, inside
the write's own transaction."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from chibo.lib.changes import notifies_changes, rows_changed
from members.models import Background
from resolutions.models import Task
from tests.resolutions.factories import TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    calls: list[tuple[Any, str, set[int], bool]] = []

    def receiver(sender: Any, rows: Any, action: str, **kwargs: Any) -> None:
        # A query set is read when it is sent: before the update or the delete.
        calls.append((sender, action, {row.pk for row in rows}, connection.in_atomic_block))

    rows_changed.connect(receiver, dispatch_uid="test-changes")
    yield calls
    rows_changed.disconnect(dispatch_uid="test-changes")


def test_update_delete_and_bulk_create_tell_their_rows(heard, tree) -> None:
    task = TaskFactory.create(resolution__cell=tree.cell_a1)
    Task.objects.filter(pk=task.pk).update(status=Task.Status.DONE)
    assert heard[-1][:3] == (Task, "update", {task.pk})

    Task.objects.filter(pk=task.pk).update(title="Một tên khác")  # every field a page may show
    assert heard[-1][:3] == (Task, "update", {task.pk})

    copy = Task(resolution=task.resolution, title="Bản sao", deadline=task.deadline, lead_member=task.lead_member)
    Task.objects.bulk_create([copy])
    assert heard[-1][:3] == (Task, "create", {copy.pk})

    Task.objects.filter(pk=copy.pk).delete()
    assert heard[-1][:3] == (Task, "delete", {copy.pk})


@pytest.mark.django_db(transaction=True)
def test_each_is_told_inside_the_transaction_of_its_write(heard, tree) -> None:
    # Outside any transaction of the caller's (autocommit, as a view runs): the write opens one around the
    # receivers, so what they write (a renewed token) is committed with the rows, never before them.
    task = TaskFactory.create(resolution__cell=tree.cell_a1)
    assert not connection.in_atomic_block
    Task.objects.filter(pk=task.pk).update(progress=50)
    Task.objects.filter(pk=task.pk).delete()
    assert [(action, atomic) for _, action, _, atomic in heard] == [("update", True), ("delete", True)]


def test_which_models_tell_their_bulk_writes() -> None:
    assert notifies_changes(Task)
    assert not notifies_changes(Background)  # a list shared by every cell: no organisation to tell
