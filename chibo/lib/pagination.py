"""A paginator that stops counting: a list of 120,000 members filtered by two common words matches thousands,
and counting every one of them costs more than the page. Past ``cap`` rows the list says "more than ``cap``"
and offers the first ``cap`` rows, in pages, with a word to narrow the search."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    def __init__(self, object_list: Any, per_page: int, *, cap: int = 1000, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def _counted(self) -> int:
        """The rows, counted up to ``cap + 1`` (one query: ``COUNT(*)`` over ``LIMIT cap + 1``)."""
        rows: Any = self.object_list
        if isinstance(rows, list | tuple):
            return len(rows[: self.cap + 1])
        # A query set: counted by the database, selecting the keys only (the columns the rows annotate for the
        # page, such as a member's flags, are not computed for a count), in no order: any ``cap + 1`` rows count
        # the same, and an order would have the database sort, or read in order, every row that matches.
        return int(rows.values("pk").order_by()[: self.cap + 1].count())

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @property
    def capped(self) -> bool:
        """More rows match than were counted: only the first ``cap`` are offered."""
        return self._counted > self.cap
