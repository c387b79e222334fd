"""When did what the pages show under an organisation last change? A token per organisation path, renewed by every
write.

What is cached under an organisation (a dashboard's rows and page, a cell's page, a resolution's page…) is keyed by
the token of its organisation, so a write anywhere in a cell renews the cell's token and every token above it, and
the next page built from them is built again, while everything else stays cached. The tokens
(``members.models.OrganisationVersion``) live in the database, not in the cache: every process (web workers, the
Celery worker, a management command) sees the same ones, and a token is renewed in the writer's own transaction (a
bulk write's, ``chibo.lib.changes``) or right after a row's ``save()``/``delete()``, so no page cached under a
token is older than the data committed before the token was renewed.

Each app says which of its models the pages show and how a row leads to its organisation, in its ``ready()``:
``track(Task, "resolution__cell__path")``. Writes are then caught where the ORM makes them: ``save()`` and
``delete()`` by model signals, changes of a many-to-many field by ``m2m_changed``, and ``QuerySet.update()``,
``bulk_create()`` and ``delete()`` by ``chibo.lib.changes.rows_changed`` (every tracked model's query set is a
``NotifiesChanges``; ``tests/test_versions.py`` checks that every model with a way to an organisation is tracked).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, cast

from django.db import models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from chibo.lib.changes import rows_changed
from members.models import Organisation, OrganisationVersion

STEP = Organisation.steplen  # the length of one level of the tree's paths
SELF = "path"  # the lookup of an organisation's own path

# The tracked models, each with its lookups from a row to the paths of the organisations it belongs to.
_TRACKED: dict[type[models.Model], tuple[str, ...]] = {}
_IGNORED: dict[type[models.Model], set[str]] = {}


def ancestors_and_self(paths: Iterable[str]) -> set[str]:
    return {path[:end] for path in paths if path for end in range(STEP, len(path) + 1, STEP)}


def renew(paths: Iterable[str]) -> None:
    """A new token for these organisations and every organisation above them (one statement)."""
    prefixes = sorted(ancestors_and_self(paths))  # in order, so two writers never lock rows the other way round
    if not prefixes:
        return
    token = uuid.uuid4().hex
    OrganisationVersion.objects.bulk_create(
        [OrganisationVersion(path=path, token=token) for path in prefixes],
        update_conflicts=True,
        unique_fields=["path"],
        update_fields=["token"],
    )


def tokens(paths: Iterable[str]) -> dict[str, str]:
    """The current token of each path; a path never written under has none (what is cached under it is keyed by
    the empty token until the first write renews it)."""
    return dict(OrganisationVersion.objects.filter(path__in=list(paths)).values_list("path", "token"))


def token_subquery(path: str = "path") -> Coalesce:
    """The token of the organisation whose path is the outer query's ``path`` lookup, "" when none, to annotate
    a query with (``with_token``; a resolution with its cell's token: ``token_subquery("cell__path")``)."""
    token = OrganisationVersion.objects.filter(path=OuterRef(path)).values("token")[:1]
    return Coalesce(Subquery(token), Value(""))


def with_token(organisations: models.QuerySet[Organisation]) -> models.QuerySet[Organisation]:
    """Each organisation with its current token as ``version_token``, in the same query."""
    return organisations.annotate(version_token=token_subquery())


def token_of(org: Organisation) -> str:
    """The organisation's current token: read with it (``with_token``), else one query."""
    token = getattr(org, "version_token", None)
    return token if isinstance(token, str) else tokens([org.path]).get(org.path, "")


def paths_of(model: type[models.Model], rows: Iterable[models.Model]) -> set[str]:
    """The paths of the organisations of these rows (a few queries at most). A lookup through a foreign key reads
    the row it points to, so that a row just deleted is still placed; any other lookup reads the rows themselves."""
    rows = list(rows)
    paths: set[str] = set()
    for lookup in _TRACKED[model]:
        if lookup == SELF:
            paths.update(getattr(row, SELF) for row in rows)
            continue
        first, _, rest = lookup.partition("__")
        field = model._meta.get_field(first)
        if field.many_to_one or (field.one_to_one and field.concrete):
            # A foreign key: its related model is a model class.
            related = cast(type[models.Model], field.related_model)
            keys = {getattr(row, field.attname) for row in rows}  # type: ignore[union-attr]  # a concrete field has one
            source, step = related._default_manager, rest
        else:
            keys, source, step = {row.pk for row in rows}, model._default_manager, lookup
        ids = sorted(key for key in keys if key is not None)
        for start in range(0, len(ids), 500):  # SQLite caps the parameters of one statement
            found = source.filter(pk__in=ids[start : start + 500]).values_list(step, flat=True).distinct()
            paths.update(path for path in found if path)
    return paths


def renew_rows(model: type[models.Model], rows: Iterable[models.Model]) -> None:
    renew(paths_of(model, rows))


# ---------------------------------------------------------------------------------------------------
# The receivers, connected by ``track``
# ---------------------------------------------------------------------------------------------------


def _before_save(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Before a row that may move to another organisation is saved: renew the tokens of where it was."""
    if not kwargs.get("raw") and instance.pk is not None and not instance._state.adding:
        renew_rows(sender, sender._default_manager.filter(pk=instance.pk))


def _saved(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    if kwargs.get("raw") or (update_fields is not None and set(update_fields) <= _IGNORED.get(sender, set())):
        return
    renew_rows(sender, [instance])


def _deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    renew_rows(sender, [instance])


def _rows_changed(sender: Any, rows: Any, action: str, **kwargs: Any) -> None:
    """A bulk write of a tracked model: renew the tokens of its rows' organisations (read before an update or a
    delete, as the rows may no longer match the filter afterwards)."""
    renew_rows(sender, rows if action == "create" else rows.order_by())


def _m2m_changed(
    sender: Any, instance: Any, action: str, reverse: bool, model: Any, pk_set: Any, **kwargs: Any
) -> None:
    """A change of a many-to-many field: renew the tokens of the tracked rows on either side of it."""
    if not action.startswith("post_") and action != "pre_clear":
        return
    if type(instance) in _TRACKED:
        renew_rows(type(instance), [instance])
    if model in _TRACKED and pk_set:
        renew_rows(model, model._default_manager.filter(pk__in=pk_set))


def track(model: type[models.Model], *lookups: str, moves: bool = False, ignored: Iterable[str] = ()) -> None:
    """Renew the tokens of a row's organisations (``lookups``: from a row to an organisation's path; ``SELF`` for
    an organisation) whenever a row of ``model`` is written. ``moves``: a row may be moved to another organisation
    (a member to another cell), whose old place is renewed too (one query more per save); ``ignored``: fields no
    page shows, whose ``save(update_fields=...)`` alone renews nothing (a user's last login)."""
    _TRACKED[model] = lookups
    _IGNORED[model] = set(ignored)
    uid = f"versions-{model._meta.label_lower}"
    if moves:
        pre_save.connect(_before_save, sender=model, dispatch_uid=f"{uid}-moves")
    post_save.connect(_saved, sender=model, dispatch_uid=f"{uid}-saved")
    post_delete.connect(_deleted, sender=model, dispatch_uid=f"{uid}-deleted")
    rows_changed.connect(_rows_changed, sender=model, dispatch_uid=f"{uid}-rows")
    for field in model._meta.many_to_many:
        through = cast(Any, field).remote_field.through
        m2m_changed.connect(_m2m_changed, sender=through, dispatch_uid=f"{uid}-{field.name}")


def tracked() -> dict[type[models.Model], tuple[str, ...]]:
    """The tracked models and their lookups."""
    return dict(_TRACKED)
