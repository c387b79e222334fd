"""Writes that bypass ``save()`` still land in the change history.

django-simple-history records a row's history from the ``save()`` and ``delete()`` signals. A conditional
``QuerySet.update()`` (a state guard), ``bulk_create()`` or ``bulk_update()`` sends none, so the workflows that
use them call one of these helpers in the same transaction. The user is the request's (simple-history's
middleware), or nobody in a Celery task or a management command: the history page shows that as the system.

The query sets' own ``update()`` and ``bulk_create()`` still run (``NotifiesChanges`` tells there which rows
change, and the dashboards renew their cache tokens): these helpers go through the model's default manager.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import models
from simple_history.utils import bulk_create_with_history, bulk_update_with_history


def short_reason(model: type[models.Model], reason: str) -> str:
    """A reason as the history row can hold it: the column is short (100 characters), a workflow's note may be
    longer (the step keeps it whole); the history keeps its beginning."""
    # ``history``: simple-history's manager on each registered model, unknown to the checker.
    limit = model.history.model._meta.get_field("history_change_reason").max_length  # type: ignore[attr-defined]
    return reason if len(reason) <= limit else reason[: limit - 1] + "…"


def record_changed(rows: Iterable[models.Model], *, reason: str = "") -> None:
    """A "changed" history row for each of these rows, as they now stand in memory, after a conditional
    ``update()`` wrote them (the caller sets the updated values on the instances first)."""
    rows = list(rows)
    if rows:
        model = type(rows[0])
        history = model.history  # type: ignore[attr-defined]  # simple-history's manager, as above
        history.bulk_history_create(rows, update=True, default_change_reason=short_reason(model, reason))


def create_recorded(model: type[models.Model], rows: Iterable[models.Model]) -> list[Any]:
    """``bulk_create`` with a "created" history row for each row."""
    rows = list(rows)
    return bulk_create_with_history(rows, model) if rows else []


def update_recorded(model: type[models.Model], rows: Sequence[models.Model], fields: list[str]) -> int:
    """``bulk_update`` of these fields with a "changed" history row for each row. Pass only the rows that
    changed: every row given gets a history row."""
    return bulk_update_with_history(list(rows), model, fields) if rows else 0
