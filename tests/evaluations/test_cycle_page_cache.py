"""The cycle page keeps its members, their evidence and the counts in the cache under the cell's token, the day the
evidence is judged on and the viewer's rights (``chibo.lib.parts``): served again, it costs a few queries; after any
write it shows, the next request shows the change; each viewer gets their own version; the days move the evidence.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from evaluations.models import EmulationCriterion, EvaluationCycle, MemberEvaluation
from evaluations.services import open_cycle, save_self_assessment, send_back, take_step
from meetings.models import Attendance, Meeting, Speech
from meetings.services import mark_held, plan_meeting, set_attendance
from members.models import Exemption, Member, today
from resolutions.models import Task
from tests.evaluations.conftest import YEAR
from tests.resolutions.factories import ResolutionFactory, TaskFactory

pytestmark = pytest.mark.django_db
S = EvaluationCycle.Status
CSRF = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]*"')


def _url(cycle: EvaluationCycle) -> str:
    return reverse("evaluations:cycle-detail", args=[cycle.pk])


def _page(client, cycle: EvaluationCycle) -> str:
    response = client.get(_url(cycle))
    assert response.status_code == 200
    return CSRF.sub("CSRF", response.content.decode())


def _tasks(total: int, on_time: int, late: int) -> str:
    return gettext("%(total)s: %(on_time)s on time, %(late)s late") % {"total": total, "on_time": on_time, "late": late}


# --- served again ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["secretary", "committee", "in_charge", "standing", "admin"])
def test_the_page_served_from_the_cache_is_the_page_built(client_for, make_cycle, who) -> None:
    cycle = make_cycle(S.SELF_ASSESSMENT)
    client = client_for(who)
    built, served = _page(client, cycle), _page(client, cycle)
    assert served == built
    assert cycle.cell.name in served


def test_served_again_it_costs_the_cycles_query_and_its_steps(
    client_for, make_cycle, django_assert_num_queries
) -> None:
    cycle = make_cycle(S.SELF_ASSESSMENT)
    client = client_for("secretary")
    # session, user, the cycle with its cell's token and the user's own evaluation, roles with member; the part:
    # the roll, the evaluations, the evidence (four), the emulation's totals; the steps; the bell
    with django_assert_num_queries(4 + 7 + 1 + 1):
        assert client.get(_url(cycle)).status_code == 200
    with django_assert_num_queries(4 + 1 + 1):
        assert client.get(_url(cycle)).status_code == 200


# --- every write the page shows renews it ------------------------------------------------------------------


def _member(people: dict[str, User]) -> Member:
    return people["member"].member


def _held_meeting(cycle: EvaluationCycle) -> Meeting:
    meeting = plan_meeting(
        cell=cycle.cell,
        by=None,
        kind="regular",
        date=dt.date(YEAR, 6, 10),
        starts_at=dt.time(19, 30),
        ends_at=dt.time(21, 30),
        place="Nhà văn hóa",
    )
    mark_held(meeting=meeting, opened_at=dt.time(19, 30), closed_at=dt.time(21, 30))
    return meeting


def _self_assessed(cycle: EvaluationCycle, people: dict[str, User]) -> str:
    evaluation = MemberEvaluation.objects.get(cycle=cycle, member=_member(people))
    data = {"strengths": "Gương mẫu", "shortcomings": "", "direction": "", "self_level": "good"}
    save_self_assessment(evaluation=evaluation, data=data)
    total = cycle.evaluations.count()
    return gettext("%(submitted)s of %(total)s self-assessments submitted") % {"submitted": 1, "total": total}


def _renamed(cycle: EvaluationCycle, people: dict[str, User]) -> str:
    member = _member(people)
    member.full_name = "Đồng chí Đổi Tên"
    member.save()
    return "Đồng chí Đổi Tên"


def _cell_renamed(cycle: EvaluationCycle, people: dict[str, User]) -> str:
    cell = cycle.cell
    cell.name = "Chi bộ khu phố Mới"
    cell.save()
    return f'{reverse("evaluations:cell-cycles", args=[cell.pk])}">Chi bộ khu phố Mới</a>'  # the part's breadcrumb


def _task_done_late(cycle: EvaluationCycle, people: dict[str, User]) -> str:
    resolution = ResolutionFactory.create(
        cell=cycle.cell, period_start=dt.date(YEAR, 3, 1), period_end=dt.date(YEAR, 3, 31)
    )
    TaskFactory.create(
        resolution=resolution,
        lead_member=_member(people),
        deadline=dt.date(YEAR, 3, 20),
        status=Task.Status.DONE,
        completed_on=dt.date(YEAR, 3, 25),
    )
    return _tasks(1, 0, 1)


def _task_closed_in_bulk(cycle: EvaluationCycle, people: dict[str, User]) -> str:
    """A task closed by an UPDATE (as the services close them), not by a row's save()."""
    resolution = ResolutionFactory.create(
        cell=cycle.cell, period_start=dt.date(YEAR, 3, 1), period_end=dt.date(YEAR, 3, 31)
    )
    task = TaskFactory.create(resolution=resolution, lead_member=_member(people), deadline=dt.date(YEAR, 3, 20))
    Task.objects.filter(pk=task.pk).update(status=Task.Status.DONE, completed_on=dt.date(YEAR, 3, 18))
    return _tasks(1, 1, 0)


def _absent(cycle: EvaluationCycle, people: dict[str, User]) -> str:
    meeting = Meeting.objects.get(cell=cycle.cell, date=dt.date(YEAR, 6, 10))
    set_attendance(meeting=meeting, changes={_member(people).pk: (Attendance.Status.ABSENT_WITHOUT_REASON, "")})
    return gettext("absent %(with_reason)s with reason, %(without_reason)s without") % {
        "with_reason": 0,
        "without_reason": 1,
    }


def _spoke(cycle: EvaluationCycle, people: dict[str, User]) -> str:
    meeting = Meeting.objects.get(cell=cycle.cell, date=dt.date(YEAR, 6, 10))
    Speech.objects.create(meeting=meeting, speaker=_member(people), content="Đề nghị làm đèn đường")
    return gettext("%(speeches)s opinions at meetings, %(reports)s progress reports") % {"speeches": 1, "reports": 0}


def _exempted(cycle: EvaluationCycle, people: dict[str, User]) -> str:
    Exemption.objects.create(member=_member(people), starts_on=dt.date(YEAR, 1, 1), reason="Tuổi cao")
    return gettext("not classified")


def _scored(cycle: EvaluationCycle, people: dict[str, User]) -> str:
    EmulationCriterion.objects.create(cycle=cycle, text="100% hộ ký cam kết", max_points=20, score=18)
    return "18/20"


def _moved_on(cycle: EvaluationCycle, people: dict[str, User]) -> str:
    take_step(cycle=cycle, step="proposal", by=people["secretary"])
    return reverse("evaluations:proposal", args=[cycle.pk])


WRITES: list[Callable[[EvaluationCycle, dict[str, User]], str]] = [
    _self_assessed,
    _renamed,
    _cell_renamed,
    _task_done_late,
    _task_closed_in_bulk,
    _absent,
    _spoke,
    _exempted,
    _scored,
    _moved_on,
]


@pytest.mark.parametrize("write", WRITES, ids=[write.__name__.strip("_") for write in WRITES])
def test_the_next_request_after_a_write_shows_it(client_for, make_cycle, people, write) -> None:
    cycle = make_cycle(S.SELF_ASSESSMENT)
    _held_meeting(cycle)
    client = client_for("committee")
    _page(client, cycle)
    before = _page(client, cycle)  # served from the cache
    shown = write(cycle, people)
    assert shown not in before
    assert shown in _page(client, cycle)


def test_the_steps_name_whoever_took_them_as_they_are_named_now(client_for, make_cycle, people) -> None:
    """The ward's people are named under the ward, not the cell: the steps are read with each request."""
    cycle = make_cycle(S.APPROVAL)
    send_back(cycle=cycle, reason="Bổ sung minh chứng", by=people["standing"])
    client = client_for("secretary")
    _page(client, cycle)
    standing = people["standing"]
    standing.first_name, standing.last_name = "Thường vụ", "Đổi Tên"
    standing.save()
    assert "Thường vụ Đổi Tên" in _page(client, cycle)


# --- each viewer their own version -------------------------------------------------------------------------


VIEWERS = ["secretary", "committee", "in_charge", "standing", "admin"]


@pytest.mark.parametrize(
    ("status", "link", "who_sees_it"),
    [
        (S.SELF_ASSESSMENT, "evaluations:cycle-step", {"secretary", "admin"}),
        (S.PROPOSAL, "evaluations:proposal", {"secretary", "committee", "admin"}),
        (S.APPROVAL, "evaluations:approval", {"in_charge", "standing", "admin"}),
        (S.SELF_ASSESSMENT, "evaluations:self-assessment", {"secretary", "committee"}),
    ],
)
def test_each_viewer_is_served_the_page_of_their_rights(client_for, make_cycle, status, link, who_sees_it) -> None:
    cycle = make_cycle(status)
    url = reverse(link, args=[cycle.pk, "proposal"] if link == "evaluations:cycle-step" else [cycle.pk])
    for _round in range(2):  # built, then served from the cache
        seen = {who for who in VIEWERS if url in _page(client_for(who), cycle)}
        assert seen == who_sees_it


# --- the day -----------------------------------------------------------------------------------------------


# A day inside the year: on 31 December the next morning belongs to the next year, whose cycle this is not.
@pytest.mark.clock("2026-11-18 10:00")
def test_an_open_task_is_overdue_on_the_page_once_its_deadline_has_passed(client_for, tree, people, clock) -> None:
    """This year's cycle: the evidence is judged on today, which moves with the days."""
    year = today().year
    cycle = open_cycle(cell=tree.cell_a1, year=year, by=people["secretary"])
    take_step(cycle=cycle, step="self_assessment", by=people["secretary"])
    deadline = today()
    resolution = ResolutionFactory.create(cell=tree.cell_a1, period_start=deadline, period_end=deadline)
    TaskFactory.create(resolution=resolution, lead_member=_member(people), deadline=deadline)
    overdue = gettext("%(overdue)s overdue, %(not_met)s not met") % {"overdue": 1, "not_met": 0}
    client = client_for("secretary")
    _page(client, cycle)
    assert overdue not in _page(client, cycle)
    # The next morning, less than a day later (what the cache keeps, it keeps for a day at most).
    clock.move_to(timezone.make_aware(dt.datetime.combine(deadline + dt.timedelta(days=1), dt.time(8))))
    assert overdue in _page(client_for("secretary"), cycle)  # signed in again: a session lasts a working day
