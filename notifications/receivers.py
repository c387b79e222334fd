"""What the notifications do when something happens on the resolution side (``resolutions.signals``): build the
messages of the event (``notifications.events``, ``notifications.reminders``) and store them in the sender's
transaction, their emails leaving after it commits. Connected in ``NotificationsConfig.ready()``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from meetings.models import AbsenceRequest, Meeting
from members.models import today
from notifications import events
from notifications.reminders import cancellation_drafts, pack_drafts, store
from resolutions import signals
from resolutions.models import ProgressUpdate, Resolution
from resolutions.services import Assignments


def tasks_assigned(
    resolution: Resolution, before: Assignments | None, by: AbstractBaseUser | None, **kwargs: Any
) -> None:
    events.tell(events.task_assigned_drafts(resolution, before), by=by)


def progress_reported(update: ProgressUpdate, **kwargs: Any) -> None:
    events.tell(events.report_waiting_drafts(update))


def progress_reviewed(update: ProgressUpdate, by: AbstractBaseUser | None, **kwargs: Any) -> None:
    events.tell(events.report_decided_drafts(update), by=by)


def meeting_scheduled(meeting: Meeting, by: AbstractBaseUser | None, **kwargs: Any) -> None:
    events.tell(events.meeting_invited_drafts(meeting), by=by)


def meeting_moved(meeting: Meeting, by: AbstractBaseUser | None, **kwargs: Any) -> None:
    events.tell(events.meeting_invited_drafts(meeting, changed=True), by=by)


def meeting_pack_published(meeting: Meeting, day: dt.date, **kwargs: Any) -> None:
    store(pack_drafts(meeting), day)


def meeting_cancelled(meeting: Meeting, **kwargs: Any) -> None:
    store(cancellation_drafts(meeting), today())


def absence_decided(request: AbsenceRequest, by: AbstractBaseUser | None, **kwargs: Any) -> None:
    events.tell(events.absence_decided_drafts(request), by=by)


RECEIVERS = (
    (signals.tasks_assigned, tasks_assigned),
    (signals.progress_reported, progress_reported),
    (signals.progress_reviewed, progress_reviewed),
    (signals.meeting_scheduled, meeting_scheduled),
    (signals.meeting_moved, meeting_moved),
    (signals.meeting_pack_published, meeting_pack_published),
    (signals.meeting_cancelled, meeting_cancelled),
    (signals.absence_decided, absence_decided),
)


def connect() -> None:
    for signal, receiver in RECEIVERS:
        signal.connect(receiver, dispatch_uid=f"notifications.{receiver.__name__}")
