"""When did the work under an organisation last change? A token per organisation path, renewed by every write.

The dashboards cache each row's figures under the token of the row's organisation (``dashboards.dashboard``), so
a write anywhere under a ward renews the ward's token and every token above it, and the next dashboard recomputes
that ward and nothing else. The tokens (``dashboards.models.DashboardVersion``) live in the database, not in the
cache: every process (web workers, the Celery worker, a management command) sees the same ones, and a token is
renewed in the writer's own transaction, so no reader sees new data under an old token once the write is committed.

Writes are caught where the ORM makes them, by receivers connected in ``DashboardsConfig.ready``: ``save()`` and
``delete()`` by model signals, and ``QuerySet.update()``, ``bulk_create()`` and ``delete()`` by
``chibo.lib.changes.rows_changed``, sent by the query set (``NotifiesChanges``) of every model whose rows the
dashboard reads (resolutions, tasks, meetings, monthly reviews; ``CELL_PATHS``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, cast

from django.db import models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from chibo.lib.changes import watched_fields
from dashboards.models import DashboardVersion
from meetings.models import Meeting, MonthlyReview
from members.models import Organisation
from resolutions.models import Resolution, Task

STEP = Organisation.steplen  # the length of one level of the tree's paths

# The models whose rows the dashboard reads, each with the lookup from a row to its cell's path.
CELL_PATHS: dict[type[models.Model], str] = {
    Resolution: "cell__path",
    Task: "resolution__cell__path",
    Meeting: "cell__path",
    MonthlyReview: "meeting__cell__path",
}


def ancestors_and_self(paths: Iterable[str]) -> set[str]:
    return {path[:end] for path in paths if path for end in range(STEP, len(path) + 1, STEP)}


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


def with_token(organisations: models.QuerySet[Organisation]) -> models.QuerySet[Organisation]:
    """Each organisation with its current token as ``dashboard_token`` ("" when never written under), in the
    same query."""
    token = DashboardVersion.objects.filter(path=OuterRef("path")).values("token")[:1]
    return organisations.annotate(dashboard_token=Coalesce(Subquery(token), Value("")))


def token_of(org: Organisation) -> str:
    """The organisation's current token: read with it (``with_token``), else one query."""
    token = getattr(org, "dashboard_token", None)
    return token if isinstance(token, str) else tokens([org.path]).get(org.path, "")


def cell_paths(model: type[models.Model], rows: Iterable[models.Model]) -> set[str]:
    """The paths of the cells of these rows, read through each row's first foreign key (a few queries at most)."""
    lookup = CELL_PATHS[model]
    first, _, rest = lookup.partition("__")
    # The first step of every lookup in CELL_PATHS is a foreign key: its related model is a model class.
    related = cast(type[models.Model], model._meta.get_field(first).related_model)
    ids = sorted({key for row in rows if (key := getattr(row, f"{first}_id")) is not None})
    paths: set[str] = set()
    for start in range(0, len(ids), 500):  # SQLite caps the parameters of one statement
        chunk = ids[start : start + 500]
        paths.update(related._default_manager.filter(pk__in=chunk).values_list(rest, flat=True).distinct())
    return paths


def renew_for_instance(instance: models.Model) -> None:
    """After ``save()`` or ``delete()`` of a tracked row: renew its cell's token (one query for the path)."""
    renew(cell_paths(instance.__class__, [instance]))


# ---------------------------------------------------------------------------------------------------
# The receivers (connected by ``DashboardsConfig.ready``)
# ---------------------------------------------------------------------------------------------------


def tracked_saved(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    if update_fields is not None and not watched_fields(sender).intersection(update_fields):
        return
    renew_for_instance(instance)


def tracked_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    renew_for_instance(instance)


def tracked_rows_changed(sender: Any, rows: Any, action: str, **kwargs: Any) -> None:
    """A bulk write of a tracked model (``chibo.lib.changes.rows_changed``): renew the tokens of the cells of its
    rows (read before an update or a delete, as the rows may no longer match the filter afterwards)."""
    if sender not in CELL_PATHS:
        return
    if action == "create":
        renew(cell_paths(sender, rows))
    else:
        renew(set(rows.order_by().values_list(CELL_PATHS[sender], flat=True).distinct()))


def organisation_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        renew([instance.path])
