from __future__ import annotations

import pytest

from evaluations.models import EvaluationCycle, Level, MemberEvaluation
from evaluations.services import approve, entitled_on, open_cycle, record_vote, save_proposal, take_step

YEAR = 2025
S = EvaluationCycle.Status
ORDER: list[str] = [S.OPEN, S.SELF_ASSESSMENT, S.PROPOSAL, S.VOTE, S.APPROVAL, S.CLOSED]


def propose_all(cycle: EvaluationCycle, level: str = Level.GOOD) -> None:
    """Every member at ``level``, confirmed with a reason wherever the evidence warns against it."""
    levels = {e.pk: (level, "") for e in cycle.evaluations.all()}
    reasons = dict.fromkeys(levels, "Đã khắc phục trong năm")
    save_proposal(cycle=cycle, levels=levels, cell_fields={"cell_proposed_level": Level.GOOD}, reasons=reasons)


def advance(cycle: EvaluationCycle, to: str, by) -> EvaluationCycle:
    """Take the cycle through every step up to ``to``, as the people of the cell would."""
    import datetime as dt

    while ORDER.index(cycle.status) < ORDER.index(to):
        if cycle.status == S.OPEN:
            take_step(cycle=cycle, step="self_assessment", by=by)
        elif cycle.status == S.SELF_ASSESSMENT:
            take_step(cycle=cycle, step="proposal", by=by)
        elif cycle.status == S.PROPOSAL:
            propose_all(cycle)
            take_step(cycle=cycle, step="vote", by=by)
        elif cycle.status == S.VOTE:
            entitled = entitled_on(cycle.cell, dt.date(YEAR, 12, 20), set())
            record_vote(
                cycle=cycle,
                day=dt.date(YEAR, 12, 20),
                votes_for=entitled,
                votes_against=0,
                votes_abstain=0,
                absent_with_reason=set(),
                by=by,
            )
        elif cycle.status == S.APPROVAL:
            approve(cycle=cycle, levels={}, cell_level=Level.GOOD, by=by)
    return cycle


@pytest.fixture
def make_cycle(tree, people):
    """A cycle of cell A1 for 2025 brought to ``status``."""

    def make(status: str = S.SELF_ASSESSMENT, cell=None) -> EvaluationCycle:
        cycle = open_cycle(cell=cell or tree.cell_a1, year=YEAR, by=people["secretary"])
        return advance(cycle, status, people["secretary"])

    return make


def evaluation_of(cycle: EvaluationCycle, user) -> MemberEvaluation:
    return MemberEvaluation.objects.get(cycle=cycle, member=user.member)
