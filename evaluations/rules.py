"""The rules of the yearly classification, as plain functions over plain values, each with a table-driven test.

- The number classified "excellently completed" may not exceed a share (20%) of the number classified "well
  completed" (Quy định 124-QĐ/TW, 2023, art. 12): the base is the "well completed" alone, not "well completed or
  better", and "may not exceed" rounds the largest number allowed down (49 "well completed" allow 9). The same
  cap holds for the cells' own classification among the cells of one ward, which the ward applies.
- The evidence is weighed: proposing "excellently" or "well completed" for a member who led tasks that are
  overdue or not met that year, missed meetings without a reason, or was disciplined that year is a warning with
  the figures, which the committee confirms with a reason (the ward sees both at approval).
- Who is not classified in a year: members exempt from activities, suspended members, and members admitted too
  recently to have a year's work to judge (the number of months is a setting: it is not confirmed here).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from evaluations.models import Level
from members.rules import add_months

DEFAULTS = {
    # Quy định 124-QĐ/TW art. 12: "xuất sắc" for at most 20% of those classified "tốt".
    "EXCELLENT_PERCENT": 20,
    # Members admitted less than this many months before the end of the year are not yet classified.
    "MIN_MONTHS_ADMITTED": 6,
}


def setting(name: str) -> int:
    return int(settings.CHIBO.get("EVALUATION", {}).get(name, DEFAULTS[name]))


@dataclass(frozen=True)
class QuotaCheck:
    percent: int
    excellent: int
    good: int
    maximum: int
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def quota_of(excellent: int, good: int, *, percent: int | None = None, cells: bool = False) -> QuotaCheck:
    """Check ``excellent`` against the cap of ``percent``% of ``good`` (rounded down); ``cells`` words the message
    for the cells of a ward instead of the members of a cell."""
    percent = setting("EXCELLENT_PERCENT") if percent is None else percent
    maximum = good * percent // 100
    if excellent <= maximum:
        return QuotaCheck(percent, excellent, good, maximum)
    numbers = {"excellent": excellent, "percent": percent, "good": good, "maximum": maximum}
    if cells:
        message = ngettext(
            "%(excellent)d cell classified as excellently completed, more than %(percent)d%% of the "
            "%(good)d cells classified as well completed (at most %(maximum)d)",
            "%(excellent)d cells classified as excellently completed, more than %(percent)d%% of the "
            "%(good)d cells classified as well completed (at most %(maximum)d)",
            excellent,
        )
    else:
        message = ngettext(
            "%(excellent)d member classified as excellently completed, more than %(percent)d%% of the "
            "%(good)d members classified as well completed (at most %(maximum)d)",
            "%(excellent)d members classified as excellently completed, more than %(percent)d%% of the "
            "%(good)d members classified as well completed (at most %(maximum)d)",
            excellent,
        )
    return QuotaCheck(percent, excellent, good, maximum, message % numbers)


def excellent_quota(levels: Iterable[str], *, percent: int | None = None, cells: bool = False) -> QuotaCheck:
    """Check that the number "excellent" is at most ``percent``% of the number "well completed".

    ``levels`` are the levels of one list (the members of a cell, or the cells of a ward); empty strings, the
    unclassified, and the two lower levels are not in the base.
    """
    levels = list(levels)
    return quota_of(levels.count(Level.EXCELLENT), levels.count(Level.GOOD), percent=percent, cells=cells)


# The levels whose proposal weighs the evidence against it.
WEIGHED_LEVELS = (Level.EXCELLENT, Level.GOOD)


def evidence_warning(level: str, *, overdue: int, not_met: int, absent_without_reason: int, disciplines: int) -> str:
    """The warning shown when ``level`` ("excellent" or "well completed") is proposed for a member whose year shows
    led tasks overdue or not met, meetings missed without a reason, or a discipline record; "" when there is none.
    The committee may keep the level by confirming it with a reason."""
    if level not in WEIGHED_LEVELS:
        return ""
    figures = []
    if overdue:
        figures.append(ngettext("led %(n)d task now overdue", "led %(n)d tasks now overdue", overdue) % {"n": overdue})
    if not_met:
        figures.append(ngettext("led %(n)d task not met", "led %(n)d tasks not met", not_met) % {"n": not_met})
    if absent_without_reason:
        figures.append(
            ngettext(
                "missed %(n)d meeting without a reason",
                "missed %(n)d meetings without a reason",
                absent_without_reason,
            )
            % {"n": absent_without_reason}
        )
    if disciplines:
        figures.append(
            ngettext("%(n)d discipline record this year", "%(n)d discipline records this year", disciplines)
            % {"n": disciplines}
        )
    if not figures:
        return ""
    return _("Proposed as “%(level)s” while the evidence shows: %(figures)s.") % {
        "level": Level(level).label,
        "figures": "; ".join(figures),
    }


class Exclusion:
    EXEMPT = "exempt"
    SUSPENDED = "suspended"
    NEWLY_ADMITTED = "new"


def exclusion_label(code: str) -> str:
    labels = {
        Exclusion.EXEMPT: _("exempt from activities"),
        Exclusion.SUSPENDED: _("suspended from activities"),
        Exclusion.NEWLY_ADMITTED: _("admitted less than %(months)d months before the end of the year")
        % {"months": setting("MIN_MONTHS_ADMITTED")},
    }
    return labels.get(code, "")


def exclusion(
    *, admitted_on: dt.date, year: int, is_exempt: bool, is_suspended: bool, min_months: int | None = None
) -> str:
    """Why a member is not classified for ``year`` (an ``Exclusion`` code), or "" when they are."""
    if is_exempt:
        return Exclusion.EXEMPT
    if is_suspended:
        return Exclusion.SUSPENDED
    min_months = setting("MIN_MONTHS_ADMITTED") if min_months is None else min_months
    if admitted_on > add_months(dt.date(year, 12, 31), -min_months):
        return Exclusion.NEWLY_ADMITTED
    return ""
