"""The cell's task list (``cells/<id>/tasks/``): the tasks its dashboard row counts, with the same figures."""

from __future__ import annotations

import datetime as dt

import lxml.html
import pytest
from django.test import Client
from django.urls import reverse

from dashboards.dashboard import dashboard
from resolutions.models import Resolution, Task
from tests.resolutions.factories import ResolutionFactory, TaskFactory

pytestmark = pytest.mark.django_db


def _text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def _figures(client: Client, url: str) -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200
    doc = lxml.html.fromstring(response.content.decode())
    return {e.get("data-figure"): _text(e) for e in doc.xpath("//*[@data-figures]//*[@data-figure]")}


@pytest.mark.clock("2026-11-18 10:00")
def test_the_cell_task_list_counts_as_the_dashboard_row(tree, client_for) -> None:
    day = dt.date(2026, 11, 18)
    live = ResolutionFactory.create(
        cell=tree.cell_a1, status=Resolution.Status.IN_PROGRESS, adopted_on=dt.date(2026, 11, 3)
    )
    older = ResolutionFactory.create(
        cell=tree.cell_a1, status=Resolution.Status.ADOPTED, adopted_on=dt.date(2026, 10, 3)
    )
    finished = ResolutionFactory.create(
        cell=tree.cell_a1, status=Resolution.Status.COMPLETED, adopted_on=dt.date(2026, 9, 3)
    )
    TaskFactory.create(resolution=live, status=Task.Status.DONE, weight=3, deadline=day)
    TaskFactory.create(resolution=live, status=Task.Status.IN_PROGRESS, progress=40, deadline=dt.date(2026, 11, 1))
    TaskFactory.create(
        resolution=older, status=Task.Status.NOT_STARTED, progress=0, weight=2, deadline=dt.date(2026, 12, 1)
    )
    TaskFactory.create(resolution=older, status=Task.Status.CANCELLED, progress=90, weight=5, deadline=day)
    TaskFactory.create(resolution=finished, status=Task.Status.NOT_STARTED, deadline=dt.date(2026, 10, 1))
    row = dashboard(tree.ward_a, day).rows[0]
    assert row.org == tree.cell_a1
    # (100×3 + 40×1 + 0×2) / 6 = 56.7: the cancelled task and the finished resolution's task do not count.
    assert (row.figures.tasks_total, row.figures.tasks_done, row.figures.tasks_overdue, row.progress) == (3, 1, 1, 57)
    client = client_for("standing")
    url = reverse("resolutions:cell-tasks", args=[tree.cell_a1.pk])
    assert _figures(client, url) == {"tasks": "3", "done": "1", "overdue": "1", "progress": "57%"}
    # The page says what its figures cover.
    page = client.get(url).content.decode()
    assert "Nhiệm vụ của các nghị quyết đang thực hiện" in page
    assert "nhiệm vụ đã hoàn thành tính 100%" in page
    # A filter narrows the list, not the figures.
    overdue = lxml.html.fromstring(client.get(url + "?show=overdue").content.decode())
    assert len(overdue.xpath("//tbody/tr")) == 1
    assert _figures(client, url + "?show=overdue")["tasks"] == "3"


def test_another_cells_task_list_is_refused(tree, client_for) -> None:
    response = client_for("other_secretary").get(reverse("resolutions:cell-tasks", args=[tree.cell_a1.pk]))
    assert response.status_code == 404


@pytest.mark.clock("2026-11-18 10:00")
@pytest.mark.parametrize("n", [1, 6])
def test_the_cell_task_list_has_a_fixed_query_count(tree, client_for, django_assert_max_num_queries, n) -> None:
    for _ in range(n):
        resolution = ResolutionFactory.create(cell=tree.cell_a1, status=Resolution.Status.ADOPTED)
        TaskFactory.create(resolution=resolution)
        TaskFactory.create(resolution=resolution, lead_member=None, lead_kind=Task.LeadKind.COMMITTEE)
    client = client_for("secretary")
    # session, user, roles with member; the cell; the tasks with their resolutions and leads; the bell's unread count
    with django_assert_max_num_queries(6):
        assert client.get(reverse("resolutions:cell-tasks", args=[tree.cell_a1.pk])).status_code == 200
