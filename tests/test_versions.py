"""``members.versions``: every write of what a page shows under an organisation renews the organisation's token and
the tokens above it, whichever way the ORM makes the write, and nothing else's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

from chibo.lib.changes import notifies_changes
from meetings.models import Attendance, Meeting
from members.models import AwayPeriod, Member, Organisation, OrganisationVersion, Role
from members.versions import SELF, ancestors_and_self, token_of, tokens, tracked, with_token
from resolutions.models import Task
from tests.factories import MemberFactory, UserFactory
from tests.resolutions.factories import TaskFactory

pytestmark = pytest.mark.django_db

PROJECT_APPS = ("members", "resolutions", "meetings", "evaluations", "inspections", "propagandists", "notifications")

# Models that belong to an organisation but show on no cached page, each with why.
NOT_SHOWN = {
    "members.documentsequence": "the run of document numbers: read when a number is drawn, shown nowhere",
    "members.personaldataaccess": "the log of who read personal data: shown on its own uncached page",
    "members.organisationversion": "the tokens themselves",
    "notifications.notification": "a person's own, shown by the bell and the list, never cached",
    "notifications.delivery": "a notification's delivery, never shown on a cached page",
    "notifications.calendarfeed": "a person's own calendar address",
    "notifications.preference": "a person's own settings",
}
# Models tracked without bulk writes of their own: the tree (treebeard's query set) and django's users.
WITHOUT_BULK_SIGNALS = {"members.organisation", "auth.user"}


def _belongs_to_an_organisation(model: type[models.Model], seen: frozenset[type[models.Model]] = frozenset()) -> bool:
    """Whether a foreign key of the model leads, directly or through other models, to an organisation."""
    if model is Organisation:
        return True
    for field in model._meta.concrete_fields:
        target = field.related_model
        if field.is_relation and isinstance(target, type) and target not in seen:
            if target is get_user_model():
                continue  # who wrote a row is not where it belongs
            if _belongs_to_an_organisation(target, seen | {model}):
                return True
    return False


def test_every_model_that_belongs_to_an_organisation_is_tracked_or_said_not_to_show() -> None:
    labels = {model._meta.label_lower for model in tracked()}
    for app in PROJECT_APPS:
        for model in apps.get_app_config(app).get_models():
            label = model._meta.label_lower
            if label.startswith(f"{app}.historical") or not _belongs_to_an_organisation(model):
                continue
            assert label in labels or label in NOT_SHOWN, f"{label} is neither tracked nor in NOT_SHOWN"
    assert labels.isdisjoint(NOT_SHOWN)


def test_every_tracked_model_tells_its_bulk_writes() -> None:
    for model in tracked():
        assert notifies_changes(model) or model._meta.label_lower in WITHOUT_BULK_SIGNALS, model


def test_the_paths_above() -> None:
    assert ancestors_and_self(["0001", "00010002000A"]) == {"0001", "00010002", "00010002000A"}
    assert ancestors_and_self(["", "0003"]) == {"0003"}


def _renewed(tree, write: Callable[[], Any]) -> set[str]:
    """The tree's organisations (by attribute name) whose token the write changed."""
    orgs = {name: getattr(tree, name) for name in ("city", "ward_a", "ward_b", "cell_a1", "cell_a2", "cell_b1")}
    before = tokens(org.path for org in orgs.values())
    write()
    after = tokens(org.path for org in orgs.values())
    return {name for name, org in orgs.items() if before.get(org.path) != after.get(org.path)}


A1_UP = {"city", "ward_a", "cell_a1"}


@pytest.fixture
def member(tree) -> Member:
    return MemberFactory.create(cell=tree.cell_a1, full_name="Nguyễn Thị Hoa")


@pytest.fixture
def task(tree, member) -> Task:
    Meeting.objects.create(cell=tree.cell_a1, date=dt.date(2026, 5, 5), starts_at=dt.time(19, 30))
    return TaskFactory.create(resolution__cell=tree.cell_a1, lead_member=member)


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda m, t, tree: m.save(), id="a member saved"),
        pytest.param(lambda m, t, tree: Member.objects.filter(pk=m.pk).update(phone="0909"), id="members updated"),
        pytest.param(
            lambda m, t, tree: AwayPeriod.objects.create(member=m, kind="work", starts_on=dt.date(2026, 5, 1)),
            id="an away period added",
        ),
        pytest.param(lambda m, t, tree: Task.objects.filter(pk=t.pk).update(title="Tên mới"), id="a task renamed"),
        pytest.param(lambda m, t, tree: t.supporters.add(MemberFactory.create(cell=tree.cell_a1)), id="a supporter"),
        pytest.param(lambda m, t, tree: t.delete(), id="a task deleted"),
        pytest.param(
            lambda m, t, tree: Attendance.objects.bulk_create(
                [Attendance(meeting=Meeting.objects.get(cell=tree.cell_a1), member=m)]
            ),
            id="attendance recorded in bulk",
        ),
        pytest.param(lambda m, t, tree: Organisation.objects.get(pk=tree.cell_a1.pk).save(), id="the cell saved"),
    ],
)
def test_a_write_in_a_cell_renews_the_cell_and_every_level_above_it_and_nothing_else(tree, member, task, write):
    assert _renewed(tree, lambda: write(member, task, tree)) == A1_UP


def test_a_member_moved_to_another_cell_renews_both_cells(tree, member) -> None:
    def move() -> None:
        member.cell = tree.cell_b1
        member.save()

    assert _renewed(tree, move) == A1_UP | {"ward_b", "cell_b1"}


def test_a_user_renamed_renews_their_cell_and_where_they_hold_a_role(tree) -> None:
    user = UserFactory.create(username="hoa")
    MemberFactory.create(cell=tree.cell_a1, user=user)
    Role.objects.create(user=user, kind=Role.Kind.IN_CHARGE, organisation=tree.cell_b1)

    def rename() -> None:
        user.first_name = "Hoa"
        user.save()

    assert _renewed(tree, rename) == A1_UP | {"ward_b", "cell_b1"}
    # Signing in writes the last login only: no page shows it.
    assert _renewed(tree, lambda: user.save(update_fields=["last_login"])) == set()


def test_a_write_in_another_branch_leaves_the_cell_alone(tree) -> None:
    assert _renewed(tree, lambda: MemberFactory.create(cell=tree.cell_b1)) == {"city", "ward_b", "cell_b1"}


def test_an_organisation_is_read_with_its_token(tree, member, django_assert_num_queries) -> None:
    expected = OrganisationVersion.objects.get(path=tree.cell_a1.path).token
    with django_assert_num_queries(1):
        cell = with_token(Organisation.objects.filter(pk=tree.cell_a1.pk)).get()
        assert token_of(cell) == expected
    OrganisationVersion.objects.filter(path=tree.cell_a2.path).delete()
    assert token_of(tree.cell_a2) == ""  # never written under (a row is made by the first write)
    assert tracked()[Organisation] == (SELF,)


def test_a_member_renamed_renews_their_cell_and_where_their_account_holds_a_role(tree) -> None:
    """The committee of a cell lists the names of its role holders' records: a ward's member in charge of a cell
    is a member of another cell."""
    user = UserFactory.create(username="hoa")
    member = MemberFactory.create(cell=tree.cell_a1, user=user)
    Role.objects.create(user=user, kind=Role.Kind.IN_CHARGE, organisation=tree.cell_b1)

    def rename() -> None:
        member.full_name = "Trần Thị Hoa"
        member.save()

    assert _renewed(tree, rename) == A1_UP | {"ward_b", "cell_b1"}
    assert _renewed(tree, lambda: Member.objects.filter(pk=member.pk).update(full_name="Hoa")) == A1_UP | {
        "ward_b",
        "cell_b1",
    }
