"""One way to move a row from one state to the next: a table of the allowed steps and a guarded write.

Each workflow (a resolution, a meeting, an evaluation cycle, an inspection) declares its steps once::

    FLOW = Workflow(
        Resolution,
        [Transition("submit", (S.DRAFT,), S.SUBMITTED), ...],
        stale=gettext_lazy("The resolution was changed by someone else just now. Reload the page."),
        on_move=log_step,
    )

and takes one with ``FLOW.move(resolution, S.SUBMITTED, by=user, note="...")``. The step is refused
(``WorkflowError``) when the table does not allow it from the row's current state; otherwise it is written by a
conditional ``UPDATE ... WHERE pk = <pk> AND status = <the state the caller read>``, so that of two people taking
a step at once only the first succeeds: the other changes no row and gets the ``stale`` message, nothing written.
The instance then holds the values written, the app's own hook (its step log, what follows a step) runs once,
and the change history gets its row.

No app is imported here: each app keeps its own step log model and passes a hook.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import models
from django.utils.functional import Promise

from chibo.lib.history import record_changed

M = TypeVar("M", bound=models.Model)

# A message: a (lazily) translated string, or a function of the row giving one (to name its state, say).
Message = str | Promise | Callable[[Any], str]
# Called once after each step, in the step's transaction: (row, source, target, by, note).
Hook = Callable[[Any, str, str, Any, str], None]


class WorkflowError(Exception):
    """A step that cannot be taken now; the message says why, in the user's language."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = str(message)


@dataclass(frozen=True)
class Transition:
    """A named step: from any of ``sources`` to ``target``."""

    name: str
    sources: tuple[str, ...]
    target: str


def _text(message: Message, obj: Any) -> str:
    return str(message(obj)) if callable(message) else str(message)


class Workflow(Generic[M]):
    """The steps allowed on one model's state field, and the guarded write that takes them."""

    def __init__(
        self,
        model: type[M],
        transitions: Iterable[Transition],
        *,
        stale: Message,
        refused: Message | None = None,
        field: str = "status",
        on_move: Hook | None = None,
        history: bool = True,
    ) -> None:
        self.model = model
        self.transitions: dict[str, Transition] = {}
        for transition in transitions:
            if transition.name in self.transitions:
                raise ValueError(f"Two steps are named {transition.name!r}.")
            self.transitions[transition.name] = transition
        self.field = field
        self.stale = stale
        self.refused = stale if refused is None else refused
        self.on_move = on_move
        self.history = history

    def __getitem__(self, name: str) -> Transition:
        return self.transitions[name]

    def allows(self, source: str, target: str) -> bool:
        """Whether some step leads from ``source`` to ``target``."""
        return any(source in t.sources and t.target == target for t in self.transitions.values())

    def available(self, obj: M) -> dict[str, Transition]:
        """The steps that can be taken from the row's current state, by name, in the table's order."""
        state = getattr(obj, self.field)
        return {name: t for name, t in self.transitions.items() if state in t.sources}

    def check(self, obj: M, target: str) -> None:
        """Refuse (``WorkflowError``, the ``refused`` message) a step the table does not allow from the row's
        current state."""
        if not self.allows(getattr(obj, self.field), target):
            raise WorkflowError(_text(self.refused, obj))

    def write(self, obj: M, *, expected: Mapping[str, Any], reason: str = "", **fields: Any) -> M:
        """Write ``fields`` on the row only while it still holds the ``expected`` values (one conditional
        ``UPDATE``); none changed raises ``WorkflowError`` (the ``stale`` message) and nothing is written.

        The instance then holds the values written (those the database computed, such as ``F("n") + 1``, are
        read back) and, unless the workflow keeps none, the change history gets a row with ``reason``."""
        self._write(obj, expected, fields)
        self._record(obj, reason)
        return obj

    def move(self, obj: M, to: str, *, by: Any = None, note: str = "", **fields: Any) -> M:
        """Take the step from the row's current state to ``to``, writing ``fields`` with it; then the ``on_move``
        hook, once (the app's step log comes before the history row), and the change history (``note`` its
        reason). Refused when the table does not allow it; ``WorkflowError`` (``stale``) with nothing written when
        the row left that state meanwhile."""
        source = getattr(obj, self.field)
        self.check(obj, to)
        self._write(obj, {self.field: source}, {self.field: to, **fields})
        if self.on_move is not None:
            self.on_move(obj, source, to, by, note)
        self._record(obj, note)
        return obj

    def _write(self, obj: M, expected: Mapping[str, Any], fields: Mapping[str, Any]) -> None:
        changed = self.model._default_manager.filter(pk=obj.pk, **expected).update(**fields)
        if changed != 1:
            raise WorkflowError(_text(self.stale, obj))
        computed = [name for name, value in fields.items() if hasattr(value, "resolve_expression")]
        for name, value in fields.items():
            if name not in computed:
                setattr(obj, name, value)
        if computed:
            obj.refresh_from_db(fields=computed)

    def _record(self, obj: M, reason: str) -> None:
        if self.history:
            record_changed([obj], reason=reason)
