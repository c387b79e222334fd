"""Bulk writes that tell the rest of the product which rows they change.

Django sends ``post_save`` and ``post_delete`` for ``save()`` and ``delete()`` of one row, but nothing for
``QuerySet.update()`` nor ``bulk_create()`` (and a query set's ``delete()`` sends ``post_delete`` only for the rows
it collects). A model whose query set is a ``NotifiesChanges`` sends ``rows_changed`` for those too, so an app
above it (the cache tokens of ``members.versions``) can follow every write without the model knowing of it.

``rows_changed(sender=model, rows=..., action=...)``, sent inside the write's own transaction (the write and what
the receivers write for it are committed together, or neither is):

- ``action="update"``: ``rows`` is the query set about to be updated, sent BEFORE the update (the rows may no
  longer match its filter afterwards);
- ``action="delete"``: ``rows`` is the query set about to be deleted, sent before the delete;
- ``action="create"``: ``rows`` is the list of rows ``bulk_create()`` made, sent after it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import models, transaction
from django.dispatch import Signal

rows_changed = Signal()

_M = TypeVar("_M", bound=models.Model)


class NotifiesChanges(models.QuerySet[_M]):
    """A query set whose bulk writes send ``rows_changed``, each in one transaction with its write."""

    def update(self, **kwargs: Any) -> int:
        with transaction.atomic(using=self.db):
            rows_changed.send(sender=self.model, rows=self, action="update")
            return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        with transaction.atomic(using=self.db):
            rows_changed.send(sender=self.model, rows=self, action="delete")
            return super().delete()

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> list[Any]:
        with transaction.atomic(using=self.db):
            created = super().bulk_create(objs, *args, **kwargs)
            rows_changed.send(sender=self.model, rows=created, action="create")
            return created


def notifies_changes(model: type[models.Model]) -> bool:
    """Whether the model's bulk writes send ``rows_changed`` (its default query set is a ``NotifiesChanges``)."""
    return isinstance(model._default_manager.all(), NotifiesChanges)
