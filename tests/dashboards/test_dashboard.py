"""The ward and city dashboards: numbers that agree with the rows behind them, the status light, access, sorting,
filtering, and a fixed number of queries whatever the size of the tree."""

from __future__ import annotations

import datetime as dt
import itertools
import pickle
import re

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboards.dashboard import (
    AT_RISK,
    OFF_TRACK,
    ON_TRACK,
    CellFacts,
    RowOrder,
    Thresholds,
    dashboard,
    status_light,
    worst_light,
)
from dashboards.page import dashboard_page, page_key
from meetings.models import Attendance, Meeting, MonthlyReview
from meetings.rules import count_attendance
from meetings.services import recount_attendance
from members.models import Organisation
from members.versions import tokens
from resolutions.models import Resolution, Task
from resolutions.services import progress_of
from tests.factories import MemberFactory, make_org
from tests.resolutions.factories import ResolutionFactory, TaskFactory

DAY = dt.date(2026, 3, 27)  # after the 25th: a missing review counts
HCM = dt.timezone(dt.timedelta(hours=7))
A = Attendance.Status
S = Task.Status
HELD = (Meeting.Status.HELD, Meeting.Status.APPROVED)


def frozen():
    return time_machine.travel(dt.datetime(DAY.year, DAY.month, DAY.day, 10, 0, tzinfo=HCM), tick=False)


def meeting(cell, day, statuses, *, status=Meeting.Status.HELD, review_of=None):
    """A meeting of ``cell`` on ``day`` with one attendance row (a new member) per status given."""
    m = Meeting.objects.create(cell=cell, date=day, starts_at=dt.time(19), place="Nhà văn hóa", status=status)
    Attendance.objects.bulk_create(
        Attendance(
            meeting=m,
            member=MemberFactory.create(cell=cell),
            status=s,
            reason="Ốm" if s == A.ABSENT_WITH_REASON else "",
        )
        for s in statuses
    )
    recount_attendance(Meeting.objects.filter(pk=m.pk))  # what every attendance write in the app does
    if review_of is not None:
        MonthlyReview.objects.create(meeting=m, resolution=review_of, snapshot={})
    return m


def march_resolution(cell, *, adopted_on, status=Resolution.Status.IN_PROGRESS):
    return ResolutionFactory.create(
        cell=cell,
        period_start=dt.date(2026, 3, 1),
        period_end=dt.date(2026, 3, 31),
        status=status,
        adopted_on=adopted_on,
    )


@pytest.fixture
def world(tree):
    """Ward A: A1 is working well (one task overdue), A2 is off track; ward B: B1 has no resolution."""
    # A1: adopted on time; three tasks done, one overdue (20 %: not more than 20 %), one open and weighted, one
    # cancelled (not counted).
    r1 = march_resolution(tree.cell_a1, adopted_on=dt.date(2026, 3, 5))
    TaskFactory.create(
        resolution=r1, status=S.DONE, progress=100, deadline=dt.date(2026, 3, 15), completed_on=dt.date(2026, 3, 10)
    )
    TaskFactory.create(resolution=r1, status=S.IN_PROGRESS, progress=30, deadline=dt.date(2026, 3, 20))
    TaskFactory.create(resolution=r1, status=S.IN_PROGRESS, progress=40, weight=2, deadline=dt.date(2026, 3, 31))
    TaskFactory.create(resolution=r1, status=S.CANCELLED, progress=0, deadline=dt.date(2026, 3, 10))
    for day in (12, 14):
        TaskFactory.create(
            resolution=r1,
            status=S.DONE,
            progress=100,
            deadline=dt.date(2026, 3, day),
            completed_on=dt.date(2026, 3, day),
        )
    # Last month's resolution of A1, completed; one of its tasks was done a week late.
    old = ResolutionFactory.create(
        cell=tree.cell_a1,
        period_start=dt.date(2026, 2, 1),
        period_end=dt.date(2026, 2, 28),
        status=Resolution.Status.COMPLETED,
        adopted_on=dt.date(2026, 2, 3),
    )
    TaskFactory.create(
        resolution=old, status=S.DONE, progress=100, deadline=dt.date(2026, 2, 20), completed_on=dt.date(2026, 2, 27)
    )
    meeting(tree.cell_a1, dt.date(2026, 2, 5), [A.PRESENT, A.PRESENT, A.PRESENT, A.ABSENT_WITHOUT_REASON, A.EXEMPT])
    meeting(
        tree.cell_a1,
        dt.date(2026, 3, 5),
        [A.PRESENT, A.PRESENT, A.LATE, A.ABSENT_WITH_REASON, A.AWAY],
        status=Meeting.Status.APPROVED,
        review_of=r1,
    )
    # A planned meeting counts for nothing.
    meeting(tree.cell_a1, dt.date(2026, 3, 26), [A.PRESENT, A.ABSENT_WITHOUT_REASON], status=Meeting.Status.PLANNED)

    # A2: adopted late; two of three tasks overdue (> 20 %); no meeting in February; March without a review.
    r2 = march_resolution(tree.cell_a2, adopted_on=dt.date(2026, 3, 12))
    TaskFactory.create(resolution=r2, status=S.NOT_STARTED, progress=0, deadline=dt.date(2026, 3, 14))
    TaskFactory.create(resolution=r2, status=S.IN_PROGRESS, progress=50, deadline=dt.date(2026, 3, 20))
    TaskFactory.create(
        resolution=r2, status=S.DONE, progress=100, deadline=dt.date(2026, 3, 30), completed_on=dt.date(2026, 3, 25)
    )
    meeting(tree.cell_a2, dt.date(2026, 3, 12), [A.PRESENT, A.ABSENT_WITHOUT_REASON, A.ABSENT_WITHOUT_REASON])

    # B1: only a draft for March and a meeting in January.
    march_resolution(tree.cell_b1, adopted_on=None, status=Resolution.Status.DRAFT)
    meeting(tree.cell_b1, dt.date(2026, 1, 8), [A.PRESENT, A.PRESENT])
    return tree


def recompute(cell: Organisation, day: dt.date) -> dict[str, object]:
    """The figures of a cell straight from its rows, with the project's own rules."""
    live = Task.objects.filter(resolution__cell=cell, resolution__status__in=Resolution.LIVE)
    counted = [t for t in live if t.status != S.CANCELLED]
    month = day.replace(day=1)
    year_start = dt.date(day.year - 1, day.month + 1, 1) if day.month < 12 else dt.date(day.year, 1, 1)
    held = Attendance.objects.filter(meeting__cell=cell, meeting__status__in=HELD, meeting__date__lte=day)
    this_month = count_attendance((a.status, True) for a in held.filter(meeting__date__gte=month))
    year = count_attendance((a.status, True) for a in held.filter(meeting__date__gte=year_start))
    meetings = Meeting.objects.filter(cell=cell, status__in=HELD, date__lte=day)
    return {
        "tasks_total": len(counted),
        "tasks_done": sum(t.status == S.DONE for t in counted),
        "tasks_overdue": sum(t.is_overdue(day) for t in counted),
        "progress": progress_of(live),
        "attendance_month": this_month.rate,
        "attendance_year": year.rate,
        "last_meeting": max((m.date for m in meetings), default=None),
        "reviewed": MonthlyReview.objects.filter(meeting__in=meetings, meeting__date__gte=month).exists(),
    }


def shown(row) -> dict[str, object]:
    return {
        "tasks_total": row.figures.tasks_total,
        "tasks_done": row.figures.tasks_done,
        "tasks_overdue": row.figures.tasks_overdue,
        "progress": row.progress,
        "attendance_month": row.attendance_month,
        "attendance_year": row.attendance_year,
        "last_meeting": row.last_meeting,
        "reviewed": bool(row.figures.reviewed),
    }


# ---------------------------------------------------------------------------------------------------
# The numbers
# ---------------------------------------------------------------------------------------------------


def test_ward_rows_are_its_cells_with_numbers_that_agree_with_the_rows_behind_them(world) -> None:
    board = dashboard(world.ward_a, DAY)
    assert [row.org for row in board.rows] == [world.cell_a1, world.cell_a2]
    for row in board.rows:
        assert shown(row) == recompute(row.org, DAY), row.org.name


def test_ward_figures_by_hand(world) -> None:
    a1, a2 = dashboard(world.ward_a, DAY).rows
    # A1: done 3 × 100, 30, 40 × 2 → 410 / 6 = 68 (``rules.rolled_up_progress``); the cancelled task is left out.
    assert (a1.figures.tasks_total, a1.figures.tasks_done, a1.figures.tasks_overdue, a1.progress) == (5, 3, 1, 68)
    # March: present 2 + late 1 of 4 expected (away not expected) → 75 %; 12 months: (3 + 3) / (4 + 4) → 75 %.
    assert (a1.attendance_month, a1.attendance_year) == (75, 75)
    assert a1.last_meeting == dt.date(2026, 3, 5)  # the planned meeting of 26/03 is not held yet
    assert a1.resolution is not None
    assert a1.resolution.number
    assert a1.adopted_on_time is True
    assert a1.figures.reviewed == 1
    assert a1.light == AT_RISK  # one task overdue, attendance below 80 %
    assert a2.adopted_on_time is False  # adopted on the 12th: more than 7 days into the period
    assert (a2.figures.tasks_overdue, a2.figures.reviewed) == (2, 0)
    assert a2.light == OFF_TRACK
    assert a2.light_title.count(";") >= 1  # several reasons: overdue share and no meeting last month


def test_a_cell_with_only_a_draft_is_off_track_and_not_adopted(world) -> None:
    (b1,) = dashboard(world.ward_b, DAY).rows
    assert b1.resolution is not None
    assert b1.resolution.status == Resolution.Status.DRAFT
    assert b1.adopted_on_time is None
    assert b1.light == OFF_TRACK
    assert (b1.figures.tasks_total, b1.attendance_month, b1.last_meeting) == (0, None, dt.date(2026, 1, 8))


def test_city_rows_are_its_wards_with_their_cells_summed(world) -> None:
    city = dashboard(world.city, DAY)
    assert [row.org for row in city.rows] == [world.ward_a, world.ward_b]
    for ward_row in city.rows:
        cells = dashboard(ward_row.org, DAY).rows
        for name in (
            "cells",
            "tasks_total",
            "tasks_done",
            "tasks_overdue",
            "attended_month",
            "expected_month",
            "attended_year",
            "expected_year",
            "reviewed",
            "on_time",
            "progress_score",
            "progress_weight",
        ):
            assert getattr(ward_row.figures, name) == sum(getattr(c.figures, name) for c in cells), name
        assert ward_row.last_meeting == max(c.last_meeting for c in cells if c.last_meeting)
        # The light of a ward is the worst light of its cells.
        assert ward_row.light == worst_light(c.light for c in cells)
    ward_a = city.rows[0]
    # Rates come from the summed counts: (3 + 1) / (4 + 3) in March, not the mean of 75 % and 33 %.
    assert ward_a.attendance_month == round(4 * 100 / 7)
    assert ward_a.review_missing == 1
    assert city.total.figures.cells == 3


def test_a_party_group_is_not_a_row_and_a_deeper_tree_works_the_same(world) -> None:
    # A cell under a sub-ward level, three levels below the city: still counted in the ward's row.
    zone = make_org("Cụm dân cư", Organisation.Kind.WARD, world.ward_b, code="AH-CUM")
    deep = make_org("Chi bộ khu phố 9", Organisation.Kind.CELL, zone, code="AH-KP9")
    TaskFactory.create(resolution=march_resolution(deep, adopted_on=dt.date(2026, 3, 2)), deadline=dt.date(2026, 3, 1))
    city = dashboard(world.city, DAY)
    ward_b = next(r for r in city.rows if r.org == world.ward_b)
    assert (ward_b.figures.cells, ward_b.figures.tasks_overdue) == (2, 1)
    assert [r.org for r in dashboard(world.ward_b, DAY).rows] == [world.cell_b1, zone]
    (a1,) = dashboard(world.cell_a1, DAY).rows  # a cell's dashboard is its own row; its party group is not one
    assert a1.org == world.cell_a1


def test_monthly_series_cover_twelve_months(world) -> None:
    board = dashboard(world.ward_a, DAY)
    assert board.months[0] == dt.date(2025, 4, 1)
    assert board.months[-1] == dt.date(2026, 3, 1)
    by_month = dict(zip(board.months, board.attendance_series, strict=True))
    assert by_month[dt.date(2026, 2, 1)] == 75  # 3 of 4 (exempt not expected)
    assert by_month[dt.date(2026, 3, 1)] == round(4 * 100 / 7)
    assert by_month[dt.date(2025, 12, 1)] is None
    overdue = dict(zip(board.months, board.overdue_series, strict=True))
    # February: A1's task done a week late. March: A1's open task of the 20th, A2's two open tasks; A2's task
    # done before its deadline and A1's task due on the 31st do not count; nor does the cancelled one.
    assert overdue[dt.date(2026, 2, 1)] == 1
    assert overdue[dt.date(2026, 3, 1)] == 3
    expected_march = sum(
        1
        for t in Task.objects.filter(
            resolution__cell__in=[world.cell_a1, world.cell_a2], deadline__month=3, deadline__lt=DAY
        ).exclude(status=S.CANCELLED)
        if not (t.status == S.DONE and t.completed_on and t.completed_on <= t.deadline)
    )
    assert overdue[dt.date(2026, 3, 1)] == expected_march


def test_only_the_cells_overseen_are_counted_when_scoped(world) -> None:
    board = dashboard(world.city, DAY, within=(world.cell_a1.path,))
    assert [r.org for r in board.rows] == [world.ward_a]
    assert board.rows[0].figures.cells == 1
    assert board.total.figures.tasks_total == 5


def test_thresholds_are_settings(world, settings) -> None:
    settings.CHIBO = {**settings.CHIBO, "DASHBOARD": {"ADOPTED_WITHIN_DAYS": 15, "AT_RISK_ATTENDANCE_PERCENT": 70}}
    a1, a2 = dashboard(world.ward_a, DAY).rows
    assert a2.adopted_on_time is True
    assert a1.light == AT_RISK
    assert len(a1.reasons) == 1


# ---------------------------------------------------------------------------------------------------
# The light rule
# ---------------------------------------------------------------------------------------------------

GOOD = {
    "in_force": True,
    "tasks_total": 10,
    "tasks_overdue": 0,
    "met_last_month": True,
    "attendance_rate": 90,
    "reviewed": True,
    "day_of_month": 27,
}


@pytest.mark.parametrize(
    ("changes", "light"),
    [
        ({}, ON_TRACK),
        ({"in_force": False}, OFF_TRACK),
        ({"tasks_overdue": 3}, OFF_TRACK),  # 30 % > 20 %
        ({"tasks_overdue": 2}, AT_RISK),  # 20 % is not more than 20 %
        ({"tasks_overdue": 1}, AT_RISK),
        ({"met_last_month": False}, OFF_TRACK),
        ({"attendance_rate": 79}, AT_RISK),
        ({"attendance_rate": 80}, ON_TRACK),
        ({"attendance_rate": None}, ON_TRACK),  # no meeting yet this month: the meeting rule decides
        ({"reviewed": False}, AT_RISK),
        ({"reviewed": False, "day_of_month": 25}, ON_TRACK),  # the review is due by the 25th
        ({"tasks_total": 0, "tasks_overdue": 0}, ON_TRACK),
        ({"in_force": False, "attendance_rate": 50}, OFF_TRACK),  # the worse condition wins
    ],
)
def test_status_light_rule(changes, light) -> None:
    decided, reasons = status_light(CellFacts(**{**GOOD, **changes}), Thresholds())
    assert decided == light
    assert bool(reasons) == (light != ON_TRACK)


def test_worst_light() -> None:
    assert worst_light([ON_TRACK, AT_RISK, None]) == AT_RISK
    assert worst_light([ON_TRACK, OFF_TRACK, AT_RISK]) == OFF_TRACK
    assert worst_light([None]) is None


# ---------------------------------------------------------------------------------------------------
# The pages: access, sort, filter
# ---------------------------------------------------------------------------------------------------


def url(org: Organisation, **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("dashboards:dashboard", kwargs={"org_id": org.pk}) + (f"?{query}" if query else "")


def test_standing_committee_sees_every_cell_of_its_ward(world, client_for) -> None:
    with frozen():
        response = client_for("standing").get(url(world.ward_a))
    assert response.status_code == 200
    assert [r.path for r in response.context["rows"]] == [world.cell_a1.path, world.cell_a2.path]
    assert response.context["restricted"] is False
    body = response.content.decode()
    assert body.count("<svg") >= 3
    assert 'role="img"' in body
    assert reverse("members:org-detail", kwargs={"org_id": world.cell_a1.pk}) in body
    assert reverse("meetings:meeting-list", kwargs={"org_id": world.cell_a2.pk}) in body


def test_member_in_charge_sees_only_their_cells(world, client_for) -> None:
    with frozen():
        response = client_for("in_charge").get(url(world.ward_a))
    assert response.status_code == 200
    assert [r.path for r in response.context["rows"]] == [world.cell_a1.path]
    assert response.context["restricted"] is True


def test_secretary_sees_their_own_cell_row(world, client_for) -> None:
    with frozen():
        response = client_for("secretary").get(url(world.cell_a1))
    assert response.status_code == 200
    assert [r.path for r in response.context["rows"]] == [world.cell_a1.path]


@pytest.mark.parametrize(
    ("who", "org_name", "status"),
    [
        ("member", "cell_a1", 403),
        ("member", "ward_a", 403),
        ("other_secretary", "cell_a1", 404),
        ("other_secretary", "ward_a", 404),
        ("nobody", "ward_a", 404),
        ("standing", "ward_b", 404),
        ("admin", "city", 200),
    ],
)
def test_dashboard_access(world, client_for, who, org_name, status) -> None:
    with frozen():
        assert client_for(who).get(url(getattr(world, org_name))).status_code == status


def test_anonymous_is_sent_to_login(world, client) -> None:
    response = client.get(url(world.ward_a))
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize(
    ("who", "target"),
    [("admin", "city"), ("standing", "ward_a"), ("in_charge", "ward_a"), ("secretary", "cell_a1")],
)
def test_dashboard_home_opens_the_highest_organisation_overseen(world, client_for, who, target) -> None:
    response = client_for(who).get(reverse("dashboards:dashboard-home"))
    assert response.status_code == 302
    assert response["Location"] == url(getattr(world, target))


@pytest.mark.parametrize("who", ["member", "nobody"])
def test_dashboard_home_refuses_who_oversees_nothing(world, client_for, who) -> None:
    assert client_for(who).get(reverse("dashboards:dashboard-home")).status_code == 403


def test_sort_by_overdue_and_filter_by_light(world, client_for) -> None:
    client = client_for("standing")
    with frozen():
        desc = client.get(url(world.ward_a, sort="overdue", dir="desc")).context["rows"]
        asc = client.get(url(world.ward_a, sort="overdue", dir="asc")).context["rows"]
        off = client.get(url(world.ward_a, light="off_track")).context["rows"]
        by_light = client.get(url(world.ward_a, sort="light")).context["rows"]
        nonsense = client.get(url(world.ward_a, sort="drop table", light="purple"))
    assert [r.path for r in desc] == [world.cell_a2.path, world.cell_a1.path]
    assert [r.path for r in asc] == [world.cell_a1.path, world.cell_a2.path]
    assert [r.path for r in off] == [world.cell_a2.path]
    assert [r.light for r in by_light] == [OFF_TRACK, AT_RISK]
    assert nonsense.status_code == 200
    assert len(nonsense.context["rows"]) == 2


def test_city_rows_drill_down_to_the_ward_dashboards(world, client_for) -> None:
    with frozen():
        body = client_for("admin").get(url(world.city)).content.decode()
    assert url(world.ward_a) in body
    assert url(world.ward_b) in body


# ---------------------------------------------------------------------------------------------------
# Queries: a fixed number whatever the size
# ---------------------------------------------------------------------------------------------------


def grow(world) -> None:
    """Four more cells in ward A and one in ward B, each with resolutions, tasks and meetings over many months."""
    counter = itertools.count(10)
    for ward in (world.ward_a, world.ward_a, world.ward_a, world.ward_a, world.ward_b):
        n = next(counter)
        cell = make_org(f"Chi bộ ấp {n}", Organisation.Kind.CELL, ward, code=f"X-{n}")
        for month in range(1, 4):
            r = ResolutionFactory.create(
                cell=cell,
                period_start=dt.date(2026, month, 1),
                period_end=dt.date(2026, month, 28),
                status=Resolution.Status.IN_PROGRESS,
                adopted_on=dt.date(2026, month, 3),
            )
            for day in (5, 15, 25):
                TaskFactory.create(resolution=r, deadline=dt.date(2026, month, day), progress=20)
            meeting(cell, dt.date(2026, month, 4), [A.PRESENT, A.LATE, A.ABSENT_WITHOUT_REASON], review_of=r)
        meeting(cell, dt.date(2025, 6, 4), [A.PRESENT, A.EXEMPT])


def page_queries(client, org: Organisation) -> int:
    with frozen(), CaptureQueriesContext(connection) as ctx:
        assert client.get(url(org)).status_code == 200
    return len(ctx.captured_queries)


# 1 the session, 2 the user, 3 the user's roles with their member record (access_for), 4 the organisation with
# its token; a page already cached (dashboards.page) needs only 5 the ancestors for the breadcrumb (none above the
# root: the city's page makes no such query). A page not cached reads 5 the rows (the children), 6 the rows'
# tokens; for rows not cached: 7 their cells, 8 the candidate current resolutions, 9 the tasks in force per cell,
# 10 attendance per cell (this month, 12 months), 11 attendance per row and month, 12 meetings and reviews per cell,
# 13 overdue tasks per row and month; then, for the column "Văn bản cấp trên" (not kept in the rows' parts),
# 14 the committee documents in force, 15 the cells they choose, 16 the cells' adoptions carrying them out, 17 the
# cells; then 18 the ancestors; and the bell's unread count.
@pytest.mark.parametrize(("level", "cold", "warm"), [("ward_a", 19, 6), ("city", 18, 5)])
def test_dashboard_runs_a_fixed_number_of_queries(world, client_for, level, cold, warm) -> None:
    client = client_for("admin")
    org = getattr(world, level)
    small = page_queries(client, org), page_queries(client, org)
    grow(world)  # every write renews the tokens: the next page computes again
    large = page_queries(client, org), page_queries(client, org)
    assert small == large == (cold, warm)
    assert len(dashboard(org, DAY).rows) >= 2


def test_a_scoped_dashboard_is_computed_each_time_with_the_same_queries(world, client_for) -> None:
    client = client_for("in_charge")  # oversees cell A1 only: no tokens, no cache
    small = page_queries(client, world.ward_a), page_queries(client, world.ward_a)
    grow(world)
    assert small == (page_queries(client, world.ward_a),) * 2 == (17, 17)  # with the bell's unread count


# ---------------------------------------------------------------------------------------------------
# The cache: every write shows at once
# ---------------------------------------------------------------------------------------------------


def fresh(org: Organisation):
    """The dashboard computed from scratch, nothing cached."""
    cache.clear()
    return dashboard(org, DAY)


def numbers(board) -> list[tuple]:
    return [
        (r.org.pk, r.org.name, r.figures, r.last_meeting, r.light, tuple(r.reasons), r.resolution and r.resolution.pk)
        for r in board.rows
    ] + [(board.total.figures, tuple(board.attendance_counts), tuple(board.overdue_series))]


def overdue_task(w) -> Task:
    return Task.objects.get(resolution__cell=w.cell_a1, status=S.IN_PROGRESS, deadline=dt.date(2026, 3, 20))


def held_meeting(w) -> Meeting:
    return Meeting.objects.filter(cell=w.cell_a1, status__in=HELD).latest("date")


def save_with(instance, **values):
    for name, value in values.items():
        setattr(instance, name, value)
    instance.save()


WRITES = {
    "a task done (update)": lambda w: Task.objects.filter(pk=overdue_task(w).pk).update(
        status=S.DONE, progress=100, completed_on=dt.date(2026, 3, 20)
    ),
    "a task's deadline saved": lambda w: save_with(overdue_task(w), deadline=dt.date(2026, 4, 1)),
    "a task deleted": lambda w: overdue_task(w).delete(),
    "tasks added in bulk": lambda w: Task.objects.bulk_create(
        [
            Task(
                resolution=overdue_task(w).resolution,
                title=f"Việc {n}",
                deadline=dt.date(2026, 3, 2),
                lead_kind=Task.LeadKind.COMMITTEE,
            )
            for n in range(3)
        ]
    ),
    "a resolution completed (update)": lambda w: Resolution.objects.filter(pk=overdue_task(w).resolution_id).update(
        status=Resolution.Status.COMPLETED
    ),
    "attendance recounted (update)": lambda w: Meeting.objects.filter(pk=held_meeting(w).pk).update(attended_count=0),
    "a meeting deleted": lambda w: held_meeting(w).delete(),
    "a review deleted (queryset)": lambda w: MonthlyReview.objects.filter(meeting__cell=w.cell_a1).delete(),
    "a cell renamed": lambda w: save_with(w.cell_a1, name="Chi bộ ấp Mới"),
}


@pytest.mark.parametrize("write", WRITES, ids=list(WRITES))
@pytest.mark.parametrize("level", ["ward_a", "city"])
def test_every_write_shows_on_the_next_dashboard(world, write, level) -> None:
    org = getattr(world, level)
    with frozen():
        before = numbers(dashboard(org, DAY))
        assert numbers(dashboard(org, DAY)) == before  # served from the cache
        WRITES[write](world)
        after = numbers(dashboard(org, DAY))
        assert after == numbers(fresh(org))
    if write != "a cell renamed" or level == "ward_a":  # the city's rows are wards: a cell's name is not shown
        assert after != before, "the write changes what the dashboard shows"


def test_a_write_renews_its_own_branch_only(world) -> None:
    paths = [world.city.path, world.ward_a.path, world.cell_a1.path, world.ward_b.path, world.cell_b1.path]
    before = tokens(paths)
    overdue_task(world).save()
    after = tokens(paths)
    changed = {path for path in paths if before.get(path) != after.get(path)}
    assert changed == {world.city.path, world.ward_a.path, world.cell_a1.path}


def test_the_page_shows_a_write_at_once_though_its_rows_are_cached(world, client_for) -> None:
    client = client_for("standing")

    def page() -> str:
        """The rows of the page's table (the rest of the page carries a fresh CSRF token each time)."""
        with frozen():
            content = client.get(url(world.ward_a)).content.decode()
        return content[content.index("<tbody>") : content.index("</tbody>")]

    first = page()
    assert page() == first  # rows served from the cache
    Task.objects.filter(pk=overdue_task(world).pk).update(status=S.DONE, progress=100, completed_on=DAY)
    after = page()
    cache.clear()
    assert after == page() != first


# ---------------------------------------------------------------------------------------------------
# The page: one cache entry per organisation and token (dashboards.page)
# ---------------------------------------------------------------------------------------------------


def shown_page(client, org: Organisation, **params: str) -> str:
    """What the page shows from its table on (the charts' element ids are new at every rendering)."""
    with frozen():
        content = client.get(url(org, **params)).content.decode()
    return re.sub(r"chart-[0-9a-f]{8}", "chart-id", content[content.index("<table") : content.index("</main>")])


@pytest.mark.parametrize("write", WRITES, ids=list(WRITES))
@pytest.mark.parametrize("level", ["ward_a", "city"])
def test_every_write_shows_on_the_next_page(world, client_for, write, level) -> None:
    client = client_for("admin")
    org = getattr(world, level)
    before = shown_page(client, org)
    WRITES[write](world)
    after = shown_page(client, org)
    cache.clear()
    assert after == shown_page(client, org), "the page after the write is the page computed from scratch"
    if write != "a cell renamed" or level == "ward_a":
        assert after != before


def test_a_ward_renamed_shows_on_the_city_page(world, client_for) -> None:
    client = client_for("admin")
    assert "Phường Mới" not in shown_page(client, world.city)
    save_with(world.ward_b, name="Phường Mới")
    assert "Phường Mới" in shown_page(client, world.city)


def test_every_order_of_the_rows_is_read_from_one_cached_page(world, client_for) -> None:
    client = client_for("admin")
    by_name = shown_page(client, world.ward_a)
    with CaptureQueriesContext(connection) as ctx:
        by_overdue = shown_page(client, world.ward_a, sort="overdue", dir="desc")
        off_track = shown_page(client, world.ward_a, light=OFF_TRACK)
    assert len(ctx.captured_queries) == 2 * 6  # the cached page's queries (test_dashboard_runs_a_fixed_number...)
    rows = [f'data-row="{world.cell_a1.pk}"', f'data-row="{world.cell_a2.pk}"']
    assert by_name.index(rows[0]) < by_name.index(rows[1])
    assert by_overdue.index(rows[1]) < by_overdue.index(rows[0])
    assert rows[1] in off_track
    assert rows[0] not in off_track
    cache.clear()
    assert shown_page(client, world.ward_a, sort="overdue", dir="desc") == by_overdue


def test_the_page_is_cached_per_language(world, client_for) -> None:
    client = client_for("admin")
    vietnamese = shown_page(client, world.ward_a)
    client.cookies["django_language"] = "en"
    english = shown_page(client, world.ward_a)
    assert "Off track" in english
    assert "Off track" not in vietnamese


def test_the_sort_and_filter_links_keep_the_order_shown(world, client_for) -> None:
    client = client_for("standing")
    plain = shown_page(client, world.ward_a)
    with frozen():
        filtered = client.get(url(world.ward_a, light=OFF_TRACK, sort="overdue", dir="desc")).content.decode()
    assert 'href="?sort=overdue&amp;dir=desc"' in plain
    assert f'href="?light={OFF_TRACK}&amp;sort=tasks&amp;dir=desc"' in filtered
    assert 'href="?sort=overdue&amp;dir=desc"' in filtered  # "All" keeps the sort
    assert 'aria-sort="descending"' in filtered
    assert 'aria-sort="descending"' not in plain


@pytest.mark.parametrize(
    ("order", "changes", "query"),
    [
        (RowOrder(), {"light": OFF_TRACK}, f"?light={OFF_TRACK}"),
        (RowOrder(), {"sort": "tasks", "dir": "desc"}, "?sort=tasks&dir=desc"),
        (RowOrder(sort="overdue", descending=True, light=AT_RISK), {"light": ""}, "?sort=overdue&dir=desc"),
        (RowOrder(sort="name", descending=True), {"light": AT_RISK}, f"?light={AT_RISK}&sort=name&dir=desc"),
        (RowOrder(light=AT_RISK), {"light": ""}, "?"),
    ],
)
def test_row_order_links(order, changes, query) -> None:
    assert order.link(**changes) == query


def test_the_cached_page_holds_plain_data_only(world) -> None:
    """What a request unpickles is strings, numbers and dates: no model object, no lazy translation."""
    org = Organisation.objects.filter(pk=world.city.pk).first()
    with frozen():  # the cache's entries expire by the clock
        page = dashboard_page(org, DAY)
        assert cache.get(page_key(org, DAY)) == page
    data = pickle.dumps(page)
    for module in (b"members.models", b"resolutions.models", b"django.db.models", b"django.utils.functional"):
        assert module not in data
