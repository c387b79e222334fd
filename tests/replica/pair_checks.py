"""The read replica against a real PostgreSQL primary and its streaming standby (``tests/replica/pair.py``).

Not collected by the suite itself (the name does not start with ``test_``): ``test_replica.py`` starts the pair and
runs this file in a pytest of its own whose DATABASE_URL is the pair's primary and DATABASE_REPLICA_URL its standby,
so that chibo's settings, router and middleware are the ones a deployment gets. The tables are made by
``migrate`` on the primary (no test database: the standby can only follow the primary's own), and the rows are
committed, for the standby to receive them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from django.db import connections, router
from django.test import Client
from django.urls import reverse

from chibo.lib import replica
from members.models import Organisation, Role
from tests.factories import UserFactory, grant, make_org
from tests.replica.pair import ReplicaPair

K = Organisation.Kind


@pytest.fixture(scope="session")
def django_db_setup(django_db_blocker):
    """The primary's own database, made by migrate (pytest-django would make a test database the standby lacks)."""
    with django_db_blocker.unblock():
        call_command("migrate", verbosity=0, interactive=False)


@pytest.fixture(scope="session")
def pair() -> ReplicaPair:
    return ReplicaPair.attached()


@dataclass
class World:
    ward: Organisation
    standing: User


@pytest.fixture(scope="session")
def world(django_db_setup, django_db_blocker, pair) -> World:
    with django_db_blocker.unblock():
        city = make_org("Thành phố Bến Tre", K.PROVINCE, code="BT")
        ward = make_org("Phường Phú Khương", K.WARD, city, code="PK")
        make_org("Chi bộ khu phố 1", K.CELL, ward, code="PK-KP1")
        standing = UserFactory.create(username="standing")
        grant(standing, Role.Kind.STANDING, ward)
    pair.wait_replayed()
    return World(ward, standing)


@pytest.fixture(autouse=True)
def databases(world, django_db_blocker, pair, settings) -> Iterator[None]:
    """Every test may use both databases; it starts, and leaves, a standby that runs, replays and has caught up."""
    settings.REPLICA_CHECK_SECONDS = 0  # checked at every marked read, unless the test says otherwise
    settings.REPLICA_RETRY_SECONDS = 0
    replica.forget()
    pair.wait_replayed()  # the world written on the primary is on the standby too, before the test reads it there
    with django_db_blocker.unblock():
        yield
        connections[replica.REPLICA].close()
    if not pair.running(pair.standby):
        pair.start_server(pair.standby)
        pair.wait_streaming()
    pair.set_replay(paused=False)
    pair.wait_replayed()
    replica.forget()


def signed_in(world: World) -> Client:
    client = Client()
    client.force_login(world.standing)
    return client


def page(client: Client, world: World) -> str:
    cache.clear()  # the dashboard keeps its rows in the cache; each look reads the database again
    response = client.get(reverse("dashboards:dashboard", kwargs={"org_id": world.ward.pk}))
    assert response.status_code == 200
    return response.content.decode()


def new_cell(world: World, name: str) -> Organisation:
    """A cell written to the primary (the standby has it once it replays)."""
    return make_org(name, K.CELL, Organisation.objects.get(pk=world.ward.pk))


def test_marked_reads_go_to_the_standby(world, pair, settings):
    settings.REPLICA_MAX_LAG_SECONDS = 3600
    with replica.reads_from_replica() as scope:
        alias = router.db_for_read(Organisation)
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            in_recovery = cursor.fetchone()[0]
    assert (scope.replica, alias, in_recovery) == (True, "replica", True)
    # Unmarked reads and writes stay on the primary.
    assert router.db_for_read(Organisation) == "default"
    assert router.db_for_write(Organisation) == "default"

    client = signed_in(world)
    with pair.replay_paused():
        cell = new_cell(world, "Chi bộ Chưa Chép Sang")
        pair.wait_received()
        assert Organisation.objects.filter(pk=cell.pk).exists()  # on the primary
        with replica.reads_from_replica():
            assert not Organisation.objects.filter(pk=cell.pk).exists()  # not yet on the standby
        assert "Chi bộ Chưa Chép Sang" not in page(client, world)  # the page read the standby
    connections[replica.REPLICA].close()  # a new session on the standby, which has replayed everything by now
    replica.forget()
    assert "Chi bộ Chưa Chép Sang" in page(client, world)  # replayed


def test_a_user_who_just_wrote_reads_the_primary(world, pair, settings, clock):
    settings.REPLICA_MAX_LAG_SECONDS = 3600
    settings.REPLICA_PIN_SECONDS = 5
    client, other = signed_in(world), signed_in(world)
    with pair.replay_paused():
        new_cell(world, "Chi bộ Vừa Ghi")
        pair.wait_received()
        wrote = client.post(reverse("set_language"), {"language": "vi", "next": "/"})
        assert wrote.status_code == 302
        assert replica.COOKIE in wrote.cookies
        assert "Chi bộ Vừa Ghi" in page(client, world)  # the writer: the primary
        assert "Chi bộ Vừa Ghi" not in page(other, world)  # everyone else: the standby, still behind
        clock.shift(dt.timedelta(seconds=4))
        assert "Chi bộ Vừa Ghi" in page(client, world)
        clock.shift(dt.timedelta(seconds=2))
        assert "Chi bộ Vừa Ghi" not in page(client, world)  # five seconds on: the standby again


def test_a_late_standby_is_left_aside(world, pair, settings, caplog):
    client = signed_in(world)
    caplog.set_level(logging.INFO, logger=replica.__name__)
    with pair.replay_paused():
        new_cell(world, "Chi bộ Đang Chờ")
        pair.wait_received()
        settings.REPLICA_MAX_LAG_SECONDS = 3600
        assert "Chi bộ Đang Chờ" not in page(client, world)  # behind, within the limit: still read
        assert replica.replica_state() == "ok"
        settings.REPLICA_MAX_LAG_SECONDS = 0.2
        pair.wait_lag_over(0.2)  # as the standby itself measures it
        assert "Chi bộ Đang Chờ" in page(client, world)  # beyond it: the primary
        assert "Chi bộ Đang Chờ" in page(client, world)
        assert replica.replica_state() == "lagging"
    pair.wait_replayed()
    assert replica.replica_state() == "ok"  # caught up: not late, however old its last replayed change
    mine = [r for r in caplog.records if r.name == replica.__name__]
    warnings = [r.getMessage() for r in mine if r.levelno == logging.WARNING]
    assert len(warnings) == 1, warnings  # once per change of state, not once per page
    assert "lagging" in warnings[0]
    assert any("back" in r.getMessage() for r in mine if r.levelno == logging.INFO)


def test_a_stopped_standby_never_fails_a_page(world, pair, settings, caplog):
    settings.REPLICA_MAX_LAG_SECONDS = 3600
    settings.REPLICA_CHECK_SECONDS = 3600  # the standby was fine at the last check, and is trusted until the next
    client = signed_in(world)
    assert "Chi bộ khu phố 1" in page(client, world)
    assert replica.replica_state() == "ok"

    pair.stop_server(pair.standby)
    new_cell(world, "Chi bộ Sau Khi Dừng")
    # The page's first query on the standby fails: the page is read again from the primary.
    assert "Chi bộ Sau Khi Dừng" in page(client, world)
    assert replica.replica_state() == "down"
    assert any("down" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)

    settings.REPLICA_CHECK_SECONDS = 0  # now the check itself finds it down: straight to the primary
    replica.forget()
    assert "Chi bộ Sau Khi Dừng" in page(client, world)
    xlsx = client.get(reverse("dashboards:dashboard-xlsx", kwargs={"org_id": world.ward.pk}))
    assert xlsx.status_code == 200
    status = client.get(reverse("dashboards:dashboard-summary-status", kwargs={"org_id": world.ward.pk}))
    assert status.status_code == 200

    pair.start_server(pair.standby)
    pair.wait_streaming()
    pair.wait_replayed()
    settings.REPLICA_RETRY_SECONDS = 3600  # a replica found down is asked again only after this
    with replica.reads_from_replica() as scope:
        assert not scope.replica
    settings.REPLICA_RETRY_SECONDS = 0
    with replica.reads_from_replica() as scope:
        assert scope.replica  # back in use once it answers again
