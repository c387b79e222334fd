"""Walks every URL pattern of the project, so that a page added later is covered without a new test.

For every pattern: an anonymous visitor is sent to the login page; a logged-in account with no role is
refused; a secretary of another cell is refused objects of cell A1. A URL whose parameter this test does
not know fails, so a new kind of URL must be given an object here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from evaluations.models import EvaluationCycle
from inspections.models import Inspection
from members.models import AwayPeriod, Exemption, Member
from propagandists.models import Propagandist
from resolutions.models import AbsenceRequest, Meeting, Notification
from tests.factories import MemberFactory, UserFactory
from tests.resolutions.factories import ProgressUpdateFactory, ResolutionFactory, TaskFactory

# URLs anyone may open without logging in.
PUBLIC = {"login", "healthz", "set_language", "resolutions:calendar-feed"}
# URLs every logged-in account may open, whatever its roles.
ANY_ACCOUNT = {"password_change", "password_change_done", "logout", "ping"}
# The Django admin guards itself (staff only) and is tested below.
SKIPPED_NAMESPACES = {"admin"}


def _walk(patterns, namespace: str = "") -> Iterator[tuple[str, tuple[str, ...]]]:  # type: ignore[no-untyped-def]
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            if ns in SKIPPED_NAMESPACES:
                continue
            yield from _walk(entry.url_patterns, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", tuple(entry.pattern.converters)


ALL_URLS = sorted(set(_walk(get_resolver().url_patterns)), key=lambda item: item[0])


def _objects_of_cell_a1(tree, member_a1) -> dict[str, Callable[[], int | str]]:  # type: ignore[no-untyped-def]
    return {
        "org_id": lambda: tree.cell_a1.pk,
        "member_id": lambda: member_a1.pk,
        "exemption_id": lambda: (
            Exemption.objects.create(member=member_a1, starts_on=dt.date(2024, 1, 1), reason="Ốm").pk
        ),
        "away_id": lambda: (
            AwayPeriod.objects.create(member=member_a1, starts_on=dt.date(2024, 1, 1), place="Long An").pk
        ),
        "resolution_id": lambda: ResolutionFactory(cell=tree.cell_a1).pk,
        # A task of an in-progress resolution of A1 led by member_a1; a report on it with evidence (only a
        # name: outsiders never reach the file, so nothing is written to MEDIA_ROOT).
        "task_id": lambda: TaskFactory(resolution__cell=tree.cell_a1, lead_member=member_a1).pk,
        "update_id": lambda: (
            ProgressUpdateFactory(
                task__resolution__cell=tree.cell_a1, task__lead_member=member_a1, evidence="evidence/proof.pdf"
            ).pk
        ),
        "meeting_id": lambda: _meeting_of(tree.cell_a1).pk,
        "cycle_id": lambda: EvaluationCycle.objects.get_or_create(cell=tree.cell_a1, year=2025)[0].pk,
        "request_id": lambda: (
            AbsenceRequest.objects.create(meeting=_meeting_of(tree.cell_a1), member=member_a1, reason="Ốm").pk
        ),
        # A message to a member of A1 with a login: only its recipient opens it.
        "notification_id": lambda: (
            Notification.objects.create(
                recipient=MemberFactory(cell=tree.cell_a1, user=UserFactory()).user,
                kind="due_soon",
                object_ref="task:1",
                day=dt.date.today(),
                subject="Sắp đến hạn",
                body="Việc sắp đến hạn.",
                url="/",
            ).pk
        ),
        "entry_id": lambda: (
            Propagandist.objects.create(cell=tree.cell_a1, member=member_a1, starts_on=dt.date(2026, 1, 1)).pk
        ),
        "inspection_id": lambda: (
            Inspection.objects.create(
                body=Inspection.Body.CELL_COMMITTEE,
                body_org=tree.cell_a1,
                subject_org=tree.cell_a1,
                subject_member=member_a1,
                title="Việc thực hiện nhiệm vụ đảng viên",
                planned_start=dt.date(2026, 3, 1),
                planned_end=dt.date(2026, 3, 15),
                status=Inspection.Status.CONCLUDED,
            ).pk
        ),
        # Not objects but names and numbers inside a resolution's URLs: the resolution decides access.
        "step": lambda: "submit",
        "number": lambda: 1,
    }


def _meeting_of(cell):  # type: ignore[no-untyped-def]
    return Meeting.objects.create(cell=cell, date=dt.date.today(), starts_at=dt.time(19), place="Nhà văn hóa")


def _url(name: str, params: tuple[str, ...], values: dict[str, Callable[[], int | str]]) -> str:
    unknown = [p for p in params if p not in values]
    assert not unknown, f"{name}: give this test an object of cell A1 for {unknown}"
    return reverse(name, kwargs={p: values[p]() for p in params})


def test_the_walk_finds_the_pages() -> None:
    names = {name for name, _ in ALL_URLS}
    assert {"home", "members:member-list", "members:member-edit"} <= names


@pytest.mark.parametrize(("name", "params"), ALL_URLS, ids=[n for n, _ in ALL_URLS])
def test_anonymous_is_sent_to_login(client, tree, member_a1, name, params) -> None:
    if name in PUBLIC:
        return
    url = _url(name, params, _objects_of_cell_a1(tree, member_a1))
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302, f"{method.__name__} {url}"
        assert response["Location"].startswith(reverse(settings.LOGIN_URL))


@pytest.mark.parametrize(("name", "params"), ALL_URLS, ids=[n for n, _ in ALL_URLS])
@pytest.mark.parametrize("outsider", ["nobody", "other_secretary"])
def test_outsiders_are_refused(client_for, tree, member_a1, name, params, outsider) -> None:
    if name in PUBLIC | ANY_ACCOUNT:
        return
    if outsider == "other_secretary" and not params:
        return  # lists without an object show the secretary's own cell: scoped, tested elsewhere
    client = client_for(outsider)
    url = _url(name, params, _objects_of_cell_a1(tree, member_a1))
    before = Member.objects.count(), Member.history.count()
    for method in (client.get, client.post):
        response = method(url, {"full_name": "Kẻ Lạ Mặt", "phone": "0900000000"})
        assert response.status_code in (403, 404), f"{outsider} {method.__name__} {url}: {response.status_code}"
    assert (Member.objects.count(), Member.history.count()) == before


@pytest.mark.parametrize("who", ["nobody", "secretary"])
def test_the_admin_is_for_staff_only(client_for, people, who) -> None:
    response = client_for(who).get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
