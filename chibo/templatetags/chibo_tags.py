import datetime as dt
from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from chibo.lib.html import text_blocks
from members.access import access_for

register = template.Library()


@register.filter
def paragraphs(value: object) -> SafeString:
    """A long plain text as HTML: each blank-line-separated block a ``<p>``, a single line break a ``<br>``.

    Every line is escaped, so what was typed is shown as typed: ``<script>`` is text, never markup."""
    return mark_safe(  # built from escaped lines and our own two tags
        "".join("<p>" + "<br>".join(escape(line) for line in lines) + "</p>" for lines in text_blocks(str(value or "")))
    )


@register.filter
def whole_minutes(value: dt.timedelta | None) -> int:
    """A duration in whole minutes, rounded up (a lock of 90 seconds reads "2 minutes")."""
    if not value:
        return 0
    return max(1, -(-int(value.total_seconds()) // 60))


@register.filter
def percent_width_class(value: float | None) -> str:
    """The class that sets a progress bar's width (``pct-0`` … ``pct-100``, in chibo.css): the site's security
    policy forbids style attributes, so a width cannot be written into the page."""
    try:
        percent = round(float(value or 0))
    except (TypeError, ValueError):
        percent = 0
    return f"pct-{min(max(percent, 0), 100)}"


@register.filter
def percent_bar_class(value: int | None) -> str:
    if value is None:
        return "bg-secondary"
    if value >= 80:
        return "bg-success"
    if value >= 40:
        return "bg-info"
    return "bg-warning"


@register.filter
def sees_history(user: Any, cell: Any) -> bool:
    """Whether the user may open the change history of the cell's records (``history.pages``)."""
    return access_for(user).can_oversee_org(cell)
