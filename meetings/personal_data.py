"""What the meetings hold about a member, for the member's data export (``members.personal_data``): their
attendance, absence requests, the meetings they chaired or recorded, their speeches and the votes that name them.
Registered by ``MeetingsConfig.ready``."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meetings.models import AbsenceRequest, Attendance, Meeting, Speech, Vote
from members.personal_data import Row, Section, model_rows, plain


def _meeting(meeting: Meeting) -> Row:
    return {capfirst(_("meeting")): f"{meeting.get_kind_display()} {meeting.date:%d/%m/%Y}"}


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
    Section("attendance", gettext_lazy("Meeting attendance"), _attendance, ("meetings.Attendance.member",)),
    Section(
        "absence_requests",
        gettext_lazy("Absence requests"),
        _absence_requests,
        ("meetings.AbsenceRequest.member",),
    ),
    Section(
        "meeting_parts",
        gettext_lazy("Meetings chaired or recorded"),
        _meeting_parts,
        ("meetings.Meeting.chair", "meetings.Meeting.recorder", "meetings.Meeting.guest_in_charge"),
    ),
    Section("speeches", gettext_lazy("Speeches at meetings"), _speeches, ("meetings.Speech.speaker",)),
    Section(
        "votes",
        gettext_lazy("Votes"),
        _votes,
        ("meetings.Vote.absent_with_reason", "meetings.Vote.exempt_present"),
    ),
)
