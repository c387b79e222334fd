"""The test suite's clock: no test reads the real one.

Every test runs with the clock pinned (time-machine, ticking from the pinned instant), from the set-up of its
first fixture to the end of its tear-down; the live server's thread shares it, and a Celery worker or command
started by a test is given the same instant (``tests/worker.py``). The instant is, in this order:

- the test's marker, ``@pytest.mark.clock("2026-12-31 23:30")`` (a local time in Asia/Ho_Chi_Minh, or an ISO
  date-time with its offset);
- ``CHIBO_TEST_NOW`` from the environment, to run the whole suite on a chosen day:
  ``CHIBO_TEST_NOW="2027-01-01 00:30" make test``;
- ``DEFAULT``, an ordinary weekday in the middle of a month.

A test that needs the clock to move asks for the ``clock`` fixture (a time-machine traveller:
``clock.move_to(...)``, ``clock.shift(...)``). Nothing may read the clock when a test module is imported: the
value would be the real day, not the pinned one (``tests/test_clock.py`` checks every module).
"""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

import pytest
import time_machine

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
ENVIRONMENT = "CHIBO_TEST_NOW"
DEFAULT = "2026-11-18 10:00"

# The days on which date arithmetic goes wrong: the last evening of a year and the first night of the next (in
# Asia/Ho_Chi_Minh; 1 January 00:30 there is still 31 December in UTC), a leap day, the last day of a month of 30.
AWKWARD = {
    "new year's eve": "2026-12-31 23:30",
    "new year's night": "2027-01-01 00:30",
    "leap day": "2028-02-29 10:00",
    "end of a 30-day month": "2026-11-30 10:00",
}


def parse(value: str) -> dt.datetime:
    """An aware date-time from ``YYYY-MM-DD``, ``YYYY-MM-DD HH:MM`` (local) or ISO with an offset."""
    moment = dt.datetime.fromisoformat(value.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=HCM)
    return moment


def pinned(item: pytest.Item | None = None) -> dt.datetime:
    """The instant a test runs at: its ``clock`` marker, else the environment's, else the default."""
    marker = item.get_closest_marker("clock") if item is not None else None
    if marker is not None:
        return parse(marker.args[0])
    return parse(os.environ.get(ENVIRONMENT) or DEFAULT)


# ---------------------------------------------------------------------------------------------------
# The plugin (loaded by tests/conftest.py)
# ---------------------------------------------------------------------------------------------------

_TRAVEL = pytest.StashKey[tuple[int, time_machine.travel, time_machine.Traveller]]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "clock(when): run the test at this instant (tests/clock.py)")


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_setup(item: pytest.Item):
    """Pin the clock before the first fixture of the test is set up (session fixtures included)."""
    depth = len(time_machine.traveller_stack)
    travel = time_machine.travel(pinned(item), tick=True)
    item.stash[_TRAVEL] = (depth, travel, travel.start())
    yield


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """Back to the real clock once the last fixture is torn down, whatever travels the test left open."""
    yield
    if _TRAVEL in item.stash:
        depth, travel, _ = item.stash[_TRAVEL]
        while len(time_machine.traveller_stack) > depth:
            travel.stop()  # stop() ends the innermost travel: the test's own, then the pinned one


@pytest.fixture
def clock(request: pytest.FixtureRequest) -> time_machine.Traveller:
    """The test's pinned clock, to move: ``clock.move_to(...)``, ``clock.shift(dt.timedelta(days=1))``."""
    return request.node.stash[_TRAVEL][2]
