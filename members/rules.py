"""The rules of a member's probation, as plain functions over dates, each with a table-driven test.

- Probation lasts twelve full months from the admission date (Party Charter art. 5); the official date is the
  day the twelve months end, never earlier. Months are counted as the Civil Code counts a term in months
  (Bộ luật Dân sự 2015, art. 147–148): the admission day itself is not counted, and the term ends on the same
  day of the month twelve months later; when that month has no such day (29 February admitted, a common year
  twelve months later), it ends on the last day of that month. So admitted 15/03/2025 → official from
  15/03/2026 at the earliest; admitted 29/02/2024 → 28/02/2025.
- Within 30 working days of that day the cell reviews and votes, and the competent committee decides. Working
  days are Monday to Friday, less the public holidays listed in the setting ``CHIBO["PUBLIC_HOLIDAYS"]``; the
  count starts the day after the probation ends. Tết and the days off given in lieu move every year, so they are
  not built in: with no holidays listed, the deadline shown is never later than the real one.
- A member is admitted at 18 years of age or older (Party Charter art. 1). The form and the Excel import check
  a member's dates through ``member_dates_errors``.
- The cell and ward pages list the members whose probation ends within the next 60 days, or has ended without
  a recognition yet; the daily sweep reminds the cell's secretary once of each.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Party Charter art. 1: a member is admitted at this age or older.
MINIMUM_ADMISSION_AGE = 18
# Party Charter art. 5: twelve months of probation.
PROBATION_MONTHS = 12
# The cell reviews and votes within this many working days of the end of probation.
REVIEW_WORKING_DAYS = 30
# The cell and ward pages list the members whose probation ends within this many days.
ENDING_SOON_DAYS = 60


# A member's status on a day (``member_status``): the values of ``Member.Status``.
OFFICIAL = "official"
PROBATIONARY = "probationary"


def member_status(
    admitted_on: dt.date, official_on: dt.date | None, left_on: dt.date | None, day: dt.date
) -> str | None:
    """Official or probationary on ``day``; None before admission or once gone from the roll (``left_on``, the
    day of leaving, no longer counts). Official from the official date on, probationary before it."""
    if admitted_on > day or (left_on is not None and left_on <= day):
        return None
    if official_on is not None and official_on <= day:
        return OFFICIAL
    return PROBATIONARY


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day of the month ``months`` later (earlier when negative), or that month's last day if it has
    no such day: 31/01 + 1 month → 28/02 (29/02 in a leap year)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later, or 28 February for a 29 February when that year has none."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def probation_ends_on(admitted_on: dt.date) -> dt.date:
    """The day twelve full months from admission end: the earliest official date."""
    return add_months(admitted_on, PROBATION_MONTHS)


def latest_admission_ending_by(day: dt.date) -> dt.date:
    """The latest admission date whose probation ends on or before ``day`` (for a query on ``admitted_on``).

    The mapping is not one to one at the end of February: probation begun on 29/02/2024 and on 28/02/2024 both
    end on 28/02/2025, so the latest admission ending by 28/02/2025 is 29/02/2024."""
    latest = add_months(day, -PROBATION_MONTHS)
    while probation_ends_on(latest + dt.timedelta(days=1)) <= day:
        latest += dt.timedelta(days=1)
    return latest


def latest_admission_listed(day: dt.date, within_days: int = ENDING_SOON_DAYS) -> dt.date:
    """The latest admission date of a probationary member on the pages' list on ``day``: probation ending within
    ``within_days``, or already ended (never an admission after ``day``)."""
    return min(day, latest_admission_ending_by(day + dt.timedelta(days=within_days)))


def public_holidays() -> frozenset[dt.date]:
    """The holidays of the setting, as dates (written as dates or as "dd/mm/yyyy")."""
    days: set[dt.date] = set()
    for value in settings.CHIBO.get("PUBLIC_HOLIDAYS", ()):
        days.add(value if isinstance(value, dt.date) else dt.datetime.strptime(str(value), "%d/%m/%Y").date())
    return frozenset(days)


def is_working_day(day: dt.date, holidays: Collection[dt.date] = ()) -> bool:
    return day.weekday() < 5 and day not in holidays


def working_days_after(day: dt.date, count: int, holidays: Collection[dt.date] = ()) -> dt.date:
    """The ``count``-th working day after ``day`` (``day`` itself is not counted)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    current, left = day, count
    while left:
        current += dt.timedelta(days=1)
        if is_working_day(current, holidays):
            left -= 1
    return current


def review_deadline(probation_end: dt.date, holidays: Collection[dt.date] | None = None) -> dt.date:
    """The last day for the cell's review and vote: the 30th working day after probation ends."""
    holidays = public_holidays() if holidays is None else holidays
    return working_days_after(probation_end, REVIEW_WORKING_DAYS, holidays)


@dataclass(frozen=True)
class Probation:
    """A probationary member's dates, and where they stand on ``day``."""

    admitted_on: dt.date
    ends_on: dt.date  # the earliest official date
    review_by: dt.date  # the cell reviews and votes by this day
    day: dt.date

    @property
    def days_left(self) -> int:
        """Days from ``day`` to the end of probation; 0 or less once it has ended."""
        return (self.ends_on - self.day).days

    @property
    def has_ended(self) -> bool:
        return self.ends_on <= self.day

    @property
    def review_overdue(self) -> bool:
        return self.review_by < self.day

    @property
    def ends_soon(self) -> bool:
        """On the pages' list: ending within ``ENDING_SOON_DAYS``, or ended and not yet recognised."""
        return self.days_left <= ENDING_SOON_DAYS

    def summary(self) -> str:
        """One line for the pages and the reminder, with the dates."""
        numbers = {
            "admitted": f"{self.admitted_on:%d/%m/%Y}",
            "ends": f"{self.ends_on:%d/%m/%Y}",
            "review_by": f"{self.review_by:%d/%m/%Y}",
            "days": REVIEW_WORKING_DAYS,
        }
        if self.review_overdue:
            return (
                _(
                    "Probation ended on %(ends)s; the cell's review was due within %(days)d working days, "
                    "by %(review_by)s, and is overdue."
                )
                % numbers
            )
        if self.has_ended:
            return (
                _(
                    "Probation ended on %(ends)s; the cell reviews and votes within %(days)d working days, "
                    "by %(review_by)s."
                )
                % numbers
            )
        return (
            _(
                "Admitted on %(admitted)s: probation ends on %(ends)s, the earliest official date; the cell reviews "
                "and votes within %(days)d working days, by %(review_by)s."
            )
            % numbers
        )


def probation(admitted_on: dt.date, day: dt.date, holidays: Collection[dt.date] | None = None) -> Probation:
    """The dates of a probation begun on ``admitted_on``, seen on ``day``."""
    ends_on = probation_ends_on(admitted_on)
    return Probation(admitted_on, ends_on, review_deadline(ends_on, holidays), day)


def official_date_error(admitted_on: dt.date, official_on: dt.date) -> str:
    """Why ``official_on`` cannot be the official date of a member admitted on ``admitted_on``, or ""."""
    if official_on < admitted_on:
        return _("The official date cannot be before the admission date.")
    earliest = probation_ends_on(admitted_on)
    if official_on < earliest:
        days = (earliest - official_on).days
        return ngettext(
            "Probation lasts twelve full months: a member admitted on %(admitted)s can be official from "
            "%(earliest)s at the earliest, not from %(official)s (%(days)d day too early).",
            "Probation lasts twelve full months: a member admitted on %(admitted)s can be official from "
            "%(earliest)s at the earliest, not from %(official)s (%(days)d days too early).",
            days,
        ) % {
            "admitted": f"{admitted_on:%d/%m/%Y}",
            "earliest": f"{earliest:%d/%m/%Y}",
            "official": f"{official_on:%d/%m/%Y}",
            "days": days,
        }
    return ""


def admission_age_error(birth_date: dt.date, admitted_on: dt.date) -> str:
    """Why a member born on ``birth_date`` cannot have been admitted on ``admitted_on``, or "".

    A member is admitted at 18 years of age or older (Party Charter art. 1): on their 18th birthday at the
    earliest (a 29 February birthday falls on 28 February in a common year)."""
    if admitted_on < add_years(birth_date, MINIMUM_ADMISSION_AGE):
        return _("A member is admitted at 18 years of age or older.")
    return ""


def member_dates_errors(
    birth_date: dt.date | None, admitted_on: dt.date | None, official_on: dt.date | None
) -> dict[str, str]:
    """The admission age and probation rules over a member's dates: the field each broken rule is shown on,
    with its message. A date not known yet (None) breaks no rule; the form and the Excel import both check a
    member through this function."""
    errors: dict[str, str] = {}
    if birth_date and admitted_on and (error := admission_age_error(birth_date, admitted_on)):
        errors["admitted_on"] = error
    if admitted_on and official_on and (error := official_date_error(admitted_on, official_on)):
        errors["official_on"] = error
    return errors


# ---------------------------------------------------------------------------------------------------
# Personal data: the access log and the retention of members who left
# ---------------------------------------------------------------------------------------------------

# A user's opening of one member's full record is logged at most once in this time.
ACCESS_VIEW_INTERVAL = dt.timedelta(hours=1)


def view_is_logged(last_logged_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether this opening of a member's full record goes into the access log.

    The rule: every opening of a member's full record by someone other than the member is logged, except that
    the same person's openings of the same member within an hour of the last one logged are not logged again
    (a reload, going back and forth between pages, are one viewing). An opening an hour or more after the last
    one logged is logged."""
    return last_logged_at is None or now - last_logged_at >= ACCESS_VIEW_INTERVAL


# The management statuses of a member who is no longer on the cell's roll (``Member.ManagementStatus``).
LEFT_STATUSES = ("left", "deceased", "transferred_out")
DEFAULT_RETENTION_YEARS = 5


def retention_years() -> int:
    return int(getattr(settings, "RETENTION_YEARS_AFTER_LEAVING", DEFAULT_RETENTION_YEARS))


def identity_erased_from(management_status: str, left_on: dt.date | None, years: int | None = None) -> dt.date | None:
    """The day from which a member's identifying data is erased, or None when it is kept.

    The rule (Personal Data Protection Law, in force from 1 January 2026: data is kept no longer than its purpose
    needs): five years (the setting ``RETENTION_YEARS_AFTER_LEAVING``) after a member left the party or died,
    their identifying data — citizen ID, party card number, phone, email, address, birth date — is erased; the
    name, the dates of admission, recognition and leaving, and their part in resolutions, meetings and minutes
    stay, because the party's records keep them. A member transferred out is not erased either (their record
    moved to another cell's keeping), but their identifying data is erased after the same period, since this
    cell no longer manages them. The period ends on the same day of the month that many years after the date
    they left (a 29 February ends on 28 February of a common year); the data is erased from that day on.
    A member still on the roll is never erased, nor one whose leaving date was not recorded."""
    if management_status not in LEFT_STATUSES or left_on is None:
        return None
    return add_years(left_on, retention_years() if years is None else years)


def identity_is_erased_on(
    management_status: str, left_on: dt.date | None, day: dt.date, years: int | None = None
) -> bool:
    erased_from = identity_erased_from(management_status, left_on, years)
    return erased_from is not None and erased_from <= day
