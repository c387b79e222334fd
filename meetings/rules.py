"""The meeting's rules, as plain functions over plain values, each with a table-driven test.

- Who is entitled to vote, how many ballots can be cast (only by the entitled members present), and whether a
  vote adopts a resolution (Party Charter art. 10; Quy định 24-QĐ/TW §9.3).
- The meeting's rules (12-HD/BTCTW, 42-HD/BTCTW): its length, checked on the plan and on what happened; its documents
  released to members a day before; and what breaking them costs in the meeting-quality score.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class Roll:
    """The cell on the meeting date, as sets of member ids."""

    official: frozenset[int]
    transferred: frozenset[int] = frozenset()  # temporarily transferred elsewhere
    suspended: frozenset[int] = frozenset()
    exempt: frozenset[int] = frozenset()
    exempt_present: frozenset[int] = frozenset()  # exempt members who nevertheless attend
    absent_with_reason: frozenset[int] = frozenset()  # absent for the whole meeting, reason approved
    # Not at the meeting without an approved reason (absent, away): they stay in the base but cast no ballot.
    absent: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Entitlement:
    entitled: frozenset[int]
    excluded: dict[str, list[int]] = field(default_factory=dict)
    present: frozenset[int] = frozenset()  # the entitled members present: the only ones who cast a ballot


def entitled_voters(roll: Roll) -> Entitlement:
    """The official members who count in the base of the vote.

    Official members, less those temporarily transferred elsewhere, the suspended, exempt members who are
    absent (an exempt member who attends counts), and members absent for the whole meeting with an approved
    reason. Probationary members are never in ``roll.official``: they attend and speak but do not vote.
    """
    reasons = {
        "transferred": roll.transferred,
        "suspended": roll.suspended,
        "exempt_absent": roll.exempt - roll.exempt_present,
        "absent_with_reason": roll.absent_with_reason,
    }
    excluded: dict[str, list[int]] = {}
    remaining = set(roll.official)
    for reason, ids in reasons.items():
        hit = sorted(remaining & ids)
        if hit:
            excluded[reason] = hit
            remaining -= set(hit)
    return Entitlement(frozenset(remaining), excluded, frozenset(remaining - roll.absent))


def check_ballots(*, entitled_present: int, votes_for: int, votes_against: int, votes_abstain: int) -> str:
    """Ballots come only from the entitled members present: for + against + abstain/other ≤ entitled present.

    Returns the refusal with its numbers, or "" when the count is possible."""
    if min(votes_for, votes_against, votes_abstain) < 0:
        return _("A count of votes cannot be negative.")
    cast = votes_for + votes_against + votes_abstain
    if cast > entitled_present:
        return _("%(cast)d ballots but only %(present)d members entitled to vote are present") % {
            "cast": cast,
            "present": entitled_present,
        }
    return ""


@dataclass(frozen=True)
class VoteResult:
    adopted: bool
    explanation: str
    error: str = ""


def votes_needed(entitled: int) -> int:
    """The fewest votes for that adopt: more than half of the members entitled to vote."""
    return entitled // 2 + 1


def judge_vote(
    *,
    entitled: int,
    votes_for: int,
    votes_against: int,
    votes_abstain: int,
    entitled_present: int | None = None,
    committee: bool = False,
) -> VoteResult:
    """Adopted only when the votes for are more than half of the members entitled to vote (those absent without
    a reason count in the base). With ``entitled_present`` (a vote taken at a meeting, where who was there is
    known), more ballots than entitled members present are refused (``check_ballots``). ``committee``: the body is
    a party committee voting on its own document, its members the base (the explanation says so)."""
    cast = votes_for + votes_against + votes_abstain
    if min(votes_for, votes_against, votes_abstain) < 0:
        return VoteResult(False, "", _("A count of votes cannot be negative."))
    if entitled_present is not None:
        refusal = check_ballots(
            entitled_present=min(entitled_present, entitled),
            votes_for=votes_for,
            votes_against=votes_against,
            votes_abstain=votes_abstain,
        )
        if refusal:
            return VoteResult(False, "", refusal)
    if cast > entitled:
        return VoteResult(
            False,
            "",
            _("%(cast)d votes were counted but only %(entitled)d members are entitled to vote.")
            % {"cast": cast, "entitled": entitled},
        )
    numbers = {"for": votes_for, "entitled": entitled}
    if committee:
        adopted = bool(entitled) and votes_for >= votes_needed(entitled)
        if adopted:
            explanation = _("%(for)d for / %(entitled)d committee members entitled to vote: more than half")
        else:
            explanation = _("%(for)d for / %(entitled)d committee members entitled to vote: not more than half")
        return VoteResult(adopted, explanation % numbers)
    if entitled and votes_for >= votes_needed(entitled):
        return VoteResult(
            True, _("%(for)d for / %(entitled)d official members entitled to vote: more than half") % numbers
        )
    return VoteResult(
        False, _("%(for)d for / %(entitled)d official members entitled to vote: not more than half") % numbers
    )


# ---------------------------------------------------------------------------------------------------
# Meetings
# ---------------------------------------------------------------------------------------------------

# The official order of business of a regular meeting (12-HD/BTCTW, 42-HD/BTCTW).
DEFAULT_AGENDA = (
    "Khai mạc, tuyên bố lý do, giới thiệu đại biểu, cử thư ký, thông báo tình hình đảng viên dự họp",
    "Thông tin thời sự, văn bản chỉ đạo của cấp trên",
    "Đánh giá tình hình thực hiện nghị quyết tháng trước",
    "Thảo luận",
    "Nghị quyết và phân công nhiệm vụ tháng tới",
    "Biểu quyết thông qua nghị quyết",
    "Kết luận, bế mạc",
)


def default_attendance(*, is_exempt: bool, is_away: bool, request: str | None) -> str:
    """The attendance a member starts with, so the secretary only fixes the exceptions.

    ``request`` is the state of the member's absence request for the meeting, if any.
    """
    if is_exempt:
        return "exempt"
    if is_away:
        return "away"
    if request == "approved":
        return "absent_reason"
    return "present"


@dataclass(frozen=True)
class AttendanceCounts:
    total: int
    official: int
    probationary: int
    exempt: int  # exempt members who did not attend (status "exempt"): neither expected nor absent
    away: int
    present: int
    late: int
    absent_with_reason: int
    absent_without_reason: int
    exempt_members: int = 0  # every member exempt on the meeting date, whether they attended or not
    exempt_attended: int = 0  # of them, those who attended (counted among those present)

    @property
    def attended(self) -> int:
        return self.present + self.late

    @property
    def expected(self) -> int:
        """Members expected at the meeting: everyone but the exempt (unless they attend) and those away."""
        return self.total - self.exempt - self.away

    @property
    def rate(self) -> int | None:
        """Attendance in percent of the members expected; exempt and away members do not count."""
        return round(self.attended * 100 / self.expected) if self.expected else None


ATTENDED_STATUSES = ("present", "late")


def count_attendance(rows: Iterable[tuple[str, bool] | tuple[str, bool, bool]]) -> AttendanceCounts:
    """Counts for the minutes' header from (attendance status, is official[, is exempt]) rows.

    Exempt members are not counted absent: one who stays away has the status "exempt" and is not expected; one
    who attends is counted present. The minutes say how many members are exempt (``exempt_members``: those
    flagged exempt on the meeting date, and anyone marked "exempt") and how many of them attended. Without the
    third value only the status says who is exempt.
    """
    triples = [(row[0], row[1], len(row) > 2 and bool(row[2])) for row in rows]
    by_status: dict[str, int] = {}
    for status, _official, _exempt in triples:
        by_status[status] = by_status.get(status, 0) + 1
    official = sum(1 for _status, is_official, _exempt in triples if is_official)
    return AttendanceCounts(
        total=len(triples),
        official=official,
        probationary=len(triples) - official,
        exempt=by_status.get("exempt", 0),
        away=by_status.get("away", 0),
        present=by_status.get("present", 0),
        late=by_status.get("late", 0),
        absent_with_reason=by_status.get("absent_reason", 0),
        absent_without_reason=by_status.get("absent_no_reason", 0),
        exempt_members=sum(1 for status, _official, is_exempt in triples if is_exempt or status == "exempt"),
        exempt_attended=sum(1 for status, _official, is_exempt in triples if is_exempt and status in ATTENDED_STATUSES),
    )


def minutes_needed(*, kind: str, combined: bool, minimum: int, minimum_combined: int) -> int | None:
    """How long a meeting must last: a regular one 90 minutes, 120 when combined with a thematic one; a thematic
    meeting on its own has no minimum."""
    if kind != "regular":
        return None
    return minimum_combined if combined else minimum


def duration_warning(
    *, minutes: int | None, kind: str, combined: bool, minimum: int, minimum_combined: int, held: bool = False
) -> str:
    """A regular meeting lasts at least 90 minutes, 120 when combined with a thematic one.

    Before the meeting ``minutes`` is the planned length; once it is held (``held``), the length between the
    actual opening and closing times, and the message says how long it lasted."""
    needed = minutes_needed(kind=kind, combined=combined, minimum=minimum, minimum_combined=minimum_combined)
    if minutes is None or needed is None or minutes >= needed:
        return ""
    numbers = {"needed": needed, "minutes": minutes}
    if held:
        message = _("A regular meeting should last at least %(needed)d minutes; this one lasted %(minutes)d.")
    else:
        message = _("A regular meeting should last at least %(needed)d minutes; this one is planned for %(minutes)d.")
    return message % numbers


def _moment(value: dt.datetime) -> str:
    return f"{timezone.localtime(value):%H:%M %d/%m/%Y}"


def planning_warning(*, meeting_date: dt.date, today: dt.date) -> str:
    """Documents reach members at least one day before the meeting: planning one for today or tomorrow (or for a
    day already past) leaves no time to release its pack a day ahead."""
    days = (meeting_date - today).days
    numbers = {"date": f"{meeting_date:%d/%m/%Y}"}
    if days > 1:
        return ""
    if days == 1:
        return (
            _(
                "The meeting is tomorrow (%(date)s): members must have its documents at least one day before. "
                "Release the meeting pack today."
            )
            % numbers
        )
    if days == 0:
        return (
            _(
                "The meeting is today (%(date)s): members must have its documents at least one day before, "
                "and that is no longer possible."
            )
            % numbers
        )
    return _("The meeting's date (%(date)s) has passed: members could not have its documents one day before.") % numbers


def pack_warning(*, starts: dt.datetime, published_at: dt.datetime | None, now: dt.datetime, hours: int) -> str:
    """The meeting pack (the agenda, the draft resolutions, last month's review) must be released to members at
    least ``hours`` (one day) before the meeting starts.

    No warning while there is still time to release it; once the meeting is less than ``hours`` away (or over),
    a pack not yet released, or released late, is warned about with its times."""
    numbers = {"starts": _moment(starts), "hours": hours}
    if published_at is None:
        if now < starts - dt.timedelta(hours=hours):
            return ""
        return (
            _(
                "The meeting pack has not been released to members; they must have it at least %(hours)d hours "
                "before the meeting (%(starts)s)."
            )
            % numbers
        )
    ahead = starts - published_at
    if ahead >= dt.timedelta(hours=hours):
        return ""
    numbers["published"] = _moment(published_at)
    if ahead <= dt.timedelta(0):
        return (
            _(
                "The meeting pack was released to members at %(published)s, after the meeting began "
                "(%(starts)s); they must have it at least %(hours)d hours before."
            )
            % numbers
        )
    numbers["ahead"] = int(ahead.total_seconds() // 3600)
    return (
        _(
            "The meeting pack was released to members at %(published)s, only %(ahead)d hours before the meeting "
            "(%(starts)s); they must have it at least %(hours)d hours before."
        )
        % numbers
    )


QUALITY_PARTS = {
    "q_time": 5,
    "q_attendance": 5,
    "q_preparation": 10,
    "q_conduct": 30,
    "q_chairing": 10,
    "q_principles": 5,
    "q_results": 30,
    "q_closing": 5,
}


def quality_level(score: int | None) -> str:
    """Tốt ≥ 90, Khá 70–89, Trung bình 50–69, Kém < 50 (a scorecard used by some party committees)."""
    if score is None:
        return ""
    if score >= 90:
        return _("Good")
    if score >= 70:
        return _("Fair")
    if score >= 50:
        return _("Average")
    return _("Poor")


# What a part of the self-score can be at most when the meeting broke a rule of its own: a meeting shorter than
# its minimum earns nothing for time; documents that did not reach members a day ahead, half the preparation.
QUALITY_CAPS = {"q_time": 0, "q_preparation": 5}
QUALITY_LABELS = {"q_time": gettext_lazy("time"), "q_preparation": gettext_lazy("preparation")}


@dataclass(frozen=True)
class QualityCap:
    part: str
    most: int
    reason: str

    @property
    def label(self) -> str:
        return str(QUALITY_LABELS[self.part]).capitalize()

    @property
    def full(self) -> int:
        return QUALITY_PARTS[self.part]


def quality_caps(*, duration_warning: str, documents_warning: str) -> list[QualityCap]:
    """The parts of the self-score a meeting held cannot earn in full, each with the warning that limits it: the
    time part when it lasted less than its minimum, the preparation part when its pack was released late."""
    caps = []
    if duration_warning:
        caps.append(QualityCap("q_time", QUALITY_CAPS["q_time"], duration_warning))
    if documents_warning:
        caps.append(QualityCap("q_preparation", QUALITY_CAPS["q_preparation"], documents_warning))
    return caps


def quality_errors(scores: dict[str, int | None], caps: Iterable[QualityCap]) -> list[str]:
    """A self-score above a cap, with its numbers and the reason."""
    errors = []
    for cap in caps:
        given = scores.get(cap.part)
        if given is not None and given > cap.most:
            errors.append(
                _("%(part)s: %(given)d of %(full)d points given, at most %(most)d here. %(reason)s")
                % {
                    "part": cap.label,
                    "given": given,
                    "full": cap.full,
                    "most": cap.most,
                    "reason": cap.reason,
                }
            )
    return errors


def proposed_quality(
    *, attendance_rate: int | None, tasks_done: int, tasks_total: int, caps: Iterable[QualityCap] = ()
) -> dict[str, int]:
    """The parts proposed from the data (the committee may change them, never above a cap)."""
    proposal = {}
    if attendance_rate is not None:
        proposal["q_attendance"] = round(QUALITY_PARTS["q_attendance"] * min(attendance_rate, 100) / 100)
    if tasks_total:
        proposal["q_results"] = round(QUALITY_PARTS["q_results"] * tasks_done / tasks_total)
    for cap in caps:
        proposal[cap.part] = cap.most
    return proposal


# ---------------------------------------------------------------------------------------------------
# Where a vote is taken, and meetings planned twice
# ---------------------------------------------------------------------------------------------------


def vote_meeting_refusal(
    *, has_meeting: bool, same_cell: bool, meeting_date: dt.date | None, status: str, today: dt.date
) -> str:
    """Why a resolution cannot be voted on at this meeting, or "" when it can.

    A resolution is adopted only by a vote taken at a meeting of its own cell: on the meeting's day or after it,
    never at a cancelled meeting, and not once its minutes are approved (they no longer change). ``status`` is
    the meeting's: planned, held, approved or cancelled."""
    if not has_meeting or meeting_date is None:
        return _("A vote is taken at a meeting of the cell: choose the meeting.")
    if not same_cell:
        return _("A resolution is voted on at a meeting of its own cell.")
    if status == "cancelled":
        return _("This meeting was cancelled: no vote is taken at it.")
    if status == "approved":
        return _("The minutes of this meeting are approved and locked: no vote is added to them.")
    if meeting_date > today:
        return _("The meeting is on %(date)s: its vote is recorded on that day or after it, not before.") % {
            "date": f"{meeting_date:%d/%m/%Y}"
        }
    return ""


@dataclass(frozen=True)
class OtherMeeting:
    """A meeting of the cell already planned, as the duplicate check sees it."""

    date: dt.date
    starts_at: dt.time
    kind: str  # regular or thematic
    pk: int | None = None


def duplicate_meeting(
    *, date: dt.date, starts_at: dt.time, kind: str, others: Iterable[OtherMeeting]
) -> tuple[OtherMeeting | None, OtherMeeting | None]:
    """(the same meeting already planned, a regular meeting already planned in the same month).

    The same cell meets once at a given day and hour: a second identical meeting is refused. A cell holds one
    regular meeting a month: a second regular one in the month is allowed only once the secretary confirms it.
    ``others`` are the cell's meetings that are not cancelled, without the one being edited."""
    same = month = None
    for other in others:
        if other.date == date and other.starts_at == starts_at:
            same = same or other
        elif (
            kind == "regular"
            and other.kind == "regular"
            and (other.date.year, other.date.month) == (date.year, date.month)
        ):
            month = month or other
    return same, month


def committee_vote_refusal(*, is_committee: bool, held_on: dt.date, entitled: int, present: int, today: dt.date) -> str:
    """Why a committee's vote on its own document cannot be recorded, or "" when it can: only a committee's
    document is voted on by its committee (a cell's resolution is voted on at the cell's meeting), the vote is
    recorded on its day or after it, and the members present are among those entitled, at least one of them."""
    if not is_committee:
        return _("A cell's resolution is voted on at a meeting of the cell.")
    if held_on > today:
        return _("The vote is on %(date)s: it is recorded on that day or after it, not before.") % {
            "date": f"{held_on:%d/%m/%Y}"
        }
    if entitled < 1:
        return _("Give the number of committee members entitled to vote.")
    if present < 1:
        return _("Give the number of committee members present.")
    if present > entitled:
        return _("%(present)d members present, but the committee has %(entitled)d members entitled to vote.") % {
            "present": present,
            "entitled": entitled,
        }
    return ""
