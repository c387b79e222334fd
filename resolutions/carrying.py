"""Where each cell stands with the committees' documents addressed to it, read for many documents and cells at once.

A committee's document addresses the cells it chose, or every cell under the committee when it chose none
(``addressed``); a cell has made it concrete once a resolution of its own that carries it out is adopted, and the
earliest such adoption (``first_adoptions``) is what ``rules.concretised`` judges against the deadline. The
dashboards (the column "Văn bản cấp trên" and its page), the reminder sweep and the home page's "Cấp trên giao"
read them here, each in a fixed number of queries whatever the number of documents and cells.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

from django.db.models import Exists, Min, OuterRef, Q

from resolutions.models import Resolution

# Sorts after every character of a path (treebeard's steps are digits and capital letters): the paths under P lie
# between P and P + this, in path order.
PAST_EVERY_STEP = "~"


class Cell(Protocol):
    @property
    def pk(self) -> int: ...

    @property
    def path(self) -> str: ...


C = TypeVar("C", bound=Cell)


def addressed_to(cell_id: int) -> Q:
    """A filter on documents: those that address the cell (``addresses``: none chosen, or the cell among those
    chosen), for documents already known to be issued above it."""
    chosen = Resolution.addressed_cells.through.objects.filter(resolution=OuterRef("pk"))
    return Q(~Exists(chosen)) | Q(Exists(chosen.filter(organisation=cell_id)))


def chosen_cells(documents: Any) -> dict[int, set[int]]:
    """The cells each document chose (one query; ``documents``: a query set of documents or their ids)."""
    chosen: dict[int, set[int]] = {}
    rows = Resolution.addressed_cells.through.objects.filter(resolution__in=documents)
    for document_id, cell_id in rows.values_list("resolution_id", "organisation_id"):
        chosen.setdefault(document_id, set()).add(cell_id)
    return chosen


def first_adoptions(documents: Any, cells: Any) -> dict[tuple[int, int], dt.date]:
    """(document id, cell id) → the day the cell first adopted a resolution of its own carrying the document out
    (one query; ``documents`` and ``cells``: query sets or ids)."""
    rows = (
        Resolution.upper_resolutions.through.objects.filter(
            to_resolution__in=documents,
            from_resolution__cell__in=cells,
            from_resolution__status__in=Resolution.CARRIED_OUT,
            from_resolution__adopted_on__isnull=False,
        )
        .values("to_resolution_id", "from_resolution__cell_id")
        .annotate(first=Min("from_resolution__adopted_on"))
        .order_by()
    )
    return {(row["to_resolution_id"], row["from_resolution__cell_id"]): row["first"] for row in rows}


def addresses(*, issuer_path: str, chosen: set[int], cell_pk: int, cell_path: str) -> bool:
    """Whether a committee's document addresses a cell: issued above it, to every cell under the committee (none
    chosen) or to this one among those chosen."""
    return cell_path.startswith(issuer_path) and (not chosen or cell_pk in chosen)


def addressed(
    documents: Iterable[Resolution], chosen: dict[int, set[int]], cells: Sequence[C]
) -> Iterator[tuple[Resolution, list[C]]]:
    """Each document with the cells among ``cells`` (in path order) it addresses. The cells under an issuer are one
    run of the cells in path order, found by bisection: the work grows with the pairs, not documents × cells."""
    paths = [cell.path for cell in cells]
    for document in documents:
        issuer = document.cell.path
        under = cells[bisect_left(paths, issuer) : bisect_right(paths, issuer + PAST_EVERY_STEP)]
        picked = chosen.get(document.pk, set())
        yield (
            document,
            [c for c in under if addresses(issuer_path=issuer, chosen=picked, cell_pk=c.pk, cell_path=c.path)],
        )
