"""What the resolution side holds about a member, for the member's data export (``members.personal_data``):
tasks they lead, follow or support and the reports on them, their meetings (attendance, absence requests,
chairing and recording, speeches) and the votes that name them. The notifications sent to them:
``notifications.personal_data``."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.personal_data import Row, Section, model_rows, plain
from resolutions.models import (
    AbsenceRequest,
    Attendance,
    Meeting,
    ProgressUpdate,
    Speech,
    Task,
    Vote,
)


def _meeting(meeting: Meeting) -> Row:
    return {capfirst(_("meeting")): f"{meeting.get_kind_display()} {meeting.date:%d/%m/%Y}"}


def _tasks(member: Any) -> list[Row]:
    tasks = (
        Task.objects.filter(Q(lead_member=member) | Q(follower=member) | Q(supporters=member))
        .distinct()
        .select_related("resolution", "lead_member", "lead_mass_organisation", "follower", "carried_from")
        .order_by("resolution__period_start", "order", "pk")
    )
    supported = set(member.supported_tasks.values_list("pk", flat=True))

    def extra(task: Task) -> Row:
        part = []
        if task.lead_member_id == member.pk:
            part.append(_("lead"))
        if task.follower_id == member.pk:
            part.append(_("follower"))
        if task.pk in supported:
            part.append(_("supporter"))
        return {capfirst(_("resolution")): str(task.resolution), capfirst(_("part")): ", ".join(part)}

    return model_rows(tasks, extra=extra)


def _reports(member: Any) -> list[Row]:
    updates = (
        ProgressUpdate.objects.filter(Q(author=member) | Q(task__lead_member=member))
        .select_related("task", "author")
        .order_by("created_at", "pk")
    )

    def extra(update: ProgressUpdate) -> Row:
        return {
            capfirst(_("task")): update.task.title,
            capfirst(_("author")): str(update.author) if update.author_id else None,
            capfirst(_("time")): plain(update.created_at),
        }

    return model_rows(updates, exclude=("author",), extra=extra)


def _attendance(member: Any) -> list[Row]:
    rows = Attendance.objects.filter(member=member).select_related("meeting").order_by("meeting__date", "pk")
    return model_rows(rows, exclude=("member",), extra=lambda a: _meeting(a.meeting))


def _absence_requests(member: Any) -> list[Row]:
    rows = AbsenceRequest.objects.filter(member=member).select_related("meeting").order_by("meeting__date", "pk")
    return model_rows(
        rows,
        exclude=("member",),
        extra=lambda r: {**_meeting(r.meeting), capfirst(_("time")): plain(r.created_at)},
    )


def _meeting_parts(member: Any) -> list[Row]:
    """Meetings the member chaired, recorded, or attended as the committee member in charge."""
    q = Q(chair=member) | Q(recorder=member)
    if member.user_id:
        q |= Q(guest_in_charge_id=member.user_id)
    rows = []
    for meeting in Meeting.objects.filter(q).order_by("date", "pk"):
        parts = []
        if meeting.chair_id == member.pk:
            parts.append(_("chair"))
        if meeting.recorder_id == member.pk:
            parts.append(_("recorder"))
        if member.user_id and meeting.guest_in_charge_id == member.user_id:
            parts.append(_("committee member in charge attending"))
        rows.append({**_meeting(meeting), capfirst(_("part")): ", ".join(parts)})
    return rows


def _speeches(member: Any) -> list[Row]:
    rows = Speech.objects.filter(speaker=member).select_related("meeting", "agenda_item").order_by("meeting__date")
    return model_rows(rows, exclude=("speaker", "speaker_name"), extra=lambda s: _meeting(s.meeting))


def _votes(member: Any) -> list[Row]:
    rows = []
    votes = (
        Vote.objects.filter(Q(absent_with_reason=member) | Q(exempt_present=member))
        .distinct()
        .select_related("resolution")
        .order_by("held_on", "pk")
    )
    absent = set(Vote.objects.filter(absent_with_reason=member).values_list("pk", flat=True))
    for vote in votes:
        rows.append(
            {
                capfirst(_("resolution")): str(vote.resolution),
                capfirst(_("date")): vote.held_on,
                capfirst(_("part")): _("absent with a reason") if vote.pk in absent else _("exempt, present"),
            }
        )
    return rows


SECTIONS = (
    Section(
        "tasks",
        gettext_lazy("Tasks"),
        _tasks,
        ("resolutions.Task.lead_member", "resolutions.Task.follower", "resolutions.Task.supporters"),
    ),
    Section("reports", gettext_lazy("Progress reports"), _reports, ("resolutions.ProgressUpdate.author",)),
    Section("attendance", gettext_lazy("Meeting attendance"), _attendance, ("resolutions.Attendance.member",)),
    Section(
        "absence_requests",
        gettext_lazy("Absence requests"),
        _absence_requests,
        ("resolutions.AbsenceRequest.member",),
    ),
    Section(
        "meeting_parts",
        gettext_lazy("Meetings chaired or recorded"),
        _meeting_parts,
        ("resolutions.Meeting.chair", "resolutions.Meeting.recorder", "resolutions.Meeting.guest_in_charge"),
    ),
    Section("speeches", gettext_lazy("Speeches at meetings"), _speeches, ("resolutions.Speech.speaker",)),
    Section(
        "votes",
        gettext_lazy("Votes"),
        _votes,
        ("resolutions.Vote.absent_with_reason", "resolutions.Vote.exempt_present"),
    ),
)
