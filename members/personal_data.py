"""Everything the product holds about one member, for the member on request (Personal Data Protection Law).

Each app declares what it holds about a member: a ``Section`` (a title, a function from the member to rows, and
the links to a member or to their login account it covers, "app_label.Model.field"), registered from the app's
``AppConfig.ready`` (``register``). ``tests/members/test_personal_data.py`` walks every model and fails for a
link to ``Member`` or to the user model that no section covers and the commented exclusion list does not name,
so a new app cannot forget its part.

The download (``member_archive``) is a zip of two files:

- ``du-lieu-ca-nhan.xlsx``: a first sheet saying what the file is, then one sheet per section with one row per
  record under Vietnamese headers, dates as dates. A member reads it on a phone or a computer with any
  spreadsheet program, which is what most members have; every text they or others typed goes through
  ``chibo.lib.sheets.text_cell``, so nothing in it runs as a formula;
- ``du-lieu-ca-nhan.json``: the same data, for carrying to another system (the right to data portability),
  with the same Vietnamese keys and a "Giới thiệu" entry saying what it is.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from chibo.lib.sheets import text_cell
from members.models import Member, Role
from members.privacy import accesses_about, who

Row = dict[str, Any]


@dataclass(frozen=True)
class Section:
    key: str
    title: Promise | str  # lazily translated: read in Vietnamese when the file is written
    rows: Callable[[Any], list[Row]]
    covers: tuple[str, ...] = ()  # "app_label.Model.field": the links to a member or their account it exports


SECTIONS: dict[str, Section] = {}


def register(*sections: Section) -> None:
    for section in sections:
        SECTIONS[section.key] = section


def covered_links() -> set[str]:
    return {link for section in SECTIONS.values() for link in section.covers}


# ---------------------------------------------------------------------------------------------------
# Rows from model instances
# ---------------------------------------------------------------------------------------------------


def labelled_fields(model: type[models.Model], exclude: Iterable[str] = ()) -> list[models.Field]:
    """The fields a user reads, labelled as the pages label them (bookkeeping fields have no label)."""
    skip = set(exclude)
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in skip and not f.primary_key and isinstance(f.verbose_name, Promise)
    ]


def value(obj: models.Model, f: models.Field) -> Any:
    """A field's value as a member reads it: choices by label, related rows by name, local times."""
    raw = getattr(obj, f.attname)
    if raw is None or raw == "":
        return None
    if f.choices:
        return str(dict(f.flatchoices).get(raw, raw))
    if f.is_relation:
        return str(getattr(obj, f.name))
    if isinstance(f, models.FileField):
        return str(raw).rsplit("/", 1)[-1]
    return plain(raw)


def plain(raw: Any) -> Any:
    if isinstance(raw, bool):
        return _("Yes") if raw else _("No")
    if isinstance(raw, dt.datetime):
        return timezone.localtime(raw).replace(tzinfo=None, microsecond=0) if timezone.is_aware(raw) else raw
    if isinstance(raw, Decimal):
        return float(raw)
    if isinstance(raw, dt.time):
        return raw.strftime("%H:%M")
    if isinstance(raw, (list, dict)):
        return json.dumps(raw, ensure_ascii=False)
    return raw


def model_rows(
    objects: Iterable[models.Model],
    *,
    exclude: Iterable[str] = (),
    extra: Callable[[Any], Row] | None = None,
) -> list[Row]:
    """One row per object: every labelled field (less ``exclude``), then ``extra(obj)``'s columns."""
    rows = []
    fields: list[models.Field] | None = None
    for obj in objects:
        if fields is None:
            fields = labelled_fields(type(obj), exclude)
        row = {capfirst(str(f.verbose_name)): value(obj, f) for f in fields}
        if extra:
            row.update(extra(obj))
        rows.append(row)
    return rows


# ---------------------------------------------------------------------------------------------------
# The file
# ---------------------------------------------------------------------------------------------------


def member_data(member: Any) -> list[tuple[str, list[Row]]]:
    """(title, rows) of every registered section, in Vietnamese."""
    with translation.override("vi"):
        return [(str(section.title), section.rows(member)) for section in SECTIONS.values()]


def _introduction(member: Any) -> list[str]:
    return [
        _("Personal data held about %(name)s") % {"name": member.full_name},
        _("Made on %(when)s at the member's request.") % {"when": f"{timezone.localtime():%H:%M %d/%m/%Y}"},
        _(
            "Each sheet (each entry of the JSON file) holds one kind of record kept about the member: the profile, "
            "status changes, roles, tasks and reports, meetings, votes, evaluations, notifications, the change "
            "history of the record and who viewed or exported it."
        ),
        _("Ask the cell's secretary to correct anything that is wrong."),
    ]


def _sheet_title(title: str, used: set[str]) -> str:
    clean = "".join(" " if c in "[]:*?/\\" else c for c in title)[:28].strip()
    name, n = clean, 2
    while name.lower() in used:
        name, n = f"{clean} {n}", n + 1
    used.add(name.lower())
    return name


def workbook(member: Any, data: list[tuple[str, list[Row]]], introduction: list[str]) -> bytes:
    book = Workbook(write_only=True)
    used: set[str] = set()
    intro = book.create_sheet(_sheet_title(_("Introduction"), used))
    intro.column_dimensions["A"].width = 120
    for line in introduction:
        intro.append([text_cell(intro, line)])
    bold = Font(bold=True)
    for title, rows in data:
        sheet = book.create_sheet(_sheet_title(title, used))
        headers: list[str] = []
        for row in rows:
            headers.extend(key for key in row if key not in headers)
        if not rows:
            sheet.append([_("Nothing recorded.")])
            continue
        for index in range(len(headers)):
            sheet.column_dimensions[chr(ord("A") + index) if index < 26 else "A"].width = 22
        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(sheet, value=header)
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            out = []
            for header in headers:
                v = row.get(header)
                if isinstance(v, dt.datetime):
                    cell = WriteOnlyCell(sheet, value=v)
                    cell.number_format = "dd/mm/yyyy hh:mm"
                    out.append(cell)
                elif isinstance(v, dt.date):
                    cell = WriteOnlyCell(sheet, value=v)
                    cell.number_format = "dd/mm/yyyy"
                    out.append(cell)
                else:
                    out.append(text_cell(sheet, v))
            sheet.append(out)
    out_file = io.BytesIO()
    book.save(out_file)
    return out_file.getvalue()


def _json_value(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return v.strftime("%d/%m/%Y %H:%M")
    if isinstance(v, dt.date):
        return v.strftime("%d/%m/%Y")
    return v


def member_archive(member: Any) -> bytes:
    """The zip the member downloads: the workbook and the JSON file, with the same data."""
    data = member_data(member)
    with translation.override("vi"):
        introduction = _introduction(member)
        book = workbook(member, data, introduction)
        document = {
            _("Introduction"): introduction,
            **{title: [{k: _json_value(v) for k, v in row.items()} for row in rows] for title, rows in data},
        }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("du-lieu-ca-nhan.xlsx", book)
        archive.writestr("du-lieu-ca-nhan.json", json.dumps(document, ensure_ascii=False, indent=2))
    return out.getvalue()


# ---------------------------------------------------------------------------------------------------
# What the members app holds
# ---------------------------------------------------------------------------------------------------


def _profile(member: Any) -> list[Row]:
    def extra(obj: Any) -> Row:
        return {
            capfirst(_("backgrounds")): ", ".join(str(b) for b in obj.backgrounds.all()) or None,
            capfirst(_("login account")): obj.user.get_username() if obj.user_id else None,
        }

    return model_rows([member], extra=extra)


def _member_rows(relation: str, order: tuple[str, ...]) -> Callable[[Any], list[Row]]:
    def rows(member: Any) -> list[Row]:
        return model_rows(getattr(member, relation).order_by(*order), exclude=("member",))

    return rows


def _roles(member: Any) -> list[Row]:
    if not member.user_id:
        return []
    return model_rows(Role.objects.filter(user_id=member.user_id).select_related("organisation"), exclude=("user",))


def _history(member: Any) -> list[Row]:
    """Every recorded state of the member's record: when, what kind of change, by whom, and the values then."""
    kinds = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}
    fields = labelled_fields(Member)
    rows = []
    for record in member.history.select_related("history_user").order_by("history_date", "history_id"):
        user = record.history_user
        row: Row = {
            capfirst(_("time")): plain(record.history_date),
            capfirst(_("change")): str(kinds.get(record.history_type, record.history_type)),
            capfirst(_("account")): (user.get_full_name() or user.get_username()) if user else _("System"),
            capfirst(_("reason")): record.history_change_reason or None,
        }
        row.update({capfirst(str(f.verbose_name)): value(record, f) for f in fields})
        rows.append(row)
    return rows


def _access_log(member: Any) -> list[Row]:
    _total, rows = accesses_about(member, limit=100_000)

    def extra(obj: Any) -> Row:
        return {capfirst(_("account")): who(obj) or _("System")}

    return model_rows(reversed(rows), exclude=("member", "user"), extra=extra)


def member_sections() -> tuple[Section, ...]:
    return (
        Section("profile", gettext_lazy("Profile"), _profile, ("members.Member.user",)),
        Section(
            "events",
            gettext_lazy("Status changes"),
            _member_rows("events", ("on", "pk")),
            ("members.MemberEvent.member",),
        ),
        Section(
            "exemptions",
            gettext_lazy("Exemptions"),
            _member_rows("exemptions", ("starts_on", "pk")),
            ("members.Exemption.member",),
        ),
        Section(
            "away",
            gettext_lazy("Away periods"),
            _member_rows("away_periods", ("starts_on", "pk")),
            ("members.AwayPeriod.member",),
        ),
        Section(
            "suspensions",
            gettext_lazy("Suspensions"),
            _member_rows("suspensions", ("starts_on", "pk")),
            ("members.Suspension.member",),
        ),
        Section(
            "disciplines",
            gettext_lazy("Disciplines"),
            _member_rows("disciplines", ("decided_on", "pk")),
            ("members.Discipline.member",),
        ),
        Section("roles", gettext_lazy("Roles"), _roles, ("members.Role.user",)),
        Section("history", gettext_lazy("Change history"), _history),
        Section(
            "access",
            gettext_lazy("Who viewed or exported the data"),
            _access_log,
            ("members.PersonalDataAccess.member",),
        ),
    )
