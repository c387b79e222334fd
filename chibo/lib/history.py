"""The change history: the writes that bypass ``save()``, and the registry of the kinds of record with a history page.

Recording
---------
django-simple-history records a row's history from the ``save()`` and ``delete()`` signals. A conditional
``QuerySet.update()`` (a state guard), ``bulk_create()`` or ``bulk_update()`` sends none, so the workflows that
use them call one of these helpers in the same transaction. The user is the request's (simple-history's
middleware), or nobody in a Celery task or a management command: the history page shows that as the system.

The query sets' own ``update()`` and ``bulk_create()`` still run (``NotifiesChanges`` tells there which rows
change, and the dashboards renew their cache tokens): these helpers go through the model's default manager.

The registry
------------
The history pages (the ``history`` app) show one record's changes with those of the rows that belong to it. What
kinds of record have a page, how each finds its cell and which history tables belong to it, each app says of its
own models, in its ``<app>/history.py``, by calling ``register`` with a ``Kind`` (and a ``Naming`` for a model
whose rows the pages name otherwise than by ``str()``). The ``history`` app imports those modules when Django
starts (``HistoryConfig.ready``) and reads ``KINDS`` and ``NAMINGS``. The registry lives here, on the floor, so
that every app may register without importing ``history``, which sits above them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from simple_history.utils import bulk_create_with_history, bulk_update_with_history


def short_reason(model: type[models.Model], reason: str) -> str:
    """A reason as the history row can hold it: the column is short (100 characters), a workflow's note may be
    longer (the step keeps it whole); the history keeps its beginning."""
    history = model.history  # type: ignore[attr-defined]  # simple-history's manager, unknown to the checker
    limit = history.model._meta.get_field("history_change_reason").max_length
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


# ---------------------------------------------------------------------------------------------------
# The registry
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """A history table that belongs to the record: ``lookup`` is the field of its rows naming the record."""

    model: type[models.Model]
    lookup: str
    # The field that names one row among its siblings ("Task: Thu quỹ"); None for the record itself.
    label: str | None = None


@dataclass(frozen=True)
class Kind:
    """A kind of record with a history page: its URL parameter, the page of the record itself, the lookup from the
    record to its cell, and the history tables shown (the record's own first)."""

    name: str
    model: type[models.Model]
    param: str
    detail_url: str
    cell: str  # the lookup from the record to its cell
    sources: tuple[Source, ...]

    def cell_of(self, obj: models.Model) -> Any:
        """The record's cell (a ``members.Organisation``)."""
        value: Any = obj
        for part in self.cell.split("__"):
            value = getattr(value, part)
        return value


def _str(obj: models.Model) -> str:
    return str(obj)


@dataclass(frozen=True)
class Naming:
    """How the pages name a row of ``model`` (a record, or a related object a change points at) when ``str()`` is
    not the name users know; ``related``: what the name reads, fetched with the rows."""

    model: type[models.Model]
    name: Callable[[Any], str] = _str
    related: tuple[str, ...] = ()


KINDS: dict[str, Kind] = {}
NAMINGS: dict[type[models.Model], Naming] = {}


def register(*entries: Kind | Naming) -> None:
    """Add kinds of record (and namings) to the registry; an app calls it from its ``history.py``. Registering
    the same entry again changes nothing; another entry under a name already taken is a mistake."""
    for entry in entries:
        registry: dict[Any, Any] = KINDS if isinstance(entry, Kind) else NAMINGS
        key = entry.name if isinstance(entry, Kind) else entry.model
        if registry.get(key, entry) != entry:
            raise ImproperlyConfigured(f"The change history has two entries for {key!r}.")
        registry[key] = entry


def extend(name: str, *sources: Source) -> None:
    """Add history tables of an app above to a kind another app registered (the votes of a resolution are the
    meetings'): the app above calls it from its ``history.py``, discovered after the lower app's. Adding a table
    already shown changes nothing."""
    kind = KINDS[name]
    added = tuple(source for source in sources if source not in kind.sources)
    KINDS[name] = replace(kind, sources=kind.sources + added)
