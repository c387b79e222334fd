"""The dashboard of an organisation: one row per child, each cell's figures aggregated in the database.

``dashboard(org, day)`` answers for any level of the tree with the same code. Its rows are the organisation's
children (for a ward its cells; for a city or province its wards, each with its cells summed; for a cell the cell
itself). The figures are read per cell in a FIXED number of queries, whatever the number of cells, tasks or
months (each query groups by cell over the subtree's materialised-path prefix), then rolled up to the rows in
Python by path prefix, as ``members.views.org_tree`` does for member counts:

1. the organisations: the children and every cell of the subtree;
2. the resolutions that may be "current": this month's monthly ones and those in force;
3. the tasks of resolutions in force, counted and summed per cell;
4. attendance per cell (this month and the last 12) and per month for the chart;
5. per cell: the last meeting held, meetings last month, monthly reviews this month;
6. tasks whose deadline fell in each of the last 12 months and that were not done by it.

The status light of a cell is decided by one function, ``status_light``; the light of a row above the cells is
the worst light of its cells (``worst_light``), so a ward is "off track" as soon as one of its cells is.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from functools import reduce
from operator import or_
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce, Substr, TruncMonth
from django.template.backends.django import Template as DjangoTemplate
from django.template.loader import get_template, render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dashboards.charts import bar_chart, line_chart
from dashboards.documents import pending_documents, pending_per_cell
from meetings.figures import (
    attendance_per_cell,
    held_meetings,
    last_months,
    meeting_figures,
    meetings_per_cell,
    rate,
)
from members.models import Organisation
from members.versions import tokens
from resolutions.models import Resolution, Task
from resolutions.rules import adopted_in_month, progress_from_sums

# ---------------------------------------------------------------------------------------------------
# Settings and the status light
# ---------------------------------------------------------------------------------------------------

ON_TRACK = "on_track"
AT_RISK = "at_risk"
OFF_TRACK = "off_track"
T = TypeVar("T")
# Worst first: the order of severity, used to roll lights up and to sort by light.
LIGHTS = (OFF_TRACK, AT_RISK, ON_TRACK)


@dataclass(frozen=True)
class Thresholds:
    """The dashboard's thresholds; each can be set in ``settings.CHIBO["DASHBOARD"]`` by its upper-case name."""

    # A monthly resolution is adopted on time when adopted at most this many days after its period starts.
    adopted_within_days: int = 7
    # Off track when more than this share of the tasks in force (in percent) is overdue.
    off_track_overdue_percent: int = 20
    # At risk when this month's attendance rate (in percent) is below this.
    at_risk_attendance_percent: int = 80
    # At risk when this month's review is still missing after this day of the month.
    review_due_day: int = 25


def thresholds() -> Thresholds:
    conf = settings.CHIBO.get("DASHBOARD", {})
    return Thresholds(**{f.name: int(conf.get(f.name.upper(), f.default)) for f in fields(Thresholds)})


@dataclass(frozen=True)
class CellFacts:
    """What the light of one cell is decided on."""

    in_force: bool  # the cell has an adopted resolution in force
    tasks_total: int
    tasks_overdue: int
    met_last_month: bool  # a meeting was held (or its minutes approved) last month
    attendance_rate: int | None  # this month; None while no meeting was held this month
    reviewed: bool  # a monthly review was written at a meeting held this month
    day_of_month: int


def status_light(facts: CellFacts, limits: Thresholds) -> tuple[str, list[str]]:
    """The light of a cell and the reasons for it (shown on hover).

    Off track: no adopted resolution in force, or more than ``off_track_overdue_percent`` % of the tasks overdue,
    or no meeting held last month. At risk: any task overdue, attendance this month below
    ``at_risk_attendance_percent`` %, or this month's review missing after day ``review_due_day``. Else on track.
    """
    off: list[str] = []
    if not facts.in_force:
        off.append(_("no adopted resolution in force"))
    if facts.tasks_total and facts.tasks_overdue * 100 > limits.off_track_overdue_percent * facts.tasks_total:
        off.append(_("more than %(percent)d%% of the tasks overdue") % {"percent": limits.off_track_overdue_percent})
    if not facts.met_last_month:
        off.append(_("no meeting held last month"))
    if off:
        return OFF_TRACK, off
    risk: list[str] = []
    if facts.tasks_overdue:
        risk.append(
            ngettext("%(count)d task overdue", "%(count)d tasks overdue", facts.tasks_overdue)
            % {"count": facts.tasks_overdue}
        )
    if facts.attendance_rate is not None and facts.attendance_rate < limits.at_risk_attendance_percent:
        risk.append(_("attendance this month below %(percent)d%%") % {"percent": limits.at_risk_attendance_percent})
    if not facts.reviewed and facts.day_of_month > limits.review_due_day:
        risk.append(_("no monthly review after the %(day)dth") % {"day": limits.review_due_day})
    if risk:
        return AT_RISK, risk
    return ON_TRACK, []


def worst_light(lights: Iterable[str | None]) -> str | None:
    present = [light for light in lights if light]
    return min(present, key=LIGHTS.index) if present else None


def light_labels() -> dict[str, str]:
    return {ON_TRACK: _("On track"), AT_RISK: _("At risk"), OFF_TRACK: _("Off track")}


def light_legend(limits: Thresholds) -> list[tuple[str, str, str]]:
    """(light, label, rule) for the legend on the page; the same rule as ``status_light``."""
    labels = light_labels()
    return [
        (
            OFF_TRACK,
            labels[OFF_TRACK],
            _(
                "no adopted resolution in force, or more than %(overdue)d%% of the tasks overdue, "
                "or no meeting held last month"
            )
            % {"overdue": limits.off_track_overdue_percent},
        ),
        (
            AT_RISK,
            labels[AT_RISK],
            _(
                "a task overdue, or attendance this month below %(attendance)d%%, "
                "or no monthly review after the %(day)dth of the month"
            )
            % {"attendance": limits.at_risk_attendance_percent, "day": limits.review_due_day},
        ),
        (ON_TRACK, labels[ON_TRACK], _("none of the above")),
    ]


# ---------------------------------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------------------------------


@dataclass
class Figures:
    """Additive figures of one cell or of many (sums: rates are taken from summed numerators/denominators)."""

    cells: int = 0
    in_force: int = 0  # cells with an adopted resolution in force
    on_time: int = 0  # cells whose current resolution was adopted on time
    tasks_total: int = 0
    tasks_done: int = 0
    tasks_overdue: int = 0
    progress_score: int = 0  # Σ (100 if done else progress) × weight, cancelled tasks left out
    progress_weight: int = 0  # Σ weight (an unset weight counts 1)
    attended_month: int = 0
    expected_month: int = 0
    attended_year: int = 0
    expected_year: int = 0
    met_last_month: int = 0  # cells with a meeting held last month
    reviewed: int = 0  # cells with a monthly review this month
    adopted_month: int = 0  # resolutions adopted this month, every one of each cell (``rules.adopted_in_month``)

    def add(self, other: Figures) -> None:
        # Spelled out: this runs once per cell and row, thousands of times on a province's page.
        self.cells += other.cells
        self.in_force += other.in_force
        self.on_time += other.on_time
        self.tasks_total += other.tasks_total
        self.tasks_done += other.tasks_done
        self.tasks_overdue += other.tasks_overdue
        self.progress_score += other.progress_score
        self.progress_weight += other.progress_weight
        self.attended_month += other.attended_month
        self.expected_month += other.expected_month
        self.attended_year += other.attended_year
        self.expected_year += other.expected_year
        self.met_last_month += other.met_last_month
        self.reviewed += other.reviewed
        self.adopted_month += other.adopted_month


@dataclass
class Row:
    org: Organisation
    figures: Figures = field(default_factory=Figures)
    last_meeting: dt.date | None = None
    resolution: Resolution | None = None  # a cell's current resolution
    adopted: list[Resolution] = field(default_factory=list)  # a cell's resolutions adopted this month
    adopted_on_time: bool | None = None  # a cell's: None without a current adopted resolution
    light: str | None = None
    reasons: list[str] = field(default_factory=list)
    light_counts: dict[str, int] = field(default_factory=dict)  # a row above the cells: its cells by light
    key: str | None = None  # the cache key of the row's figures; None when they were computed for a narrower scope
    # Committee documents in force its cells have not made concrete yet: (document, cell) pairs, and those late.
    # Read on every build of the board (``documents.pending_documents``), never kept in the row's cached part: a
    # committee's document renews the committee's token, not the cells'. (A document of a committee above the
    # page's organisation renews only that committee's token: the page kept under its own token shows it after the
    # next write under it, or the next day.)
    upper_pending: int = 0
    upper_late: int = 0

    @property
    def is_cell(self) -> bool:
        return self.org.is_cell

    @property
    def progress(self) -> int | None:
        f = self.figures
        return progress_from_sums(f.progress_score, f.progress_weight)

    @property
    def attendance_month(self) -> int | None:
        return rate(self.figures.attended_month, self.figures.expected_month)

    @property
    def attendance_year(self) -> int | None:
        return rate(self.figures.attended_year, self.figures.expected_year)

    @property
    def review_missing(self) -> int:
        return self.figures.cells - self.figures.reviewed

    @property
    def light_label(self) -> str:
        return light_labels().get(self.light or "", "")

    @property
    def light_title(self) -> str:
        """The hover text: why the light is what it is."""
        if not self.light:
            return ""
        return f"{self.light_label}: {'; '.join(self.reasons)}" if self.reasons else self.light_label

    def take(self, other: Row) -> None:
        """Add a cell's row, or an upper row made of cells, into this (upper) row."""
        self.figures.add(other.figures)
        if other.last_meeting and (self.last_meeting is None or other.last_meeting > self.last_meeting):
            self.last_meeting = other.last_meeting
        if other.is_cell:
            if other.light:
                self.light_counts[other.light] = self.light_counts.get(other.light, 0) + 1
        else:
            for light, count in other.light_counts.items():
                self.light_counts[light] = self.light_counts.get(light, 0) + count

    def close(self) -> None:
        """An upper row's light: the worst of its cells, with the count of cells per light as the reason."""
        if self.is_cell:
            return
        self.light = worst_light(self.light_counts)
        labels = light_labels()
        self.reasons = [
            ngettext("%(count)d cell %(light)s", "%(count)d cells %(light)s", self.light_counts[light])
            % {"count": self.light_counts[light], "light": labels[light].lower()}
            for light in LIGHTS
            if self.light_counts.get(light)
        ]


@dataclass
class Dashboard:
    org: Organisation
    day: dt.date
    limits: Thresholds
    rows: list[Row]
    total: Row  # the whole subtree shown (only the cells the user oversees)
    months: list[dt.date]  # first days of the last 12 months, oldest first
    attendance_series: list[int | None]
    attendance_counts: list[tuple[int, int]]  # (attended, expected) per month
    overdue_series: list[int]


# ---------------------------------------------------------------------------------------------------
# The aggregation
# ---------------------------------------------------------------------------------------------------

# A task done by its deadline (a done task without a closing date counts as done in time).
DONE_IN_TIME = Q(status=Task.Status.DONE) & (Q(completed_on__isnull=True) | Q(completed_on__lte=F("deadline")))


def _under(field_name: str, paths: Iterable[str]) -> Q:
    return reduce(or_, (Q(**{f"{field_name}__startswith": path}) for path in paths))


def _as_date(value: Any) -> dt.date:
    """TruncMonth gives a date on PostgreSQL and SQLite alike; be tolerant of a datetime."""
    return value.date() if isinstance(value, dt.datetime) else value


def is_current_candidate(resolution: Resolution, day: dt.date) -> bool:
    return resolution.kind == Resolution.Kind.MONTHLY and resolution.period_start <= day <= resolution.period_end


def current_resolution(resolutions: list[Resolution], day: dt.date) -> Resolution | None:
    """The latest monthly resolution whose period contains ``day``, else the latest one in force."""
    monthly = [r for r in resolutions if is_current_candidate(r, day)]
    if monthly:
        return max(monthly, key=lambda r: (r.period_start, r.seq))
    live = [r for r in resolutions if r.status in Resolution.LIVE]
    return max(live, key=lambda r: (r.period_start, r.seq)) if live else None


@dataclass
class Part:
    """What one row contributes, computed from its own cells: the row (for a cell, the cell's row; above, the
    cells summed but not yet closed), and its counts per month for the two series. Cached per row."""

    row: Row
    month_sums: dict[dt.date, list[int]]
    overdue: dict[dt.date, int]


def dashboard(org: Organisation, day: dt.date, *, within: tuple[str, ...] | None = None) -> Dashboard:
    """The dashboard of ``org`` on ``day``. ``within``: only the cells under these paths (a member in charge
    sees only their cells); None for every cell under ``org``.

    Each row's part is cached under the row's token (``members.versions``), renewed by every write
    under it, so a province's page recomputes only the wards where something changed since it was last shown.
    A scoped page (``within``) is small and always computed."""
    limits = thresholds()
    scope = _scope(org, within)
    months = last_months(day)
    row_len = org.steplen * (org.depth if org.is_cell else org.depth + 1)
    cached_rows = within is None and not org.is_cell

    row_orgs, cells = _rows(org, scope, row_len=row_len, cached_rows=cached_rows)
    parts: dict[str, Part] = {}
    keys: dict[str, str] = {}
    if cached_rows and row_orgs:
        parts, keys = _cached_parts(row_orgs, day=day, limits=limits)
    stale = [path for path in row_orgs if path not in parts]
    if len(stale) > MAX_STALE_PATHS:
        stale = list(row_orgs)  # one prefix scans as fast as many, and its plan stays simple
    if stale:
        narrowed = cached_rows and len(stale) < len(row_orgs)
        stale_scope = tuple(stale) if narrowed else scope
        if cached_rows:
            # Query 3: the cells under the rows to compute.
            cells = list(
                Organisation.objects.filter(_under("path", stale_scope))
                .filter(kind=Organisation.Kind.CELL)
                .only("pk", "name", "kind", "path", "depth", "code")
            )
        stale_set = set(stale)
        fresh = _parts(
            {path: row_orgs[path] for path in stale},
            [c for c in cells if c.path[:row_len] in stale_set],
            stale_scope,
            row_len=row_len,
            day=day,
            months=months,
            limits=limits,
        )
        if keys:
            cache.set_many({keys[path]: part for path, part in fresh.items()}, timeout=CACHE_SECONDS)
        parts.update(fresh)
    for path, key in keys.items():
        parts[path].row.key = key
    board = _assemble(org, day, limits=limits, months=months, row_orgs=row_orgs, parts=parts)
    _count_upper_documents(board, scope, row_len=row_len)
    return board


def page_scope(org: Organisation, within: tuple[str, ...] | None) -> tuple[str, ...]:
    """The paths whose cells a page of ``org`` counts for a user who oversees ``within`` (``_scope``)."""
    return _scope(org, within)


def _count_upper_documents(board: Dashboard, scope: tuple[str, ...], *, row_len: int) -> None:
    """The column "Văn bản cấp trên": per row, the committee documents in force its cells have not made concrete
    (four queries, ``documents.pending_documents``, the same as the page the figure opens)."""
    per_cell = pending_per_cell(pending_documents(board.org, scope, board.day))
    rows = {row.org.path: row for row in board.rows}
    separate_total = all(row is not board.total for row in board.rows)
    for row in [*board.rows, board.total] if separate_total else board.rows:
        row.upper_pending = row.upper_late = 0
    for path, (pending, late) in per_cell.items():
        cell_row = rows.get(path[:row_len])
        if cell_row is not None:
            cell_row.upper_pending += pending
            cell_row.upper_late += late
        if separate_total:
            board.total.upper_pending += pending
            board.total.upper_late += late


def _scope(org: Organisation, within: tuple[str, ...] | None) -> tuple[str, ...]:
    """The paths whose cells the page counts: ``org``'s own, or those of ``within`` under it."""
    scope = tuple(p for p in within if p.startswith(org.path)) if within is not None else (org.path,)
    if within is not None:
        # A path above ``org`` (the user oversees all of it) narrows nothing.
        scope = (org.path,) if any(org.path.startswith(p) for p in within) else scope
    if not scope:
        scope = ("#",)  # no path starts with "#": an empty scope that still runs the same queries
    return scope


def _rows(
    org: Organisation, scope: tuple[str, ...], *, row_len: int, cached_rows: bool
) -> tuple[dict[str, Organisation], list[Organisation]]:
    """Query 1: the rows (by path) and the cells in scope.

    The rows are the children (and, for a scoped page or a cell's own, every cell within what the user oversees;
    a page of everything under ``org`` reads its cells only for the rows it must compute)."""

    def in_scope(path: str) -> bool:
        return any(path.startswith(p) for p in scope)

    children = Q(depth=org.depth + 1) if cached_rows else Q(depth=org.depth + 1) | Q(kind=Organisation.Kind.CELL)
    orgs = list(
        Organisation.objects.filter(path__startswith=org.path)
        .filter(children)
        .exclude(kind=Organisation.Kind.GROUP)
        .only("pk", "name", "kind", "path", "depth", "code")
    )
    cells = [o for o in orgs if o.is_cell and in_scope(o.path)]
    row_paths = {c.path[:row_len] for c in cells}
    row_orgs = {o.path: o for o in orgs if len(o.path) == row_len and (o.path in row_paths or in_scope(o.path))}
    return row_orgs, cells


def _cached_parts(
    row_orgs: dict[str, Organisation], *, day: dt.date, limits: Thresholds
) -> tuple[dict[str, Part], dict[str, str]]:
    """Query 2: the rows' tokens; the parts cached under them need no other query. Returns the parts found and
    the cache key of every row."""
    current = tokens(row_orgs)
    suffix = f"{day.isoformat()}:{translation.get_language()}:{hash(limits)}"
    keys = {path: f"dashboard-part:{path}:{current.get(path, '')}:{suffix}" for path in row_orgs}
    cached = cache.get_many(list(keys.values()))
    return {path: cached[key] for path, key in keys.items() if key in cached}, keys


def _assemble(
    org: Organisation,
    day: dt.date,
    *,
    limits: Thresholds,
    months: list[dt.date],
    row_orgs: dict[str, Organisation],
    parts: dict[str, Part],
) -> Dashboard:
    """The rows closed (their lights), the total and the two monthly series, summed from the rows' parts."""
    total = Row(org)
    month_sums: dict[dt.date, list[int]] = {m: [0, 0] for m in months}
    overdue: dict[dt.date, int] = {}
    rows = []
    for path in sorted(row_orgs):
        part = parts[path]
        part.row.org = row_orgs[path]  # this request's instance: a renamed organisation shows its new name
        rows.append(part.row)
        for month, (attended, expected) in part.month_sums.items():
            if month in month_sums:
                month_sums[month][0] += attended
                month_sums[month][1] += expected
        for month, n in part.overdue.items():
            overdue[month] = overdue.get(month, 0) + n
        if part.row.figures.cells:
            total.take(part.row)
    for row in rows:
        row.close()
    if org.is_cell and rows:
        total = rows[0]
    else:
        total.close()

    return Dashboard(
        org=org,
        day=day,
        limits=limits,
        rows=rows,
        total=total,
        months=months,
        attendance_series=[rate(*month_sums[m]) for m in months],
        attendance_counts=[(month_sums[m][0], month_sums[m][1]) for m in months],
        overdue_series=[overdue.get(m, 0) for m in months],
    )


# How long a row's part may stay cached. A write renews its token at once; this only bounds what an idle cache
# keeps (a part is also keyed by the day, so yesterday's are never read again).
CACHE_SECONDS = 6 * 60 * 60
# Above this many rows to recompute, the queries cover the whole organisation rather than list each row's path.
MAX_STALE_PATHS = 8


def _parts(
    row_orgs: dict[str, Organisation],
    cells: list[Organisation],
    scope: tuple[str, ...],
    *,
    row_len: int,
    day: dt.date,
    months: list[dt.date],
    limits: Thresholds,
) -> dict[str, Part]:
    """The parts of these rows from their ``cells`` (every cell under ``scope``), in six queries."""
    this_month, last_month = months[-1], months[-2]
    first_month = months[0]
    cell_q = Q(cell_id__in=[c.pk for c in cells])

    resolutions_by_cell = _candidate_resolutions(cell_q, day=day, this_month=this_month)
    tasks = _task_sums(scope, day=day)
    held = held_meetings(cell_q, day=day, first_month=first_month)
    attendance = attendance_per_cell(held, this_month=this_month)
    month_sums = _attendance_by_month(held, row_orgs, row_len=row_len)
    meetings = meetings_per_cell(cell_q, day=day, this_month=this_month, last_month=last_month)
    overdue = _overdue_by_month(scope, row_orgs, row_len=row_len, first_month=first_month, day=day)

    parts = {path: Part(Row(org), month_sums[path], overdue[path]) for path, org in row_orgs.items()}
    for cell in cells:
        part = parts[cell.path[:row_len]]
        cell_row = part.row if part.row.org.path == cell.path else Row(cell)
        _fill_cell(
            cell_row,
            day=day,
            month=this_month,
            limits=limits,
            resolutions=resolutions_by_cell.get(cell.pk, []),
            tasks=tasks.get(cell.pk),
            attendance=attendance.get(cell.pk, ((0, 0), (0, 0))),
            meetings=meetings.get(cell.pk),
        )
        if cell_row is not part.row:
            part.row.take(cell_row)
    return parts


def _candidate_resolutions(cell_q: Q, *, day: dt.date, this_month: dt.date) -> dict[int, list[Resolution]]:
    """Per cell, the resolutions that may be its current one: those in force, and monthly ones whose period
    contains the day (not rejected or withdrawn); and every one adopted this month, whatever became of it since."""
    resolutions_by_cell: dict[int, list[Resolution]] = {}
    for resolution in (
        Resolution.objects.filter(cell_q)
        .filter(
            Q(status__in=Resolution.LIVE, period_start__lte=day)
            | Q(kind=Resolution.Kind.MONTHLY, period_start__lte=day, period_end__gte=day)
            | Q(adopted_on__gte=this_month, adopted_on__lte=day)
        )
        .exclude(status__in=(Resolution.Status.REJECTED, Resolution.Status.WITHDRAWN))
        .only("pk", "cell_id", "kind", "status", "number", "title", "period_start", "period_end", "adopted_on", "seq")
    ):
        resolutions_by_cell.setdefault(resolution.cell_id, []).append(resolution)
    return resolutions_by_cell


def _task_sums(scope: tuple[str, ...], *, day: dt.date) -> dict[int, dict[str, Any]]:
    """Tasks of resolutions in force per cell: counts, and the progress roll-up's sums
    (``rules.rolled_up_progress``: a done task counts 100, an unset weight counts 1, cancelled tasks not at all)."""
    weight = Coalesce(F("weight"), Value(1), output_field=IntegerField())
    return {
        row["resolution__cell_id"]: row
        for row in Task.objects.filter(_under("resolution__cell__path", scope))
        .filter(resolution__cell__kind=Organisation.Kind.CELL)  # a committee's own document is no cell's
        .in_force()
        .values("resolution__cell_id")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status=Task.Status.DONE)),
            overdue=Count("pk", filter=Q(status__in=Task.OPEN, deadline__lt=day)),
            score=Sum(
                Case(When(status=Task.Status.DONE, then=Value(100)), default=F("progress"), output_field=IntegerField())
                * weight
            ),
            weight=Sum(weight),
        )
        .order_by()
    }


def _attendance_by_month(
    held: Any, row_orgs: dict[str, Organisation], *, row_len: int
) -> dict[str, dict[dt.date, list[int]]]:
    """The attendance counts of the meetings ``held`` per row and month (the chart): [attended, expected]."""
    row_of = Substr("cell__path", 1, row_len)
    month_sums: dict[str, dict[dt.date, list[int]]] = {path: {} for path in row_orgs}
    for row in (
        held.annotate(row=row_of, month=TruncMonth("date"))
        .values("row", "month")
        .annotate(attended=Sum("attended_count"), expected=Sum("expected_count"))
    ):
        if row["row"] in month_sums:
            month_sums[row["row"]][_as_date(row["month"])] = [row["attended"] or 0, row["expected"] or 0]
    return month_sums


def _overdue_by_month(
    scope: tuple[str, ...], row_orgs: dict[str, Organisation], *, row_len: int, first_month: dt.date, day: dt.date
) -> dict[str, dict[dt.date, int]]:
    """Per row and month, tasks whose deadline fell in it (and has passed) that were not done by the deadline."""
    overdue: dict[str, dict[dt.date, int]] = {path: {} for path in row_orgs}
    for row in (
        Task.objects.filter(_under("resolution__cell__path", scope))
        .filter(resolution__cell__kind=Organisation.Kind.CELL)  # a committee's own document is no cell's
        .filter(resolution__status__in=Resolution.CARRIED_OUT, deadline__gte=first_month, deadline__lt=day)
        .exclude(status=Task.Status.CANCELLED)
        .exclude(DONE_IN_TIME)
        .annotate(row=Substr("resolution__cell__path", 1, row_len), month=TruncMonth("deadline"))
        .values("row", "month")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        if row["row"] in overdue:
            overdue[row["row"]][_as_date(row["month"])] = row["n"]
    return overdue


def _fill_cell(
    row: Row,
    *,
    day: dt.date,
    month: dt.date,
    limits: Thresholds,
    resolutions: list[Resolution],
    tasks: dict[str, Any] | None,
    attendance: tuple[tuple[int, int], tuple[int, int]],
    meetings: dict[str, Any] | None,
) -> None:
    current = current_resolution(resolutions, day)
    in_force = any(r.status in Resolution.LIVE for r in resolutions)
    adopted_on = current.adopted_on if current is not None else None
    adopted = adopted_on is not None
    on_time = (
        current is not None
        and adopted_on is not None
        and adopted_on <= current.period_start + dt.timedelta(days=limits.adopted_within_days)
    )
    adopted_this_month = sorted(
        (r for r in resolutions if adopted_in_month(status=r.status, adopted_on=r.adopted_on, month=month, day=day)),
        key=lambda r: (r.adopted_on, r.seq),
    )
    f = Figures(
        cells=1,
        in_force=int(in_force),
        on_time=int(on_time),
        tasks_total=tasks["total"] if tasks else 0,
        tasks_done=tasks["done"] if tasks else 0,
        tasks_overdue=tasks["overdue"] if tasks else 0,
        progress_score=(tasks["score"] or 0) if tasks else 0,
        progress_weight=(tasks["weight"] or 0) if tasks else 0,
        adopted_month=len(adopted_this_month),
        **meeting_figures(attendance, meetings),
    )
    row.figures = f
    row.resolution = current
    row.adopted = adopted_this_month
    row.adopted_on_time = on_time if adopted else None
    row.last_meeting = meetings["last"] if meetings else None
    row.light, row.reasons = status_light(
        CellFacts(
            in_force=in_force,
            tasks_total=f.tasks_total,
            tasks_overdue=f.tasks_overdue,
            met_last_month=bool(f.met_last_month),
            attendance_rate=rate(f.attended_month, f.expected_month),
            reviewed=bool(f.reviewed),
            day_of_month=day.day,
        ),
        limits,
    )


# ---------------------------------------------------------------------------------------------------
# Sorting and filtering rows
# ---------------------------------------------------------------------------------------------------

SORT_KEYS: dict[str, Callable[[Row], Any]] = {
    "name": lambda r: r.org.name.casefold(),
    "on_time": lambda r: r.figures.on_time,
    "tasks": lambda r: r.figures.tasks_total,
    "done": lambda r: r.figures.tasks_done,
    "overdue": lambda r: r.figures.tasks_overdue,
    "progress": lambda r: r.progress,
    "last_meeting": lambda r: r.last_meeting,
    "attendance_month": lambda r: r.attendance_month,
    "attendance_year": lambda r: r.attendance_year,
    "review": lambda r: r.review_missing,
    "upper_documents": lambda r: r.upper_pending,
    "light": lambda r: LIGHTS.index(r.light) if r.light else None,
}


def ordered(items: list[T], value: Callable[[T], Any], path: Callable[[T], str], descending: bool) -> list[T]:
    """Items sorted by ``value`` then ``path``; items without a value go last in either direction."""
    known = [r for r in items if value(r) is not None]
    unknown = [r for r in items if value(r) is None]
    return sorted(known, key=lambda r: (value(r), path(r)), reverse=descending) + unknown


def sort_rows(rows: list[Row], key: str, descending: bool = False) -> list[Row]:
    """Rows sorted by a column; rows without a value go last in either direction."""
    return ordered(rows, SORT_KEYS.get(key, SORT_KEYS["name"]), lambda r: r.org.path, descending)


def filter_rows(rows: list[Row], light: str | None) -> list[Row]:
    return [r for r in rows if r.light == light] if light in LIGHTS else rows


@dataclass(frozen=True)
class RowOrder:
    """How the page (and its spreadsheet) orders and filters the rows, read from its query string: an unknown
    column sorts by name, an unknown light shows every row."""

    sort: str = "name"
    descending: bool = False
    light: str = ""

    @classmethod
    def from_query(cls, query: Any) -> RowOrder:
        sort = query.get("sort", "name")
        light = query.get("light", "")
        return cls(
            sort=sort if sort in SORT_KEYS else "name",
            descending=query.get("dir") == "desc",
            light=light if light in LIGHTS else "",
        )

    def shown(self, rows: list[Row]) -> list[Row]:
        return sort_rows(filter_rows(rows, self.light or None), self.sort, self.descending)

    def link(self, **changes: str) -> str:
        """The page's query string for this order with ``changes`` (an empty value leaves a parameter out)."""
        params = {"light": self.light}
        if self.sort != "name" or self.descending:
            params.update(sort=self.sort, dir="desc" if self.descending else "asc")
        params.update(changes)
        return "?" + urlencode({key: value for key, value in params.items() if value})


# ---------------------------------------------------------------------------------------------------
# The page: its rows' HTML (cached beside their figures), its columns and charts
# ---------------------------------------------------------------------------------------------------


ROW_TEMPLATE = "dashboards/includes/_row.html"
LOW_PRIORITY_COLUMNS = ("last_meeting", "attendance_year")


@functools.cache
def _row_template_version() -> str:
    """A digest of the row template, so that a changed template never serves rows rendered by the old one."""
    # The project's only template engine is Django's, whose templates keep their source.
    template = cast(DjangoTemplate, get_template(ROW_TEMPLATE))
    return hashlib.sha256(template.template.source.encode()).hexdigest()[:12]


def rendered_rows(rows: list[Row]) -> list[SafeString]:
    """Each row's HTML. A row whose figures were cached (``Row.key``) is rendered once and cached beside them:
    the HTML depends only on the row (every link is to the row's own objects, the same for every user who sees
    the row), and the key already names the row's token, the day and the language."""
    version = _row_template_version()
    # The upper documents' figure is read apart from the row's part (``Row.upper_pending``): it is in the key.
    keys = {
        id(row): f"dashboard-row-html:{version}:{row.key}:{row.upper_pending}:{row.upper_late}"
        for row in rows
        if row.key
    }
    cached = cache.get_many(list(keys.values()))
    html, new = [], {}
    for row in rows:
        key = keys.get(id(row))
        fragment = cached.get(key) if key else None
        if fragment is None:
            fragment = render_to_string(ROW_TEMPLATE, {"row": row})
            if key:
                new[key] = fragment
        html.append(mark_safe(fragment))  # rendered by our template, which escapes what it shows
    if new:
        cache.set_many(new, timeout=CACHE_SECONDS)
    return html


def column_headers(order: RowOrder) -> list[dict[str, object]]:
    """The table's column headers, each with how clicking it sorts the rows (its link, ``href``)."""
    columns = [
        ("name", _("Organisation")),
        ("light", _("Status")),
        ("on_time", _("Resolution")),
        ("tasks", _("Tasks")),
        ("done", _("Done")),
        ("overdue", _("Overdue")),
        ("progress", _("Progress")),
        ("last_meeting", _("Last meeting")),
        ("attendance_month", _("Attendance this month")),
        ("attendance_year", _("Attendance, 12 months")),
        ("review", _("Monthly review")),
        ("upper_documents", _("Upper-level documents")),
    ]
    headers: list[dict[str, object]] = []
    for key, label in columns:
        active = key == order.sort
        # Clicking the active column flips it; any other column starts with the worst first where that reads
        # naturally (overdue, missing reviews) and ascending otherwise.
        if active:
            direction = "asc" if order.descending else "desc"
        else:
            direction = "desc" if key in ("overdue", "review", "tasks", "upper_documents") else "asc"
        headers.append(
            {
                "key": key,
                "label": label,
                # Columns a narrower screen leaves out (their figures stay on the pages the row links to).
                "low": key in LOW_PRIORITY_COLUMNS,
                "active": active,
                "descending": active and order.descending,
                "dir": direction,
                "href": order.link(sort=key, dir=direction),
            }
        )
    return headers


def dashboard_charts(board: Dashboard, month_labels: list[str], rows: list[Row]) -> dict[str, str]:
    """The dashboard's three charts: attendance and overdue tasks per month, and progress by row (``rows``)."""
    return {
        "attendance": line_chart(
            title=_("Attendance rate per month"),
            description=_("Members present or late, in percent of those expected, over the last 12 months."),
            labels=month_labels,
            values=board.attendance_series,
        ),
        "overdue": bar_chart(
            title=_("Overdue tasks per month"),
            description=_("Tasks whose deadline fell in the month and that were not done by the deadline."),
            labels=month_labels,
            values=board.overdue_series,
        ),
        "progress": bar_chart(
            title=_("Progress by organisation"),
            description=_("Rolled-up progress of the tasks in force, in percent."),
            labels=[r.org.name for r in rows],
            values=[r.progress for r in rows],
            max_value=100,
            unit="%",
            horizontal=True,
        ),
    }


def dashboard_ancestors(org: Organisation) -> list[Organisation]:
    """The way back up: the ancestors the user may open a dashboard of (all of them, since every ancestor of an
    organisation the user reaches holds it)."""
    return list(Organisation.objects.get_ancestors(org).only("pk", "name", "path"))
