"""The shared workflow helper (chibo.lib.workflow), on a resolution's status: the table of steps, the guarded move,
the lost race, the change history and the step hook."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext_lazy

from chibo.lib.workflow import Hook, Transition, Workflow, WorkflowError
from resolutions.models import Resolution
from tests.resolutions.factories import ResolutionFactory

S = Resolution.Status
STALE = gettext_lazy("The resolution was changed by someone else just now. Reload the page.")


class Log:
    """A step hook that remembers its calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, str, str, Any, str]] = []

    def __call__(self, obj: Any, source: str, target: str, by: Any, note: str) -> None:
        self.calls.append((obj, source, target, by, note))


def flow(log: Hook | None = None, **options: Any) -> Workflow[Resolution]:
    return Workflow(
        Resolution,
        [
            Transition("submit", (S.DRAFT,), S.SUBMITTED),
            Transition("back", (S.SUBMITTED,), S.DRAFT),
            Transition("withdraw", (S.DRAFT, S.SUBMITTED), S.WITHDRAWN),
        ],
        stale=STALE,
        on_move=log,
        **options,
    )


@pytest.fixture
def draft(tree) -> Resolution:
    return ResolutionFactory.create(cell=tree.cell_a1, status=S.DRAFT)


@pytest.mark.parametrize(
    ("source", "target", "allowed"),
    [
        (S.DRAFT, S.SUBMITTED, True),
        (S.SUBMITTED, S.DRAFT, True),
        (S.DRAFT, S.WITHDRAWN, True),
        (S.SUBMITTED, S.WITHDRAWN, True),
        (S.DRAFT, S.DRAFT, False),
        (S.DRAFT, S.ADOPTED, False),
        (S.WITHDRAWN, S.DRAFT, False),
        (S.ADOPTED, S.SUBMITTED, False),
        ("unknown", S.SUBMITTED, False),
    ],
)
def test_the_table_says_which_steps_are_allowed(source: str, target: str, allowed: bool) -> None:
    assert flow().allows(source, target) is allowed


def test_the_steps_available_follow_the_state_in_the_tables_order() -> None:
    workflow = flow()
    assert list(workflow.available(Resolution(status=S.DRAFT))) == ["submit", "withdraw"]
    assert list(workflow.available(Resolution(status=S.SUBMITTED))) == ["back", "withdraw"]
    assert workflow.available(Resolution(status=S.WITHDRAWN)) == {}
    assert workflow["withdraw"] == Transition("withdraw", (S.DRAFT, S.SUBMITTED), S.WITHDRAWN)


def test_two_steps_of_one_name_are_a_mistake_in_the_table() -> None:
    with pytest.raises(ValueError, match="submit"):
        Workflow(Resolution, [Transition("submit", (S.DRAFT,), S.SUBMITTED)] * 2, stale=STALE)


def test_a_move_writes_the_state_and_fields_records_the_history_and_calls_the_hook_once(draft, people) -> None:
    log = Log()
    by = people["secretary"]
    before = draft.history.count()
    moved = flow(log).move(draft, S.SUBMITTED, by=by, note="Trình hội nghị", title="Nghị quyết mới")
    assert moved is draft
    assert (draft.status, draft.title) == (S.SUBMITTED, "Nghị quyết mới")
    stored = Resolution.objects.get(pk=draft.pk)
    assert (stored.status, stored.title) == (S.SUBMITTED, "Nghị quyết mới")
    assert log.calls == [(draft, S.DRAFT, S.SUBMITTED, by, "Trình hội nghị")]
    assert draft.history.count() == before + 1
    latest = draft.history.first()
    assert (latest.status, latest.history_change_reason) == (S.SUBMITTED, "Trình hội nghị")


def test_the_step_log_comes_before_the_history_row(draft) -> None:
    """The history page orders a step's log entry and its history row by time: the log is written first."""
    seen: list[int] = []
    before = draft.history.count()
    workflow = flow(lambda obj, *_: seen.append(obj.history.count()))
    workflow.move(draft, S.SUBMITTED)
    assert (seen, draft.history.count()) == ([before], before + 1)


def test_a_workflow_without_history_writes_no_history_row(draft) -> None:
    before = draft.history.count()
    flow(history=False).move(draft, S.SUBMITTED)
    assert Resolution.objects.get(pk=draft.pk).status == S.SUBMITTED
    assert draft.history.count() == before


def test_a_value_the_database_computes_is_read_back(draft) -> None:
    flow().move(draft, S.SUBMITTED, lock_version=F("lock_version") + 1)
    assert draft.lock_version == 1


@pytest.mark.parametrize("target", [S.ADOPTED, S.DRAFT, S.IN_PROGRESS])
def test_a_step_the_table_refuses_writes_nothing(draft, target: str) -> None:
    log = Log()
    before = draft.history.count()
    with pytest.raises(WorkflowError) as refused:
        flow(log, refused=gettext_lazy("Unknown step.")).move(draft, target)
    assert str(refused.value) == refused.value.message == str(gettext_lazy("Unknown step."))
    assert Resolution.objects.get(pk=draft.pk).status == S.DRAFT
    assert draft.status == S.DRAFT
    assert (log.calls, draft.history.count()) == ([], before)


def test_a_refusal_may_name_the_rows_state(draft) -> None:
    workflow = flow(refused=lambda row: f"refused while {row.status}")
    with pytest.raises(WorkflowError, match=f"refused while {S.DRAFT}"):
        workflow.check(draft, S.ADOPTED)
    workflow.check(draft, S.SUBMITTED)  # allowed: no error


def test_without_a_refusal_message_a_refused_step_says_the_stale_message(draft) -> None:
    with pytest.raises(WorkflowError) as refused:
        flow().move(draft, S.ADOPTED)
    assert str(refused.value) == str(STALE)


def test_the_lost_race_raises_and_writes_nothing(draft) -> None:
    """Two people press "submit" and "withdraw" at once: the second read the draft before the first wrote."""
    log = Log()
    seen_by_second = Resolution.objects.get(pk=draft.pk)
    flow(log).move(draft, S.SUBMITTED, note="first")
    history_before = draft.history.count()
    with pytest.raises(WorkflowError) as lost:
        flow(log).move(seen_by_second, S.WITHDRAWN, note="second", title="Ghi đè")
    assert str(lost.value) == str(STALE)
    stored = Resolution.objects.get(pk=draft.pk)
    assert (stored.status, stored.title) == (S.SUBMITTED, draft.title)
    assert (seen_by_second.status, seen_by_second.title) == (S.DRAFT, draft.title)
    assert draft.history.count() == history_before
    assert [call[4] for call in log.calls] == ["first"]


def test_a_guarded_write_checks_the_expected_values(draft) -> None:
    workflow = flow()
    workflow.write(draft, expected={"status": S.DRAFT, "lock_version": 0}, title="Sửa", lock_version=1)
    assert Resolution.objects.get(pk=draft.pk).title == "Sửa"
    with pytest.raises(WorkflowError):
        workflow.write(draft, expected={"status": S.DRAFT, "lock_version": 0}, title="Lần nữa")
    assert Resolution.objects.get(pk=draft.pk).title == "Sửa"


def test_the_message_is_translated_in_the_users_language(draft) -> None:
    stale = Resolution.objects.get(pk=draft.pk)
    flow().move(draft, S.SUBMITTED)
    with translation.override("vi"), pytest.raises(WorkflowError) as lost:
        flow().move(stale, S.WITHDRAWN)
    assert lost.value.message == "Nghị quyết vừa được người khác thay đổi. Vui lòng tải lại trang."
