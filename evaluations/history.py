"""An evaluation cycle's change history page (the ``history`` app): the cycle with its members' evaluations, its
steps, the people's comments and the emulation commitments (``chibo.lib.history``)."""

from chibo.lib.history import Kind, Source, register
from evaluations.models import CycleStep, EmulationCriterion, EvaluationCycle, MemberEvaluation, PeopleComment

register(
    Kind(
        "cycle",
        EvaluationCycle,
        "cycle_id",
        "evaluations:cycle-detail",
        "cell",
        (
            Source(EvaluationCycle, "id"),
            Source(MemberEvaluation, "cycle_id", "member"),
            Source(CycleStep, "cycle_id", "to_status"),
            Source(PeopleComment, "cycle_id", "source"),
            Source(EmulationCriterion, "cycle_id", "text"),
        ),
    ),
)
