"""When did the work under an organisation last change? A token per organisation path, renewed by every write.

The dashboards cache each row's figures under the token of the row's organisation (``resolutions.dashboard``), so
a write anywhere under a ward renews the ward's token and every token above it, and the next dashboard recomputes
that ward and nothing else. The tokens live in the database, not in the cache: every process (web workers, the
Celery worker, a management command) sees the same ones, and a token is renewed in the writer's own transaction,
so no reader sees new data under an old token once the write is committed.

Writes are caught where the ORM makes them: ``save()`` and ``delete()`` by signals (``resolutions.apps``), and
``QuerySet.update()``, ``bulk_create()`` and ``delete()`` by ``TracksDashboard``, the query set of every model whose
rows the dashboard reads (resolutions, tasks, meetings, monthly reviews).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models

STEPLEN = 4  # members.models.Organisation.steplen (treebeard's default), kept here to avoid importing members


class DashboardVersion(models.Model):
    path = models.CharField(max_length=255, primary_key=True)
    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = "dashboard version"

    def __str__(self) -> str:
        return f"{self.path}: {self.token}"


def ancestors_and_self(paths: Iterable[str]) -> set[str]:
    return {path[:end] for path in paths if path for end in range(STEPLEN, len(path) + 1, STEPLEN)}


def renew(paths: Iterable[str]) -> None:
    """A new token for these organisations and every organisation above them (one statement)."""
    prefixes = sorted(ancestors_and_self(paths))
    if not prefixes:
        return
    token = uuid.uuid4().hex
    DashboardVersion.objects.bulk_create(
        [DashboardVersion(path=path, token=token) for path in prefixes],
        update_conflicts=True,
        unique_fields=["path"],
        update_fields=["token"],
    )


def tokens(paths: Iterable[str]) -> dict[str, str]:
    """The current token of each path; a path never written under has none (its figures may still be cached
    under the empty token until the first write renews it)."""
    return dict(DashboardVersion.objects.filter(path__in=list(paths)).values_list("path", "token"))


class TracksDashboard(models.QuerySet):  # type: ignore[type-arg]
    """A query set whose bulk writes renew the dashboard tokens of the cells they touch.

    ``cell_path`` is the lookup from the model to its cell's path; ``dashboard_fields`` the fields the dashboard
    reads (an ``update()`` of other fields, such as a PDF's state, renews nothing)."""

    cell_path: str = "cell__path"
    dashboard_fields: frozenset[str] = frozenset()

    def _renew_for_rows(self) -> None:
        renew(set(self.order_by().values_list(self.cell_path, flat=True).distinct()))

    def update(self, **kwargs: Any) -> int:
        if not self.dashboard_fields.intersection(kwargs):
            return super().update(**kwargs)
        self._renew_for_rows()  # the rows may no longer match the filter once updated
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        self._renew_for_rows()
        return super().delete()

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> list[Any]:
        created = super().bulk_create(objs, *args, **kwargs)
        renew(cell_paths(self.model, created))
        return created


def cell_paths(model: type[models.Model], rows: Iterable[models.Model]) -> set[str]:
    """The paths of the cells of these rows, read through each row's first foreign key (a few queries at most)."""
    lookup: str = model.objects.all().cell_path  # type: ignore[attr-defined]
    first, _, rest = lookup.partition("__")
    related = model._meta.get_field(first).related_model
    ids = sorted({key for row in rows if (key := getattr(row, f"{first}_id")) is not None})
    paths: set[str] = set()
    for start in range(0, len(ids), 500):  # SQLite caps the parameters of one statement
        chunk = ids[start : start + 500]
        paths.update(related.objects.filter(pk__in=chunk).values_list(rest, flat=True).distinct())  # type: ignore[union-attr]
    return paths


def renew_for_instance(instance: models.Model) -> None:
    """After ``save()`` or ``delete()`` of a tracked row: renew its cell's token (one query for the path)."""
    renew(cell_paths(instance.__class__, [instance]))
