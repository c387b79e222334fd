import pytest

from meetings.rules import (
    Roll,
    check_ballots,
    count_attendance,
    default_attendance,
    duration_warning,
    entitled_voters,
    judge_vote,
    proposed_quality,
    quality_level,
)

OFFICIAL = frozenset(range(1, 11))  # ten official members, ids 1..10


@pytest.mark.parametrize(
    ("roll", "entitled", "excluded"),
    [
        (Roll(OFFICIAL), 10, {}),
        (Roll(OFFICIAL, transferred=frozenset({1})), 9, {"transferred": [1]}),
        (Roll(OFFICIAL, suspended=frozenset({2})), 9, {"suspended": [2]}),
        (Roll(OFFICIAL, exempt=frozenset({3, 4})), 8, {"exempt_absent": [3, 4]}),
        # an exempt member who attends counts
        (Roll(OFFICIAL, exempt=frozenset({3, 4}), exempt_present=frozenset({4})), 9, {"exempt_absent": [3]}),
        (Roll(OFFICIAL, absent_with_reason=frozenset({5, 6})), 8, {"absent_with_reason": [5, 6]}),
        # a probationary member (id 99) is not official: marking them anything changes nothing
        (Roll(OFFICIAL, absent_with_reason=frozenset({99})), 10, {}),
        # one member is counted out once, under the first reason
        (
            Roll(OFFICIAL, transferred=frozenset({1}), absent_with_reason=frozenset({1, 2})),
            8,
            {"transferred": [1], "absent_with_reason": [2]},
        ),
    ],
)
def test_entitled_voters(roll: Roll, entitled: int, excluded: dict[str, list[int]]) -> None:
    result = entitled_voters(roll)
    assert len(result.entitled) == entitled
    assert result.excluded == excluded


@pytest.mark.parametrize(
    ("entitled", "votes", "adopted", "says"),
    [
        (24, (13, 5, 6), True, "13 phiếu tán thành / 24 đảng viên chính thức có quyền biểu quyết: quá nửa"),
        (24, (12, 12, 0), False, "12 phiếu tán thành / 24 đảng viên chính thức có quyền biểu quyết: chưa quá nửa"),
        (24, (11, 0, 0), False, "chưa quá nửa"),  # absentees and non-voters do not help
        (25, (13, 0, 0), True, "quá nửa"),
        (25, (12, 0, 13), False, "chưa quá nửa"),
        (10, (0, 0, 10), False, "chưa quá nửa"),  # everyone abstains
        (1, (1, 0, 0), True, "quá nửa"),
        (0, (0, 0, 0), False, "chưa quá nửa"),  # nobody entitled: nothing can be adopted
    ],
)
def test_the_charter_rule(entitled: int, votes: tuple[int, int, int], adopted: bool, says: str) -> None:
    result = judge_vote(entitled=entitled, votes_for=votes[0], votes_against=votes[1], votes_abstain=votes[2])
    assert not result.error
    assert result.adopted is adopted
    assert says in result.explanation


@pytest.mark.parametrize("votes", [(20, 5, 0), (25, 0, 0), (0, 0, 25)])
def test_more_votes_than_entitled_are_refused(votes: tuple[int, int, int]) -> None:
    result = judge_vote(entitled=24, votes_for=votes[0], votes_against=votes[1], votes_abstain=votes[2])
    assert result.adopted is False
    assert "có quyền biểu quyết" in result.error


def test_negative_counts_are_refused() -> None:
    assert judge_vote(entitled=10, votes_for=-1, votes_against=0, votes_abstain=0).error


# --- Ballots come only from the entitled members present --------------------------------------------------
# "Ballots (for + against + abstain/other) can only come from the entitled members present: official members
# present, including exempt members who attend, excluding probationary members." "Adoption stays
# for > entitled / 2 (entitled includes those absent without reason)."

CELL_25 = frozenset(range(1, 26))  # 25 official members
PROBATIONARY = frozenset({101, 102})  # on the roll but never in ``official``: marking them changes nothing
CELL_25_ROLL = Roll(
    CELL_25,
    transferred=frozenset({1}),
    suspended=frozenset({2}),
    exempt=frozenset({3, 4}),
    exempt_present=frozenset({4}),  # attends: counts in the base and votes
    absent_with_reason=frozenset({5}),
    absent=frozenset({7}) | PROBATIONARY,  # 7 absent without a reason: in the base, no ballot
)


@pytest.mark.parametrize(
    ("roll", "entitled", "present"),
    [
        (Roll(OFFICIAL), 10, 10),
        # absent without a reason: still in the base of the majority, but not there to vote
        (Roll(OFFICIAL, absent=frozenset({1, 2})), 10, 8),
        # absent with an approved reason: out of both
        (Roll(OFFICIAL, absent_with_reason=frozenset({1})), 9, 9),
        # an exempt member who attends is entitled and present; one who stays away is neither
        (Roll(OFFICIAL, exempt=frozenset({3, 4}), exempt_present=frozenset({4})), 9, 9),
        # a probationary member present is not official: never a voter
        (Roll(OFFICIAL, absent=frozenset({99})), 10, 10),
        # the cell of the issue: 25 official, 21 entitled, 20 of them present
        (CELL_25_ROLL, 21, 20),
    ],
)
def test_the_entitled_members_present(roll: Roll, entitled: int, present: int) -> None:
    result = entitled_voters(roll)
    assert len(result.entitled) == entitled
    assert len(result.present) == present
    assert result.present <= result.entitled


@pytest.mark.parametrize(
    ("present", "votes", "refusal"),
    [
        # the cell of the issue: 11 for / 6 against / 4 abstaining is 21 ballots from 20 members there
        (20, (11, 6, 4), "21 phiếu nhưng chỉ có 20 đảng viên có quyền biểu quyết có mặt"),
        (20, (11, 5, 4), ""),  # every member there voted
        (20, (11, 0, 0), ""),  # some did not vote at all
        (20, (0, 0, 21), "21 phiếu nhưng chỉ có 20 đảng viên có quyền biểu quyết có mặt"),
        (0, (1, 0, 0), "1 phiếu nhưng chỉ có 0 đảng viên có quyền biểu quyết có mặt"),
        (0, (0, 0, 0), ""),
        (5, (-1, 0, 0), "Số phiếu không thể là số âm."),
    ],
)
def test_ballots_come_only_from_the_entitled_members_present(
    present: int, votes: tuple[int, int, int], refusal: str
) -> None:
    says = check_ballots(entitled_present=present, votes_for=votes[0], votes_against=votes[1], votes_abstain=votes[2])
    assert says == refusal


@pytest.mark.parametrize(
    ("votes", "adopted", "says"),
    [
        # more ballots than members there: refused, never adopted, whatever the majority
        ((11, 6, 4), False, "21 phiếu nhưng chỉ có 20 đảng viên có quyền biểu quyết có mặt"),
        # 11 for of 21 entitled is more than half, even though one of the 21 was absent
        ((11, 5, 4), True, "11 phiếu tán thành / 21 đảng viên chính thức có quyền biểu quyết: quá nửa"),
        # 10 for of 21: not more than half, though it is half of those present
        ((10, 0, 0), False, "10 phiếu tán thành / 21 đảng viên chính thức có quyền biểu quyết: chưa quá nửa"),
    ],
)
def test_the_vote_of_the_25_member_cell(votes: tuple[int, int, int], adopted: bool, says: str) -> None:
    base = entitled_voters(CELL_25_ROLL)
    result = judge_vote(
        entitled=len(base.entitled),
        entitled_present=len(base.present),
        votes_for=votes[0],
        votes_against=votes[1],
        votes_abstain=votes[2],
    )
    assert result.adopted is adopted
    assert says in (result.error or result.explanation)


@pytest.mark.parametrize(
    ("exempt", "away", "request_state", "expected"),
    [
        (False, False, None, "present"),
        (True, False, None, "exempt"),
        (True, True, "approved", "exempt"),  # exempt first: not counted absent
        (False, True, None, "away"),
        (False, False, "approved", "absent_reason"),
        (False, False, "pending", "present"),
        (False, False, "refused", "present"),
    ],
)
def test_default_attendance(exempt: bool, away: bool, request_state: str | None, expected: str) -> None:
    assert default_attendance(is_exempt=exempt, is_away=away, request=request_state) == expected


def test_attendance_counts_leave_the_exempt_and_away_out_of_the_rate() -> None:
    rows = [("present", True)] * 6 + [("late", False), ("absent_reason", True), ("absent_no_reason", True)]
    rows += [("exempt", True), ("away", True)]
    counts = count_attendance(rows)
    assert (counts.total, counts.official, counts.probationary) == (11, 10, 1)
    assert (counts.attended, counts.expected, counts.rate) == (7, 9, 78)
    assert count_attendance([("exempt", True)]).rate is None


@pytest.mark.parametrize(
    ("minutes", "kind", "combined", "warned"),
    [
        (90, "regular", False, False),
        (89, "regular", False, True),
        (119, "regular", True, True),
        (120, "regular", True, False),
        (45, "thematic", False, False),
        (None, "regular", False, False),
    ],
)
def test_meeting_duration(minutes, kind, combined, warned) -> None:
    assert (
        bool(duration_warning(minutes=minutes, kind=kind, combined=combined, minimum=90, minimum_combined=120))
        is warned
    )


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (100, "Tốt"),
        (90, "Tốt"),
        (89, "Khá"),
        (70, "Khá"),
        (69, "Trung bình"),
        (50, "Trung bình"),
        (49, "Kém"),
        (None, ""),
    ],
)
def test_quality_levels(score: int | None, level: str) -> None:
    assert quality_level(score) == level


def test_quality_proposals_come_from_the_data() -> None:
    assert proposed_quality(attendance_rate=80, tasks_done=3, tasks_total=4) == {"q_attendance": 4, "q_results": 22}
    assert proposed_quality(attendance_rate=None, tasks_done=0, tasks_total=0) == {}


# "The author of a report never reviews it": not by her member record, nor by her account (a secretary or an
# administrator reviewing her own report included); anyone else who may review, may.
