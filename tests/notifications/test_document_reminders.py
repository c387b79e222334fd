"""The daily sweep's reminder that a cell has not made a committee's document concrete by its deadline: to the
cell's secretary and the ward member in charge of it, once per recipient, document and cell, whatever the day."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from members.models import Role
from notifications.models import Kind, Notification, Preference
from notifications.reminders import _document_drafts, reminder_settings, sweep
from resolutions.models import Resolution
from resolutions.services import create_resolution
from tests.factories import UserFactory, grant, make_org

DAY = dt.date(2026, 11, 10)
DEADLINE = dt.date(2026, 11, 5)
K = Resolution.DocumentType


def at(day: dt.date):
    """The clock at 07:00 in Ho Chi Minh City, when beat runs the sweep."""
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 0, 0, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def sweep_on(day: dt.date):
        with at(day), django_capture_on_commit_callbacks(execute=True):
            return sweep(timezone.localdate())

    return sweep_on


def document(org, *, status="adopted", deadline=DEADLINE, title="Kế hoạch phân loại rác tại nguồn", cells=()):
    """A committee's document, adopted, to be made concrete by ``deadline``."""
    doc = create_resolution(
        cell=org,
        by=None,
        document_type=K.PLAN,
        kind="yearly",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        title=title,
        concretise_by=deadline,
    )
    Resolution.objects.filter(pk=doc.pk).update(status=status, adopted_on=dt.date(2026, 10, 1))
    doc.addressed_cells.set(cells)
    return doc


def carry(cell, doc, *, adopted_on, status="adopted"):
    """A resolution of ``cell`` that carries ``doc`` out, adopted on ``adopted_on``."""
    own = create_resolution(
        cell=cell,
        by=None,
        kind="monthly",
        period_start=dt.date(2026, 11, 1),
        period_end=dt.date(2026, 11, 30),
        title="Tháng 11",
    )
    Resolution.objects.filter(pk=own.pk).update(status=status, adopted_on=adopted_on)
    own.upper_resolutions.add(doc)
    return own


@pytest.fixture
def a2_secretary(tree):
    user = UserFactory.create(username="a2_secretary")
    grant(user, Role.Kind.SECRETARY, tree.cell_a2)
    return user


def told(day: dt.date | None = None) -> set[tuple[str, str]]:
    rows = Notification.objects.filter(kind=Kind.DOCUMENT_LATE)
    if day:
        rows = rows.filter(day=day)
    return set(rows.values_list("recipient__username", "object_ref"))


def ref(doc, cell) -> str:
    return f"document:{doc.pk}:cell:{cell.pk}"


def test_the_secretary_and_the_member_in_charge_of_a_late_cell_are_told(tree, people, a2_secretary, run) -> None:
    doc = document(tree.ward_a)
    run(DAY)
    assert told() == {
        ("secretary", ref(doc, tree.cell_a1)),
        ("in_charge", ref(doc, tree.cell_a1)),
        ("a2_secretary", ref(doc, tree.cell_a2)),
    }
    message = Notification.objects.get(recipient=people["secretary"])
    assert doc.number == "01-KH/ĐU"
    assert message.subject == "Chi bộ khu phố 1: 01-KH/ĐU chưa được cụ thể hóa"
    assert "Kế hoạch phân loại rác tại nguồn" in message.body
    assert "Phường Phú Khương" in message.body
    assert "05/11/2026" in message.body
    assert message.url == reverse("resolutions:resolution-detail", args=[doc.pk])


def test_a_cell_that_made_it_concrete_in_time_or_late_is_not_told(tree, people, a2_secretary, run) -> None:
    doc = document(tree.ward_a)
    carry(tree.cell_a1, doc, adopted_on=DEADLINE)  # in time
    carry(tree.cell_a2, doc, adopted_on=DAY - dt.timedelta(days=1))  # after the deadline, but done
    run(DAY)
    assert told() == set()


def test_only_an_adopted_carrying_resolution_counts(tree, people, a2_secretary, run) -> None:
    doc = document(tree.ward_a, cells=[tree.cell_a1])
    carry(tree.cell_a1, doc, adopted_on=None, status="draft")
    completed = carry(tree.cell_a1, doc, adopted_on=DAY + dt.timedelta(days=3))  # adopted, but not yet on DAY
    run(DAY)
    assert told() == {("secretary", ref(doc, tree.cell_a1)), ("in_charge", ref(doc, tree.cell_a1))}
    Resolution.objects.filter(pk=completed.pk).update(status="completed", adopted_on=DEADLINE)
    Notification.objects.all().delete()
    run(DAY)
    assert told() == set()


def test_a_cell_not_addressed_is_not_told(tree, people, a2_secretary, run) -> None:
    chosen = document(tree.ward_a, cells=[tree.cell_a2])
    document(tree.ward_b, title="Của phường khác", cells=[])  # ward B's cell B1: its secretary only
    run(DAY)
    got = told()
    assert ("a2_secretary", ref(chosen, tree.cell_a2)) in got
    assert not [user for user, _ref in got if user in ("secretary", "in_charge")]
    assert {user for user, _ref in got} == {"a2_secretary", "other_secretary"}


@pytest.mark.parametrize(
    ("status", "deadline"),
    [("draft", DEADLINE), ("submitted", DEADLINE), ("completed", DEADLINE), ("adopted", DAY), ("adopted", None)],
)
def test_no_reminder_before_the_deadline_or_for_a_document_not_in_force(tree, people, status, deadline, run) -> None:
    document(tree.ward_a, status=status, deadline=deadline)
    run(DAY)
    assert told() == set()


def test_a_cells_own_resolution_is_not_a_document(tree, people, run) -> None:
    own = create_resolution(
        cell=tree.cell_a2,
        by=None,
        kind="monthly",
        period_start=dt.date(2026, 11, 1),
        period_end=dt.date(2026, 11, 30),
        title="Tháng 11",
        concretise_by=DEADLINE,
    )
    Resolution.objects.filter(pk=own.pk).update(status="adopted")
    run(DAY)
    assert told() == set()


def test_each_recipient_is_told_once_whatever_the_day(tree, people, a2_secretary, run) -> None:
    doc = document(tree.ward_a, cells=[tree.cell_a1])
    first = run(DAY)
    assert first.drafted == {Kind.DOCUMENT_LATE: 2}
    run(DAY)
    later = run(DAY + dt.timedelta(days=1))
    run(DAY + dt.timedelta(days=30))
    assert later.drafted.get(Kind.DOCUMENT_LATE, 0) == 0
    assert Notification.objects.filter(kind=Kind.DOCUMENT_LATE).count() == 2
    assert told(DAY) == {("secretary", ref(doc, tree.cell_a1)), ("in_charge", ref(doc, tree.cell_a1))}
    # A second document late in the same cell is a message of its own.
    other = document(tree.ward_a, title="Kế hoạch thứ hai", cells=[tree.cell_a1])
    run(DAY + dt.timedelta(days=31))
    assert told(DAY + dt.timedelta(days=31)) == {
        ("secretary", ref(other, tree.cell_a1)),
        ("in_charge", ref(other, tree.cell_a1)),
    }


def test_a_secretary_who_is_also_in_charge_is_told_once(tree, people, run) -> None:
    grant(people["secretary"], Role.Kind.IN_CHARGE, tree.cell_a1)
    doc = document(tree.ward_a, cells=[tree.cell_a1])
    run(DAY)
    assert told() == {("secretary", ref(doc, tree.cell_a1)), ("in_charge", ref(doc, tree.cell_a1))}


def test_a_muted_kind_is_not_sent(tree, people, run) -> None:
    Preference.objects.create(user=people["secretary"], muted_kinds=[Kind.DOCUMENT_LATE])
    doc = document(tree.ward_a, cells=[tree.cell_a1])
    run(DAY)
    assert told() == {("in_charge", ref(doc, tree.cell_a1))}


@pytest.mark.parametrize("n", [1, 6])
def test_the_reminder_has_a_fixed_query_count(tree, people, django_assert_num_queries, n) -> None:
    for i in range(n):
        cell = make_org(f"Chi bộ số {i + 10}", tree.cell_a1.kind, tree.ward_a, code=f"PK-X{i}")
        grant(UserFactory.create(username=f"secretary_{i}"), Role.Kind.SECRETARY, cell)
        document(tree.ward_a, title=f"Kế hoạch {i}")
    document(tree.ward_b)
    conf = reminder_settings()
    # Documents, their chosen cells, the cells under the committees, the carrying adoptions, the roles, the
    # earlier messages.
    with django_assert_num_queries(6):
        drafts = _document_drafts(DAY, conf)
    assert len(drafts) == n * (n + 2) + 1  # A1: two; A2: nobody; each new cell: one; B1: one
