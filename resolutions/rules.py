"""The business rules, as plain functions over plain values, each with a table-driven test.

- Who is entitled to vote, and whether a vote adopts a resolution (Party Charter art. 10; Quy định 24-QĐ/TW §9.3).
- How a resolution's progress rolls up from its tasks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Roll:
    """The cell on the meeting date, as sets of member ids."""

    official: frozenset[int]
    transferred: frozenset[int] = frozenset()  # temporarily transferred elsewhere
    suspended: frozenset[int] = frozenset()
    exempt: frozenset[int] = frozenset()
    exempt_present: frozenset[int] = frozenset()  # exempt members who nevertheless attend
    absent_with_reason: frozenset[int] = frozenset()  # absent for the whole meeting, reason approved


@dataclass(frozen=True)
class Entitlement:
    entitled: frozenset[int]
    excluded: dict[str, list[int]] = field(default_factory=dict)


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
    return Entitlement(frozenset(remaining), excluded)


@dataclass(frozen=True)
class VoteResult:
    adopted: bool
    explanation: str
    error: str = ""


def judge_vote(*, entitled: int, votes_for: int, votes_against: int, votes_abstain: int) -> VoteResult:
    """Adopted only when the votes for are more than half of the members entitled to vote."""
    cast = votes_for + votes_against + votes_abstain
    if min(votes_for, votes_against, votes_abstain) < 0:
        return VoteResult(False, "", _("A count of votes cannot be negative."))
    if cast > entitled:
        return VoteResult(
            False,
            "",
            _("%(cast)d votes were counted but only %(entitled)d members are entitled to vote.")
            % {"cast": cast, "entitled": entitled},
        )
    numbers = {"for": votes_for, "entitled": entitled}
    if entitled and votes_for * 2 > entitled:
        return VoteResult(
            True, _("%(for)d for / %(entitled)d official members entitled to vote: more than half") % numbers
        )
    return VoteResult(
        False, _("%(for)d for / %(entitled)d official members entitled to vote: not more than half") % numbers
    )


@dataclass(frozen=True)
class TaskProgress:
    progress: int
    weight: int | None
    done: bool = False
    cancelled: bool = False


def rolled_up_progress(tasks: Iterable[TaskProgress]) -> int | None:
    """A resolution's progress in percent: weighted where weights are set (an unset weight counts as 1), else
    the mean. A done task counts as 100; cancelled tasks do not count. None when there is nothing to count."""
    counted = [task for task in tasks if not task.cancelled]
    if not counted:
        return None
    total_weight = sum(task.weight or 1 for task in counted)
    score = sum((100 if task.done else task.progress) * (task.weight or 1) for task in counted)
    return round(score / total_weight)
