"""The rules of the yearly classification, as plain functions over plain values, each with a table-driven test.

- At most a share (20%) of those classified "well completed" may be classified "excellently completed"
  (Quy định 124-QĐ/TW, 2023, art. 12). The excellent are chosen among those who completed their duties well,
  so the base counts both levels; "may not exceed" rounds the largest number allowed down.
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
    good_or_better: int
    maximum: int
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def excellent_quota(levels: Iterable[str], *, percent: int | None = None) -> QuotaCheck:
    """Check that "excellent" goes to at most ``percent``% of those classified "well completed" or better.

    ``levels`` are the levels of the members of one list (empty strings, the unclassified, are ignored).
    """
    percent = setting("EXCELLENT_PERCENT") if percent is None else percent
    levels = list(levels)
    excellent = levels.count(Level.EXCELLENT)
    base = excellent + levels.count(Level.GOOD)
    maximum = base * percent // 100
    if excellent <= maximum:
        return QuotaCheck(percent, excellent, base, maximum)
    numbers = {"excellent": excellent, "percent": percent, "base": base, "maximum": maximum}
    message = ngettext(
        "%(excellent)d member proposed as excellent, more than %(percent)d%% of the "
        "%(base)d members classified as well completed or better (at most %(maximum)d)",
        "%(excellent)d members proposed as excellent, more than %(percent)d%% of the "
        "%(base)d members classified as well completed or better (at most %(maximum)d)",
        excellent,
    )
    return QuotaCheck(percent, excellent, base, maximum, message % numbers)


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


def _months_before(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    last_day = 28 if month + 1 == 2 else 30 if month + 1 in (4, 6, 9, 11) else 31
    return day.replace(year=year, month=month + 1, day=min(day.day, last_day))


def exclusion(
    *, admitted_on: dt.date, year: int, is_exempt: bool, is_suspended: bool, min_months: int | None = None
) -> str:
    """Why a member is not classified for ``year`` (an ``Exclusion`` code), or "" when they are."""
    if is_exempt:
        return Exclusion.EXEMPT
    if is_suspended:
        return Exclusion.SUSPENDED
    min_months = setting("MIN_MONTHS_ADMITTED") if min_months is None else min_months
    if admitted_on > _months_before(dt.date(year, 12, 31), min_months):
        return Exclusion.NEWLY_ADMITTED
    return ""
