"""Charts drawn on the server as inline SVG: no script, no web font, the same on screen, on a phone and on paper.

Each chart is an ``<svg role="img">`` with a ``<title>`` and ``<desc>`` (named by ``aria-labelledby``, and an
``aria-label`` for readers that ignore it), visible text labels for every value, and a ``<title>`` on each mark
for the hover. The page shows the same numbers in a table after each chart (for screen readers and print).
Every text that comes in is escaped; the result is marked safe for templates.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif"'
BAR_COLOUR = "#b02a37"  # Bootstrap's danger shade, dark enough to print in grey
LINE_COLOUR = "#0a58ca"
GRID_COLOUR = "#dee2e6"
TEXT_COLOUR = "#212529"


def nice_max(value: float) -> float:
    """A round top for the axis, at or above ``value``: 1, 2, 5 × a power of ten."""
    if value <= 0:
        return 1
    step = 10 ** math.floor(math.log10(value))
    for m in (1, 2, 5, 10):
        if m * step >= value:
            return m * step
    return 10 * step  # pragma: no cover


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    number = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{number}{unit}"


def _open(title: str, description: str, height: int) -> tuple[str, str]:
    uid = f"chart-{uuid.uuid4().hex[:8]}"
    label = f"{title}. {description}" if description else title
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet" aria-labelledby="{uid}-title {uid}-desc" '
        f'aria-label={quoteattr(label)} {FONT} font-size="12" fill="{TEXT_COLOUR}">'
        f'<title id="{uid}-title">{escape(title)}</title><desc id="{uid}-desc">{escape(description)}</desc>'
    )
    return head, "</svg>"


def _divisions(y_max: float) -> int:
    """Grid lines at round values: 1 by 1 up to 5, else quarters or fifths of the top."""
    if y_max <= 5 and float(y_max).is_integer():
        return max(int(y_max), 1)
    return 4 if float(y_max / 4).is_integer() else 5


def _y_axis(*, top: float, left: float, right: float, plot_h: float, y_max: float, unit: str) -> list[str]:
    parts = []
    steps = _divisions(y_max)
    for i in range(steps + 1):
        value = y_max * i / steps
        y = top + plot_h - plot_h * i / steps
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="{GRID_COLOUR}"/>')
        shown = round(value) if value == int(value) else round(value, 1)
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" aria-hidden="true">'
            f"{escape(_fmt(shown, unit))}</text>"
        )
    return parts


def line_chart(
    *,
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    max_value: float | None = 100,
    unit: str = "%",
    description: str = "",
) -> SafeString:
    """A line over ``labels`` (months); a missing value (None) breaks the line and is labelled "—"."""
    height, top, bottom, left, right = 260, 24, 44, 48, WIDTH - 12
    plot_h, plot_w = height - top - bottom, right - left
    known = [v for v in values if v is not None]
    y_max = max_value if max_value is not None else nice_max(max(known, default=0))
    n = len(values)
    step = plot_w / max(n, 1)

    def x_at(i: int) -> float:
        return left + step * (i + 0.5)

    def y_at(v: float) -> float:
        return top + plot_h - plot_h * min(v, y_max) / y_max

    head, tail = _open(title, description, height)
    parts = [head, *_y_axis(top=top, left=left, right=right, plot_h=plot_h, y_max=y_max, unit=unit)]
    path: list[str] = []
    pen_down = False
    for i, v in enumerate(values):
        if v is None:
            pen_down = False
            continue
        path.append(f"{'L' if pen_down else 'M'}{x_at(i):.1f},{y_at(v):.1f}")
        pen_down = True
    if path:
        parts.append(f'<path d="{" ".join(path)}" fill="none" stroke="{LINE_COLOUR}" stroke-width="2.5"/>')
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        x = x_at(i)
        text = escape(_fmt(v, unit))
        if v is not None:
            y = y_at(v)
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{LINE_COLOUR}" data-value="{v}">'
                f"<title>{escape(label)}: {text}</title></circle>"
            )
            parts.append(f'<text x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle" font-size="11">{text}</text>')
        else:
            parts.append(f'<text x="{x:.1f}" y="{top + plot_h - 4:.1f}" text-anchor="middle">{text}</text>')
        parts.append(
            f'<text x="{x:.1f}" y="{height - bottom + 16}" text-anchor="middle" font-size="11">{escape(label)}</text>'
        )
    parts.append(tail)
    return mark_safe("".join(parts))


def bar_chart(
    *,
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    max_value: float | None = None,
    unit: str = "",
    horizontal: bool = False,
    description: str = "",
) -> SafeString:
    """Bars, one per label: upright for months, lying down (``horizontal``) for named rows such as cells."""
    known = [v for v in values if v is not None]
    top_value = max_value if max_value is not None else nice_max(max(known, default=0))
    if horizontal:
        return _horizontal_bars(title, labels, values, top_value, unit, description)
    height, top, bottom, left, right = 260, 24, 44, 48, WIDTH - 12
    plot_h, plot_w = height - top - bottom, right - left
    step = plot_w / max(len(values), 1)
    bar_w = step * 0.6
    head, tail = _open(title, description, height)
    parts = [head, *_y_axis(top=top, left=left, right=right, plot_h=plot_h, y_max=top_value, unit=unit)]
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        x = left + step * i + (step - bar_w) / 2
        text = escape(_fmt(v, unit))
        h = plot_h * min(v or 0, top_value) / top_value
        y = top + plot_h - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{BAR_COLOUR}" '
            f'data-value="{v if v is not None else ""}"><title>{escape(label)}: {text}</title></rect>'
        )
        parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="11">{text}</text>')
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle" font-size="11">'
            f"{escape(label)}</text>"
        )
    parts.append(tail)
    return mark_safe("".join(parts))


def _short(label: str, length: int = 26) -> str:
    return label if len(label) <= length else label[: length - 1] + "…"


def _horizontal_bars(
    title: str, labels: Sequence[str], values: Sequence[float | None], top_value: float, unit: str, description: str
) -> SafeString:
    row_h, top, left, right = 28, 8, 190, WIDTH - 56
    height = top * 2 + row_h * max(len(values), 1)
    plot_w = right - left
    head, tail = _open(title, description, height)
    parts = [head]
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        y = top + row_h * i
        w = plot_w * min(v or 0, top_value) / top_value
        text = escape(_fmt(v, unit))
        parts.append(
            f'<text x="{left - 8}" y="{y + row_h / 2 + 4:.1f}" text-anchor="end">{escape(_short(label))}</text>'
        )
        parts.append(
            f'<rect x="{left}" y="{y + 5:.1f}" width="{w:.1f}" height="{row_h - 10}" fill="{BAR_COLOUR}" '
            f'data-value="{v if v is not None else ""}"><title>{escape(label)}: {text}</title></rect>'
        )
        parts.append(f'<text x="{left + w + 6:.1f}" y="{y + row_h / 2 + 4:.1f}">{text}</text>')
    parts.append(tail)
    return mark_safe("".join(parts))
