"""The services that read "today" themselves, run at the awkward instants of tests/clock.py.

Each expected value below is written from the rule, for the day in the row: the local day in Asia/Ho_Chi_Minh
is the one that counts (at 00:30 on 1 January it is still 31 December in UTC). The rules:

- a draft is for this month until the 15th, for next month after it; resolutions are numbered 01, 02, … in one
  run per cell and year of their period; starting from the last period carries its unfinished tasks over;
- reminders: due in 3 and in 1 days, due today, overdue the day after the deadline (the sweep's day is today);
- a meeting can be marked held from its own day on; its review covers the resolutions in force on that day;
- the dashboard's series end with this month and cover twelve months;
- a year's evaluation is judged on its last day, or on today while the year runs;
- the calendar feed lists the meetings of today and later, each in local time.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboards.dashboard import dashboard
from evaluations.evidence import evidence_day
from meetings.models import Meeting
from meetings.services import mark_held, plan_meeting, reviewable_resolutions
from notifications.calendar import build_calendar
from notifications.models import Kind, Notification
from notifications.tasks import sweep_reminders
from resolutions.models import Resolution, Task
from resolutions.services import WorkflowError, create_resolution
from tests.clock import AWKWARD
from tests.factories import MemberFactory, UserFactory

D = dt.date


def on(instant: str, *values: object):
    """One row of a table: the values, run with the clock at ``instant``."""
    return pytest.param(*values, marks=pytest.mark.clock(instant), id=instant)


# ---------------------------------------------------------------------------------------------------
# Drafting: the default period, the number, the previous period
# ---------------------------------------------------------------------------------------------------

DRAFT_DAYS = [
    # instant, the local day, the default period, the number of the new draft
    on("2026-12-31 23:30", D(2026, 12, 31), (D(2027, 1, 1), D(2027, 1, 31)), "01-NQ/CB"),
    on("2027-01-01 00:30", D(2027, 1, 1), (D(2027, 1, 1), D(2027, 1, 31)), "01-NQ/CB"),
    on("2028-02-29 10:00", D(2028, 2, 29), (D(2028, 3, 1), D(2028, 3, 31)), "02-NQ/CB"),
    on("2026-11-30 10:00", D(2026, 11, 30), (D(2026, 12, 1), D(2026, 12, 31)), "05-NQ/CB"),
]


@pytest.fixture
def secretary_client(client_for):
    return client_for("secretary")


def _earlier_resolutions(cell, day: dt.date) -> Resolution:
    """Three resolutions in force of 2026 (01–03 of that year), then the monthly one of the month before
    ``day``'s (the next number of its own year), with an unfinished task: the one a new draft starts from."""
    made = [
        create_resolution(
            cell=cell, by=None, kind="thematic", period_start=D(2026, m, 1), period_end=D(2026, m, 28), title=f"CĐ {m}"
        )
        for m in (3, 6, 9)
    ]
    before = (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    previous = create_resolution(
        cell=cell, by=None, kind="monthly", period_start=before, period_end=before + dt.timedelta(days=27), title="Cũ"
    )
    Resolution.objects.filter(pk__in=[r.pk for r in [*made, previous]]).update(status=Resolution.Status.IN_PROGRESS)
    lead = MemberFactory.create(cell=cell)
    Task.objects.create(
        resolution=previous, title="Việc còn dở", deadline=before + dt.timedelta(days=20), lead_member=lead
    )
    return previous


@pytest.mark.parametrize(("day", "period", "number"), DRAFT_DAYS)
def test_a_new_draft_takes_its_period_and_number_from_the_local_day(
    tree, secretary_client, day, period, number
) -> None:
    assert timezone.localdate() == day
    previous = _earlier_resolutions(tree.cell_a1, period[0])
    url = reverse("resolutions:resolution-create", args=[tree.cell_a1.pk])
    page = secretary_client.get(url)
    form = page.context["form"]
    assert (form["period_start"].value(), form["period_end"].value()) == period

    response = secretary_client.post(
        url,
        {
            "kind": "monthly",
            "period_start": f"{period[0]:%d/%m/%Y}",
            "period_end": f"{period[1]:%d/%m/%Y}",
            "title": "Nghị quyết tháng mới",
            "from_last_period": "on",
        },
    )
    assert response.status_code == 302
    draft = Resolution.objects.get(cell=tree.cell_a1, title="Nghị quyết tháng mới")
    assert (draft.number, draft.year) == (number, period[0].year)
    assert draft.previous == previous
    carried = draft.tasks.get()
    assert (carried.title, carried.deadline) == ("Việc còn dở", period[1])


# ---------------------------------------------------------------------------------------------------
# Reminders
# ---------------------------------------------------------------------------------------------------

REMINDER_DAYS = [
    # instant, the sweep's day, {deadline: the reminder it gets that day}
    on(
        "2026-12-31 23:30",
        D(2026, 12, 31),
        {D(2027, 1, 3): Kind.DUE_SOON, D(2027, 1, 1): Kind.DUE_SOON, D(2026, 12, 31): Kind.DUE_TODAY}
        | {D(2026, 12, 30): Kind.OVERDUE, D(2027, 1, 2): None},
    ),
    on(
        "2027-01-01 00:30",
        D(2027, 1, 1),
        {D(2027, 1, 4): Kind.DUE_SOON, D(2027, 1, 2): Kind.DUE_SOON, D(2027, 1, 1): Kind.DUE_TODAY}
        | {D(2026, 12, 31): Kind.OVERDUE, D(2027, 1, 3): None},
    ),
    on(
        "2028-02-29 10:00",
        D(2028, 2, 29),
        {D(2028, 3, 3): Kind.DUE_SOON, D(2028, 3, 1): Kind.DUE_SOON, D(2028, 2, 29): Kind.DUE_TODAY}
        | {D(2028, 2, 28): Kind.OVERDUE, D(2028, 3, 2): None},
    ),
    on(
        "2026-11-30 10:00",
        D(2026, 11, 30),
        {D(2026, 12, 3): Kind.DUE_SOON, D(2026, 12, 1): Kind.DUE_SOON, D(2026, 11, 30): Kind.DUE_TODAY}
        | {D(2026, 11, 29): Kind.OVERDUE, D(2026, 12, 2): None},
    ),
]


@pytest.mark.parametrize(("day", "expected"), REMINDER_DAYS)
def test_the_sweep_reminds_by_the_local_day(tree, day, expected) -> None:
    lead = MemberFactory.create(cell=tree.cell_a1, user=UserFactory.create(username="lead"))
    earliest = min(expected)
    resolution = create_resolution(
        cell=tree.cell_a1, by=None, kind="monthly", period_start=earliest, period_end=max(expected), title="NQ"
    )
    Resolution.objects.filter(pk=resolution.pk).update(status=Resolution.Status.IN_PROGRESS)
    tasks = {
        deadline: Task.objects.create(
            resolution=resolution, title=f"Hạn {deadline:%d/%m}", deadline=deadline, lead_member=lead
        )
        for deadline in expected
    }

    sweep_reminders.delay()  # no day given: the sweep takes today's, as Celery beat runs it

    got = {n.object_ref: n for n in Notification.objects.filter(recipient=lead.user)}
    for deadline, kind in expected.items():
        notification = got.get(f"task:{tasks[deadline].pk}")
        assert (notification.kind if notification else None) == kind, deadline
        assert notification is None or notification.day == day


# ---------------------------------------------------------------------------------------------------
# The meeting of the day, its review, the calendar feed
# ---------------------------------------------------------------------------------------------------

MEETING_DAYS = [
    on("2026-12-31 23:30", D(2026, 12, 31)),
    on("2027-01-01 00:30", D(2027, 1, 1)),
    on("2028-02-29 10:00", D(2028, 2, 29)),
    on("2026-11-30 10:00", D(2026, 11, 30)),
]


@pytest.mark.parametrize("day", MEETING_DAYS)
def test_the_meeting_of_the_local_day_is_held_reviewed_and_in_the_calendar(tree, people, day) -> None:
    cell = tree.cell_a1
    times = {"starts_at": dt.time(19, 0), "ends_at": dt.time(21, 0), "place": "Nhà văn hóa"}
    today_meeting = plan_meeting(cell=cell, by=None, kind="regular", date=day, **times)
    tomorrow = plan_meeting(cell=cell, by=None, kind="thematic", date=day + dt.timedelta(days=1), **times)
    in_force = create_resolution(
        cell=cell, by=None, kind="monthly", period_start=day, period_end=day + dt.timedelta(days=27), title="Mới"
    )
    later = create_resolution(
        cell=cell,
        by=None,
        kind="monthly",
        period_start=day + dt.timedelta(days=1),
        period_end=day + dt.timedelta(days=28),
        title="Sau",
    )
    Resolution.objects.filter(pk__in=[in_force.pk, later.pk]).update(status=Resolution.Status.IN_PROGRESS)

    assert reviewable_resolutions(today_meeting) == [in_force]
    mark_held(meeting=today_meeting, opened_at=dt.time(19), closed_at=dt.time(21))
    assert Meeting.objects.get(pk=today_meeting.pk).status == Meeting.Status.HELD
    with pytest.raises(WorkflowError):
        mark_held(meeting=tomorrow, opened_at=dt.time(19), closed_at=dt.time(21))  # not before its day

    feed = build_calendar(people["member"]).decode()
    assert f"DTSTART;TZID=Asia/Ho_Chi_Minh:{day:%Y%m%d}T190000" in feed
    assert f"DTSTART;TZID=Asia/Ho_Chi_Minh:{day + dt.timedelta(days=1):%Y%m%d}T190000" in feed


# ---------------------------------------------------------------------------------------------------
# Dashboards and the yearly evaluation
# ---------------------------------------------------------------------------------------------------

MONTH_DAYS = [
    # instant, the dashboard's first and last month, the day 2026's evaluation is judged on
    on("2026-12-31 23:30", D(2026, 1, 1), D(2026, 12, 1), D(2026, 12, 31)),
    on("2027-01-01 00:30", D(2026, 2, 1), D(2027, 1, 1), D(2026, 12, 31)),
    on("2028-02-29 10:00", D(2027, 3, 1), D(2028, 2, 1), D(2026, 12, 31)),
    on("2026-11-30 10:00", D(2025, 12, 1), D(2026, 11, 1), D(2026, 11, 30)),
]


@pytest.mark.parametrize(("first", "last", "judged_on"), MONTH_DAYS)
def test_the_dashboard_months_and_the_evaluation_day_follow_the_local_day(
    tree, client_for, first, last, judged_on
) -> None:
    board = dashboard(tree.ward_a, timezone.localdate())
    assert (board.months[0], board.months[-1], len(board.months)) == (first, last, 12)
    page = client_for("standing").get(reverse("dashboards:dashboard", args=[tree.ward_a.pk]))
    assert page.status_code == 200
    assert f"{last:%m/%Y}" in page.content.decode()
    assert evidence_day(2026) == judged_on


def test_the_table_rows_run_at_their_instants() -> None:
    """The rows above are only worth their dates if the marker is what the tests run under."""
    instants = {p.marks[0].args[0] for table in (DRAFT_DAYS, REMINDER_DAYS, MEETING_DAYS, MONTH_DAYS) for p in table}
    assert instants == set(AWKWARD.values())
