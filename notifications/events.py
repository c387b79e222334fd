"""Events told at once: a task assigned, a progress report waiting or decided, a meeting invitation, an absence
request decided.

The daily sweep (``notifications.reminders``) tells people what is due; these messages tell them what has just
happened. Each builder returns ``Draft`` rows for the people concerned; ``tell`` stores them through the sweep's
own ``store`` (so muted kinds make nothing and the daily digest holds back the email) inside the caller's
transaction, the emails leaving after it commits. Nobody is told of their own action.

The object of each message is chosen so that the same event sent twice on a day makes one message, while a new
event does make a new one: ``task:<pk>`` for an assignment, ``update:<pk>`` for a report, ``meeting:<pk>:v<n>``
for an invitation (``n`` the meeting's version, which a change of date, time or place raises), ``absence:<pk>``
for a decided absence request.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from typing import ParamSpec

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from meetings.models import AbsenceRequest, Meeting
from members.models import Role, today
from notifications.models import Kind
from notifications.reminders import Draft, _meeting_recipients, store
from resolutions.models import ProgressUpdate, Resolution, Task
from resolutions.services import Assignments, assignments

P = ParamSpec("P")


def _d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _in_site_language(builder: Callable[P, list[Draft]]) -> Callable[P, list[Draft]]:
    """Messages are written in the site's language, whatever language the page of the one who acted was in."""

    @functools.wraps(builder)
    def build(*args: P.args, **kwargs: P.kwargs) -> list[Draft]:
        with translation.override(settings.LANGUAGE_CODE):
            return builder(*args, **kwargs)

    return build


def tell(drafts: Iterable[Draft], *, by: AbstractBaseUser | None = None) -> int:
    """Store the drafts as today's notifications, leaving out the one who acted; returns how many were made."""
    actor = getattr(by, "pk", None)
    kept = [d for d in drafts if d.recipient_id != actor]
    if not kept:
        return 0
    return store(kept, today(), only_these=True).created


# ---------------------------------------------------------------------------------------------------
# Tasks
# ---------------------------------------------------------------------------------------------------


@_in_site_language
def task_assigned_drafts(resolution: Resolution, before: Assignments | None = None) -> list[Draft]:
    """The people newly given a part in a task of a resolution in force (all of them when it is adopted).

    A draft's tasks may still change before the vote: people are told once the resolution is adopted, and after
    that whenever an amendment gives a task a new lead, supporter or follower."""
    if resolution.status not in Resolution.LIVE:
        return []
    before = before or {}
    new = {key: part for key, part in assignments(resolution).items() if before.get(key) != part}
    if not new:
        return []
    tasks = {t.pk: t for t in Task.objects.filter(pk__in={pk for pk, _user in new}).only("title", "deadline")}
    texts = {
        "lead": _("You lead the task “%(title)s” of resolution %(number)s, due on %(deadline)s."),
        "support": _("You support the task “%(title)s” of resolution %(number)s, due on %(deadline)s."),
        "follow": _(
            "You follow, for the cell committee, the task “%(title)s” of resolution %(number)s, due on %(deadline)s."
        ),
    }
    drafts = []
    for (task_id, user_id), part in sorted(new.items()):
        task = tasks[task_id]
        numbers = {"title": task.title, "number": resolution.number, "deadline": _d(task.deadline)}
        subject = _("Task assigned to you: %(title)s") % numbers
        then = (
            _("Confirm its reports on the task's page.")
            if part == "follow"
            else _("Report its progress on the task's page.")
        )
        body = texts[part] % numbers + "\n" + then
        url = reverse("resolutions:task-detail", args=[task_id])
        drafts.append(Draft(user_id, Kind.TASK_ASSIGNED, f"task:{task_id}", subject, body, url))
    return drafts


# ---------------------------------------------------------------------------------------------------
# Progress reports
# ---------------------------------------------------------------------------------------------------


@_in_site_language
def report_waiting_drafts(update: ProgressUpdate) -> list[Draft]:
    """A report to confirm: for the cell's secretary and deputy, and the committee member following the task."""
    task = update.task
    cell_id = task.resolution.cell_id
    roles = Role.objects.filter(organisation_id=cell_id, kind__in=[Role.Kind.SECRETARY, Role.Kind.DEPUTY])
    recipients = set(roles.values_list("user_id", flat=True))
    follower = task.follower
    if follower is not None and follower.user_id:
        recipients.add(follower.user_id)
    if update.author.user_id is not None:
        recipients.discard(update.author.user_id)  # a secretary reporting on her own task is not asked to confirm it
    numbers = {
        "name": update.author.full_name,
        "title": task.title,
        "number": task.resolution.number,
        "status": update.get_status_display().lower(),
        "progress": update.progress,
    }
    subject = _("Progress report waiting for confirmation: %(title)s") % numbers
    body = _("%(name)s reported on the task “%(title)s” of resolution %(number)s: %(status)s, %(progress)d%%.") % (
        numbers
    )
    if update.note:
        body += "\n" + update.note
    body += "\n" + _("Confirm the report or send it back on the task's page.")
    url = reverse("resolutions:task-detail", args=[task.pk]) + f"#update-{update.pk}"
    return [Draft(user, Kind.REPORT_WAITING, f"update:{update.pk}", subject, body, url) for user in sorted(recipients)]


@_in_site_language
def report_decided_drafts(update: ProgressUpdate) -> list[Draft]:
    """The reporter learns that their report was confirmed or sent back, and why."""
    user_id = update.author.user_id
    if user_id is None:
        return []
    numbers = {"title": update.task.title, "note": update.review_note}
    if update.review == ProgressUpdate.Review.CONFIRMED:
        subject = _("Your report was confirmed: %(title)s") % numbers
        body = _("Your progress report on the task “%(title)s” was confirmed.") % numbers
        if update.review_note:
            body += "\n" + update.review_note
    else:
        subject = _("Your report was sent back: %(title)s") % numbers
        body = _("Your progress report on the task “%(title)s” was sent back: %(note)s") % numbers
        body += "\n" + _("Complete it and report again on the task's page.")
    url = reverse("resolutions:task-detail", args=[update.task_id]) + f"#update-{update.pk}"
    return [Draft(user_id, Kind.REPORT_DECIDED, f"update:{update.pk}", subject, body, url)]


# ---------------------------------------------------------------------------------------------------
# Meetings
# ---------------------------------------------------------------------------------------------------


@_in_site_language
def meeting_invited_drafts(meeting: Meeting, *, changed: bool = False) -> list[Draft]:
    """Everyone told about the cell's meetings is invited to a planned one that is still to come; again, with the
    new details, when its date, time or place changes."""
    if meeting.status != Meeting.Status.PLANNED or meeting.date < today():
        return []
    numbers = {"date": _d(meeting.date), "time": meeting.starts_at.strftime("%H:%M"), "place": meeting.place}
    if changed:
        subject = _("Cell meeting moved: now on %(date)s at %(time)s") % numbers
        body = _("The cell meeting has changed. It now takes place on %(date)s at %(time)s, at %(place)s.") % numbers
    else:
        subject = _("Invitation: cell meeting on %(date)s at %(time)s") % numbers
        body = _("You are invited to the cell meeting on %(date)s at %(time)s, at %(place)s.") % numbers
    body += "\n" + _("If you cannot attend, ask the secretary to excuse you on the meeting's page.")
    url = reverse("meetings:meeting-detail", args=[meeting.pk])
    ref = f"meeting:{meeting.pk}:v{meeting.version}"
    recipients = _meeting_recipients({meeting.cell_id}, meeting.date)[meeting.cell_id]
    return [Draft(user, Kind.MEETING_INVITED, ref, subject, body, url) for user in sorted(recipients)]


@_in_site_language
def absence_decided_drafts(request: AbsenceRequest) -> list[Draft]:
    """The member who asked to be excused learns the secretary's decision."""
    user_id = request.member.user_id
    if user_id is None or request.status == AbsenceRequest.Status.PENDING:
        return []
    meeting = request.meeting
    numbers = {"date": _d(meeting.date), "time": meeting.starts_at.strftime("%H:%M"), "reason": request.refusal_reason}
    if request.status == AbsenceRequest.Status.APPROVED:
        subject = _("Absence approved: cell meeting on %(date)s") % numbers
        body = _("Your request to be excused from the cell meeting on %(date)s at %(time)s was approved.") % numbers
    else:
        subject = _("Absence refused: cell meeting on %(date)s") % numbers
        body = (
            _("Your request to be excused from the cell meeting on %(date)s at %(time)s was refused: %(reason)s")
            % numbers
            + "\n"
            + _("Please attend the meeting.")
        )
    url = reverse("meetings:meeting-detail", args=[meeting.pk])
    return [Draft(user_id, Kind.ABSENCE_DECIDED, f"absence:{request.pk}", subject, body, url)]
