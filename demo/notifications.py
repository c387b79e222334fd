"""The demo's messages: what its people would have been told by the day it is seeded (``chibo.demo``)."""

from __future__ import annotations

import datetime as dt

from meetings.models import Meeting
from members.models import Organisation
from notifications import events, reminders
from notifications.models import Notification
from resolutions.models import ProgressUpdate, Resolution


def ring_the_bells(root: Organisation, today: dt.date) -> int:
    """What the people of the demo would have been told by the day it is seeded, under their bell: the tasks of
    the resolutions in force assigned to them, the reports waiting for confirmation, the invitations to the
    meetings to come, and the day's reminders. The messages are built by the same functions as the live ones
    (``notifications.events``, the sweep's builders) and stored without email: the demo's addresses are not real."""
    drafts = []
    in_force_now = Resolution.objects.filter(
        cell__path__startswith=root.path,
        status__in=Resolution.LIVE,
        period_start__lte=today,
        period_end__gte=today,
    )
    for resolution in in_force_now:
        drafts += events.task_assigned_drafts(resolution)
    waiting = ProgressUpdate.objects.filter(
        task__resolution__cell__path__startswith=root.path, review=ProgressUpdate.Review.PENDING
    ).select_related("task__resolution", "author")
    for update in waiting:
        drafts += events.report_waiting_drafts(update)
    to_come = Meeting.objects.filter(cell__path__startswith=root.path, status=Meeting.Status.PLANNED, date__gte=today)
    for meeting in to_come:
        drafts += events.meeting_invited_drafts(meeting)
    conf = reminders.reminder_settings()
    drafts += [draft for builder in reminders.BUILDERS for draft in builder(today, conf)]
    before = Notification.objects.count()
    reminders._create(drafts, today)
    return Notification.objects.count() - before
