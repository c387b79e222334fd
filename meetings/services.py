"""Workflows of the monthly meeting: planning, attendance, absence requests, reviews, minutes, the vote."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.lib.history import create_recorded, record_changed, short_reason, update_recorded
from chibo.lib.workflow import Transition, Workflow, WorkflowError
from meetings.models import AbsenceRequest, AgendaItem, AgendaTemplate, Attendance, Meeting, MonthlyReview, Vote
from meetings.rules import (
    DEFAULT_AGENDA,
    AttendanceCounts,
    Entitlement,
    OtherMeeting,
    QualityCap,
    VoteResult,
    committee_vote_refusal,
    count_attendance,
    default_attendance,
    duplicate_meeting,
    duration_warning,
    entitled_voters,
    judge_vote,
    pack_warning,
    planning_warning,
    proposed_quality,
    quality_caps,
    quality_errors,
    vote_meeting_refusal,
    votes_needed,
)
from meetings.rules import (
    Roll as VoterRoll,
)
from members.models import Exemption, Member, MemberEvent, MemberQuerySet, Organisation, Role, today
from resolutions import signals
from resolutions.models import Resolution, Target, Task, Version
from resolutions.services import FLOW as RESOLUTION_FLOW
from resolutions.services import snapshot

A = Attendance.Status
S = Resolution.Status


def meeting_settings() -> dict[str, int]:
    chibo = settings.CHIBO
    return {
        "minimum": chibo.get("MEETING_MINUTES_MIN", 90),
        "minimum_combined": chibo.get("MEETING_MINUTES_MIN_COMBINED", 120),
    }


def documents_hours() -> int:
    """How long before the meeting its documents must reach members: one day (42-HD/BTCTW)."""
    return int(settings.CHIBO.get("MEETING_DOCUMENTS_HOURS", 24))


def duration_warning_for(meeting: Meeting) -> str:
    """The length rule on the plan before the meeting, and on the actual opening and closing times once held."""
    held = meeting.is_held
    return duration_warning(
        minutes=meeting.actual_minutes() if held else meeting.duration_minutes(),
        kind=meeting.kind,
        combined=meeting.combined_with_thematic,
        held=held,
        **meeting_settings(),
    )


def documents_warning_for(meeting: Meeting, *, now: dt.datetime | None = None) -> str:
    """Whether the meeting pack reached (or can still reach) members a day before the meeting."""
    return pack_warning(
        starts=meeting.starts(),
        published_at=meeting.pack_published_at,
        now=now or timezone.now(),
        hours=documents_hours(),
    )


def meeting_warnings(meeting: Meeting, *, now: dt.datetime | None = None) -> list[str]:
    """Every rule the meeting breaks, or is about to: its length, and its documents a day ahead (for a meeting not
    yet held and its pack not yet released, planning it for today or tomorrow is already one)."""
    if meeting.is_cancelled:
        return []
    warnings = [duration_warning_for(meeting), documents_warning_for(meeting, now=now)]
    if not meeting.is_held and meeting.pack_published_at is None and not warnings[1]:
        warnings.append(planning_warning(meeting_date=meeting.date, today=timezone.localdate(now)))
    return [warning for warning in warnings if warning]


def meeting_warning(meeting: Meeting) -> str:
    """The length rule on the plan, for the planning form (which asks for a confirmation)."""
    return duration_warning_for(meeting)


def meeting_quality_caps(meeting: Meeting, *, now: dt.datetime | None = None) -> list[QualityCap]:
    """What the meeting's self-score cannot reach because of the rules it broke; nothing before it is held."""
    if not meeting.is_held:
        return []
    return quality_caps(
        duration_warning=duration_warning_for(meeting), documents_warning=documents_warning_for(meeting, now=now)
    )


def meeting_quality_errors(meeting: Meeting, *, caps: list[QualityCap] | None = None) -> list[str]:
    """The parts of the self-score over their caps (``caps``: the meeting's, when already read)."""
    scores = {name: getattr(meeting, name) for name in Meeting.QUALITY_FIELDS}
    return quality_errors(scores, meeting_quality_caps(meeting) if caps is None else caps)


def agenda_for(cell: Organisation) -> list[str]:
    """The cell's own order of business when it keeps one, else the official one."""
    template = AgendaTemplate.objects.filter(cell=cell).order_by("-pk").first()
    return list(template.items) if template and template.items else list(DEFAULT_AGENDA)


def save_agenda_template(meeting: Meeting) -> AgendaTemplate:
    """Keep this meeting's order of business as the cell's own; its next meetings start from it."""
    items = list(meeting.agenda_items.order_by("order", "pk").values_list("title", flat=True))
    template, _created = AgendaTemplate.objects.update_or_create(
        cell=meeting.cell, defaults={"name": str(meeting.cell), "items": items}
    )
    return template


def recount_attendance(meetings: Any) -> None:
    """Store each meeting's attended and expected counts (``rules.count_attendance``: exempt and away members
    are not expected) from its attendance rows, in one UPDATE for any number of meetings."""
    rows = Attendance.objects.filter(meeting=OuterRef("pk")).order_by().values("meeting")
    attended = rows.filter(status__in=Attendance.ATTENDED).annotate(n=Count("pk")).values("n")[:1]
    expected = rows.exclude(status__in=[A.EXEMPT, A.AWAY]).annotate(n=Count("pk")).values("n")[:1]
    meetings.update(
        attended_count=Coalesce(Subquery(attended), 0),
        expected_count=Coalesce(Subquery(expected), 0),
    )


def ensure_editable(meeting: Meeting) -> None:
    if meeting.is_cancelled:
        raise WorkflowError(_("This meeting was cancelled: it is no longer changed."))
    if meeting.is_locked:
        raise WorkflowError(_("The minutes are approved and locked. Open a correction to change them."))


def touch(meeting: Meeting) -> None:
    """Something the minutes show has changed: a stored PDF of the previous version is now stale."""
    Meeting.objects.filter(pk=meeting.pk).update(version=F("version") + 1)
    meeting.refresh_from_db(fields=["version"])


PLACE = ("date", "starts_at", "place")


def meeting_place(meeting: Meeting) -> tuple[object, ...]:
    """What an invitation says: the date, the time and the place."""
    return tuple(getattr(meeting, name) for name in PLACE)


@transaction.atomic
def save_meeting_page(*, meeting: Meeting, forms: tuple[Any, ...], save_as_template: bool, by: User) -> None:
    """Save the meeting's edit page (valid forms, saved in the order given) under a lock on the meeting's row:
    minutes approved or the meeting cancelled in the meantime refuse it (``WorkflowError``) and nothing is written.
    A new time or place invites the members again; ``save_as_template`` keeps the agenda as the cell's own."""
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    ensure_editable(locked)
    for form in forms:
        form.save()
    touch(meeting)
    if meeting_place(meeting) != meeting_place(locked):  # a new invitation
        signals.meeting_moved.send(sender=Meeting, meeting=meeting, by=by)
    if save_as_template:
        save_agenda_template(meeting)


def quality_proposal(meeting: Meeting, *, stored: Meeting) -> tuple[dict[str, int], list[QualityCap]]:
    """The self-score proposed for the meeting (from its attendance and the tasks its reviews found done), and the
    caps of the meeting as ``stored`` (as saved, not as a refused form left it)."""
    roll = attendance_roll(meeting)
    summaries = [review.snapshot.get("summary", {}) for review in meeting.reviews.all()]
    caps = meeting_quality_caps(stored)
    proposal = proposed_quality(
        attendance_rate=roll.counts.rate,
        tasks_done=sum(s.get("done", 0) + s.get("done_late", 0) for s in summaries),
        tasks_total=sum(s.get("total", 0) for s in summaries),
        caps=caps,
    )
    return proposal, caps


def duplicates_of(
    *, cell: Organisation, date: dt.date, starts_at: dt.time, kind: str, exclude: int | None = None
) -> tuple[Meeting | None, Meeting | None]:
    """(the same meeting already planned for the cell, a regular meeting of the cell already in that month), by
    ``rules.duplicate_meeting``; cancelled meetings do not count."""
    others = {
        m.pk: m
        for m in Meeting.objects.filter(cell=cell, date__year=date.year, date__month=date.month)
        .exclude(status=Meeting.Status.CANCELLED)
        .exclude(pk=exclude)
        .order_by("date", "starts_at", "pk")
    }
    same, month = duplicate_meeting(
        date=date,
        starts_at=starts_at,
        kind=kind,
        others=[OtherMeeting(m.date, m.starts_at, m.kind, m.pk) for m in others.values()],
    )
    return (others[same.pk] if same else None), (others[month.pk] if month else None)


def same_meeting_refusal(meeting: Meeting) -> str:
    """The refusal of a meeting planned again: ``meeting`` is already planned for that day and start."""
    return _(
        "The cell already has a meeting on %(date)s at %(time)s. Open that meeting instead of planning it again."
    ) % {"date": f"{meeting.date:%d/%m/%Y}", "time": f"{meeting.starts_at:%H:%M}"}


@transaction.atomic
def plan_meeting(*, cell: Organisation, by: User | None, **fields: Any) -> Meeting:
    """Plan the meeting with the cell's order of business and everyone's attendance defaulted. The same meeting
    planned twice (same day and start) is refused; a second regular one in a month is the form's warning."""
    Organisation.objects.select_for_update().filter(pk=cell.pk).first()  # two plans sent at once: one by one
    same, _month = duplicates_of(
        cell=cell, date=fields["date"], starts_at=fields["starts_at"], kind=fields.get("kind", Meeting.Kind.REGULAR)
    )
    if same is not None:
        raise WorkflowError(same_meeting_refusal(same))
    meeting = Meeting.objects.create(cell=cell, created_by=by, **fields)
    create_recorded(
        AgendaItem, (AgendaItem(meeting=meeting, order=i, title=title) for i, title in enumerate(agenda_for(cell)))
    )
    sync_attendance(meeting)
    signals.meeting_scheduled.send(sender=Meeting, meeting=meeting, by=by)
    return meeting


def cell_roll_on(cell: Organisation, day: dt.date) -> MemberQuerySet:
    """``Member.objects.in_cell(cell, on=day).on_roll(day)``, read from the cell's own members and those
    transferred out of it since: alone, the test "in the cell, or transferred out of it after ``day``" is
    answered by reading every member of the province."""
    transferred_out = MemberEvent.objects.filter(
        kind=MemberEvent.Kind.TRANSFERRED, on__gt=day, from_cell__path__startswith=cell.path
    ).values("member_id")
    candidates = (
        Member.objects.filter(cell__path__startswith=cell.path)
        .order_by()
        .values("pk")
        .union(transferred_out.order_by())
    )
    return Member.objects.filter(pk__in=candidates).in_cell(cell, on=day).on_roll(day)


def sync_attendance(meeting: Meeting) -> None:
    """Give every member on the cell's roll on the meeting date an attendance row with its default.

    Rows the secretary already has are left alone; members who joined since planning get one. One query when
    every member has their row (each time the attendance page is opened, as a rule): the roll's members without
    a row, each flagged through their own periods (a cell's roll is small)."""
    day = meeting.date
    has_row = Attendance.objects.filter(meeting=meeting, member=OuterRef("pk"))
    missing = list(cell_roll_on(meeting.cell, day).filter(~Exists(has_row)).with_flags(day, per_member=True))
    if not missing:
        return
    requests = {r.member_id: r for r in meeting.absence_requests.all()}
    rows = []
    for member in missing:
        request = requests.get(member.pk)
        status = default_attendance(
            is_exempt=member.is_exempt,  # type: ignore[attr-defined]  # annotated by with_flags(), unknown to the checker
            is_away=member.is_away,  # type: ignore[attr-defined]  # as above
            request=request.status if request else None,
        )
        reason = request.reason if request and status == A.ABSENT_WITH_REASON else ""
        rows.append(Attendance(meeting=meeting, member=member, status=status, reason=reason))
    create_recorded(Attendance, rows)
    recount_attendance(Meeting.objects.filter(pk=meeting.pk))


@transaction.atomic
def set_attendance(*, meeting: Meeting, changes: dict[int, tuple[str, str]]) -> int:
    """Apply {member id: (status, reason)}; returns how many rows changed."""
    ensure_editable(meeting)
    rows = {row.member_id: row for row in meeting.attendance.select_for_update()}
    changed = []
    for member_id, (status, reason) in changes.items():
        row = rows.get(member_id)
        if row is None:
            raise WorkflowError(_("This member is not on the meeting's roll."))
        if status not in A.values:
            raise WorkflowError(_("Choose an attendance status."))
        if status == A.ABSENT_WITH_REASON and not reason.strip():
            raise WorkflowError(_("Give the reason for %(name)s's absence.") % {"name": row.member.full_name})
        if (row.status, row.reason) != (status, reason):
            row.status, row.reason = status, reason
            changed.append(row)
    if changed:
        update_recorded(Attendance, changed, ["status", "reason"])
        recount_attendance(Meeting.objects.filter(pk=meeting.pk))
        touch(meeting)
    # Saved, even unchanged (everyone came as expected): the attendance is taken and a vote is counted on it.
    meeting.attendance_taken_at = timezone.now()
    Meeting.objects.filter(pk=meeting.pk).update(attendance_taken_at=meeting.attendance_taken_at)
    return len(changed)


@transaction.atomic
def request_absence(*, meeting: Meeting, member: Member, reason: str) -> AbsenceRequest:
    if meeting.status != Meeting.Status.PLANNED:
        raise WorkflowError(_("Absence is requested before the meeting."))
    if not reason.strip():
        raise WorkflowError(_("Give the reason."))
    request, created = AbsenceRequest.objects.get_or_create(meeting=meeting, member=member, defaults={"reason": reason})
    if not created:
        if request.status != AbsenceRequest.Status.PENDING:
            raise WorkflowError(_("Your request has already been decided."))
        request.reason = reason
        request.save(update_fields=["reason"])
    return request


@transaction.atomic
def decide_absence(*, request: AbsenceRequest, approve: bool, by: User, refusal_reason: str = "") -> AbsenceRequest:
    ensure_editable(request.meeting)
    if not approve and not refusal_reason.strip():
        raise WorkflowError(_("Give the reason for refusing."))
    status = AbsenceRequest.Status.APPROVED if approve else AbsenceRequest.Status.REFUSED
    changed = AbsenceRequest.objects.filter(pk=request.pk, status=AbsenceRequest.Status.PENDING).update(
        status=status, decided_by=by, decided_at=timezone.now(), refusal_reason="" if approve else refusal_reason
    )
    if changed != 1:
        raise WorkflowError(_("This request has already been decided."))
    request.refresh_from_db()
    record_changed([request])
    if approve:
        # An approved request becomes "absent with reason", unless the secretary has already marked otherwise.
        rows = list(
            Attendance.objects.select_for_update().filter(
                meeting=request.meeting, member=request.member, status=A.PRESENT
            )
        )
        for row in rows:
            row.status, row.reason = A.ABSENT_WITH_REASON, request.reason
        update_recorded(Attendance, rows, ["status", "reason"])
        recount_attendance(Meeting.objects.filter(pk=request.meeting_id))
        touch(request.meeting)
    signals.absence_decided.send(sender=AbsenceRequest, request=request, by=by)
    return request


@dataclass(frozen=True)
class Roll:
    counts: AttendanceCounts
    absent_with_reason: list[Attendance]
    absent_without_reason: list[Attendance]


def attendance_roll(meeting: Meeting) -> Roll:
    """The counts of the minutes' header and the absentees by name, from one query (each row knows whether its
    member was exempt on the meeting date, so the minutes say how many exempt members attended)."""
    day = meeting.date
    rows = list(
        meeting.attendance.select_related("member")
        # What the roll reads of each member, no more (their other fields are not decrypted).
        .only("meeting_id", "member_id", "status", "reason", "member__full_name", "member__official_on")
        .annotate(member_exempt=Exists(Exemption.objects.filter(member=OuterRef("member_id")).current_on(day)))
        .order_by("member__search_name", "member_id")
    )
    counts = count_attendance(
        (row.status, bool(row.member.official_on and row.member.official_on <= day), row.member_exempt) for row in rows
    )
    return Roll(
        counts=counts,
        absent_with_reason=[r for r in rows if r.status == A.ABSENT_WITH_REASON],
        absent_without_reason=[r for r in rows if r.status == A.ABSENT_WITHOUT_REASON],
    )


# ---------------------------------------------------------------------------------------------------
# The monthly review
# ---------------------------------------------------------------------------------------------------


def review_snapshot(resolution: Resolution, day: dt.date) -> dict[str, Any]:
    """Each task's status and progress and each target's value, as they stand on ``day``."""
    tasks = []
    for task in resolution.tasks.select_related("lead_member", "lead_mass_organisation"):
        late = task.days_late(day)
        tasks.append(
            {
                "title": task.title,
                "lead": task.lead_label(),
                "deadline": task.deadline.isoformat(),
                "status": task.status,
                "status_label": str(task.get_status_display()),
                "progress": 100 if task.status == Task.Status.DONE else task.progress,
                "completed_on": task.completed_on.isoformat() if task.completed_on else None,
                "days_late": late,
                "overdue": task.is_overdue(day),
            }
        )
    targets = [target_snapshot(t) for t in resolution.targets.all()]
    return {"day": day.isoformat(), "tasks": tasks, "targets": targets, "summary": review_summary(tasks)}


def target_snapshot(target: Target) -> dict[str, Any]:
    """A target as a review freezes it."""
    return {
        "name": target.name,
        "unit": target.unit,
        "target_value": str(target.target_value),
        "actual_value": None if target.actual_value is None else str(target.actual_value),
    }


def review_summary(tasks: list[dict[str, Any]]) -> dict[str, int]:
    return {
        "total": sum(1 for t in tasks if t["status"] != Task.Status.CANCELLED),
        "done": sum(1 for t in tasks if t["status"] == Task.Status.DONE and not t["days_late"]),
        "done_late": sum(1 for t in tasks if t["status"] == Task.Status.DONE and t["days_late"]),
        "overdue": sum(1 for t in tasks if t["overdue"]),
        "not_started": sum(1 for t in tasks if t["status"] == Task.Status.NOT_STARTED),
        "not_met": sum(1 for t in tasks if t["status"] == Task.Status.NOT_MET),
    }


def prefill_results(summary: dict[str, int], counts: AttendanceCounts | None) -> str:
    text = (
        _(
            "%(done)d of %(total)d tasks done on time, %(done_late)d done late, %(overdue)d overdue, "
            "%(not_started)d not started."
        )
        % summary
    )
    if counts is not None and counts.rate is not None:
        text += " " + _("Attendance: %(attended)d of %(expected)d members expected (%(rate)d%%).") % {
            "attended": counts.attended,
            "expected": counts.expected,
            "rate": counts.rate,
        }
    return text


@transaction.atomic
def save_review(*, meeting: Meeting, resolution: Resolution, texts: dict[str, str]) -> MonthlyReview:
    """Create or update the review; its figures are frozen when it is first written."""
    ensure_editable(meeting)
    if resolution.cell_id != meeting.cell_id:
        raise WorkflowError(_("The resolution belongs to another cell."))
    review, created = MonthlyReview.objects.get_or_create(
        meeting=meeting,
        resolution=resolution,
        defaults={"snapshot": review_snapshot(resolution, meeting.date), **texts},
    )
    if not created:
        for name, value in texts.items():
            setattr(review, name, value)
        review.save()
    touch(meeting)
    return review


def reviewable_resolutions(meeting: Meeting) -> list[Resolution]:
    """The cell's resolutions in force at the meeting: those it reviews."""
    return list(
        Resolution.objects.filter(
            cell=meeting.cell, status__in=Resolution.LIVE, period_start__lte=meeting.date
        ).order_by("-period_start")
    )


# ---------------------------------------------------------------------------------------------------
# Status of the meeting and its minutes
# ---------------------------------------------------------------------------------------------------


MS = Meeting.Status

# A meeting's status moves through ``FLOW.move``: a conditional update that bumps ``version`` (what the minutes
# show changed: a stored PDF is stale), with its row in the change history.
FLOW = Workflow(
    Meeting,
    [
        Transition("held", (MS.PLANNED,), MS.HELD),
        Transition("approve_minutes", (MS.HELD,), MS.APPROVED),
        Transition("cancel", (MS.PLANNED,), MS.CANCELLED),
        Transition("correction", (MS.APPROVED,), MS.HELD),
    ],
    stale=gettext_lazy("The meeting was changed by someone else just now. Reload the page."),
)


def _check_times(opened_at: dt.time | None, closed_at: dt.time | None) -> None:
    if opened_at is None or closed_at is None:
        raise WorkflowError(_("Give the times the meeting actually opened and closed."))
    if closed_at <= opened_at:
        raise WorkflowError(
            _("The meeting closes after it opens (opened at %(opened)s, closed at %(closed)s).")
            % {"opened": f"{opened_at:%H:%M}", "closed": f"{closed_at:%H:%M}"}
        )


@transaction.atomic
def mark_held(*, meeting: Meeting, opened_at: dt.time | None, closed_at: dt.time | None) -> list[str]:
    """The meeting took place, from ``opened_at`` to ``closed_at``. Returns the rules it broke (its length on
    those times, its documents a day ahead), which the meeting page and the quality score keep showing."""
    if meeting.status != Meeting.Status.PLANNED:
        raise WorkflowError(_("Only a planned meeting can be marked as held."))
    if meeting.date > timezone.localdate():
        raise WorkflowError(_("A meeting is marked as held on or after its date."))
    _check_times(opened_at, closed_at)
    FLOW.move(meeting, MS.HELD, version=F("version") + 1, opened_at=opened_at, closed_at=closed_at)
    return meeting_warnings(meeting)


@transaction.atomic
def approve_minutes(*, meeting: Meeting) -> list[str]:
    """Approve and lock the minutes; checked again on the times recorded in them. Refused while the self-score
    gives a part more than the broken rules allow. Returns the rules the meeting broke."""
    if meeting.status != Meeting.Status.HELD:
        raise WorkflowError(_("The minutes are approved after the meeting is held."))
    if not (meeting.chair_id and meeting.recorder_id):
        raise WorkflowError(_("Name the chair and the recorder before approving the minutes."))
    _check_times(meeting.opened_at, meeting.closed_at)
    if errors := meeting_quality_errors(meeting):
        raise WorkflowError(" ".join(errors))
    FLOW.move(meeting, MS.APPROVED, version=F("version") + 1, minutes_revision=meeting.minutes_revision + 1)
    return meeting_warnings(meeting)


@transaction.atomic
def publish_pack(*, meeting: Meeting, by: User) -> Meeting:
    """The secretary releases the meeting pack (the agenda, the draft resolutions, last month's review): from now
    on the cell's members read it, and each of them, and the ward member in charge, is notified."""
    if meeting.status != Meeting.Status.PLANNED:
        raise WorkflowError(_("The pack is released before the meeting is held."))
    if meeting.pack_published_at is not None:
        raise WorkflowError(_("The meeting pack has already been released."))
    now = timezone.now()
    FLOW.write(
        meeting,
        expected={"status": MS.PLANNED, "pack_published_at": None},
        pack_published_at=now,
        pack_published_by=by,
    )
    signals.meeting_pack_published.send(sender=Meeting, meeting=meeting, day=timezone.localdate(now))
    return meeting


@transaction.atomic
def cancel_meeting(*, meeting: Meeting, reason: str, by: User) -> Meeting:
    """The secretary calls off a planned meeting, with the reason: it stays in the records (and its change
    history) as cancelled, leaves the upcoming lists and the reminders, and everyone told about it is told at
    once that it will not take place."""
    reason = reason.strip()
    if not reason:
        raise WorkflowError(_("Give the reason for cancelling the meeting."))
    if meeting.status != Meeting.Status.PLANNED:
        raise WorkflowError(_("Only a planned meeting can be cancelled."))
    if meeting.votes.exists():
        raise WorkflowError(_("A vote was taken at this meeting: it took place and cannot be cancelled."))
    meeting._history_user = by  # type: ignore[attr-defined]  # the change history names who cancelled
    try:
        FLOW.move(meeting, MS.CANCELLED, note=reason, version=F("version") + 1, cancel_reason=reason)
    finally:
        del meeting._history_user  # type: ignore[attr-defined]  # as above
    signals.meeting_cancelled.send(sender=Meeting, meeting=meeting)
    return meeting


@transaction.atomic
def open_correction(*, meeting: Meeting, reason: str) -> Meeting:
    """Approved minutes change only through a correction, which is approved again as a new revision."""
    if meeting.status != Meeting.Status.APPROVED:
        raise WorkflowError(_("Only approved minutes are corrected."))
    if not reason.strip():
        raise WorkflowError(_("Give the reason for the correction."))
    return FLOW.move(meeting, MS.HELD, note=reason, version=F("version") + 1)


def upcoming_meetings(member_id: int, day: dt.date) -> list[Meeting]:
    """The planned meetings of the member's cell, with the member's own absence request, in one query."""
    own_request = AbsenceRequest.objects.filter(meeting=OuterRef("pk"), member_id=member_id)
    return list(
        Meeting.objects.filter(cell__members=member_id, status=Meeting.Status.PLANNED, date__gte=day)
        .annotate(request_status=Subquery(own_request.values("status")[:1]))
        .order_by("date", "starts_at")[:3]
    )


# ---------------------------------------------------------------------------------------------------
# The vote
# ---------------------------------------------------------------------------------------------------


def roll_on(
    cell: Organisation,
    day: dt.date,
    *,
    absent_with_reason: Iterable[int] = (),
    exempt_present: Iterable[int] = (),
    absent: Iterable[int] = (),
) -> VoterRoll:
    """The cell's roll on the meeting date, read in one query."""
    rows = (
        Member.objects.in_cell(cell, on=day)
        .on_roll(day)
        .official_on(day)
        .with_status_flags(day)
        .values_list("pk", "is_exempt", "is_transferred", "is_suspended")  # type: ignore[misc]  # annotated by with_status_flags()
    )
    official, exempt, transferred, suspended = set(), set(), set(), set()
    for pk, is_exempt, is_transferred, is_suspended in rows:
        official.add(pk)
        if is_exempt:
            exempt.add(pk)
        if is_transferred:
            transferred.add(pk)
        if is_suspended:
            suspended.add(pk)
    return VoterRoll(
        official=frozenset(official),
        transferred=frozenset(transferred),
        suspended=frozenset(suspended),
        exempt=frozenset(exempt),
        exempt_present=frozenset(exempt_present) & frozenset(exempt),
        absent_with_reason=frozenset(absent_with_reason),
        absent=frozenset(absent),
    )


@dataclass(frozen=True)
class VoteBase:
    """What a vote is counted on: the roll of the meeting's date and who was there."""

    day: dt.date
    roll: VoterRoll
    entitlement: Entitlement
    probationary: int  # probationary members present (at a meeting), or on the roll: they do not vote
    absent_with_reason: list[Member]
    exempt_present: list[Member]
    from_meeting: bool

    @property
    def official(self) -> int:
        return len(self.roll.official)

    @property
    def entitled(self) -> int:
        return len(self.entitlement.entitled)

    @property
    def present(self) -> int:
        return len(self.entitlement.present)

    @property
    def majority(self) -> int:
        """The fewest votes for that adopt: more than half of the entitled."""
        return votes_needed(self.entitled)

    def judge(self, *, votes_for: int, votes_against: int, votes_abstain: int) -> VoteResult:
        return judge_vote(
            entitled=self.entitled,
            entitled_present=self.present,
            votes_for=votes_for,
            votes_against=votes_against,
            votes_abstain=votes_abstain,
        )


def vote_base(
    *,
    cell: Organisation,
    held_on: dt.date,
    meeting: Meeting | None = None,
    absent_with_reason: Iterable[Member] = (),
    exempt_present: Iterable[Member] = (),
    absent: Iterable[Member] = (),
) -> VoteBase:
    """The base of a vote on ``held_on``. At a meeting its attendance decides who was absent with a reason, who
    attended (only they cast a ballot) and which exempt and probationary members attended; the lists given are
    then ignored. Without a meeting they are the secretary's: those absent with a reason, exempt members who
    attended, and official members absent without a reason (in the base, without a ballot)."""
    if meeting is not None:
        held_on = meeting.date
        rows = list(
            Attendance.objects.filter(meeting=meeting)
            .select_related("member")
            .order_by("member__search_name", "member_id")
        )
        exempt_ids = set(
            Member.objects.filter(pk__in=[r.member_id for r in rows])
            .with_flags(held_on)
            .filter(is_exempt=True)  # type: ignore[misc]  # annotated by with_flags(), unknown to the checker
            .values_list("pk", flat=True)
        )
        attended = [r for r in rows if r.status in Attendance.ATTENDED]
        absent_with_reason = [r.member for r in rows if r.status == Attendance.Status.ABSENT_WITH_REASON]
        exempt_present = [r.member for r in attended if r.member_id in exempt_ids]
        probationary = sum(1 for r in attended if not (r.member.official_on and r.member.official_on <= held_on))
        roll = roll_on(
            cell,
            held_on,
            absent_with_reason=[m.pk for m in absent_with_reason],
            exempt_present=[m.pk for m in exempt_present],
        )
        # Only those recorded as attending cast a ballot (a member on the roll without a row was not recorded).
        roll = replace(roll, absent=roll.official - {r.member_id for r in attended})
    else:
        absent_with_reason, exempt_present = list(absent_with_reason), list(exempt_present)
        probationary = Member.objects.in_cell(cell, on=held_on).on_roll(held_on).probationary_on(held_on).count()
        roll = roll_on(
            cell,
            held_on,
            absent_with_reason=[m.pk for m in absent_with_reason],
            exempt_present=[m.pk for m in exempt_present],
            absent=[m.pk for m in absent],
        )
    return VoteBase(
        day=held_on,
        roll=roll,
        entitlement=entitled_voters(roll),
        probationary=probationary,
        absent_with_reason=list(absent_with_reason),
        exempt_present=list(exempt_present),
        from_meeting=meeting is not None,
    )


class VoteAlreadyRecorded(WorkflowError):
    """The same vote was sent again (a second click on "save"): it is recorded once."""

    def __init__(self, vote: Vote) -> None:
        super().__init__(_("This vote is already recorded."))
        self.vote = vote


def vote_refusal(resolution: Resolution, meeting: Meeting | None) -> str:
    """Why ``resolution`` cannot be voted on at ``meeting`` today, or "" (``rules.vote_meeting_refusal``)."""
    return vote_meeting_refusal(
        has_meeting=meeting is not None,
        same_cell=meeting is not None and meeting.cell_id == resolution.cell_id,
        meeting_date=meeting.date if meeting is not None else None,
        status=meeting.status if meeting is not None else "",
        today=today(),
    )


@transaction.atomic
def record_vote(
    *,
    resolution: Resolution,
    meeting: Meeting | None,
    votes_for: int,
    votes_against: int,
    votes_abstain: int,
    dissent: str = "",
    by: User,
) -> Vote:
    """Record the vote taken at ``meeting``; adopt the resolution only when the Charter rule is met. Refused
    counts write nothing.

    A resolution is adopted only by a vote at a meeting of its own cell, on or after the meeting's day, the
    meeting not cancelled and its minutes not approved (``rules.vote_meeting_refusal``); the meeting's attendance
    is the base (``vote_base``). One vote per resolution and meeting day: the same vote sent twice raises
    ``VoteAlreadyRecorded``; a different one is refused (a mistake is corrected)."""
    resolution = Resolution.objects.select_for_update().get(pk=resolution.pk)
    if meeting is not None:  # locked: its minutes are not approved, nor the meeting cancelled, meanwhile
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if refusal := vote_refusal(resolution, meeting):
        raise WorkflowError(refusal)
    assert meeting is not None  # refused above otherwise
    held_on = meeting.date
    numbers = (votes_for, votes_against, votes_abstain, meeting.pk)
    _refuse_a_second_vote(resolution, held_on, numbers)
    if resolution.status != S.SUBMITTED:
        raise WorkflowError(_("Only a resolution submitted to the meeting can be voted on."))
    base = vote_base(cell=resolution.cell, held_on=held_on, meeting=meeting)
    result = base.judge(votes_for=votes_for, votes_against=votes_against, votes_abstain=votes_abstain)
    if result.error:
        raise WorkflowError(result.error)
    try:
        with transaction.atomic():  # the same vote sent at the same instant, where rows are not locked (SQLite)
            vote = Vote.objects.create(
                resolution=resolution,
                held_on=held_on,
                official_count=base.official,
                entitled_count=base.entitled,
                present_count=base.present,
                votes_for=votes_for,
                votes_against=votes_against,
                votes_abstain=votes_abstain,
                excluded=base.entitlement.excluded,
                dissent=dissent,
                meeting=meeting,
                adopted=result.adopted,
                explanation=result.explanation,
                recorded_by=by,
            )
    except IntegrityError:
        _refuse_a_second_vote(resolution, held_on, numbers)
        raise
    vote.absent_with_reason.set(base.absent_with_reason)
    vote.exempt_present.set(base.exempt_present)
    # The minutes now show this vote: a stored PDF of the meeting is stale (as ``meetings.touch``).
    Meeting.objects.filter(pk=meeting.pk).update(version=F("version") + 1)
    if result.adopted:
        RESOLUTION_FLOW.move(resolution, S.ADOPTED, by=by, note=result.explanation, adopted_on=held_on)
        Version.objects.create(resolution=resolution, number=1, snapshot=snapshot(resolution), created_by=by)
    return vote


def committee_size(org: Organisation) -> int:
    """How many members of the committee hold an account with a committee role: its standing members, secretary
    and deputy, and the members in charge of its cells. The vote page offers it as the number entitled to vote,
    for the standing member to correct when some committee members have no account."""
    kinds = (Role.Kind.STANDING, Role.Kind.PARTY_SECRETARY, Role.Kind.PARTY_DEPUTY)
    roles = Role.objects.filter(
        Q(organisation=org, kind__in=kinds) | Q(organisation__path__startswith=org.path, kind=Role.Kind.IN_CHARGE)
    )
    return roles.values("user").distinct().count()


@transaction.atomic
def record_committee_vote(
    *,
    resolution: Resolution,
    held_on: dt.date,
    entitled: int,
    present: int,
    votes_for: int,
    votes_against: int,
    votes_abstain: int,
    dissent: str = "",
    by: User,
) -> Vote:
    """Record the committee's vote on its own document (a resolution, plan, conclusion or directive of the ward's
    party committee), taken among its members by the Charter's rule (``rules.judge_vote``: for more than half of
    the committee members entitled, ballots only from those present); adopt it when the rule is met. Refused
    counts write nothing; one vote per document and day, as at a cell's meeting."""
    resolution = Resolution.objects.select_for_update().select_related("cell").get(pk=resolution.pk)
    if refusal := committee_vote_refusal(
        is_committee=not resolution.cell.is_cell, held_on=held_on, entitled=entitled, present=present, today=today()
    ):
        raise WorkflowError(refusal)
    _refuse_a_second_vote(resolution, held_on, (votes_for, votes_against, votes_abstain, None))
    if resolution.status != S.SUBMITTED:
        raise WorkflowError(_("Only a document submitted to the committee can be voted on."))
    result = judge_vote(
        entitled=entitled,
        entitled_present=present,
        votes_for=votes_for,
        votes_against=votes_against,
        votes_abstain=votes_abstain,
        committee=True,
    )
    if result.error:
        raise WorkflowError(result.error)
    vote = Vote.objects.create(
        resolution=resolution,
        held_on=held_on,
        official_count=entitled,
        entitled_count=entitled,
        present_count=present,
        votes_for=votes_for,
        votes_against=votes_against,
        votes_abstain=votes_abstain,
        dissent=dissent,
        adopted=result.adopted,
        explanation=result.explanation,
        recorded_by=by,
    )
    if result.adopted:
        RESOLUTION_FLOW.move(resolution, S.ADOPTED, by=by, note=result.explanation, adopted_on=held_on)
        Version.objects.create(resolution=resolution, number=1, snapshot=snapshot(resolution), created_by=by)
    return vote


def _refuse_a_second_vote(resolution: Resolution, held_on: dt.date, numbers: tuple[int, int, int, int | None]) -> None:
    """One vote per resolution and day: the same one again is already recorded, another one is refused."""
    earlier = Vote.objects.filter(resolution=resolution, held_on=held_on).first()
    if earlier is None:
        return
    if (earlier.votes_for, earlier.votes_against, earlier.votes_abstain, earlier.meeting_id) == numbers:
        raise VoteAlreadyRecorded(earlier)
    raise WorkflowError(
        _("A vote on this resolution on %(day)s is already recorded. Correct it instead of voting again.")
        % {"day": f"{held_on:%d/%m/%Y}"}
    )


def correction_refusal(vote: Vote) -> str:
    """Why this vote can no longer be corrected, or "" when it can: while the meeting's minutes are not approved,
    the resolution not yet carried out or amended, and no later vote taken on it."""
    if vote.meeting is not None and vote.meeting.is_locked:
        return _("The minutes are approved and locked. Open a correction to change them.")
    resolution = vote.resolution
    if resolution.status not in (S.SUBMITTED, S.ADOPTED) or resolution.version > 1:
        return _("The resolution is already being carried out: its vote is no longer corrected.")
    if Vote.objects.filter(resolution=resolution, held_on__gt=vote.held_on).exists():
        return _("A later vote was taken on this resolution: only the latest vote is corrected.")
    return ""


@transaction.atomic
def correct_vote(
    *,
    vote: Vote,
    votes_for: int,
    votes_against: int,
    votes_abstain: int,
    dissent: str,
    reason: str,
    by: User,
) -> Vote:
    """Correct a vote recorded by mistake, with the reason; the change history keeps the old numbers.

    The rule is checked again on the same base (at a meeting, its attendance as it now stands). When the
    correction changes the outcome, the resolution is adopted, or goes back to the meeting, accordingly."""
    Resolution.objects.select_for_update().get(pk=vote.resolution_id)
    vote = Vote.objects.select_related("resolution__cell", "meeting").get(pk=vote.pk)
    resolution = vote.resolution
    if not reason.strip():
        raise WorkflowError(_("Give the reason for the correction."))
    refusal = correction_refusal(vote)
    if refusal:
        raise WorkflowError(refusal)
    if vote.meeting_id:
        base = vote_base(cell=resolution.cell, held_on=vote.held_on, meeting=vote.meeting)
        result = base.judge(votes_for=votes_for, votes_against=votes_against, votes_abstain=votes_abstain)
        vote.official_count, vote.entitled_count, vote.present_count = base.official, base.entitled, base.present
        vote.excluded = base.entitlement.excluded
    else:  # the base as it was recorded
        result = judge_vote(
            entitled=vote.entitled_count,
            entitled_present=vote.present_count,
            votes_for=votes_for,
            votes_against=votes_against,
            votes_abstain=votes_abstain,
        )
    if result.error:
        raise WorkflowError(result.error)
    was_adopted = vote.adopted
    vote.votes_for, vote.votes_against, vote.votes_abstain = votes_for, votes_against, votes_abstain
    vote.dissent, vote.adopted, vote.explanation = dissent, result.adopted, result.explanation
    vote._change_reason = short_reason(Vote, reason)  # type: ignore[attr-defined]  # read by simple-history's save
    vote.save()
    if vote.meeting_id:
        vote.absent_with_reason.set(base.absent_with_reason)
        vote.exempt_present.set(base.exempt_present)
    note = _("Vote corrected: %(reason)s") % {"reason": reason}
    if result.adopted and not was_adopted:
        RESOLUTION_FLOW.move(
            resolution, S.ADOPTED, by=by, note=f"{note} — {result.explanation}", adopted_on=vote.held_on
        )
        Version.objects.create(resolution=resolution, number=1, snapshot=snapshot(resolution), created_by=by)
    elif was_adopted and not result.adopted:
        RESOLUTION_FLOW.move(resolution, S.SUBMITTED, by=by, note=f"{note} — {result.explanation}", adopted_on=None)
        for version in resolution.versions.filter(number=1):
            version.delete()  # the change history keeps it
    return vote
