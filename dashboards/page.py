"""The dashboard page's content, rendered once per organisation and token and kept in the shared cache.

The page of everything under an organisation (the standing committee's, the administrator's) depends only on the
organisation's token (``members.versions``: renewed by every write under it and by a change of the organisation or
of one below it), the day, the language, the thresholds and the templates. Under a key made of those, ``Page``
holds what the page shows of the board as plain strings and numbers: each row's HTML with its light and its value
in every sortable column, the total row, and the legend with the charts and their tables. A request reads that one
entry and orders its rows: no model object is unpickled, no row is summed, translated or rendered again, and every
web worker (a new one too) reads the same entry.

A write renews the token, so the next page is built again: from the rows' parts and HTML cached beside them
(``dashboard.dashboard`` and ``dashboard.rendered_rows``), so only the rows where something changed are computed.
A scoped page (a member in charge sees only their cells) is small and built on each request.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from dataclasses import dataclass
from typing import Any, cast

from django.core.cache import cache
from django.template.backends.django import Template as DjangoTemplate
from django.template.loader import get_template, render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from dashboards.dashboard import (
    CACHE_SECONDS,
    LIGHTS,
    ROW_TEMPLATE,
    SORT_KEYS,
    Dashboard,
    RowOrder,
    column_headers,
    dashboard,
    dashboard_charts,
    light_labels,
    light_legend,
    ordered,
    rendered_rows,
    sort_rows,
    thresholds,
)
from members.models import Organisation
from members.versions import token_of

FIGURES_TEMPLATE = "dashboards/includes/_figures.html"
ORDER_TEMPLATE = "dashboards/includes/_order.html"
# The templates a cached page is rendered with (a changed one never serves pages rendered by the old one).
PAGE_TEMPLATES = (ROW_TEMPLATE, "resolutions/includes/_review.html", FIGURES_TEMPLATE)
# Raised when what a cached page holds changes shape, so that an old entry is never read by new code.
PAGE_FORMAT = 2


@dataclass(frozen=True)
class PageRow:
    """One row of the table as the page shows it: its HTML, and what it is filtered and sorted by."""

    path: str
    light: str | None
    values: dict[str, Any]  # the row's value in each column of ``SORT_KEYS``
    html: SafeString


@dataclass(frozen=True)
class Page:
    """What the dashboard page shows of a board (``Dashboard``), ready to be put in the page."""

    day: dt.date
    rows: list[PageRow]
    total_html: SafeString  # the total row; empty for a cell's own page
    figures_html: SafeString  # the legend, the three charts and their tables

    def shown(self, order: RowOrder) -> list[PageRow]:
        """The rows filtered and sorted as ``order`` says, as ``RowOrder.shown`` orders a board's rows."""
        rows = [r for r in self.rows if r.light == order.light] if order.light else self.rows
        return ordered(rows, lambda r: r.values[order.sort], lambda r: r.path, order.descending)

    @staticmethod
    def html(rows: list[PageRow]) -> SafeString:
        """The HTML of these rows, one after the other."""
        return mark_safe("".join(row.html for row in rows))  # each row was rendered by our template


@functools.cache
def _templates_version() -> str:
    """A digest of the templates a page is rendered with."""
    digest = hashlib.sha256(str(PAGE_FORMAT).encode())
    for name in PAGE_TEMPLATES:
        # The project's only template engine is Django's, whose templates keep their source.
        digest.update(cast(DjangoTemplate, get_template(name)).template.source.encode())
    return digest.hexdigest()[:12]


def page_key(org: Organisation, day: dt.date) -> str:
    """The cache key of the whole page of ``org``: its token (``members.versions.token_of``), the day, the language,
    the thresholds and the templates."""
    token = token_of(org)
    language = translation.get_language()
    return f"dashboard-page:{_templates_version()}:{org.path}:{token}:{day.isoformat()}:{language}:{hash(thresholds())}"


def dashboard_page(org: Organisation, day: dt.date, *, within: tuple[str, ...] | None = None) -> Page:
    """The page of ``org`` on ``day`` (``within`` as for ``dashboard``): from the shared cache, or built and kept
    there when it shows everything under ``org``."""
    if within is not None:
        return build_page(dashboard(org, day, within=within))
    key = page_key(org, day)
    page = cache.get(key)
    if isinstance(page, Page):
        return page
    page = build_page(dashboard(org, day))
    cache.set(key, page, timeout=CACHE_SECONDS)
    return page


def build_page(board: Dashboard) -> Page:
    """Render the rows (each row's HTML is cached beside its figures), the total and the figures of a board."""
    rows = sort_rows(board.rows, "name")
    html = rendered_rows(rows)
    month_labels = [f"{m:%m/%Y}" for m in board.months]
    figures = render_to_string(
        FIGURES_TEMPLATE,
        {
            "board": board,
            "legend": light_legend(board.limits),
            "charts": dashboard_charts(board, month_labels, rows),
            "months": list(
                zip(month_labels, board.attendance_series, board.attendance_counts, board.overdue_series, strict=True)
            ),
            "progress_rows": rows,
        },
    )
    total = ""
    if not board.org.is_cell and board.rows:
        total = render_to_string(ROW_TEMPLATE, {"row": board.total, "total": True})
    return Page(
        day=board.day,
        rows=[
            PageRow(
                path=row.org.path,
                light=row.light,
                values={name: value(row) for name, value in SORT_KEYS.items()},
                html=row_html,
            )
            for row, row_html in zip(rows, html, strict=True)
        ],
        total_html=mark_safe(total),  # rendered by our template, which escapes what it shows
        figures_html=mark_safe(figures),
    )


@dataclass(frozen=True)
class OrderControls:
    """The links that filter and sort the rows, and the table's header row, for one order of the rows."""

    links: SafeString
    header: SafeString
    columns: int


def order_controls(order: RowOrder) -> OrderControls:
    """The controls of this order in the active language: the same on every dashboard, rendered once per process
    (a few dozen orders at most: ``RowOrder`` knows only the columns and lights there are)."""
    return _order_controls(order, translation.get_language())


@functools.lru_cache(maxsize=256)
def _order_controls(order: RowOrder, language: str | None) -> OrderControls:
    labels = light_labels()
    headers = column_headers(order)
    context = {
        "headers": headers,
        "lights": [(key, labels[key], order.link(light=key)) for key in LIGHTS],
        "light": order.light,
        "all_href": order.link(light=""),
    }
    # Both rendered by our template, which escapes what it shows.
    return OrderControls(
        links=mark_safe(render_to_string(ORDER_TEMPLATE, {**context, "part": "links"})),
        header=mark_safe(render_to_string(ORDER_TEMPLATE, {**context, "part": "header"})),
        columns=len(headers),
    )
