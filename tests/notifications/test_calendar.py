"""The private calendar feed: a member's deadlines and their cell's meetings, read by a phone calendar."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from icalendar import Calendar, Component

from meetings.models import Meeting
from notifications.calendar import build_calendar, create_feed
from notifications.models import CalendarFeed
from resolutions.models import Resolution, Task
from tests.resolutions.factories import ResolutionFactory, TaskFactory

TODAY = dt.date(2026, 3, 10)
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 3, 10, 8, 0, tzinfo=HCM), tick=False):
        yield


@pytest.fixture
def member(people):
    return people["member"].member


@pytest.fixture
def in_force(tree) -> Resolution:
    return ResolutionFactory.create(cell=tree.cell_a1, number="05-NQ/CB", title="Nghị quyết tháng 3 năm 2026")


@pytest.fixture
def feed(people) -> CalendarFeed:
    return create_feed(user=people["member"])


def meeting(cell, day: dt.date, **fields) -> Meeting:
    values = {"starts_at": dt.time(19, 30), "ends_at": dt.time(21, 30), "place": "Nhà văn hóa khu phố 1", **fields}
    return Meeting.objects.create(cell=cell, date=day, **values)


def fetch(feed: CalendarFeed) -> Calendar:
    response = Client().get(reverse("notifications:calendar-feed", args=[feed.token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(cal: Calendar) -> dict[str, Component]:
    return {str(event["UID"]): event for event in cal.walk("VEVENT")}


def test_the_feed_is_a_calendar_with_its_name_and_timezone(feed) -> None:
    cal = fetch(feed)
    assert str(cal["PRODID"]) == "-//chibo//vi"
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["X-WR-CALNAME"]) == "chibo – Đảng viên member"
    assert str(cal["X-WR-TIMEZONE"]) == "Asia/Ho_Chi_Minh"
    assert str(cal["X-PUBLISHED-TTL"]) == "PT1H"  # phone calendars fetch it again every hour


def test_a_task_i_lead_is_an_all_day_event_on_its_deadline_with_an_alarm_the_day_before(feed, member, in_force):
    task = TaskFactory.create(resolution=in_force, lead_member=member, title="Thu quỹ đền ơn đáp nghĩa", deadline=TODAY)
    event = events(fetch(feed))[f"task-{task.pk}@chibo"]
    assert event.decoded("DTSTART") == TODAY
    assert not isinstance(event.decoded("DTSTART"), dt.datetime)  # all day: a date, not a time
    assert event.decoded("DTEND") == TODAY + dt.timedelta(days=1)
    assert "Thu quỹ đền ơn đáp nghĩa" in str(event["SUMMARY"])
    assert "05-NQ/CB" in str(event["DESCRIPTION"])
    [alarm] = event.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY"
    fires = dt.datetime.combine(TODAY, dt.time()) + alarm.decoded("TRIGGER")
    assert fires.date() == TODAY - dt.timedelta(days=1)


def test_only_my_open_tasks_of_resolutions_in_force_are_in_the_feed(feed, member, in_force, tree) -> None:
    led = TaskFactory.create(resolution=in_force, lead_member=member)
    supported = TaskFactory.create(resolution=in_force, supporters=[member])
    TaskFactory.create(resolution=in_force, lead_member=member, status=Task.Status.DONE)
    TaskFactory.create(resolution=in_force, lead_member=member, status=Task.Status.CANCELLED)
    TaskFactory.create(resolution=in_force)  # someone else's
    draft = ResolutionFactory.create(cell=tree.cell_a1, status=Resolution.Status.DRAFT)
    TaskFactory.create(resolution=draft, lead_member=member)
    uids = {uid for uid in events(fetch(feed)) if uid.startswith("task-")}
    assert uids == {f"task-{led.pk}@chibo", f"task-{supported.pk}@chibo"}


def test_a_task_i_both_lead_and_support_appears_once(feed, member, in_force) -> None:
    task = TaskFactory.create(resolution=in_force, lead_member=member, supporters=[member])
    cal = fetch(feed)
    assert [str(e["UID"]) for e in cal.walk("VEVENT")] == [f"task-{task.pk}@chibo"]


def test_my_cells_meeting_is_a_timed_event_in_vietnam_time(feed, tree) -> None:
    planned = meeting(tree.cell_a1, TODAY + dt.timedelta(days=5), place="Hội trường khu phố 1")
    event = events(fetch(feed))[f"meeting-{planned.pk}@chibo"]
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == dt.datetime(2026, 3, 15, 19, 30, tzinfo=HCM)
    assert end == dt.datetime(2026, 3, 15, 21, 30, tzinfo=HCM)
    assert start.utcoffset() == dt.timedelta(hours=7)
    assert event["DTSTART"].params["TZID"] == "Asia/Ho_Chi_Minh"
    assert str(event["LOCATION"]) == "Hội trường khu phố 1"
    assert "Chi bộ khu phố 1" in str(event["SUMMARY"])


def test_the_feed_carries_the_timezone_it_uses(feed, tree) -> None:
    meeting(tree.cell_a1, TODAY)
    [zone] = fetch(feed).walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Asia/Ho_Chi_Minh"


def test_a_meeting_with_no_end_time_lasts_the_minimum(feed, tree) -> None:
    regular = meeting(tree.cell_a1, TODAY, ends_at=None)
    combined = meeting(tree.cell_a1, TODAY + dt.timedelta(days=1), ends_at=None, combined_with_thematic=True)
    found = events(fetch(feed))
    for m, minutes in ((regular, 90), (combined, 120)):
        event = found[f"meeting-{m.pk}@chibo"]
        assert event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(minutes=minutes)


def test_meetings_from_thirty_days_ago_of_my_cell_only(feed, tree) -> None:
    recent = meeting(tree.cell_a1, TODAY - dt.timedelta(days=30), status=Meeting.Status.HELD)
    approved = meeting(tree.cell_a1, TODAY - dt.timedelta(days=20), status=Meeting.Status.APPROVED)
    meeting(tree.cell_a1, TODAY - dt.timedelta(days=31), status=Meeting.Status.HELD)
    meeting(tree.cell_a2, TODAY)
    meeting(tree.cell_b1, TODAY)
    uids = set(events(fetch(feed)))
    assert uids == {f"meeting-{recent.pk}@chibo", f"meeting-{approved.pk}@chibo"}


def test_the_member_in_charge_gets_the_meetings_of_the_cell_in_their_care(people, tree) -> None:
    own = meeting(tree.cell_a2, TODAY)
    cared_for = meeting(tree.cell_a1, TODAY)
    meeting(tree.cell_b1, TODAY)
    uids = set(events(fetch(create_feed(user=people["in_charge"]))))
    assert uids == {f"meeting-{own.pk}@chibo", f"meeting-{cared_for.pk}@chibo"}


def test_a_wrong_token_is_not_found(feed) -> None:
    assert Client().get(reverse("notifications:calendar-feed", args=["not-a-token"])).status_code == 404


def test_a_revoked_token_is_not_found(feed, people) -> None:
    create_feed(user=people["member"])  # revokes the first
    assert Client().get(reverse("notifications:calendar-feed", args=[feed.token])).status_code == 404


def test_the_token_of_a_deactivated_account_is_not_found(feed, people) -> None:
    people["member"].is_active = False
    people["member"].save(update_fields=["is_active"])
    assert Client().get(reverse("notifications:calendar-feed", args=[feed.token])).status_code == 404


def test_creating_a_feed_revokes_the_previous_one(people) -> None:
    first = create_feed(user=people["member"])
    second = create_feed(user=people["member"])
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.revoked_at is None
    assert CalendarFeed.objects.filter(user=people["member"], revoked_at__isnull=True).get() == second


def test_the_builder_makes_a_calendar_without_a_request(people, member, in_force, tree) -> None:
    TaskFactory.create(resolution=in_force, lead_member=member)
    meeting(tree.cell_a1, TODAY)
    cal = Calendar.from_ical(build_calendar(people["member"]))
    assert len(cal.walk("VEVENT")) == 2
    assert all("URL" not in event for event in cal.walk("VEVENT"))


def test_events_link_to_their_page(feed, member, in_force) -> None:
    task = TaskFactory.create(resolution=in_force, lead_member=member)
    event = events(fetch(feed))[f"task-{task.pk}@chibo"]
    assert str(event["URL"]) == "http://testserver" + reverse("resolutions:task-detail", args=[task.pk])


@pytest.mark.parametrize("n", [1, 6])
def test_the_feed_has_a_fixed_query_count(feed, member, in_force, tree, django_assert_num_queries, n) -> None:
    for i in range(n):
        TaskFactory.create(resolution=in_force, lead_member=member)
        TaskFactory.create(resolution=in_force, supporters=[member])
        meeting(tree.cell_a1, TODAY + dt.timedelta(days=i))
    client = Client()
    # the feed with its user and member record; tasks with their resolution; meetings with their cell
    with django_assert_num_queries(3):
        response = client.get(reverse("notifications:calendar-feed", args=[feed.token]))
    assert len(Calendar.from_ical(response.content).walk("VEVENT")) == 3 * n
