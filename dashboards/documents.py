"""A committee's documents in the cells: has each cell made them concrete, and where does it stand on their targets.

``document_cells(document, day)`` is the picture of one committee document (a ward's resolution, plan,
conclusion or directive) over every cell it is addressed to: the cell's state (``rules.concretised``), the cell's
own resolutions carrying it out, and per target the tasks carrying it with the cell's figure against the goal
(``rules.cell_figure``, ``rules.target_met``), then the committee's total per target (``rules.committee_total``).

``pending_documents(org, scope, day)`` is what the dashboards count in their column "Văn bản cấp trên": for the
cells under ``scope``, each committee document in force (adopted or in progress) that a cell has not made concrete
yet, with those cells (late first). The dashboard's figure and the page it links to are read by this one function,
so they agree.

Both read a fixed number of queries whatever the number of cells, documents and tasks: each query is over the
cells (a subquery, never a list of ids, so that an empty list costs the same query) and the rows are grouped here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import Count, Exists, Q, QuerySet

from members.models import Organisation
from resolutions.carrying import addressed, chosen_cells, first_adoptions
from resolutions.models import CellTarget, Resolution, Task
from resolutions.rules import (
    DOCUMENT_HEADINGS,
    CarryingTask,
    CommitteeTotal,
    Concrete,
    Measure,
    cell_figure,
    committee_total,
    concretised,
    target_met,
)
from resolutions.services import figure_text, goal_text

# A committee's document counts in the cells while it is in force.
IN_FORCE = (Resolution.Status.ADOPTED, Resolution.Status.IN_PROGRESS)
# Not made concrete yet: what the dashboards count.
PENDING = (Concrete.LATE, Concrete.WAITING)


def _under(field_name: str, paths: Iterable[str]) -> Q:
    return reduce(or_, (Q(**{f"{field_name}__startswith": path}) for path in paths))


# ---------------------------------------------------------------------------------------------------
# One document, every cell
# ---------------------------------------------------------------------------------------------------


@dataclass
class CarriedTask:
    """A cell's task that carries one of the document's targets."""

    task: Task
    evidence: int  # reports with an evidence file
    overdue: bool


@dataclass
class TargetInCell:
    """One target of the document in one cell: the tasks carrying it and the cell's figure against the goal."""

    target: CellTarget
    tasks: list[CarriedTask]
    figure: Decimal | None
    met: bool

    @property
    def figure_text(self) -> str:
        return figure_text(self.target.measure, self.figure, self.target.unit)

    @property
    def goal_text(self) -> str:
        return goal_text(self.target)


@dataclass
class CellRow:
    """One cell the document is addressed to."""

    cell: Organisation
    state: Concrete
    adopted_on: dt.date | None  # the earliest adoption of a resolution of the cell carrying it out
    resolutions: list[Resolution]  # the cell's adopted resolutions carrying it out
    targets: list[TargetInCell]

    @property
    def is_late(self) -> bool:
        return self.state == Concrete.LATE

    @property
    def is_pending(self) -> bool:
        return self.state in PENDING

    @property
    def behind(self) -> bool:
        """Made concrete, but some target not met yet."""
        return any(not target.met for target in self.targets)

    @property
    def state_label(self) -> str:
        return str(self.state.label)

    @property
    def rank(self) -> int:
        """Late first, then waiting, then behind on targets, then done."""
        if self.state == Concrete.LATE:
            return 0
        if self.state == Concrete.WAITING:
            return 1
        return 2 if self.behind else 3


@dataclass
class TargetTotal:
    """The committee's figure against one target over the cells."""

    target: CellTarget
    total: CommitteeTotal

    @property
    def value_text(self) -> str:
        return figure_text(self.target.measure, self.total.value, self.target.unit)

    @property
    def goal_text(self) -> str:
        if self.target.measure == Measure.YES_NO:
            return f"{self.total.cells}"
        return figure_text(self.target.measure, self.total.goal, self.target.unit)

    @property
    def each_text(self) -> str:
        """The goal each cell is set: "5 hộ", "90%", "done"."""
        return goal_text(self.target)

    @property
    def reached_text(self) -> str:
        """ "12 hộ / 15 hộ", "85% / 90%", "2 / 3" (cells done of the cells, a yes/no target)."""
        if self.target.measure == Measure.YES_NO:
            return f"{self.total.cells_met}/{self.total.cells}"
        return f"{self.value_text} / {self.goal_text}"


@dataclass
class DocumentCells:
    document: Resolution
    day: dt.date
    rows: list[CellRow]
    totals: list[TargetTotal]
    counts: dict[str, int] = field(default_factory=dict)  # cells per state

    @property
    def heading(self) -> str:
        return DOCUMENT_HEADINGS.get(self.document.document_type, "")  # type: ignore[call-overload]  # a str key

    @property
    def late(self) -> int:
        return self.counts.get(Concrete.LATE, 0)

    @property
    def waiting(self) -> int:
        return self.counts.get(Concrete.WAITING, 0)

    @property
    def done(self) -> int:
        return self.counts.get(Concrete.DONE, 0) + self.counts.get(Concrete.DONE_LATE, 0)


def addressed_cells(document: Resolution) -> QuerySet[Organisation]:
    """The cells ``document`` is addressed to: those chosen, or every cell under its issuer when none is chosen
    (one query, whichever it is)."""
    chosen = Resolution.addressed_cells.through.objects.filter(resolution=document)
    return (
        Organisation.objects.cells()
        .alias(chooses=Exists(chosen))
        .filter(Q(addressed_documents=document) | Q(path__startswith=document.cell.path, chooses=False))
        .distinct()
        .only("pk", "name", "kind", "path", "depth", "code")
    )


def document_cells(document: Resolution, day: dt.date) -> DocumentCells:
    """Every cell ``document`` is addressed to, late cells first, with its figures; in four queries: the cells,
    the targets, the cells' resolutions carrying the document out, the tasks carrying its targets."""
    cells_qs = addressed_cells(document)
    cells = list(cells_qs)
    cell_ids = cells_qs.values("pk")
    targets = list(CellTarget.objects.filter(resolution=document).order_by("order", "pk"))
    resolutions: dict[int, list[Resolution]] = {}
    for resolution in (
        Resolution.objects.filter(upper_resolutions=document, cell_id__in=cell_ids, status__in=Resolution.CARRIED_OUT)
        .only("pk", "cell_id", "number", "title", "status", "adopted_on", "period_start", "seq")
        .order_by("adopted_on", "pk")
    ):
        resolutions.setdefault(resolution.cell_id, []).append(resolution)
    tasks: dict[tuple[int, int], list[Task]] = {}
    for task in (
        Task.objects.filter(
            cell_target__resolution=document,
            resolution__cell_id__in=cell_ids,
            resolution__status__in=Resolution.CARRIED_OUT,
        )
        .select_related("lead_member", "lead_mass_organisation", "resolution")
        .only(
            "pk",
            "title",
            "deadline",
            "status",
            "progress",
            "figure",
            "cell_target_id",
            "lead_kind",
            "lead_member__full_name",
            "lead_mass_organisation__name",
            "resolution__cell_id",
            "resolution__number",
        )
        .annotate(evidence=Count("updates", filter=~Q(updates__evidence="")))
        .order_by("deadline", "pk")
    ):
        assert task.cell_target_id is not None  # filtered on its target
        tasks.setdefault((task.resolution.cell_id, task.cell_target_id), []).append(task)

    rows: list[CellRow] = []
    figures: dict[int, list[Decimal | None]] = {target.pk: [] for target in targets}
    for cell in cells:
        own = resolutions.get(cell.pk, [])
        adopted = [r.adopted_on for r in own if r.adopted_on is not None]
        adopted_on = min(adopted) if adopted else None
        in_cell = []
        for target in targets:
            carrying = tasks.get((cell.pk, target.pk), [])
            figure = cell_figure(
                target.measure,
                [
                    CarryingTask(
                        figure=task.figure,
                        done=task.status == Task.Status.DONE,
                        cancelled=task.status == Task.Status.CANCELLED,
                    )
                    for task in carrying
                ],
            )
            figures[target.pk].append(figure)
            shown = [
                CarriedTask(task, task.evidence, task.is_overdue(day))  # type: ignore[attr-defined]  # annotated
                for task in carrying
                if task.status != Task.Status.CANCELLED
            ]
            in_cell.append(TargetInCell(target, shown, figure, target_met(target.goal, figure)))
        state = concretised(adopted_on=adopted_on, deadline=document.concretise_by, day=day)
        rows.append(CellRow(cell, state, adopted_on, own, in_cell))
    rows.sort(key=lambda row: (row.rank, row.cell.path))
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.state] = counts.get(row.state, 0) + 1
    totals = [
        TargetTotal(target, committee_total(target.measure, target.goal, figures[target.pk])) for target in targets
    ]
    return DocumentCells(document, day, rows, totals, counts)


# ---------------------------------------------------------------------------------------------------
# Every document in force over many cells: what is not made concrete yet
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingCell:
    pk: int
    path: str
    name: str
    state: Concrete = Concrete.WAITING

    @property
    def is_late(self) -> bool:
        return self.state == Concrete.LATE

    @property
    def state_label(self) -> str:
        return str(self.state.label)


@dataclass
class PendingDocument:
    document: Resolution
    cells: list[PendingCell]  # late first

    @property
    def late(self) -> int:
        return sum(1 for cell in self.cells if cell.is_late)

    @property
    def heading(self) -> str:
        return DOCUMENT_HEADINGS.get(self.document.document_type, "")  # type: ignore[call-overload]  # a str key


def documents_in_force(org: Organisation, scope: tuple[str, ...]) -> QuerySet[Resolution]:
    """The committees' documents in force that may address a cell under ``scope``: issued by ``org`` or a
    committee above it, or by a committee under ``scope``."""
    return (
        Resolution.objects.exclude(cell__kind=Organisation.Kind.CELL)
        .filter(status__in=IN_FORCE)
        .filter(Q(cell__path__in=org.ancestor_paths()) | _under("cell__path", scope))
    )


def pending_documents(org: Organisation, scope: tuple[str, ...], day: dt.date) -> list[PendingDocument]:
    """For the cells under ``scope`` (paths under ``org``), each committee document in force some of them have
    not made concrete on ``day``, with those cells, late first; documents with a late cell first. Four queries:
    the documents, the cells they choose, the cells' adoptions carrying them out, the cells."""
    docs_qs = documents_in_force(org, scope)
    documents = list(
        docs_qs.select_related("cell")
        .only(
            "pk",
            "number",
            "title",
            "document_type",
            "status",
            "concretise_by",
            "period_start",
            "cell__name",
            "cell__path",
            "cell__kind",
        )
        .order_by("concretise_by", "pk")
    )
    scope_cells = Organisation.objects.cells().filter(_under("path", scope))
    chosen = chosen_cells(docs_qs.values("pk"))
    adopted = first_adoptions(docs_qs.values("pk"), scope_cells.values("pk"))
    cells = [
        PendingCell(pk, path, name) for pk, path, name in scope_cells.order_by("path").values_list("pk", "path", "name")
    ]

    pending = []
    for document, addressed_here in addressed(documents, chosen, cells):
        waiting = []
        for cell in addressed_here:
            state = concretised(
                adopted_on=adopted.get((document.pk, cell.pk)), deadline=document.concretise_by, day=day
            )
            if state in PENDING:
                waiting.append(replace(cell, state=state))
        if waiting:
            waiting.sort(key=lambda c: (not c.is_late, c.path))
            pending.append(PendingDocument(document, waiting))
    pending.sort(key=lambda d: (not d.late, d.document.concretise_by or dt.date.max, d.document.pk))
    return pending


def pending_per_cell(documents: list[PendingDocument]) -> dict[str, tuple[int, int]]:
    """Per cell path: (documents not made concrete, of which late)."""
    counts: dict[str, tuple[int, int]] = {}
    for document in documents:
        for cell in document.cells:
            pending, late = counts.get(cell.path, (0, 0))
            counts[cell.path] = (pending + 1, late + int(cell.is_late))
    return counts
