"""Numbers that agree: every figure of a dashboard row that is a link opens a page showing the same figure.

Over the whole city demo, as the city's administrator and as a ward's standing committee: each row of the city's
dashboard (a ward) and of every ward's dashboard (a cell). Both sides mark their figures with ``data-figure``; the
page a link opens shows the figure inside an element marked ``data-figures`` (a dashboard's total row, a cell's
task list or meeting list)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import lxml.html
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from members.models import Organisation, Role
from resolutions.dashboard import dashboard
from resolutions.demo import delete_demo_data
from resolutions.models import Resolution, Task
from tests.resolutions.factories import ResolutionFactory, TaskFactory

pytestmark = pytest.mark.django_db

FIGURES = {"tasks", "done", "overdue", "progress", "last_meeting", "attendance_month", "attendance_year", "review"}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[None]:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        delete_demo_data()
        call_command("seed_demo", verbosity=0)
    yield
    with django_db_blocker.unblock():
        delete_demo_data()


def _client(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _page(client: Client, url: str, seen: dict[str, lxml.html.HtmlElement]) -> lxml.html.HtmlElement:
    if url not in seen:
        response = client.get(url)
        assert response.status_code == 200, url
        seen[url] = lxml.html.fromstring(response.content.decode())
    return seen[url]


def _text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def _check_rows(client: Client, url: str, seen: dict[str, lxml.html.HtmlElement]) -> list[str]:
    """Follow every linked figure of every row of the dashboard at ``url``; the rows' own links (for the wards)."""
    doc = _page(client, url, seen)
    rows = doc.xpath("//tbody/tr[@data-row]")
    assert rows, f"{url}: no row"
    compared = 0
    for row in rows:
        name = _text(row.xpath("./th")[0])
        for link in row.xpath(".//a[@data-figure]"):
            figure, shown = link.get("data-figure"), _text(link)
            assert figure in FIGURES
            target = _page(client, link.get("href"), seen)
            there = target.xpath(f'//*[@data-figures]//*[@data-figure="{figure}"]')
            assert len(there) == 1, f"{name}: {link.get('href')} shows no figure {figure!r}"
            assert _text(there[0]) == shown, (
                f"{name}: the dashboard at {url} shows {figure} = {shown!r}, "
                f"but {link.get('href')} shows {_text(there[0])!r}"
            )
            compared += 1
    assert compared >= len(rows) * 4
    return [a.get("href") for a in doc.xpath("//tbody/tr[@data-row]/th//a[contains(@href, '/dashboard/')]")]


def test_every_dashboard_figure_agrees_with_the_page_it_links_to(seeded: None) -> None:
    city = Organisation.objects.get(depth=1)
    client = _client("admin")
    seen: dict[str, lxml.html.HtmlElement] = {}
    wards = _check_rows(client, f"/dashboard/{city.pk}/", seen)
    assert len(wards) == Organisation.objects.filter(depth=2).exclude(kind=Organisation.Kind.GROUP).count()
    for ward_url in wards:
        _check_rows(client, ward_url.split("?")[0], seen)

    # The ward's own committee sees the same numbers.
    ward_client = _client("thuongtruc")
    ward = Role.objects.filter(user__username="thuongtruc").first().organisation  # type: ignore[union-attr]
    _check_rows(ward_client, f"/dashboard/{ward.pk}/", {})


def test_the_cell_figures_are_the_tasks_of_its_resolutions_in_force(seeded: None) -> None:
    """The cell whose row said 19 tasks while its resolution's page said 6: the row now opens the list of all 19."""
    cell = Role.objects.get(user__username="bithu", kind=Role.Kind.SECRETARY).organisation
    client = _client("bithu")
    doc = lxml.html.fromstring(client.get(f"/cells/{cell.pk}/tasks/").content.decode())
    counted = Task.objects.filter(resolution__cell=cell).in_force()
    assert _text(doc.xpath('//*[@data-figure="tasks"]')[0]) == str(counted.count())
    assert len(doc.xpath("//tbody/tr")) == max(counted.count(), 1)
    overdue = lxml.html.fromstring(client.get(f"/cells/{cell.pk}/tasks/?show=overdue").content.decode())
    # The filter narrows the list, never the figures.
    assert _text(overdue.xpath('//*[@data-figure="tasks"]')[0]) == str(counted.count())


# The cell's task list on its own, without the demo.


def _figures(client: Client, url: str) -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200
    doc = lxml.html.fromstring(response.content.decode())
    return {e.get("data-figure"): _text(e) for e in doc.xpath("//*[@data-figures]//*[@data-figure]")}


@pytest.mark.clock("2026-11-18 10:00")
def test_the_cell_task_list_counts_as_the_dashboard_row(tree, client_for) -> None:  # type: ignore[no-untyped-def]
    day = dt.date(2026, 11, 18)
    live = ResolutionFactory(cell=tree.cell_a1, status=Resolution.Status.IN_PROGRESS, adopted_on=dt.date(2026, 11, 3))
    older = ResolutionFactory(cell=tree.cell_a1, status=Resolution.Status.ADOPTED, adopted_on=dt.date(2026, 10, 3))
    finished = ResolutionFactory(cell=tree.cell_a1, status=Resolution.Status.COMPLETED, adopted_on=dt.date(2026, 9, 3))
    TaskFactory(resolution=live, status=Task.Status.DONE, weight=3, deadline=day)
    TaskFactory(resolution=live, status=Task.Status.IN_PROGRESS, progress=40, deadline=dt.date(2026, 11, 1))
    TaskFactory(resolution=older, status=Task.Status.NOT_STARTED, progress=0, weight=2, deadline=dt.date(2026, 12, 1))
    TaskFactory(resolution=older, status=Task.Status.CANCELLED, progress=90, weight=5, deadline=day)
    TaskFactory(resolution=finished, status=Task.Status.NOT_STARTED, deadline=dt.date(2026, 10, 1))
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


def test_another_cells_task_list_is_refused(tree, client_for) -> None:  # type: ignore[no-untyped-def]
    response = client_for("other_secretary").get(reverse("resolutions:cell-tasks", args=[tree.cell_a1.pk]))
    assert response.status_code == 404


@pytest.mark.clock("2026-11-18 10:00")
@pytest.mark.parametrize("n", [1, 6])
def test_the_cell_task_list_has_a_fixed_query_count(  # type: ignore[no-untyped-def]
    tree, client_for, django_assert_max_num_queries, n
) -> None:
    for _ in range(n):
        resolution = ResolutionFactory(cell=tree.cell_a1, status=Resolution.Status.ADOPTED)
        TaskFactory(resolution=resolution)
        TaskFactory(resolution=resolution, lead_member=None, lead_kind=Task.LeadKind.COMMITTEE)
    client = client_for("secretary")
    # session, user, roles, member; the cell; the tasks with their resolutions and leads
    with django_assert_max_num_queries(6):
        assert client.get(reverse("resolutions:cell-tasks", args=[tree.cell_a1.pk])).status_code == 200
