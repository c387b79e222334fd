"""Members' personal data: the log of who viewed and exported it, and the retention rule's erasure.

The log (``PersonalDataAccess``) answers the question a member may ask under the Personal Data Protection Law
(in force from 1 January 2026): who has read or taken my data. It records

- each opening of a member's full record by someone other than the member (``record_view``), at most once an
  hour per person and member (``rules.view_is_logged``), so that reloads do not flood it;
- each export of a member list (``record_list_export``): the organisation it covered and the number of rows;
- each export of one member's data (``record_member_export``) and each erasure by the retention rule.

A failed write to the log never breaks the page the user asked for: it is logged as an error (and raised where
``CHIBO["ACCESS_LOG_RAISES"]`` is set, as in the tests). The member's history page reads the log about them
(``accesses_about``) in a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from members.models import Member, MemberEvent, Organisation, PersonalDataAccess
from members.rules import LEFT_STATUSES, add_years, identity_is_erased_on, retention_years, view_is_logged

logger = logging.getLogger(__name__)

Kind = PersonalDataAccess.Kind
# The history page shows this many of the newest rows of the log, with the count of all of them.
SHOWN_ACCESSES = 50


def _write(rows: list[PersonalDataAccess]) -> None:
    try:
        with transaction.atomic():
            PersonalDataAccess.objects.bulk_create(rows)
    except Exception:
        if settings.CHIBO.get("ACCESS_LOG_RAISES"):
            raise
        logger.exception("The personal data access log could not be written")


def record_view(*, user: Any, member: Member) -> None:
    """Log that ``user`` opened ``member``'s full record, unless it is the member's own or was logged within the
    hour (``rules.view_is_logged``)."""
    if not user.is_authenticated or member.user_id == user.pk:
        return
    try:
        # In a savepoint: a failing read must not abort the request's transaction (PostgreSQL).
        with transaction.atomic():
            last = (
                PersonalDataAccess.objects.filter(user=user, member=member, kind=Kind.VIEWED)
                .order_by("-at")
                .values_list("at", flat=True)
                .first()
            )
    except Exception:
        if settings.CHIBO.get("ACCESS_LOG_RAISES"):
            raise
        logger.exception("The personal data access log could not be read")
        return
    now = timezone.now()
    if view_is_logged(last, now):
        _write([PersonalDataAccess(user=user, member=member, kind=Kind.VIEWED, at=now)])


def record_member_export(*, user: Any, member: Member) -> None:
    _write([PersonalDataAccess(user=user, member=member, kind=Kind.MEMBER_EXPORTED)])


@dataclass
class ListScope:
    """What a member-list export covers: organisations (id, path), or everything (an administrator's
    unfiltered list: one path ""). Counts the rows of each as they are written."""

    scopes: list[tuple[int | None, str]]
    counts: Counter[str] = field(default_factory=Counter)

    def count(self, members: Iterable[Member]) -> Iterator[Member]:
        """The members, unchanged, counted under the scope that holds each one's cell."""
        paths = sorted((path for _id, path in self.scopes), key=len, reverse=True)
        for member in members:
            path = next((p for p in paths if member.cell.path.startswith(p)), None)
            if path is not None:
                self.counts[path] += 1
            yield member


def list_scope(access: Any, org: Organisation | None) -> ListScope:
    """The scope of a member list exported by ``access``'s user: the organisation filtered on, or all the
    organisations they oversee (everything for an administrator)."""
    if org is not None:
        return ListScope([(org.pk, org.path)])
    if access.is_admin:
        return ListScope([(None, "")])
    by_path = {path: org_id for kind, path, org_id in access.roles}
    outermost: list[str] = []
    for path in sorted(access.oversight_paths):
        if not any(path.startswith(prefix) for prefix in outermost):
            outermost.append(path)
    return ListScope([(by_path[path], path) for path in outermost])


def record_list_export(*, user: Any, scope: ListScope) -> None:
    """Log a member-list export: one row per organisation it covered, with the rows written under it."""
    _write(
        [
            PersonalDataAccess(
                user=user, kind=Kind.LIST_EXPORTED, scope_id=org_id, scope_path=path, rows=scope.counts[path]
            )
            for org_id, path in scope.scopes
        ]
    )


def accesses_about(member: Member, limit: int = SHOWN_ACCESSES) -> tuple[int, list[PersonalDataAccess]]:
    """(how many, the newest ``limit``) rows of the log about ``member``: openings and exports of their record,
    and the exports of member lists whose scope held the cell the member belonged to on that day (a transfer
    moves them, ``MemberQuerySet.in_org``). Three queries: the transfers, the count, the rows with their users."""
    transfers = list(
        MemberEvent.objects.filter(member=member, kind=MemberEvent.Kind.TRANSFERRED)
        .order_by("on", "pk")
        .values_list("on", "from_cell__path")
    )
    # (from, until, cell path): before the first transfer the member was in its from_cell, and so on.
    periods: list[tuple[dt.date | None, dt.date | None, str]] = []
    start: dt.date | None = None
    for on, from_path in transfers:
        periods.append((start, on, from_path or ""))
        start = on
    periods.append((start, None, member.cell.path))
    q = Q(member=member)
    step = Organisation.steplen
    for since, until, path in periods:
        if not path:
            continue
        prefixes = ["", *(path[: step * i] for i in range(1, len(path) // step + 1))]
        period = Q(kind=Kind.LIST_EXPORTED, member__isnull=True, scope_path__in=prefixes)
        if since is not None:
            period &= Q(at__date__gte=since)
        if until is not None:
            period &= Q(at__date__lt=until)
        q |= period
    rows = PersonalDataAccess.objects.filter(q)
    total = rows.count()
    shown = list(rows.select_related("user__member", "scope").order_by("-at", "-pk")[:limit]) if total else []
    return total, shown


def who(row: PersonalDataAccess) -> str:
    user = row.user
    if user is None:
        return ""
    member = getattr(user, "member", None)
    return (member.full_name if member else "") or user.get_full_name() or user.get_username()


# ---------------------------------------------------------------------------------------------------
# Retention (members/rules.py: identity_erased_from)
# ---------------------------------------------------------------------------------------------------

# The identifying data the retention rule erases: set to None where the column allows it, else "".
# Any column derived from one of these (a search hash of the citizen ID) is to be cleared with it.
IDENTIFYING_FIELDS = ("citizen_id", "party_card_number", "phone", "email", "address", "birth_date")
# Erased with them: the keyed hash by which the citizen ID was found.
DERIVED_FIELDS = ("citizen_id_hash",)


def blank_identity() -> dict[str, Any]:
    fields = (
        cast("models.Field[Any, Any]", Member._meta.get_field(name)) for name in (*IDENTIFYING_FIELDS, *DERIVED_FIELDS)
    )
    return {field.name: None if field.null else "" for field in fields}


@dataclass
class RetentionReport:
    day: dt.date
    years: int
    applied: bool
    members: list[Member] = field(default_factory=list)
    fields: Counter[str] = field(default_factory=Counter)  # live values erased, by field
    history_rows: int = 0  # rows of the change history erased


def due_for_erasure(day: dt.date, years: int) -> list[Member]:
    """Members whose identifying data the retention rule erases on ``day`` and that still hold it."""
    # A first cut by year in the database; the rule itself decides (29 February).
    latest = add_years(day, -years) + dt.timedelta(days=1)
    candidates = Member.objects.filter(
        management_status__in=LEFT_STATUSES, left_on__lte=latest, identity_erased_on__isnull=True
    ).order_by("left_on", "pk")
    return [m for m in candidates if identity_is_erased_on(m.management_status, m.left_on, day, years)]


def apply_retention(*, day: dt.date, apply: bool) -> RetentionReport:
    """What the retention rule erases on ``day``; with ``apply``, erase it: in the member's row and in every row
    of its change history, and write one row to the log per member. Running it again erases nothing more."""
    years = retention_years()
    report = RetentionReport(day=day, years=years, applied=apply)
    report.members = due_for_erasure(day, years)
    if not report.members:
        return report
    blank = blank_identity()
    ids = [m.pk for m in report.members]
    for member in report.members:
        for name in IDENTIFYING_FIELDS:
            if getattr(member, name) not in (None, ""):
                report.fields[name] += 1
    history = Member.history.model.objects.filter(id__in=ids)
    holding = Q()
    for name, empty in blank.items():
        holding |= ~Q(**{f"{name}__isnull": True}) if empty is None else ~Q(**{name: ""})
    report.history_rows = history.filter(holding).count()
    if apply:
        with transaction.atomic():
            Member.objects.filter(pk__in=ids).update(**blank, identity_erased_on=day)
            history.update(**blank)
            note = ", ".join(IDENTIFYING_FIELDS)
            PersonalDataAccess.objects.bulk_create(
                PersonalDataAccess(member_id=pk, kind=Kind.ERASED, note=note) for pk in ids
            )
    return report
