"""Bulk writes that tell the rest of the product which rows they change.

Django sends ``post_save`` and ``post_delete`` for ``save()`` and ``delete()`` of one row, but nothing for
``QuerySet.update()`` nor ``bulk_create()`` (and a query set's ``delete()`` sends ``post_delete`` only for the rows
it collects). A model whose query set is a ``NotifiesChanges`` sends ``rows_changed`` for those too, so an app
above it (the dashboards' cache) can follow every write without the model knowing of it.

``rows_changed(sender=model, rows=..., action=...)``:

- ``action="update"``: ``rows`` is the query set about to be updated, sent BEFORE the update (the rows may no
  longer match its filter afterwards), and only when the update sets one of the query set's ``watched_fields``;
- ``action="delete"``: ``rows`` is the query set about to be deleted, sent before the delete;
- ``action="create"``: ``rows`` is the list of rows ``bulk_create()`` made, sent after it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.dispatch import Signal

rows_changed = Signal()


class NotifiesChanges(models.QuerySet):
    """A query set whose bulk writes send ``rows_changed``.

    ``watched_fields``: the fields whose change is told (an ``update()`` of other fields, such as a PDF's state,
    sends nothing); the receivers of ``post_save`` may read it too, to ignore a ``save(update_fields=...)`` of
    other fields."""

    watched_fields: frozenset[str] = frozenset()

    def update(self, **kwargs: Any) -> int:
        if self.watched_fields.intersection(kwargs):
            rows_changed.send(sender=self.model, rows=self, action="update")
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        rows_changed.send(sender=self.model, rows=self, action="delete")
        return super().delete()

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> list[Any]:
        created = super().bulk_create(objs, *args, **kwargs)
        rows_changed.send(sender=self.model, rows=created, action="create")
        return created


def watched_fields(model: type[models.Model]) -> frozenset[str]:
    """The ``watched_fields`` of the model's default query set (none for a model whose query set is another)."""
    return getattr(model._default_manager.all(), "watched_fields", frozenset())
