"""The private calendar feed: a user's task deadlines and their cells' meetings as iCalendar (RFC 5545).

A phone calendar subscribes to ``calendar/<token>.ics`` and reminds the user by itself. The address is a
``CalendarFeed`` token; making a new one revokes the old, so a leaked address can be shut.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event, vDuration

from meetings.models import Meeting
from meetings.services import meeting_settings
from members.models import Member, Organisation, Role, today
from notifications.models import CalendarFeed
from resolutions.models import Task

if TYPE_CHECKING:
    from django.contrib.auth.models import User

TZID = "Asia/Ho_Chi_Minh"
TZ = ZoneInfo(TZID)
PRODID = "-//chibo//vi"
# Meetings from this many days back stay in the feed, so last month's meeting is still there to look up.
PAST_MEETING_DAYS = 30
# A deadline's alarm: the day before, at 09:00 (an all-day event starts at midnight; 24 − 9 = 15 hours).
TASK_ALARM = dt.timedelta(hours=-15)
# How often a subscribed calendar should fetch the feed again.
REFRESH = dt.timedelta(hours=1)


# ---------------------------------------------------------------------------------------------------
# The feed's address
# ---------------------------------------------------------------------------------------------------


def active_feed(user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at", "-pk").first()


@transaction.atomic
def create_feed(*, user: User) -> CalendarFeed:
    """A new address for the user's calendar; every earlier one stops working."""
    revoke_feeds(user=user)
    return CalendarFeed.objects.create(user=user)


def revoke_feeds(*, user: User) -> int:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


# ---------------------------------------------------------------------------------------------------
# What the feed holds
# ---------------------------------------------------------------------------------------------------


def feed_tasks(user: User) -> list[Task]:
    """Open tasks of resolutions in force that the user leads or supports (one query)."""
    supports = Task.supporters.through.objects.filter(task_id=OuterRef("pk"), member__user=user)
    return list(
        Task.objects.live()
        .open()
        .filter(Q(lead_member__user=user) | Exists(supports))
        .select_related("resolution")
        .order_by("deadline", "pk")
    )


def feed_meetings(user: User, day: dt.date) -> list[Meeting]:
    """Meetings of the user's own cell and of the cells they hold a role in (the member in charge attends them),
    from ``PAST_MEETING_DAYS`` ago onward, planned or held (minutes approved included: a meeting does not leave
    the calendar when its minutes are signed). One query."""
    own_cell = Member.objects.active().filter(user=user).values("cell_id")
    role_cells = Role.objects.filter(user=user, organisation__kind=Organisation.Kind.CELL).values("organisation_id")
    return list(
        Meeting.objects.filter(Q(cell_id__in=own_cell) | Q(cell_id__in=role_cells))
        .filter(date__gte=day - dt.timedelta(days=PAST_MEETING_DAYS))
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("cell")
        .order_by("date", "starts_at", "pk")
    )


def _display_name(user: User) -> str:
    try:
        return user.member.full_name
    except ObjectDoesNotExist:
        return user.get_full_name() or user.get_username()


def _meeting_end(meeting: Meeting) -> dt.datetime:
    start = dt.datetime.combine(meeting.date, meeting.starts_at, tzinfo=TZ)
    if meeting.ends_at is not None and meeting.ends_at > meeting.starts_at:
        return dt.datetime.combine(meeting.date, meeting.ends_at, tzinfo=TZ)
    minimums = meeting_settings()
    minutes = minimums["minimum_combined"] if meeting.combined_with_thematic else minimums["minimum"]
    return start + dt.timedelta(minutes=minutes)


def _task_event(task: Task, stamp: dt.datetime, base_url: str) -> Event:
    event = Event()
    event.add("uid", f"task-{task.pk}@chibo")
    event.add("dtstamp", stamp)
    event.add("dtstart", task.deadline)
    event.add("dtend", task.deadline + dt.timedelta(days=1))
    event.add("summary", _("Due: %(title)s") % {"title": task.title})
    description = _("Resolution %(number)s: %(title)s") % {
        "number": task.resolution.number,
        "title": task.resolution.title,
    }
    if base_url:
        url = base_url + reverse("resolutions:task-detail", args=[task.pk])
        event.add("url", url)
        description += "\n" + url
    event.add("description", description)
    event.add("transp", "TRANSPARENT")  # a deadline does not make the user busy all day
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", TASK_ALARM)
    alarm.add("description", _("Due tomorrow: %(title)s") % {"title": task.title})
    event.add_component(alarm)
    return event


def _meeting_event(meeting: Meeting, stamp: dt.datetime, base_url: str) -> Event:
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@chibo")
    event.add("dtstamp", stamp)
    event.add("dtstart", dt.datetime.combine(meeting.date, meeting.starts_at, tzinfo=TZ))
    event.add("dtend", _meeting_end(meeting))
    event.add(
        "summary",
        _("Cell meeting (%(kind)s): %(cell)s")
        % {
            "kind": meeting.get_kind_display().lower(),
            "cell": meeting.cell.name,
        },
    )
    event.add("location", meeting.place)
    description = str(meeting.get_status_display())
    if base_url:
        url = base_url + reverse("meetings:meeting-detail", args=[meeting.pk])
        event.add("url", url)
        description += "\n" + url
    event.add("description", description)
    event.add("sequence", meeting.version)  # every change the minutes show bumps it: calendars take the newest
    return event


def build_calendar(user: User, *, base_url: str = "", day: dt.date | None = None) -> bytes:
    """The user's calendar as iCalendar bytes (two queries, plus the user's member record unless it was
    loaded with the user). ``base_url`` (e.g. "https://chibo.example") adds a link to each event."""
    day = day or today()
    stamp = timezone.now().astimezone(dt.UTC).replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"chibo – {_display_name(user)}")
    cal.add("x-wr-timezone", TZID)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))  # an X- property is text unless given its type
    for task in feed_tasks(user):
        cal.add_component(_task_event(task, stamp, base_url))
    for meeting in feed_meetings(user, day):
        cal.add_component(_meeting_event(meeting, stamp, base_url))
    cal.add_missing_timezones()
    return cal.to_ical()
