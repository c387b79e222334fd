"""The home page: what needs the signed-in person now, one section per role they hold.

``home_for(access, day)`` gathers everything in a fixed number of queries, whatever the number of cells:

- a cell's secretary or deputy (every cell they manage at once): 1 the cells, each with the number of its members
  whose probation ends soon, 2 the drafts and this month's monthly resolutions, 3 the meetings of this month and
  those held but not approved, 4 the reports waiting for confirmation, 5 the overdue tasks, 6 the absence requests
  waiting;
- a member: 7 their open tasks, 8 the coming meetings with their own absence request;
- the ward (standing committee, party secretary or deputy, committee member in charge): 9 the organisation of
  their dashboard, the dashboard itself (``dashboards.dashboard.dashboard``: its own fixed number of queries),
  10 the evaluation cycles waiting for their approval, 11 the inspections whose follow-up is overdue.

The page serves these sections as one part (``chibo.lib.parts``) kept under ``home_key``: the tokens of the
organisations they read (``members.versions``), the day, and who is looking. A warm page costs the access and one
query for the tokens.

"Cấp trên giao" (``upper_for``): the committees' documents addressed to the secretary's cells and to the member's
own cell, with their targets and where the cell stands with each. The documents belong to the committees above
the cells, whose tokens every write in any of their cells renews: kept with the sections, they would build the
whole page again at each write in the ward or the province. So they are a second part, kept under the tokens of
the cells and every organisation above them (``home_keys``: both keys from the same single query of tokens). It
reads 1 the documents, and only when there are some, 2 the cells they are addressed to (prefetched), 3 their
targets, 4 the cells, 5 the cells' adopted resolutions carrying them out, 6 the cells' tasks carrying their
targets, 7 the drafts of the secretary's cells.

It sits above the apps (like the ``history`` app) because it reads all of them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import NamedTuple, TypeVar, cast

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dashboards.access import dashboard_scope, home_dashboard_org_id
from dashboards.dashboard import OFF_TRACK, Row, dashboard, thresholds
from evaluations.access import can_approve
from evaluations.models import EvaluationCycle
from inspections.models import Inspection
from meetings.models import AbsenceRequest, Meeting
from meetings.services import upcoming_meetings
from members.access import Access
from members.models import Member, Organisation, OrganisationVersion, Role
from members.versions import ancestors_and_self
from resolutions.carrying import addresses, first_adoptions
from resolutions.models import CellTarget, ProgressUpdate, Resolution, Task
from resolutions.rules import CarryingTask, Concrete, Measure, cell_figure, concretised
from resolutions.services import figure_text, goal_text

T = TypeVar("T")

# At most this many rows of one kind are listed on the home page; the count says how many there are.
LIST_LIMIT = 5
WARD_KINDS = (Role.Kind.STANDING, Role.Kind.PARTY_SECRETARY, Role.Kind.PARTY_DEPUTY, Role.Kind.IN_CHARGE)
CELL_KINDS = (Role.Kind.SECRETARY, Role.Kind.DEPUTY)
# Meetings that took or will take place (a cancelled one, whatever its status is called, is not work to do).
LIVE_MEETINGS = (Meeting.Status.PLANNED, Meeting.Status.HELD, Meeting.Status.APPROVED)


@dataclass
class Item:
    """One thing to do: what, where it is done, how many, how urgent ("danger", "warning" or "")."""

    label: str
    url: str
    count: int | None = None
    tone: str = ""
    detail: str = ""


@dataclass
class CellSection:
    cell: Organisation
    items: list[Item] = field(default_factory=list)


@dataclass
class MemberSection:
    tasks: list[Task]
    overdue: int
    meetings: list[Meeting]
    day: dt.date


@dataclass
class WardSection:
    org: Organisation | None
    red: list[Row]
    approvals: list[Item]
    dashboard_url: str


@dataclass
class Home:
    cells: list[CellSection]
    member: MemberSection | None
    ward: WardSection | None

    @property
    def is_empty(self) -> bool:
        return not self.cells and self.member is None and self.ward is None


def home_for(access: Access, day: dt.date) -> Home:
    return Home(cells=_cell_sections(access, day), member=_member_section(access, day), ward=_ward_section(access, day))


class HomeKeys(NamedTuple):
    """What the home page's two parts are kept under: the sections (``home_for``) and "Cấp trên giao"
    (``upper_for``; ``None`` when the viewer has no cell of their own or to manage)."""

    work: tuple[object, ...]
    upper: tuple[object, ...] | None


def home_key(access: Access, day: dt.date) -> tuple[object, ...]:
    """The key of the sections (``home_keys``)."""
    return home_keys(access, day).work


def upper_cells(access: Access) -> tuple[list[int], str]:
    """The cells whose "Cấp trên giao" the viewer sees: the ids of those they manage as secretary or deputy, and
    the path of their own cell ("" when they have none)."""
    managed = sorted({org_id for kind, _path, org_id in access.roles if kind in CELL_KINDS})
    return managed, access.member_cell_path or ""


def home_keys(access: Access, day: dt.date) -> HomeKeys:
    """What the home page's sections are kept under: everything ``home_for`` reads them from.

    - who is looking: their roles (which sections, which cells, what they may approve), their member and its cell
      (their own work; the reports waiting leave out their own);
    - the day (overdue work, this month's resolution and meeting, probation ending soon, the dashboard);
    - the dashboard's thresholds (the settings);
    - the tokens, read in one query, of every organisation the sections read rows of: the organisations of their
      roles (a cell's work; the ward's cycles, inspections and dashboard), the one whose dashboard they see (above
      a cell they are in charge of; the root for an administrator), their own cell (its coming meeting with their
      own absence request) and the cells of the resolutions whose tasks they lead or support.
    """
    paths = {path for _kind, path, _id in access.roles if path}
    # The dashboard of a member in charge of a cell is that of the organisation above it (``home_dashboard_org_id``).
    paths |= {
        path[: -Organisation.steplen]
        for kind, path, _id in access.roles
        if kind == Role.Kind.IN_CHARGE and len(path) > Organisation.steplen
    }
    if access.member_cell_path:
        paths.add(access.member_cell_path)
    # One set of paths, a union, so that the tokens are looked up by index (paths OR'ed together made PostgreSQL
    # read every organisation's token: 2 ms at province scale, growing with the organisations).
    wanted = [Organisation.objects.filter(path__in=sorted(paths)).order_by().values("path")]
    if access.member_id is not None:
        # The cells of every task they lead or support (a member moved to another cell keeps the old cell's tasks):
        # more than the open tasks of resolutions in force, which only renews the key a little more often. Two
        # lookups by index, as ``TaskQuerySet.of_member``, not an OR across the supporters' join.
        led = Task.objects.filter(lead_member_id=access.member_id).order_by().values("resolution__cell__path")
        supported = Task.supporters.through.objects.filter(member_id=access.member_id)
        wanted += [led, supported.order_by().values("task__resolution__cell__path")]
    if access.is_admin:
        wanted.append(Organisation.objects.filter(depth=1).order_by().values("path"))
    # "Cấp trên giao": the tokens of the cells and of every organisation above them, tagged 1 in the same query.
    managed, own = upper_cells(access)
    cell_paths = {path for kind, path, _id in access.roles if kind in CELL_KINDS and path} | ({own} if own else set())
    tokens = OrganisationVersion.objects.filter(path__in=wanted[0].union(*wanted[1:])).annotate(
        part=Value(0, output_field=IntegerField())
    )
    if cell_paths:
        upper = OrganisationVersion.objects.filter(path__in=sorted(ancestors_and_self(cell_paths))).annotate(
            part=Value(1, output_field=IntegerField())
        )
        tokens = tokens.union(upper, all=True)
    rows = sorted(tokens.values_list("part", "path", "token"))
    found = tuple((path, token) for part, path, token in rows if part == 0)
    work = (
        access.user_id,
        access.member_id,
        access.member_cell_path,
        access.roles,
        access.is_admin,
        day.isoformat(),
        thresholds(),
        tuple(sorted(paths)),
        found,
    )
    if not cell_paths:
        return HomeKeys(work, None)
    above = tuple((path, token) for part, path, token in rows if part == 1)
    return HomeKeys(work, (tuple(managed), own, tuple(sorted(cell_paths)), day.isoformat(), above))


# ---------------------------------------------------------------------------------------------------
# The secretary's and deputy's cells
# ---------------------------------------------------------------------------------------------------


def _cell_sections(access: Access, day: dt.date) -> list[CellSection]:
    cell_ids = {org_id for kind, _path, org_id in access.roles if kind in CELL_KINDS}
    if not cell_ids:
        return []
    # Query 1: the cells, each with the number of its members whose probation ends soon.
    probation = (
        Member.objects.filter(cell=OuterRef("pk"))
        .probation_ending(day)
        .order_by()
        .values("cell")
        .annotate(n=Count("pk"))
        .values("n")
    )
    cells = list(
        Organisation.objects.filter(pk__in=cell_ids, kind=Organisation.Kind.CELL)
        .annotate(probation_ending=Coalesce(Subquery(probation), 0))
        .order_by("path")
    )
    if not cells:
        return []
    work = _cell_work(cells, access, day)
    return [CellSection(cell=cell, items=_cell_items(cell, work, day)) for cell in cells]


@dataclass
class _CellWork:
    """What the cells' sections list, read for all the cells at once (queries 2 to 6; the probation counts
    come with the cells, query 1)."""

    resolutions: list[Resolution]
    meetings: list[Meeting]
    waiting: list[ProgressUpdate]
    overdue: list[Task]
    probation: Counter[int]
    requests: list[AbsenceRequest]


def _cell_work(cells: list[Organisation], access: Access, day: dt.date) -> _CellWork:
    month_start = day.replace(day=1)
    # Query 2: the drafts to finish, and this month's monthly resolutions (whatever their status).
    resolutions = list(
        Resolution.objects.filter(cell__in=cells)
        .filter(
            Q(status__in=Resolution.EDITABLE)
            | Q(kind=Resolution.Kind.MONTHLY, period_start__lte=day, period_end__gte=day)
        )
        .only("pk", "cell_id", "kind", "status", "number", "title", "period_start", "period_end", "seq")
        .order_by("period_start", "seq")
    )
    # Query 3: this month's meetings and later ones, and those held whose minutes wait for approval.
    meetings = list(
        Meeting.objects.filter(cell__in=cells, status__in=LIVE_MEETINGS)
        # This month's (to know whether the month has its meeting), and any still to record or to close, from
        # whatever month: a meeting planned for the 31st and not yet recorded is still asked for on the 1st.
        .filter(Q(date__gte=month_start) | Q(status__in=[Meeting.Status.HELD, Meeting.Status.PLANNED]))
        .only("pk", "cell_id", "kind", "date", "starts_at", "status", "pack_published_at")
        .order_by("date", "starts_at", "pk")
    )
    # Query 4: the reports waiting for confirmation, oldest first; not one's own (its author never reviews it).
    waiting = list(
        ProgressUpdate.objects.filter(review=ProgressUpdate.Review.PENDING, task__resolution__cell__in=cells)
        .exclude(author__user_id=cast(int, access.user_id))  # the home page is behind the sign-in
        .exclude(author_id=access.member_id or 0)
        .select_related("task__resolution", "author")
        # What the items show: nothing of the member's encrypted fields, nor the long texts, is read.
        .only("pk", "created_at", "task__title", "task__resolution__cell_id", "author__full_name")
        .order_by("created_at", "pk")
    )
    # Query 5: the overdue tasks of the resolutions in force, the most overdue first.
    overdue = list(
        Task.objects.live()
        .filter(resolution__cell__in=cells)
        .overdue(day)
        .select_related("resolution")
        .only("pk", "title", "deadline", "status", "resolution__cell_id", "resolution__number")
        .order_by("deadline", "pk")
    )
    # Members whose probation ends soon, counted per cell: annotated on the cells (query 1).
    probation = Counter({cell.pk: cell.probation_ending for cell in cells})
    # Query 6: absence requests waiting for a decision, for meetings still to come.
    requests = list(
        AbsenceRequest.objects.filter(
            status=AbsenceRequest.Status.PENDING, meeting__cell__in=cells, meeting__status=Meeting.Status.PLANNED
        )
        .select_related("meeting", "member")
        .only("pk", "meeting__date", "meeting__cell_id", "member__full_name")
        .order_by("meeting__date", "pk")
    )
    return _CellWork(resolutions, meetings, waiting, overdue, probation, requests)


def _cell_items(cell: Organisation, work: _CellWork, day: dt.date) -> list[Item]:
    """One cell's section: what waits for its secretary, from the rows read for all the cells."""
    items: list[Item] = []
    items += _draft_items(cell, [r for r in work.resolutions if r.cell_id == cell.pk], day)
    items += _meeting_items(cell, [m for m in work.meetings if m.cell_id == cell.pk], day)
    items += _listed(
        [u for u in work.waiting if u.task.resolution.cell_id == cell.pk],
        lambda n: ngettext(
            "%(count)d progress report waits for confirmation",
            "%(count)d progress reports wait for confirmation",
            n,
        ),
        lambda u: Item(
            _("%(name)s on “%(task)s”") % {"name": u.author.full_name, "task": u.task.title},
            reverse("resolutions:task-detail", args=[u.task.pk]),
            detail=_("Confirm or send back"),
        ),
        tone="warning",
    )
    items += _listed(
        [t for t in work.overdue if t.resolution.cell_id == cell.pk],
        lambda n: ngettext("%(count)d task is overdue", "%(count)d tasks are overdue", n),
        lambda t: Item(
            t.title,
            reverse("resolutions:task-detail", args=[t.pk]),
            detail=_("deadline %(date)s (%(number)s)")
            % {"date": t.deadline.strftime("%d/%m/%Y"), "number": t.resolution.number},
        ),
        tone="danger",
    )
    if work.probation[cell.pk]:
        items.append(
            Item(
                ngettext(
                    "%(count)d member's probation ends soon",
                    "%(count)d members' probation ends soon",
                    work.probation[cell.pk],
                )
                % {"count": work.probation[cell.pk]},
                reverse("members:org-detail", args=[cell.pk]) + "#probation-ending",
                count=work.probation[cell.pk],
                tone="warning",
                detail=_("Review them and vote on their recognition"),
            )
        )
    items += _listed(
        [r for r in work.requests if r.meeting.cell_id == cell.pk],
        lambda n: ngettext(
            "%(count)d absence request waits for a decision", "%(count)d absence requests wait for a decision", n
        ),
        lambda r: Item(
            _("%(name)s, meeting of %(date)s")
            % {"name": r.member.full_name, "date": r.meeting.date.strftime("%d/%m/%Y")},
            reverse("meetings:meeting-detail", args=[r.meeting.pk]),
            detail=_("Approve or refuse"),
        ),
        tone="warning",
    )
    return items


def _listed(rows: Sequence[T], heading: Callable[[int], str], make: Callable[[T], Item], *, tone: str) -> list[Item]:
    """A heading item with the count, then the first few rows, each a link to where it is dealt with."""
    if not rows:
        return []
    first = [make(row) for row in rows[:LIST_LIMIT]]
    head = Item(heading(len(rows)) % {"count": len(rows)}, first[0].url, count=len(rows), tone=tone)
    return [head, *(Item(i.label, i.url, detail=i.detail, tone="sub") for i in first)]


def _draft_items(cell: Organisation, resolutions: list[Resolution], day: dt.date) -> list[Item]:
    drafts = [r for r in resolutions if r.status in Resolution.EDITABLE]
    items = [
        Item(
            _("Finish the draft %(number)s (%(period)s)") % {"number": r.number, "period": r.period_label()},
            reverse("resolutions:resolution-edit", args=[r.pk])
            if r.status == Resolution.Status.DRAFT
            else reverse("resolutions:resolution-detail", args=[r.pk]),
            tone="warning",
            detail=r.get_status_display(),
        )
        for r in drafts
    ]
    this_month = [r for r in resolutions if r.kind == Resolution.Kind.MONTHLY and r.period_start <= day <= r.period_end]
    if not this_month and not drafts:
        items.append(
            Item(
                _("Draft this month's resolution"),
                reverse("resolutions:resolution-create", args=[cell.pk]),
                tone="danger",
                detail=_("month %(month)02d/%(year)d") % {"month": day.month, "year": day.year},
            )
        )
    return items


def _meeting_items(cell: Organisation, meetings: list[Meeting], day: dt.date) -> list[Item]:
    items = []
    for m in meetings:
        url = reverse("meetings:meeting-detail", args=[m.pk])
        when = m.date.strftime("%d/%m/%Y")
        if m.status == Meeting.Status.HELD:
            items.append(
                Item(_("Approve the minutes of the meeting of %(date)s") % {"date": when}, url, tone="warning")
            )
        elif m.status == Meeting.Status.PLANNED and m.date < day:
            items.append(Item(_("Record the meeting of %(date)s as held") % {"date": when}, url, tone="danger"))
        elif m.status == Meeting.Status.PLANNED:
            time = m.starts_at.strftime("%H:%M") if m.starts_at else ""
            label = (
                _("Hold today's meeting at %(time)s") % {"time": time}
                if m.date == day
                else _("Prepare the meeting of %(date)s") % {"date": when}
            )
            items.append(Item(label, url, tone="warning" if m.date == day else ""))
            if not m.pack_published_at:
                items.append(
                    Item(
                        _("Release the meeting pack for %(date)s") % {"date": when},
                        url,
                        tone="warning",
                        detail=_("Members must have it 24 hours before the meeting"),
                    )
                )
    month_end = _month_end(day)
    regular_this_month = [
        m for m in meetings if m.kind == Meeting.Kind.REGULAR and day.replace(day=1) <= m.date <= month_end
    ]
    if not regular_this_month:
        items.append(
            Item(
                _("Plan this month's meeting"),
                reverse("meetings:meeting-create", args=[cell.pk]),
                tone="danger",
            )
        )
    return items


def _month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


# ---------------------------------------------------------------------------------------------------
# "Cấp trên giao": the committees' documents addressed to the cells
# ---------------------------------------------------------------------------------------------------


@dataclass
class UpperTarget:
    """A target a document sets the cell: its goal, whether a task of the cell carries it, the cell's figure."""

    target: CellTarget
    goal: str
    carried: bool
    figure: str


@dataclass
class UpperDocument:
    """A committee's document addressed to the cell, and where the cell stands with it (``rules.concretised``)."""

    document: Resolution
    state: Concrete
    targets: list[UpperTarget]

    @property
    def late(self) -> bool:
        return self.state == Concrete.LATE


@dataclass
class UpperSection:
    """ "Cấp trên giao" for one cell; ``concretise_url``: for its secretary or deputy, the draft to carry the
    documents in (or a new resolution), "" for a member."""

    cell: Organisation
    documents: list[UpperDocument]
    concretise_url: str = ""


def upper_for(access: Access, day: dt.date) -> list[UpperSection]:
    """The committees' documents (adopted, in force or completed) addressed to the cells the viewer manages and to
    their own cell, one section per cell that has some, in a fixed number of queries (the module's docstring)."""
    managed, own = upper_cells(access)
    cell_filter = Q(pk__in=managed) | (Q(path=own) if own else Q(pk__in=[]))
    paths = {path for kind, path, _id in access.roles if kind in CELL_KINDS and path} | ({own} if own else set())
    above = sorted(ancestors_and_self(paths) - paths)
    if not above:
        return []
    # Query 1: the documents of the committees above the cells (with 2 the cells they choose, 3 their targets).
    documents = list(
        Resolution.objects.filter(cell__path__in=above, status__in=[*Resolution.LIVE, Resolution.Status.COMPLETED])
        .select_related("cell")
        .prefetch_related(
            Prefetch("addressed_cells", queryset=Organisation.objects.only("pk")),
            Prefetch("cell_targets", queryset=CellTarget.objects.order_by("order", "pk")),
        )
        .order_by("concretise_by", "period_start", "pk")
    )
    if not documents:
        return []
    # Query 4: the cells.
    cells = list(Organisation.objects.filter(cell_filter, kind=Organisation.Kind.CELL).order_by("path"))
    # Query 5: the earliest adoption of a cell's resolution carrying out each document.
    adopted = first_adoptions([d.pk for d in documents], [cell.pk for cell in cells])
    # Query 6: the cells' tasks carrying the documents' targets.
    carrying: dict[tuple[int, int], list[CarryingTask]] = {}
    for cell_id, target_id, figure, status in Task.objects.filter(
        cell_target__resolution__in=documents, resolution__cell__in=cells
    ).values_list("resolution__cell_id", "cell_target_id", "figure", "status"):
        carrying.setdefault((cell_id, target_id), []).append(
            CarryingTask(figure=figure, done=status == Task.Status.DONE, cancelled=status == Task.Status.CANCELLED)
        )
    drafts = _drafts(cells, managed)
    sections = []
    for cell in cells:
        chosen = [d for d in documents if _addresses(d, cell)]
        if not chosen:
            continue
        sections.append(
            UpperSection(
                cell=cell,
                documents=[_upper_document(d, cell, adopted, carrying, day) for d in chosen],
                concretise_url=drafts.get(cell.pk, ""),
            )
        )
    return sections


def _addresses(document: Resolution, cell: Organisation) -> bool:
    """Whether the document is addressed to the cell (``carrying.addresses``, the cells it chose read with it)."""
    chosen = {org.pk for org in document.addressed_cells.all()}
    return addresses(issuer_path=document.cell.path, chosen=chosen, cell_pk=cell.pk, cell_path=cell.path)


def _upper_document(
    document: Resolution,
    cell: Organisation,
    adopted: dict[tuple[int, int], dt.date],
    carrying: dict[tuple[int, int], list[CarryingTask]],
    day: dt.date,
) -> UpperDocument:
    targets = []
    for target in document.cell_targets.all():
        tasks = carrying.get((cell.pk, target.pk), [])
        figure = cell_figure(target.measure, tasks)
        shown = figure_text(target.measure, figure, target.unit) if target.measure != Measure.YES_NO or figure else ""
        targets.append(
            UpperTarget(target, goal_text(target), carried=any(not t.cancelled for t in tasks), figure=shown)
        )
    state = concretised(adopted_on=adopted.get((document.pk, cell.pk)), deadline=document.concretise_by, day=day)
    return UpperDocument(document, state, targets)


def _drafts(cells: list[Organisation], managed: list[int]) -> dict[int, str]:
    """Query 7: where each managed cell's secretary carries the documents: its latest draft's edit page, else a new
    resolution."""
    ids = [cell.pk for cell in cells if cell.pk in managed]
    if not ids:
        return {}
    urls = {pk: reverse("resolutions:resolution-create", args=[pk]) for pk in ids}
    drafts = Resolution.objects.filter(cell_id__in=ids, status=Resolution.Status.DRAFT).order_by("period_start", "seq")
    for pk, cell_id in drafts.values_list("pk", "cell_id"):
        urls[cell_id] = reverse("resolutions:resolution-edit", args=[pk])  # the latest period's wins
    return urls


# ---------------------------------------------------------------------------------------------------
# The member's own work
# ---------------------------------------------------------------------------------------------------


def _member_section(access: Access, day: dt.date) -> MemberSection | None:
    if access.member_id is None:
        return None
    # Query 7: open tasks, overdue first, then by deadline.
    tasks = list(
        Task.objects.live()
        .of_member(access.member_id)
        .open()
        .select_related("resolution")
        .only("pk", "title", "deadline", "status", "progress", "lead_member_id", "resolution__number")
        .order_by("deadline", "pk")
    )
    # Query 8: the coming meetings with the member's own absence request.
    meetings = upcoming_meetings(access.member_id, day)[:1]
    return MemberSection(tasks=tasks, overdue=sum(t.deadline < day for t in tasks), meetings=meetings, day=day)


# ---------------------------------------------------------------------------------------------------
# The ward
# ---------------------------------------------------------------------------------------------------


def _ward_section(access: Access, day: dt.date) -> WardSection | None:
    ward_roles = [(kind, path) for kind, path, _id in access.roles if kind in WARD_KINDS]
    if not ward_roles:
        return None
    # Query 9: the organisation of the user's dashboard; then the dashboard itself, whose lights are the ones
    # the dashboard page shows (``status_light``), never recomputed here.
    org_id = home_dashboard_org_id(access)
    org = Organisation.objects.filter(pk=org_id).first() if org_id else None
    red: list[Row] = []
    if org is not None:
        board = dashboard(org, day, within=dashboard_scope(access, org))
        red = [row for row in board.rows if row.light == OFF_TRACK]
    paths = tuple(path for _kind, path in ward_roles)
    under = reduce(or_, (Q(cell__path__startswith=p) for p in paths))
    # Query 10: the evaluation cycles waiting for the ward's approval that this user may approve.
    cycles = [
        c
        for c in EvaluationCycle.objects.filter(under, status=EvaluationCycle.Status.APPROVAL)
        .select_related("cell")
        .order_by("cell__path", "year")
        if can_approve(access, c.cell)
    ]
    approvals = _listed(
        cycles,
        lambda n: ngettext(
            "%(count)d yearly classification waits for approval",
            "%(count)d yearly classifications wait for approval",
            n,
        ),
        lambda c: Item(
            _("%(cell)s, year %(year)d") % {"cell": c.cell.name, "year": c.year},
            reverse("evaluations:approval", args=[c.pk]),
        ),
        tone="warning",
    )
    # Query 11: inspections whose follow-up is overdue, in the organisations under the user.
    follow_ups = list(
        Inspection.objects.filter(
            reduce(or_, (Q(subject_org__path__startswith=p) for p in paths)),
            follow_up_due__lt=day,
            follow_up_done_on__isnull=True,
        )
        .select_related("subject_org")
        .order_by("follow_up_due", "pk")
    )
    approvals += _listed(
        follow_ups,
        lambda n: ngettext(
            "%(count)d inspection follow-up is overdue", "%(count)d inspection follow-ups are overdue", n
        ),
        lambda i: Item(
            i.subject_org.name,
            reverse("inspections:inspection-detail", args=[i.pk]),
            # Filtered on a due date before today: it has one.
            detail=_("follow-up due %(date)s") % {"date": cast(dt.date, i.follow_up_due).strftime("%d/%m/%Y")},
        ),
        tone="danger",
    )
    return WardSection(
        org=org,
        red=red,
        approvals=approvals,
        dashboard_url=reverse("dashboards:dashboard", args=[org.pk]) if org else reverse("dashboards:dashboard-home"),
    )
