"""``manage.py seed_demo``, the meeting side: a year of monthly meetings in every demo cell, with attendance, the vote
taken on it, the monthly review, opinions raised and absence requests.

Seeded once for the module (twice, to check idempotence) and removed afterwards.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone, translation

from dashboards.dashboard import dashboard
from demo.assemble import delete_demo_data
from demo.members import SCALES, demo_root
from demo.resolutions import ABSENCE_REASONS, demo_counts
from meetings.documents import minutes_context
from meetings.models import AbsenceRequest, AgendaItem, Attendance, Meeting, MonthlyReview, Speech, Vote
from meetings.rules import DEFAULT_AGENDA, QUALITY_PARTS, check_ballots, entitled_voters, judge_vote
from meetings.services import (
    attendance_roll,
    documents_hours,
    meeting_quality_errors,
    meeting_warnings,
    review_snapshot,
    roll_on,
    vote_base,
)
from members.models import Member, MemberEvent, Organisation, Role, today
from resolutions.models import ProgressUpdate, PublicOpinion, Resolution, Target, Task
from resolutions.rules import adopted_in_month

A = Attendance.Status
MS = Meeting.Status
AR = AbsenceRequest.Status
TS = Task.Status
HELD = (MS.HELD, MS.APPROVED)
COMMITTEE_ROLES = (Role.Kind.SECRETARY, Role.Kind.DEPUTY, Role.Kind.COMMITTEE)
TABLES = (
    Meeting,
    AgendaItem,
    Attendance,
    AbsenceRequest,
    Speech,
    MonthlyReview,
    PublicOpinion,
    Vote,
    Vote.absent_with_reason.through,
)


@dataclass(frozen=True)
class Seeded:
    first_output: str
    second_output: str
    counts_after_first: dict[str, int]
    day: dt.date
    finished_at: dt.datetime  # nothing seeded may be later; a test's pinned clock starts again before it


def _cell_votes():
    """The cells' votes, taken at their meetings (a ward committee's vote on its own document has none)."""
    return Vote.objects.filter(resolution__cell__kind=Organisation.Kind.CELL)


def _counts() -> dict[str, int]:
    counts = {model._meta.label: model.objects.count() for model in TABLES}
    counts["linked votes"] = Vote.objects.exclude(meeting=None).count()
    counts["linked opinions"] = PublicOpinion.objects.exclude(meeting=None).count()
    return counts


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[Seeded]:
    """Seed twice outside the per-test transactions; remove the demo when the module is done."""
    with django_db_blocker.unblock():
        delete_demo_data()  # anything another module left behind
        first, second = StringIO(), StringIO()
        call_command("seed_demo", stdout=first)
        counts = _counts()
        call_command("seed_demo", stdout=second)
    yield Seeded(first.getvalue(), second.getvalue(), counts, today(), timezone.now())
    with django_db_blocker.unblock():
        delete_demo_data()


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded")]


def _month(day: dt.date, shift: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + shift
    return dt.date(index // 12, index % 12 + 1, 1)


def _named_cell() -> Organisation:
    cell = Role.objects.get(user__username="bithu", kind=Role.Kind.SECRETARY).organisation
    assert cell is not None
    return cell


def _sample(queryset, n: int) -> list:
    pks = sorted(queryset.values_list("pk", flat=True))
    return list(queryset.filter(pk__in=random.Random(7).sample(pks, min(n, len(pks)))))


def _attendance() -> dict[int, dict[int, tuple[str, str]]]:
    """Meeting id → member id → (attendance, reason)."""
    rows: dict[int, dict[int, tuple[str, str]]] = defaultdict(dict)
    for meeting_id, member_id, status, reason in Attendance.objects.values_list(
        "meeting_id", "member_id", "status", "reason"
    ):
        rows[meeting_id][member_id] = (status, reason)
    return rows


def _rates_by_cell() -> dict[int, dict[dt.date, tuple[int, int]]]:
    """Cell id → month → (attended, expected) at its regular meetings held."""
    rates: dict[int, dict[dt.date, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    rows = Attendance.objects.filter(meeting__status__in=HELD, meeting__kind=Meeting.Kind.REGULAR).values_list(
        "meeting__cell_id", "meeting__date", "status"
    )
    for cell_id, day, status in rows:
        if status in (A.EXEMPT, A.AWAY):
            continue
        month = rates[cell_id][day.replace(day=1)]
        month[0] += status in Attendance.ATTENDED
        month[1] += 1
    return {cell: {month: (a, e) for month, (a, e) in months.items()} for cell, months in rates.items()}


def _year_rate(months: dict[dt.date, tuple[int, int]]) -> float:
    return sum(a for a, _ in months.values()) / sum(e for _, e in months.values())


# ---------------------------------------------------------------------------------------------------
# Meetings
# ---------------------------------------------------------------------------------------------------


def test_every_cell_has_one_regular_meeting_in_the_first_week_of_each_month(seeded: Seeded) -> None:
    months = [_month(seeded.day, shift) for shift in range(-11, 1)]
    named = _named_cell()
    by_cell: dict[int, list[Meeting]] = defaultdict(list)
    for meeting in Meeting.objects.filter(kind=Meeting.Kind.REGULAR).order_by("date"):
        by_cell[meeting.cell_id].append(meeting)
    assert set(by_cell) == set(Organisation.objects.cells().values_list("pk", flat=True))
    assert len(by_cell) == 72
    for cell_id, meetings in by_cell.items():
        expected = months + ([_month(seeded.day, 1)] if cell_id == named.pk else [])
        assert [m.date.replace(day=1) for m in meetings] == expected
        assert all(m.date.day <= 7 for m in meetings)
        for meeting in meetings:
            start = meeting.date.replace(day=1)
            if start < months[-1]:
                assert (meeting.status, meeting.minutes_revision) == (MS.APPROVED, 1)
            elif start == months[-1]:
                assert meeting.status == (MS.HELD if meeting.date <= seeded.day else MS.PLANNED)
                assert meeting.minutes_revision == 0
            else:
                assert meeting.status == MS.PLANNED
    assert Meeting.objects.filter(status=MS.PLANNED).count() == 1


def test_meetings_have_the_time_place_chair_recorder_and_guest_a_hamlet_cell_has(seeded: Seeded) -> None:
    secretaries = dict(Role.objects.filter(kind=Role.Kind.SECRETARY).values_list("organisation_id", "user__member__id"))
    committees = set(Role.objects.filter(kind__in=COMMITTEE_ROLES).values_list("organisation_id", "user__member__id"))
    in_charge = set(Role.objects.filter(kind=Role.Kind.IN_CHARGE).values_list("organisation_id", "user_id"))
    guests = 0
    for meeting in Meeting.objects.all():
        assert (meeting.starts_at, meeting.ends_at) in ((dt.time(19), dt.time(21)), (dt.time(14), dt.time(16)))
        assert meeting.place.startswith(("Nhà văn hóa khu phố ", "Hội trường ấp "))
        assert meeting.chair_id == secretaries[meeting.cell_id]
        assert (meeting.cell_id, meeting.recorder_id) in committees
        assert meeting.recorder_id != meeting.chair_id
        if meeting.guest_in_charge_id:
            guests += 1
            assert (meeting.cell_id, meeting.guest_in_charge_id) in in_charge
        assert meeting.created_at <= seeded.finished_at
        assert timezone.localtime(meeting.created_at).date() < meeting.date
        assert (meeting.minutes_pdf, meeting.pdf_state) == ("", "")
    assert 0.2 < guests / Meeting.objects.count() < 0.5


def test_the_agenda_follows_the_official_order_with_notes_once_held() -> None:
    items: dict[int, list[AgendaItem]] = defaultdict(list)
    for item in AgendaItem.objects.order_by("order", "pk"):
        items[item.meeting_id].append(item)
    for meeting_id, kind, status in Meeting.objects.values_list("pk", "kind", "status"):
        agenda = items[meeting_id]
        if kind == Meeting.Kind.REGULAR:
            assert [item.title for item in agenda] == list(DEFAULT_AGENDA)
        else:
            assert agenda[1].title.startswith("Báo cáo chuyên đề: ")
        assert [item.order for item in agenda] == list(range(len(agenda)))
        assert all(bool(item.notes) == (status != MS.PLANNED) for item in agenda)
    held = Meeting.objects.filter(status__in=HELD)
    assert not held.filter(conclusion="").exists()
    assert not held.filter(closed_at=None).exists()
    assert held.exclude(criticism="").exists()  # members absent without a reason twice in a row are criticised


def test_a_few_cells_also_hold_thematic_meetings_in_a_past_month(seeded: Seeded) -> None:
    thematic = Meeting.objects.filter(kind=Meeting.Kind.THEMATIC)
    cells = set(thematic.values_list("cell_id", flat=True))
    assert 3 <= len(cells) <= 30
    current = _month(seeded.day, 0)
    for meeting in thematic:
        assert meeting.status == MS.APPROVED
        assert meeting.date < current
        assert 12 <= meeting.date.day <= 20
        assert not meeting.votes.exists()
        assert not meeting.reviews.exists()
    assert Meeting.objects.filter(kind=Meeting.Kind.REGULAR, combined_with_thematic=True).exists()


# ---------------------------------------------------------------------------------------------------
# Attendance
# ---------------------------------------------------------------------------------------------------


def test_every_member_on_the_roll_that_day_has_one_attendance_row() -> None:
    attendance = _attendance()
    # A member moved to another cell is on the old cell's roll before the move (``Member.objects.in_cell``).
    moves: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    transfers = MemberEvent.objects.filter(kind=MemberEvent.Kind.TRANSFERRED).order_by("on", "pk")
    for member_id, on, from_cell in transfers.values_list("member_id", "on", "from_cell_id"):
        moves[member_id].append((on, from_cell))

    def cell_on(pk: int, cell_id: int, day: dt.date) -> int:
        return next((from_cell for on, from_cell in moves.get(pk, ()) if day < on), cell_id)

    members: dict[int, list[tuple[int, int, dt.date, dt.date | None]]] = defaultdict(list)
    for pk, cell_id, admitted_on, left_on in Member.objects.values_list("pk", "cell_id", "admitted_on", "left_on"):
        for cell in {cell_id, *(from_cell for _, from_cell in moves.get(pk, ()))}:
            members[cell].append((pk, cell_id, admitted_on, left_on))
    meetings = Meeting.objects.values_list("pk", "cell_id", "date")
    assert len(meetings) > 72 * 12
    for meeting_id, cell_id, day in meetings:
        on_roll = {
            pk
            for pk, now_in, admitted, left in members[cell_id]
            if admitted <= day and (left is None or left > day) and cell_on(pk, now_in, day) == cell_id
        }
        assert set(attendance[meeting_id]) == on_roll
    # Probationary members admitted during the year join the roll from the day they are admitted.
    sizes: dict[int, set[int]] = defaultdict(set)
    for meeting_id, cell_id, _ in meetings:
        sizes[cell_id].add(len(attendance[meeting_id]))
    assert sum(len(cell_sizes) > 1 for cell_sizes in sizes.values()) > 36


def test_exempt_and_away_members_take_the_default_attendance_their_status_gives() -> None:
    attendance = _attendance()
    for meeting in _sample(Meeting.objects.all(), 40):
        rows = attendance[meeting.pk]
        flags = Member.objects.in_cell(meeting.cell, on=meeting.date).on_roll(meeting.date).with_flags(meeting.date)
        for pk, is_exempt, is_away in flags.values_list("pk", "is_exempt", "is_away"):  # type: ignore[misc]  # annotated by with_flags()
            status = rows[pk][0]
            if is_exempt:
                assert status == A.EXEMPT
            elif is_away:
                assert status == A.AWAY
            else:
                assert status not in (A.EXEMPT, A.AWAY)


def test_the_counts_of_the_roll_add_up_and_name_the_absentees() -> None:
    statuses: Counter[str] = Counter()
    for meeting in _sample(Meeting.objects.filter(status__in=HELD), 60):
        roll = attendance_roll(meeting)
        counts = roll.counts
        rows = list(meeting.attendance.select_related("member"))
        assert counts.total == len(rows)
        official = sum(1 for row in rows if row.member.official_on and row.member.official_on <= meeting.date)
        assert (counts.official, counts.probationary) == (official, len(rows) - official)
        parts = (counts.exempt, counts.away, counts.present, counts.late)
        assert sum(parts) + counts.absent_with_reason + counts.absent_without_reason == counts.total
        assert len(roll.absent_with_reason) == counts.absent_with_reason
        assert len(roll.absent_without_reason) == counts.absent_without_reason
        assert all(row.reason in ABSENCE_REASONS for row in roll.absent_with_reason)
        assert all(row.reason == "" for row in rows if row.status != A.ABSENT_WITH_REASON)
        assert counts.rate is not None
        assert 40 <= counts.rate <= 100
        statuses.update(row.status for row in rows)
    assert all(statuses[status] for status in A.values)
    assert statuses[A.PRESENT] > 5 * (statuses[A.ABSENT_WITH_REASON] + statuses[A.ABSENT_WITHOUT_REASON])


def test_the_minutes_of_the_demo_count_the_exempt_of_the_day_and_those_of_them_who_attended() -> None:
    """``rules.count_attendance`` over the seeded meetings: the minutes' line names every member exempt on the
    meeting date and how many of them attended (the demo's exempt members stay away)."""
    seen = 0
    for meeting in _sample(Meeting.objects.filter(status__in=HELD), 30):
        flags = Member.objects.in_cell(meeting.cell, on=meeting.date).on_roll(meeting.date).with_flags(meeting.date)
        exempt = set(flags.filter(is_exempt=True).values_list("pk", flat=True))  # type: ignore[misc]  # annotated by with_flags()
        attended = set(meeting.attendance.filter(status__in=Attendance.ATTENDED).values_list("member_id", flat=True))
        counts = attendance_roll(meeting).counts
        assert (counts.exempt_members, counts.exempt_attended) == (len(exempt), len(exempt & attended))
        line = f"miễn sinh hoạt: {len(exempt)} (dự họp: {len(exempt & attended)})"
        assert any(line in text for text in minutes_context(meeting)["people"]), meeting.pk
        seen += len(exempt)
    assert seen  # the sample holds exempt members


def test_the_demo_wards_summary_counts_every_resolution_adopted_in_the_month(seeded: Seeded) -> None:
    ward = Organisation.objects.get_parent(_named_cell())
    month = seeded.day.replace(day=1)
    adopted = [
        r
        for r in Resolution.objects.filter(cell__path__startswith=ward.path)
        if adopted_in_month(status=r.status, adopted_on=r.adopted_on, month=month, day=seeded.day)
    ]
    assert adopted  # the month's resolutions of the ward's cells
    board = dashboard(ward, seeded.day)
    assert board.total.figures.adopted_month == len(adopted)
    assert sorted(r.pk for row in board.rows for r in row.adopted) == sorted(r.pk for r in adopted)


def test_cells_with_chronic_absences_attend_less_over_the_year_than_the_others() -> None:
    rates = {cell: _year_rate(months) for cell, months in _rates_by_cell().items()}
    assert len(rates) == 72
    chronic = {cell for cell, rate in rates.items() if rate < 0.8}
    others = set(rates) - chronic
    assert 6 <= len(chronic) <= 8
    assert all(0.58 <= rates[cell] <= 0.77 for cell in chronic)
    assert all(0.83 <= rates[cell] <= 0.98 for cell in others)
    assert _named_cell().pk in others


def test_attendance_trends_differ_between_cells() -> None:
    changes = []
    for months in _rates_by_cell().values():
        series = [a / e for _, (a, e) in sorted(months.items())]
        changes.append(sum(series[-3:]) / 3 - sum(series[:3]) / 3)
    assert min(changes) < -0.03
    assert max(changes) > 0.03


def test_some_members_are_absent_again_and_again() -> None:
    absences: Counter[int] = Counter()
    meetings: Counter[int] = Counter()
    rows = Attendance.objects.filter(meeting__status__in=HELD, meeting__kind=Meeting.Kind.REGULAR).values_list(
        "member_id", "status"
    )
    for member_id, status in rows:
        if status in (A.EXEMPT, A.AWAY):
            continue
        meetings[member_id] += 1
        absences[member_id] += status in (A.ABSENT_WITH_REASON, A.ABSENT_WITHOUT_REASON)
    often = [pk for pk, n in absences.items() if meetings[pk] >= 10 and n >= meetings[pk] / 2]
    assert len(often) >= 10
    never = [pk for pk in meetings if not absences[pk]]
    assert len(never) > len(meetings) / 4


# ---------------------------------------------------------------------------------------------------
# The vote, taken at the meeting
# ---------------------------------------------------------------------------------------------------


def test_each_adoption_vote_is_taken_at_its_months_meeting_on_its_attendance() -> None:
    attendance = _attendance()
    official_on = dict(Member.objects.values_list("pk", "official_on"))
    votes = _cell_votes().select_related("meeting", "resolution").prefetch_related("absent_with_reason")
    assert votes.count() == 72 * 12
    with translation.override(settings.LANGUAGE_CODE):
        for vote in votes:
            meeting = vote.meeting
            assert meeting is not None
            assert (meeting.kind, meeting.cell_id) == (Meeting.Kind.REGULAR, vote.resolution.cell_id)
            assert meeting.status in HELD
            assert meeting.date == vote.held_on == vote.resolution.adopted_on
            assert meeting.date.replace(day=1) == vote.resolution.period_start
            rows = attendance[meeting.pk]
            absent = {pk for pk, (status, _) in rows.items() if status == A.ABSENT_WITH_REASON}
            assert {member.pk for member in vote.absent_with_reason.all()} == absent
            official_absent = {pk for pk in absent if (on := official_on[pk]) and on <= meeting.date}
            assert set(vote.excluded.get("absent_with_reason", [])) == official_absent
            result = judge_vote(
                entitled=vote.entitled_count,
                votes_for=vote.votes_for,
                votes_against=vote.votes_against,
                votes_abstain=vote.votes_abstain,
            )
            assert result.adopted
            assert vote.adopted
            assert vote.explanation == result.explanation
            # Every vote cast comes from an official member who was there.
            there = sum(
                1
                for pk, (status, _) in rows.items()
                if status in Attendance.ATTENDED and (on := official_on[pk]) and on <= meeting.date
            )
            assert vote.votes_for + vote.votes_against + vote.votes_abstain <= there


def test_every_seeded_vote_obeys_the_ballot_rule_on_its_meetings_attendance() -> None:
    """``rules.check_ballots`` over every seeded vote, on the base ``record_vote`` reads from the meeting."""
    breaches = []
    with translation.override(settings.LANGUAGE_CODE):
        for vote in _cell_votes().select_related("meeting", "resolution__cell"):
            base = vote_base(cell=vote.resolution.cell, held_on=vote.held_on, meeting=vote.meeting)
            refusal = check_ballots(
                entitled_present=base.present,
                votes_for=vote.votes_for,
                votes_against=vote.votes_against,
                votes_abstain=vote.votes_abstain,
            )
            numbers = (vote.entitled_count, vote.present_count)
            if refusal or numbers != (base.entitled, base.present):
                breaches.append((vote.pk, numbers, (base.entitled, base.present), refusal))
    assert _cell_votes().count() == 72 * 12
    assert not breaches


def test_every_seeded_vote_was_taken_at_a_held_meeting_of_its_own_cell_on_its_day() -> None:
    """A resolution is adopted only at a meeting of its cell (``rules.vote_meeting_refusal``): the demo too."""
    votes = _cell_votes().values_list(
        "meeting_id", "meeting__cell_id", "resolution__cell_id", "meeting__date", "held_on", "meeting__status"
    )
    wrong = [
        row
        for row in votes
        if row[0] is None or row[1] != row[2] or row[3] != row[4] or row[5] not in ("held", "approved")
    ]
    assert not wrong
    # Each of those meetings had its attendance taken; no meeting still planned claims it.
    assert not Meeting.objects.filter(status__in=["held", "approved"], attendance_taken_at__isnull=True).exists()
    assert not Meeting.objects.filter(status="planned", attendance_taken_at__isnull=False).exists()


def test_the_entitled_base_is_the_roll_of_the_day_less_those_absent_with_a_reason() -> None:
    attendance = _attendance()
    for vote in _sample(_cell_votes().select_related("meeting__cell"), 40):
        meeting = vote.meeting
        absent = [pk for pk, (status, _) in attendance[meeting.pk].items() if status == A.ABSENT_WITH_REASON]
        entitlement = entitled_voters(roll_on(meeting.cell, meeting.date, absent_with_reason=absent))
        assert vote.entitled_count == len(entitlement.entitled)
        assert vote.excluded == entitlement.excluded
        everyone = entitled_voters(roll_on(meeting.cell, meeting.date))
        assert len(everyone.entitled) - vote.entitled_count == len(vote.excluded.get("absent_with_reason", []))


# ---------------------------------------------------------------------------------------------------
# The monthly review
# ---------------------------------------------------------------------------------------------------


def _as_it_stood(task: Task, updates: list[ProgressUpdate], at: dt.datetime) -> tuple[str, int, dt.date | None]:
    """The task as ``services.apply_latest_confirmed`` left it at ``at``: its latest report by then, confirmed by
    then."""
    latest = None
    for update in updates:
        if update.created_at > at:
            break
        confirmed = update.review == ProgressUpdate.Review.CONFIRMED and update.reviewed_at and update.reviewed_at <= at
        if confirmed:
            latest = update
    if latest is None:
        return TS.NOT_STARTED, 0, None
    closed = latest.status in (TS.DONE, TS.NOT_MET)
    return latest.status, latest.progress, timezone.localtime(latest.created_at).date() if closed else None


def test_every_meeting_held_reviews_last_months_resolution() -> None:
    reviewed = dict(MonthlyReview.objects.values_list("meeting_id", "resolution_id"))
    assert len(reviewed) == MonthlyReview.objects.count()  # one review per meeting
    resolutions = {
        (cell, start): pk for pk, cell, start in Resolution.objects.values_list("pk", "cell_id", "period_start")
    }
    first = min(start for _, start in resolutions)
    regular = Meeting.objects.filter(kind=Meeting.Kind.REGULAR).values_list("pk", "cell_id", "date", "status")
    for pk, cell_id, day, status in regular:
        last_month = _month(day, -1)
        if status == MS.PLANNED or last_month < first:
            assert pk not in reviewed
        else:
            assert reviewed[pk] == resolutions[cell_id, last_month]
    assert len(reviewed) == 72 * 11
    texts = MonthlyReview.objects.values_list("results", "shortcomings", "causes", "lessons", "next_programme")
    assert all(all(text.strip() for text in row) for row in texts)


def test_each_review_has_the_shape_of_review_snapshot_with_the_resolutions_tasks(seeded: Seeded) -> None:
    titles: dict[int, list[str]] = defaultdict(list)
    for resolution_id, title in Task.objects.order_by("order", "pk").values_list("resolution_id", "title"):
        titles[resolution_id].append(title)
    targets = Counter(Target.objects.values_list("resolution_id", flat=True))
    for review in MonthlyReview.objects.select_related("meeting"):
        snapshot = review.snapshot
        assert set(snapshot) == {"day", "tasks", "targets", "summary"}
        assert snapshot["day"] == review.meeting.date.isoformat()
        assert [task["title"] for task in snapshot["tasks"]] == titles[review.resolution_id]
        assert len(snapshot["targets"]) == targets[review.resolution_id]
        assert all(task["status"] in TS.values for task in snapshot["tasks"])
        assert snapshot["summary"]["total"] == len(snapshot["tasks"])
        assert review.created_at <= seeded.finished_at
        assert timezone.localtime(review.created_at).date() == review.meeting.date


def test_each_review_is_what_review_snapshot_took_during_the_meeting() -> None:
    """Put the tasks back as they stood when the review was written; ``review_snapshot`` then gives the review."""
    reviews = _sample(MonthlyReview.objects.select_related("meeting", "resolution"), 40)
    frozen = 0
    with translation.override(settings.LANGUAGE_CODE):
        for review in reviews:
            tasks = list(review.resolution.tasks.all())
            updates: dict[int, list[ProgressUpdate]] = defaultdict(list)
            for update in ProgressUpdate.objects.filter(task__in=tasks).order_by("created_at", "pk"):
                updates[update.task_id].append(update)
            for task in tasks:
                status, progress, closed_on = _as_it_stood(task, updates[task.pk], review.created_at)
                frozen += (status, progress) != (task.status, task.progress)
                Task.objects.filter(pk=task.pk).update(status=status, progress=progress, completed_on=closed_on)
            assert review_snapshot(review.resolution, review.meeting.date) == review.snapshot
    assert frozen > 0  # later reports changed some tasks: the review keeps them as they were


def test_reviews_show_work_that_was_still_open_or_late_at_the_meeting() -> None:
    snapshots = list(MonthlyReview.objects.values_list("snapshot", flat=True))
    summaries = [snapshot["summary"] for snapshot in snapshots]
    assert sum(s["done"] for s in summaries) > sum(s["done_late"] for s in summaries) > 0
    assert sum(s["overdue"] for s in summaries) > 0
    assert any(target["actual_value"] for snapshot in snapshots for target in snapshot["targets"])


# ---------------------------------------------------------------------------------------------------
# Proceedings, public opinion, quality
# ---------------------------------------------------------------------------------------------------


def test_one_to_three_members_who_were_there_speak_at_each_meeting_held() -> None:
    attendance = _attendance()
    speeches: dict[int, list[Speech]] = defaultdict(list)
    for speech in Speech.objects.select_related("agenda_item"):
        speeches[speech.meeting_id].append(speech)
    for pk, status, chair in Meeting.objects.values_list("pk", "status", "chair_id"):
        said = speeches[pk]
        if status == MS.PLANNED:
            assert not said
            continue
        assert 1 <= len(said) <= 3
        for speech in said:
            assert speech.speaker_id is not None
            assert speech.agenda_item is not None
            assert attendance[pk][speech.speaker_id][0] in Attendance.ATTENDED
            assert speech.speaker_id != chair
            assert speech.agenda_item.meeting_id == pk
            assert speech.content.strip()
        assert len({speech.content for speech in said}) == len(said)


def test_public_opinion_is_taken_up_at_the_meeting_that_reviews_its_resolution() -> None:
    opinions = PublicOpinion.objects.exclude(meeting=None).select_related("meeting", "resolution", "task")
    assert opinions.count() > 72
    with_task = 0
    for opinion in opinions:
        meeting = opinion.meeting
        assert meeting is not None
        assert meeting.cell_id == opinion.cell_id
        assert meeting.status in HELD
        assert opinion.received_on <= meeting.date
        assert opinion.resolution is not None
        assert meeting.reviews.filter(resolution=opinion.resolution).exists()
        if opinion.task is not None:
            with_task += 1
            assert opinion.task.resolution_id == opinion.resolution_id
    assert with_task > opinions.count() / 2
    assert PublicOpinion.objects.filter(meeting=None).exists()


def test_a_few_meetings_carry_the_quality_self_score_within_its_maxima() -> None:
    scored = Meeting.objects.exclude(q_time=None)
    assert 10 <= scored.count() <= 0.15 * Meeting.objects.count()
    for meeting in scored:
        assert meeting.status == MS.APPROVED
        for name, maximum in QUALITY_PARTS.items():
            value = getattr(meeting, name)
            assert value is not None
            assert 0 <= value <= maximum
        assert 50 <= meeting.quality_score() <= 100
    assert scored.filter(cell=_named_cell()).exists()


def test_every_meeting_obeys_the_meeting_rules_on_what_happened() -> None:
    """Each rule of the meeting run over the seeded data: its length on the actual times once held (on the plan
    before), its pack released to members a day ahead, and a self-score within what those rules allow."""
    secretaries = dict(Role.objects.filter(kind=Role.Kind.SECRETARY).values_list("organisation_id", "user_id"))
    hours = documents_hours()
    meetings = list(Meeting.objects.all())
    for meeting in meetings:
        assert meeting_warnings(meeting) == [], meeting
        assert meeting_quality_errors(meeting) == [], meeting
        assert meeting.pack_published_by_id == secretaries[meeting.cell_id]
        assert meeting.created_at < meeting.pack_published_at <= timezone.now()
        assert meeting.starts() - meeting.pack_published_at >= dt.timedelta(hours=hours)
        if meeting.status == MS.PLANNED:
            assert (meeting.opened_at, meeting.closed_at) == (None, None)
            continue
        assert meeting.opened_at == meeting.starts_at  # on time
        if meeting.kind == Meeting.Kind.REGULAR:
            needed = 120 if meeting.combined_with_thematic else 90
            assert meeting.actual_minutes() >= needed, meeting
    combined = [m for m in meetings if m.combined_with_thematic and m.status != MS.PLANNED]
    assert combined
    assert min(m.actual_minutes() for m in combined) >= 120


# ---------------------------------------------------------------------------------------------------
# Absence requests and the planned meeting
# ---------------------------------------------------------------------------------------------------


def test_the_secretary_bithus_cell_has_next_months_meeting_planned_with_requests(seeded: Seeded) -> None:
    cell = _named_cell()
    (meeting,) = Meeting.objects.filter(status=MS.PLANNED)
    assert meeting.cell == cell
    assert meeting.date.replace(day=1) == _month(seeded.day, 1)
    assert meeting.date > seeded.day
    assert meeting.guest_in_charge is not None
    assert Role.objects.filter(user=meeting.guest_in_charge, kind=Role.Kind.IN_CHARGE, organisation=cell).exists()
    member = Member.objects.get(user__username="dangvien")
    requests = {request.member_id: request for request in meeting.absence_requests.all()}
    pending = requests.pop(member.pk)
    assert (pending.status, pending.decided_by, pending.decided_at) == (AR.PENDING, None, None)
    assert pending.reason
    (approved,) = requests.values()
    assert approved.status == AR.APPROVED
    rows = dict(meeting.attendance.values_list("member_id", "status"))
    assert rows[member.pk] == A.PRESENT  # waiting for a decision: expected until the secretary excuses them
    assert rows[approved.member_id] == A.ABSENT_WITH_REASON
    on_roll = Member.objects.filter(cell=cell).on_roll(meeting.date).count()
    assert len(rows) == on_roll
    assert set(rows.values()) <= {A.PRESENT, A.ABSENT_WITH_REASON, A.EXEMPT, A.AWAY}


def test_approved_requests_became_absences_with_their_reason_and_one_was_refused(seeded: Seeded) -> None:
    attendance = _attendance()
    secretaries = dict(Role.objects.filter(kind=Role.Kind.SECRETARY).values_list("organisation_id", "user_id"))
    requests = AbsenceRequest.objects.select_related("meeting")
    statuses = Counter(requests.values_list("status", flat=True))
    assert statuses[AR.PENDING] == statuses[AR.REFUSED] == 1
    assert 30 <= statuses[AR.APPROVED] <= 300
    for request in requests.exclude(status=AR.PENDING):
        meeting = request.meeting
        assert request.decided_by_id == secretaries[meeting.cell_id]
        assert request.decided_at is not None
        assert request.created_at < request.decided_at <= seeded.finished_at
        assert timezone.localtime(request.created_at).date() < meeting.date
        status, reason = attendance[meeting.pk][request.member_id]
        if request.status == AR.APPROVED:
            assert (status, reason) == (A.ABSENT_WITH_REASON, request.reason)
        else:
            assert request.refusal_reason
            assert status in Attendance.ATTENDED  # refused, and came
            assert meeting.cell_id == _named_cell().pk
            assert meeting.date.replace(day=1) == _month(seeded.day, 0)


# ---------------------------------------------------------------------------------------------------
# Idempotence, the summary, removal
# ---------------------------------------------------------------------------------------------------


def test_running_twice_creates_nothing(seeded: Seeded) -> None:
    assert "nothing created" in seeded.second_output
    assert _counts() == seeded.counts_after_first


def test_the_counts_report_meetings_the_attendance_rate_and_absence_requests(seeded: Seeded) -> None:
    root = demo_root(SCALES["city"])
    assert root is not None
    counts = demo_counts(root, seeded.day)
    held = Attendance.objects.filter(meeting__status__in=HELD).exclude(status__in=(A.EXEMPT, A.AWAY))
    rate = round(100 * held.filter(status__in=Attendance.ATTENDED).count() / held.count())
    assert counts["meetings"] == Meeting.objects.count()
    assert counts["meetings_held"] == Meeting.objects.filter(status__in=HELD).count()
    assert counts["meetings_planned"] == 1
    assert counts["attendance_rate"] == rate
    assert 82 <= rate <= 95
    assert counts["absence_requests"] == AbsenceRequest.objects.count()


def test_removing_the_demo_removes_the_meetings_with_their_attendance_requests_and_reviews() -> None:
    delete_demo_data()  # inside the test's transaction: rolled back
    assert all(model.objects.count() == 0 for model in (Meeting, AgendaItem, Attendance, AbsenceRequest, Speech))
    assert MonthlyReview.objects.count() == 0
    assert not Member.objects.exists()


def test_reset_seeds_the_meetings_of_the_months_asked() -> None:
    out = StringIO()
    call_command("seed_demo", "--reset", "--months", "2", stdout=out)  # inside the test's transaction: rolled back
    assert "Seeded city scale" in out.getvalue()
    regular = Meeting.objects.filter(kind=Meeting.Kind.REGULAR)
    assert regular.count() == 72 * 2 + 1
    assert regular.filter(status=MS.PLANNED).count() == 1
    assert MonthlyReview.objects.count() == 72  # the second month reviews the first
    assert _cell_votes().filter(meeting=None).count() == 0


def test_each_meeting_keeps_the_counts_of_its_attendance(seeded) -> None:
    from meetings.services import recount_attendance

    stored = dict(Meeting.objects.values_list("pk", "attended_count"))
    recount_attendance(Meeting.objects.all())
    assert dict(Meeting.objects.values_list("pk", "attended_count")) == stored
