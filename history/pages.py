"""The change history of a cell's records, as the secretary and the ward committee read it.

Every change to members, resolutions, tasks, votes, meetings and evaluations is kept by django-simple-history
(``HistoricalRecords`` on the models; the writes that bypass ``save()`` record theirs through
``chibo.lib.history``). This module turns those rows into one page per record: the record's own changes and
those of the rows that belong to it (a resolution's targets, tasks and votes; a meeting's attendance, speeches
and reviews; …), newest first, each with when, who, what kind of change, and for a change the fields that
changed, labelled and valued as the pages show them.

``chibo.lib.history.KINDS`` is the registry: what kinds of record have a history page, how each finds its cell,
and which history tables belong to it; each app registers its own in its ``history.py`` (``HistoryConfig.ready``
imports them). A page reads a fixed number of queries whatever the number of history rows: one to count,
one for the page (a UNION over the history tables), two per history table with rows on the page (the rows and
the rows before them), one per kind of related object named and one per many-to-many field shown, and three for
the users.

A page's entries are one part (``chibo.lib.parts``) kept under the token of the record's cell
(``members.versions``): a history row is written with the row it records, in the same transaction, and that write
renews the cell's token. Only their authors are not in the part: who wrote a change is named with their roles as
they are now (a user's name, their roles and their organisations' names change outside the cell), so each entry
holds a mark in their place, filled in for each request (``with_authors``: the users' three queries). The other
rows a change names are read with the part. They are the cell's own rows but for a few: the resolutions of the
levels above that a resolution carries out (their number is fixed once adopted, an amendment may change their
title), the cells a member was transferred from or to, the users named in a field; a change to one of those
shows once something is written in the cell, or when the part expires.

Who sees a record's history: whoever oversees its cell (``Access.can_oversee_org``): the cell's secretary,
deputy and committee members, the ward committee member in charge of it, the standing committee above it, and
administrators. The history shows earlier values of members' personal data and who changed what, so it goes to
those who already read every record of the cell with its personal data: the cell committee leads the cell
collectively (DOMAIN.md: deputy and committee members have the same rights inside their cell) and the upper
level checks and supervises it. A plain member sees their own record and the cell's resolutions but not other
members' data, so a history page is refused to them (403); someone who does not see the record gets 404.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import IntegerField, OuterRef, Subquery, Value
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import get_m2m_reverse_field_name

from chibo.lib.crypto import EncryptedCharField, mask
from chibo.lib.history import NAMINGS, Kind, Source
from chibo.lib.parts import cached_part
from members.models import Member, Role
from members.versions import token_of

PAGE_SIZE = 30
# A text longer than this, or any multi-line text field, is shown as the part that changed with a little context.
SHORT_TEXT = 80
CONTEXT = 30
MIDDLE = 200
# What the part holds in place of an entry's author until it is served: the user's id (0 for nobody) in an HTML
# comment. Nothing a user wrote can pass for one: the template escapes every "<" of what it shows.
AUTHOR = "<!--author:%d-->"
AUTHOR_MARK = re.compile(r"<!--author:(\d+)-->")


# ---------------------------------------------------------------------------------------------------
# What a page shows
# ---------------------------------------------------------------------------------------------------

ACTIONS = {"+": gettext_lazy("Created"), "~": gettext_lazy("Changed"), "-": gettext_lazy("Deleted")}


@dataclass
class Change:
    label: str
    old: str
    new: str
    # For a long text: the unchanged words around the part that changed.
    before: str = ""
    after: str = ""


@dataclass
class Entry:
    when: dt.datetime
    action: str  # "+", "~" or "-"
    who: str
    who_detail: str
    what: str  # the row's kind and name when it is not the record itself ("Task: Thu quỹ")
    reason: str
    changes: list[Change] = field(default_factory=list)
    no_earlier: bool = False  # a change whose earlier state was never recorded
    user_id: int | None = None  # who wrote it; None for the system

    @property
    def action_label(self) -> str:
        return str(ACTIONS[self.action])

    @property
    def author(self) -> SafeString:
        """The mark the part holds in place of ``who`` and ``who_detail`` (``with_authors``)."""
        return mark_safe(AUTHOR % (self.user_id or 0))  # an HTML comment with a number, nothing a user wrote


def shown_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields a change lists: those a user edits and the pages label. Fields with no label of their own
    (ordering, stamps, who-and-when that the entry itself shows) and JSON snapshots are bookkeeping."""
    tracked = model.history.model.tracked_fields  # type: ignore[attr-defined]  # simple-history's manager
    return [f for f in tracked if f.editable and isinstance(f.verbose_name, Promise) and not _is_json(f)]


def shown_m2m(model: type[models.Model]) -> list[models.ManyToManyField]:
    return list(getattr(model.history.model, "_history_m2m_fields", []))  # type: ignore[attr-defined]  # as above


def _is_json(f: models.Field) -> bool:
    return isinstance(f, models.JSONField)


def history_page(
    kind: Kind, obj: models.Model, page_number: str | None, *, reveal: bool = False
) -> tuple[Any, list[Entry]]:
    """The page of the record's history asked for, and its entries: (paginator page, entries). Encrypted personal
    data (a member's citizen ID and party card number) is shown in full only with ``reveal`` (for those who manage
    the member: ``Access.can_see_identity_numbers``), masked otherwise."""
    from django.core.paginator import Paginator

    sources = kind.sources
    parts = [
        s.model.history.filter(**{s.lookup: obj.pk})  # type: ignore[attr-defined]  # simple-history's manager
        .order_by()
        .annotate(history_source=Value(i, output_field=IntegerField()))
        .values_list("history_date", "history_id", "history_source")
        for i, s in enumerate(sources)
    ]
    union = parts[0].union(*parts[1:], all=True).order_by("-history_date", "-history_id")
    page = Paginator(union, PAGE_SIZE).get_page(page_number)
    return page, _entries(sources, obj, list(page.object_list), reveal=reveal)


def history_part(
    request: HttpRequest, kind: Kind, obj: models.Model, page_number: str | None, *, reveal: bool
) -> SafeString:
    """The page of the record's history asked for, as the part that shows its entries and the links to the other
    pages, kept under the token of the record's cell (read with the record as ``cell_token``, else one query),
    the page asked for and whether personal data is shown in full; its authors filled in for this request
    (``with_authors``)."""
    known: dict[int, tuple[str, str]] = {}

    def context() -> dict[str, Any]:
        page, entries = history_page(kind, obj, page_number, reveal=reveal)
        known.update((e.user_id, (e.who, e.who_detail)) for e in entries if e.user_id is not None)
        return {"page": page, "entries": entries}

    token = getattr(obj, "cell_token", None)
    if not isinstance(token, str):
        token = token_of(kind.cell_of(obj))
    key = (kind.name, obj.pk, token, page_number, reveal)
    return with_authors(cached_part(request, "history/includes/_entries.html", key, context), known)


def with_authors(html: str, known: dict[int, tuple[str, str]] | None = None) -> SafeString:
    """The part with each author's mark replaced by their name and roles as they are now: read in the users' three
    queries (none when the part was just rendered: ``known``, the authors it read)."""
    ids = {int(pk) for pk in AUTHOR_MARK.findall(html)}
    known = dict(known or {})
    missing = ids - known.keys() - {0}
    if missing:
        known.update(_users(missing))

    def author(match: re.Match[str]) -> str:
        who, detail = known.get(int(match.group(1)), (_("System"), ""))
        if detail:
            return format_html('<span class="who">{}</span> <span class="text-body-secondary">({})</span>', who, detail)
        return format_html('<span class="who">{}</span>', who)

    return mark_safe(AUTHOR_MARK.sub(author, html))  # the part and the names, escaped by the template and format_html


def _entries(
    sources: tuple[Source, ...], obj: models.Model, keys: list[tuple[Any, int, int]], *, reveal: bool
) -> list[Entry]:
    wanted: dict[int, list[int]] = defaultdict(list)
    for _date, history_id, source_index in keys:
        wanted[source_index].append(history_id)
    rows: dict[tuple[int, int], Any] = {}
    previous: dict[tuple[int, int], Any] = {}
    for index, ids in wanted.items():
        history = sources[index].model.history  # type: ignore[attr-defined]  # simple-history's manager
        earlier = (
            history.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
            .order_by("-history_id")
            .values("history_id")[:1]
        )
        page_rows = list(history.filter(history_id__in=ids).annotate(earlier_id=Subquery(earlier)))
        before = history.in_bulk([r.earlier_id for r in page_rows if r.earlier_id])
        for row in page_rows:
            rows[index, row.history_id] = row
            if row.earlier_id:
                previous[index, row.history_id] = before[row.earlier_id]

    names = _Names()
    m2m = _M2M()
    plan = []
    for _date, history_id, index in keys:
        source = sources[index]
        row = rows[index, history_id]
        old = previous.get((index, history_id))
        fields = shown_fields(source.model)
        deltas = []
        if row.history_type == "~" and old is not None:
            delta = row.diff_against(old, included_fields=[f.name for f in fields])
            by_name = {f.name: f for f in fields}
            deltas = [(by_name[c.field], c.old, c.new) for c in delta.changes]
            for f, before_value, after_value in deltas:
                names.want(f, before_value)
                names.want(f, after_value)
            for f in shown_m2m(source.model):
                m2m.want(source.model, f, row.history_id)
                m2m.want(source.model, f, old.history_id)
        if source.label:
            label_field = _label_field(source.model, source.label)
            names.want(label_field, getattr(row, label_field.attname))
        plan.append((source, row, old, deltas))

    m2m.load(names)
    names.load()
    users = _users(row.history_user_id for _s, row, _o, _d in plan)
    entries = []
    for source, row, old, deltas in plan:
        changes = [_change(f, a, b, names, reveal=reveal) for f, a, b in deltas]
        if row.history_type == "~" and old is not None:
            for f in shown_m2m(source.model):
                a, b = m2m.get(source.model, f, old.history_id), m2m.get(source.model, f, row.history_id)
                if a != b:
                    changes.append(Change(str(f.verbose_name), names.join(f, sorted(a)), names.join(f, sorted(b))))
        what = ""
        if source.label:
            label_field = _label_field(source.model, source.label)
            value = display(label_field, getattr(row, label_field.attname), names)
            what = f"{_capfirst(source.model._meta.verbose_name)}: {value}"
        who, who_detail = users.get(row.history_user_id, (_("System"), ""))
        entries.append(
            Entry(
                when=row.history_date,
                action=row.history_type,
                who=who,
                who_detail=who_detail,
                what=what,
                reason=row.history_change_reason or "",
                changes=sorted(changes, key=lambda c: c.label),
                no_earlier=row.history_type == "~" and old is None,
                user_id=row.history_user_id,
            )
        )
    return entries


def _label_field(model: type[models.Model], name: str) -> models.Field:
    """The field of ``model`` that names a row among its siblings (``Source.label``): a column of the row."""
    f = model._meta.get_field(name)
    if not isinstance(f, models.Field):
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return f


def _capfirst(text: Any) -> str:
    text = str(text)
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------------------------------------------
# Values as users read them
# ---------------------------------------------------------------------------------------------------


class _Names:
    """The names of related objects a page shows, read in one query per related model."""

    def __init__(self) -> None:
        self.ids: dict[type[models.Model], set[Any]] = defaultdict(set)
        self.found: dict[tuple[type[models.Model], Any], str] = {}

    def want(self, f: models.Field, value: Any) -> None:
        if f.is_relation and value is not None:
            self.ids[f.related_model].add(getattr(value, "pk", value))  # type: ignore[index]  # a relation's model is set

    def load(self) -> None:
        for model, ids in self.ids.items():
            for obj in _name_query(model).filter(pk__in=ids):
                self.found[model, obj.pk] = _name(obj)

    def name(self, model: type[models.Model], pk: Any) -> str:
        return self.found.get((model, pk)) or _("#%(id)s (deleted)") % {"id": pk}

    def join(self, f: models.Field, pks: Iterable[Any]) -> str:
        return ", ".join(self.name(f.related_model, pk) for pk in pks) or "—"  # type: ignore[arg-type]  # as in want()


def _name_query(model: type[models.Model]) -> Any:
    naming = NAMINGS.get(model)
    if naming and naming.related:
        return model._default_manager.select_related(*naming.related)
    return model._default_manager.all()


def _name(obj: models.Model) -> str:
    naming = NAMINGS.get(type(obj))
    if naming:
        return naming.name(obj)
    if isinstance(obj, get_user_model()):
        return obj.get_full_name() or obj.get_username()
    return str(obj)


class _M2M:
    """The members of many-to-many fields at each history row, one query per field."""

    def __init__(self) -> None:
        self.ids: dict[tuple[type[models.Model], str], set[int]] = defaultdict(set)
        self.values: dict[tuple[type[models.Model], str, int], set[Any]] = defaultdict(set)
        self.fields: dict[tuple[type[models.Model], str], models.ManyToManyField] = {}

    def want(self, model: type[models.Model], f: models.ManyToManyField, history_id: int) -> None:
        self.ids[model, f.name].add(history_id)
        self.fields[model, f.name] = f

    def load(self, names: _Names) -> None:
        for (model, name), history_ids in self.ids.items():
            f = self.fields[model, name]
            # The history of a many-to-many field is a table of (history row, related object) pairs.
            through = getattr(model.history.model, f.name).model  # type: ignore[attr-defined]  # simple-history's manager
            target = get_m2m_reverse_field_name(f)
            pairs = through.objects.filter(history_id__in=history_ids).values_list("history_id", f"{target}_id")
            for history_id, pk in pairs:
                self.values[model, name, history_id].add(pk)
                names.ids[f.related_model].add(pk)  # type: ignore[index]  # a relation's model is set

    def get(self, model: type[models.Model], f: models.ManyToManyField, history_id: int) -> set[Any]:
        return self.values.get((model, f.name, history_id), set())


def display(f: models.Field, value: Any, names: _Names) -> str:
    """A value as the pages show it: a choice's label, a related object's name, dates dd/mm/yyyy, times in the
    site's time zone."""
    if value is None or value == "":
        return "—"
    if f.is_relation:
        return names.name(f.related_model, getattr(value, "pk", value))  # type: ignore[arg-type]  # a relation's model is set
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.datetime):
        return f"{timezone.localtime(value):%H:%M %d/%m/%Y}"
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, dt.time):
        return f"{value:%H:%M}"
    if isinstance(value, Decimal):
        text = f"{value:f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(f, models.FileField):
        return str(value).rsplit("/", 1)[-1]
    if isinstance(f, models.TextField):
        return " ".join(str(value).split())
    return str(value)


def _change(f: models.Field, old: Any, new: Any, names: _Names, *, reveal: bool) -> Change:
    label = _capfirst(f.verbose_name)
    if isinstance(f, EncryptedCharField) and not reveal:
        old, new = mask(old), mask(new)
    before, after = display(f, old, names), display(f, new, names)
    if isinstance(f, models.TextField) or max(len(before), len(after)) > SHORT_TEXT:
        return compact(label, before, after)
    return Change(label, before, after)


def compact(label: str, old: str, new: str) -> Change:
    """A long text's change: the part that differs, with a few words of what stayed around it."""
    if old == "—" or new == "—":
        return Change(label, _shorten(old), _shorten(new))
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    start = _word_start(old, start)
    while end and not old[len(old) - end].isspace():  # whole words on both sides of the change
        end -= 1
    before = old[max(0, start - CONTEXT) : start]
    if start > CONTEXT:
        before = "…" + before.split(" ", 1)[-1] if " " in before else "…" + before
    tail = old[len(old) - end :] if end else ""
    after = tail
    if len(tail) > CONTEXT:
        cut = tail[:CONTEXT]
        space = cut.rfind(" ")
        after = (cut[:space] if space > 0 else cut) + "…"
    return Change(
        label,
        _shorten(old[start : len(old) - end]),
        _shorten(new[start : len(new) - end]),
        before=before,
        after=after,
    )


def _word_start(text: str, index: int) -> int:
    while index > 0 and not text[index - 1].isspace():
        index -= 1
    return index


def _shorten(text: str) -> str:
    return text if len(text) <= MIDDLE else text[: MIDDLE - 1].rstrip() + "…"


def _users(ids: Iterable[int | None]) -> dict[int, tuple[str, str]]:
    """(name, roles and login) of each user, from three queries: the users, their roles, their member records."""
    wanted = {pk for pk in ids if pk is not None}
    if not wanted:
        return {}
    users = (
        get_user_model()
        .objects.filter(pk__in=wanted)
        .prefetch_related(models.Prefetch("roles", queryset=Role.objects.select_related("organisation")))
    )
    members = dict(Member.objects.filter(user_id__in=wanted).values_list("user_id", "full_name"))
    out = {}
    for user in users:
        name = members.get(user.pk) or user.get_full_name() or user.get_username()
        roles = [str(role) for role in user.roles.all()]
        out[user.pk] = (name, " · ".join([*roles, user.get_username()]))
    return out


def record_name(obj: models.Model) -> str:
    return _name(obj)
