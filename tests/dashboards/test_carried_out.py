""" "Was it carried out?": the verdict agrees with the task rows, evidence is linked, outsiders see nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from members.models import today
from resolutions.models import ProgressUpdate, Resolution, Task
from tests.resolutions.factories import ProgressUpdateFactory, ResolutionFactory, TargetFactory, TaskFactory

TS = Task.Status


def _days(n: int) -> dt.date:
    return today() + dt.timedelta(days=n)


def _url(resolution: Resolution) -> str:
    return reverse("dashboards:resolution-carried-out", args=[resolution.pk])


def _in_english(client: Client) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def resolution(tree) -> Resolution:
    return ResolutionFactory.create(cell=tree.cell_a1, status=Resolution.Status.IN_PROGRESS)


@pytest.fixture
def mixed(resolution: Resolution) -> Resolution:
    """Every kind of outcome: done on time and late, overdue, open in time, not met, cancelled; four targets."""
    TaskFactory.create(resolution=resolution, status=TS.DONE, progress=100, deadline=_days(-5), completed_on=_days(-6))
    TaskFactory.create(resolution=resolution, status=TS.DONE, progress=100, deadline=_days(-5), completed_on=_days(-5))
    TaskFactory.create(resolution=resolution, status=TS.DONE, progress=100, deadline=_days(-10), completed_on=_days(-7))
    TaskFactory.create(resolution=resolution, status=TS.DONE, progress=100, deadline=_days(-3), completed_on=_days(-1))
    TaskFactory.create(resolution=resolution, status=TS.IN_PROGRESS, progress=40, deadline=_days(-4), is_focal=True)
    TaskFactory.create(resolution=resolution, status=TS.NOT_STARTED, progress=0, deadline=_days(-1))
    TaskFactory.create(resolution=resolution, status=TS.IN_PROGRESS, progress=60, deadline=_days(5))
    TaskFactory.create(
        resolution=resolution, status=TS.NOT_MET, progress=30, deadline=_days(-10), completed_on=_days(-2)
    )
    TaskFactory.create(resolution=resolution, status=TS.CANCELLED, progress=0, deadline=_days(-10))
    TargetFactory.create(resolution=resolution, target_value=Decimal("100"), actual_value=Decimal("100"))
    TargetFactory.create(resolution=resolution, target_value=Decimal("100"), actual_value=Decimal("120"))
    TargetFactory.create(resolution=resolution, target_value=Decimal("50"), actual_value=Decimal("40"))
    TargetFactory.create(resolution=resolution, target_value=Decimal("10"), actual_value=None)
    return resolution


def test_the_verdict_agrees_with_the_task_and_target_rows(client_for, mixed: Resolution) -> None:
    response = client_for("member").get(_url(mixed))
    assert response.status_code == 200
    verdict = response.context["verdict"]

    day = today()
    tasks = list(Task.objects.filter(resolution=mixed).exclude(status=TS.CANCELLED))
    done = [t for t in tasks if t.status == TS.DONE]
    on_time = [t for t in done if t.completed_on <= t.deadline]
    targets = list(mixed.targets.all())
    assert verdict.total == len(tasks) == 8
    assert verdict.done_on_time == len(on_time) == 2
    assert verdict.done_late == len(done) - len(on_time) == 2
    assert verdict.done == len(done)
    assert verdict.overdue == sum(t.status in Task.OPEN and t.deadline < day for t in tasks) == 2
    assert verdict.not_met == sum(t.status == TS.NOT_MET for t in tasks) == 1
    assert verdict.cancelled == 1
    assert verdict.targets == len(targets) == 4
    assert verdict.targets_met == sum(t.actual_value is not None and t.actual_value >= t.target_value for t in targets)
    assert verdict.targets_met == 2
    # Done counts as 100, cancelled not at all: (4 × 100 + 40 + 0 + 60 + 30) / 8
    assert verdict.progress == round((400 + 40 + 0 + 60 + 30) / 8)
    assert verdict.tone == "danger"

    page = response.content.decode()
    assert f"{verdict.done}/{verdict.total}" in page
    assert f"{verdict.targets_met}/{verdict.targets}" in page
    assert [row.target.achieved_percent for row in response.context["targets"]] == [100, 120, 80, None]


def test_each_row_shows_how_many_days_late(client_for, mixed: Resolution) -> None:
    response = _in_english(client_for("standing")).get(_url(mixed))
    late = {(row.task.status, row.task.deadline): row.late_by for row in response.context["rows"]}
    assert late == {
        (TS.DONE, _days(-5)): 0,  # done the day before, or on the day
        (TS.DONE, _days(-10)): 3,  # done three days after the deadline
        (TS.DONE, _days(-3)): 2,
        (TS.IN_PROGRESS, _days(-4)): 4,  # still open: counts to today
        (TS.NOT_STARTED, _days(-1)): 1,
        (TS.IN_PROGRESS, _days(5)): 0,
        (TS.NOT_MET, _days(-10)): 0,  # closed as not met: it stops counting, as on the task's own page
        (TS.CANCELLED, _days(-10)): 0,
    }
    page = response.content.decode()
    assert "finished 3 days late" in page
    assert "4 days overdue" in page
    assert _days(-7).strftime("%d/%m/%Y") in page  # done when


def test_a_task_marked_done_without_a_date_is_not_counted_late(client_for, resolution: Resolution) -> None:
    TaskFactory.create(resolution=resolution, status=TS.DONE, progress=100, deadline=_days(-20), completed_on=None)
    response = client_for("member").get(_url(resolution))
    assert [row.late_by for row in response.context["rows"]] == [0]
    assert response.context["verdict"].done_on_time == 1


def test_evidence_is_linked_only_for_reports_with_a_file_latest_first(client_for, resolution: Resolution) -> None:
    task = TaskFactory.create(resolution=resolution, status=TS.IN_PROGRESS, deadline=_days(3))
    without_file = ProgressUpdateFactory.create(task=task, review=ProgressUpdate.Review.CONFIRMED, note="Đã họp tổ.")
    older = ProgressUpdateFactory.create(task=task, evidence="evidence/older.pdf", evidence_name="bien-ban-1.pdf")
    newer = ProgressUpdateFactory.create(
        task=task,
        evidence="evidence/newer.pdf",
        evidence_name="bien-ban-2.pdf",
        review=ProgressUpdate.Review.CONFIRMED,
        note="Đã vận động 40 hộ ký cam kết.",
    )
    other = TaskFactory.create(resolution=resolution, deadline=_days(3))
    ProgressUpdateFactory.create(task=other, note="Chưa có minh chứng.")

    response = client_for("member").get(_url(resolution))
    rows = {row.task.pk: row for row in response.context["rows"]}
    assert rows[task.pk].evidence == [newer, older]
    assert rows[other.pk].evidence == []
    assert rows[task.pk].latest_confirmed == newer
    assert rows[other.pk].latest_confirmed is None

    page = response.content.decode()
    links = {u.pk: f'href="{reverse("resolutions:update-evidence", args=[u.pk])}"' for u in task.updates.all()}
    links |= {u.pk: f'href="{reverse("resolutions:update-evidence", args=[u.pk])}"' for u in other.updates.all()}
    assert {pk for pk, link in links.items() if link in page} == {newer.pk, older.pk}
    assert page.index(links[newer.pk]) < page.index(links[older.pk])
    assert links[without_file.pk] not in page
    assert "Đã vận động 40 hộ ký cam kết." in page


@pytest.mark.parametrize(
    "status",
    [Resolution.Status.DRAFT, Resolution.Status.SUBMITTED, Resolution.Status.WITHDRAWN, Resolution.Status.REJECTED],
)
def test_a_resolution_not_adopted_is_said_to_be_so(client_for, tree, status: str) -> None:
    resolution = ResolutionFactory.create(cell=tree.cell_a1, status=status)
    TaskFactory.create(resolution=resolution, deadline=_days(-5))
    response = _in_english(client_for("member")).get(_url(resolution))
    assert response.status_code == 200
    assert "This resolution has not been adopted." in response.content.decode()
    assert "verdict" not in response.context


@pytest.mark.parametrize("status", [Resolution.Status.ADOPTED, Resolution.Status.COMPLETED])
def test_adopted_and_completed_resolutions_get_a_verdict(client_for, tree, status: str) -> None:
    resolution = ResolutionFactory.create(cell=tree.cell_a1, status=status)
    TaskFactory.create(resolution=resolution, status=TS.DONE, progress=100, deadline=_days(-5), completed_on=_days(-5))
    TargetFactory.create(resolution=resolution, target_value=Decimal("90"), actual_value=Decimal("95"))
    response = _in_english(client_for("member")).get(_url(resolution))
    assert response.context["verdict"].tone == "success"
    page = response.content.decode()
    assert "Carried out in full" in page
    assert 'data-action="print"' in page


def test_the_resolution_page_links_here_once_adopted(client_for, tree) -> None:
    adopted = ResolutionFactory.create(cell=tree.cell_a1, status=Resolution.Status.ADOPTED)
    draft = ResolutionFactory.create(cell=tree.cell_a1, status=Resolution.Status.DRAFT)
    client = client_for("member")
    assert _url(adopted) in client.get(reverse("resolutions:resolution-detail", args=[adopted.pk])).content.decode()
    assert _url(draft) not in client.get(reverse("resolutions:resolution-detail", args=[draft.pk])).content.decode()


@pytest.mark.parametrize(("who", "status"), [("member", 200), ("standing", 200), ("other_secretary", 404)])
def test_whoever_sees_the_cell_may_read_it(client_for, mixed: Resolution, who: str, status: int) -> None:
    assert client_for(who).get(_url(mixed)).status_code == status


def test_anonymous_is_sent_to_login(client, mixed: Resolution) -> None:
    response = client.get(_url(mixed))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))


def test_the_page_is_read_only(client_for, mixed: Resolution) -> None:
    assert client_for("secretary").post(_url(mixed)).status_code == 405


@pytest.mark.parametrize("size", [1, 15])
def test_the_page_runs_a_fixed_number_of_queries(
    client_for, resolution: Resolution, django_assert_num_queries, size: int
) -> None:
    for n in range(size):
        task = TaskFactory.create(resolution=resolution, deadline=_days(n - size // 2))
        assert task.lead_member is not None
        task.supporters.set([task.lead_member])
        ProgressUpdateFactory.create(task=task, review=ProgressUpdate.Review.CONFIRMED)
        ProgressUpdateFactory.create(task=task, evidence=f"evidence/{n}.pdf", evidence_name=f"{n}.pdf")
        TargetFactory.create(resolution=resolution, actual_value=Decimal(n))
    client = client_for("member")
    # session, user, roles with own member record, the resolution with its cell, the tasks with their leads and
    # lead organisations, their supporters, their reports with authors, the targets, the votes, the versions
    # and the bell's unread count
    with django_assert_num_queries(11):
        response = client.get(_url(resolution))
    assert len(response.context["rows"]) == size
    assert sum(len(row.evidence) for row in response.context["rows"]) == size
