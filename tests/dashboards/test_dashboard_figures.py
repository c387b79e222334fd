"""Numbers that agree: every figure of a dashboard row that is a link opens a page showing the same figure.

Over the whole city demo, as the city's administrator and as a ward's standing committee: each row of the city's
dashboard (a ward) and of every ward's dashboard (a cell). Both sides mark their figures with ``data-figure``; the
page a link opens shows the figure inside an element marked ``data-figures`` (a dashboard's total row, a cell's
task list or meeting list)."""

from __future__ import annotations

from collections.abc import Iterator

import lxml.html
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from demo.assemble import delete_demo_data
from members.models import Organisation, Role
from resolutions.models import Task

pytestmark = pytest.mark.django_db

FIGURES = {
    "tasks",
    "done",
    "overdue",
    "progress",
    "last_meeting",
    "attendance_month",
    "attendance_year",
    "review",
    "upper_documents",
}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[None]:
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
    role = Role.objects.filter(user__username="thuongtruc").first()
    assert role is not None
    ward = role.organisation
    assert ward is not None
    _check_rows(ward_client, f"/dashboard/{ward.pk}/", {})


def test_the_cell_figures_are_the_tasks_of_its_resolutions_in_force(seeded: None) -> None:
    """The cell whose row said 19 tasks while its resolution's page said 6: the row now opens the list of all 19."""
    cell = Role.objects.get(user__username="bithu", kind=Role.Kind.SECRETARY).organisation
    assert cell is not None
    client = _client("bithu")
    doc = lxml.html.fromstring(client.get(f"/cells/{cell.pk}/tasks/").content.decode())
    counted = Task.objects.filter(resolution__cell=cell).in_force()
    assert _text(doc.xpath('//*[@data-figure="tasks"]')[0]) == str(counted.count())
    assert len(doc.xpath("//tbody/tr")) == max(counted.count(), 1)
    overdue = lxml.html.fromstring(client.get(f"/cells/{cell.pk}/tasks/?show=overdue").content.decode())
    # The filter narrows the list, never the figures.
    assert _text(overdue.xpath('//*[@data-figure="tasks"]')[0]) == str(counted.count())
