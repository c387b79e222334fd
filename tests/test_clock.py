"""The suite's clock (tests/clock.py): every test runs at a pinned instant, never the real one."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests import clock
from tests.import_clock import ROOT


def test_a_test_runs_at_the_instant_the_suite_pins() -> None:
    assert timezone.localtime().replace(second=0, microsecond=0) == clock.parse(
        os.environ.get(clock.ENVIRONMENT) or clock.DEFAULT
    ).replace(second=0, microsecond=0)


@pytest.mark.clock("2027-01-01 00:30")
def test_the_marker_pins_a_local_time_of_asia_ho_chi_minh() -> None:
    # 00:30 on 1 January in Vietnam is still 31 December in UTC: the local day is the one that counts.
    assert timezone.localdate() == dt.date(2027, 1, 1)
    assert dt.date.today() == dt.date(2027, 1, 1)
    assert timezone.now().astimezone(dt.UTC).date() == dt.date(2026, 12, 31)


@pytest.mark.clock("2028-02-29")
def test_a_marker_with_a_day_alone_pins_its_midnight() -> None:
    assert timezone.localtime().date() == dt.date(2028, 2, 29)
    assert timezone.localtime().hour == 0


@pytest.mark.clock("2026-12-31 23:30")
def test_the_clock_ticks_on_and_can_be_moved(clock) -> None:
    first = timezone.now()
    assert timezone.now() >= first  # it ticks: code that waits on the clock does not wait for ever
    clock.shift(dt.timedelta(hours=1))
    assert timezone.localdate() == dt.date(2027, 1, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-18", dt.datetime(2026, 11, 18, 0, 0, tzinfo=clock.HCM)),
        ("2026-12-31 23:30", dt.datetime(2026, 12, 31, 23, 30, tzinfo=clock.HCM)),
        ("2027-01-01T00:30+07:00", dt.datetime(2026, 12, 31, 17, 30, tzinfo=dt.UTC)),
        (" 2028-02-29 10:00 ", dt.datetime(2028, 2, 29, 10, 0, tzinfo=clock.HCM)),
    ],
)
def test_the_pinned_instant_is_read_as_a_local_time_unless_it_has_an_offset(text: str, expected) -> None:
    assert clock.parse(text) == expected


def test_the_environment_chooses_the_day_of_the_whole_suite(monkeypatch) -> None:
    monkeypatch.setenv(clock.ENVIRONMENT, "2027-01-01 00:30")
    assert clock.pinned() == dt.datetime(2027, 1, 1, 0, 30, tzinfo=clock.HCM)
    monkeypatch.delenv(clock.ENVIRONMENT)
    assert clock.pinned() == clock.parse(clock.DEFAULT)


def _clock_reads_at_import(root: Path, package: str) -> list[list[Any]]:
    completed = subprocess.run(
        [sys.executable, "-m", "tests.import_clock", str(root), package],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def test_no_test_module_reads_the_clock_when_it_is_imported() -> None:
    found = _clock_reads_at_import(ROOT, "tests")
    assert found == [], "these lines read the real clock when their module is imported; use a function or a " + (
        "fixture so that the test's pinned clock is read: " + ", ".join(f"{path}:{line}" for _, path, line in found)
    )


def test_the_import_check_finds_module_level_reads_and_leaves_functions_and_libraries_alone(tmp_path: Path) -> None:
    package = tmp_path / "sample"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "helpers.py").write_text(
        textwrap.dedent(
            """\
            import datetime as dt


            def start_of_month():
                return dt.date.today().replace(day=1)
            """
        )
    )
    (package / "test_reads.py").write_text(
        textwrap.dedent(
            """\
            import datetime as dt

            import pytest
            from django.utils import timezone

            from sample.helpers import start_of_month

            TODAY = dt.date.today()
            START = start_of_month()


            class TestSomething:
                NOW = timezone.now()


            @pytest.mark.parametrize("day", [timezone.localdate()])
            def test_day(day):
                pass


            def test_inside_a_test_is_fine():
                assert dt.datetime.now()
            """
        )
    )
    found = _clock_reads_at_import(tmp_path, "sample")
    assert [(module, Path(path).name, line) for module, path, line in found] == [
        ("sample.test_reads", "test_reads.py", 8),
        ("sample.test_reads", "test_reads.py", 9),
        ("sample.test_reads", "test_reads.py", 13),
        ("sample.test_reads", "test_reads.py", 16),
    ]
