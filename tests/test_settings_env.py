"""Settings come from the environment and a bad value stops the start-up, naming the variable."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.production import environment

ROOT = Path(__file__).resolve().parent.parent


def _start(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings as s; print(s.DEBUG)"],
        cwd=ROOT,
        env=environment(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DEBUG": "maybe", "SECRET_KEY": "x"}, "DEBUG"),
        ({"DEBUG": "false"}, "SECRET_KEY"),
        ({"DEBUG": "true", "DATABASE_URL": "nosuchdb://x"}, "DATABASE_URL"),
        ({"DEBUG": "true", "AXES_FAILURE_LIMIT": "five"}, "AXES_FAILURE_LIMIT"),
        ({"DEBUG": "true", "FIELD_ENCRYPTION_KEYS": "change-me"}, "FIELD_ENCRYPTION_KEYS"),
    ],
)
def test_a_bad_value_fails_loudly(env: dict[str, str], named: str) -> None:
    result = _start(**env)
    assert result.returncode != 0
    assert named in result.stderr


def test_good_values_start() -> None:
    result = _start(DEBUG="false", SECRET_KEY="s" * 50, ALLOWED_HOSTS="chibo.example")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_manage_py_on_a_bare_checkout_is_for_development() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", "from django.conf import settings; print(settings.DEBUG)"],
        cwd=ROOT,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("True")


def _session_settings(**env: str) -> list[str]:
    script = (
        "import django; django.setup(); from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    for name in ('jit', 'plan_cache_mode'):\n"
        "        c.execute('SHOW ' + name); print(c.fetchone()[0])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment(DEBUG="true", DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres", **env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_postgresql_sessions_run_without_jit_and_keep_one_plan_per_prepared_read() -> None:
    """The queries last milliseconds; PostgreSQL's JIT compiled a province's counts for longer than they ran. The
    prepared reads (the only prepared statements) are planned once per session, unless they are switched off."""
    assert _session_settings() == ["off", "force_generic_plan"]
    assert _session_settings(DATABASE_PREPARED_STATEMENTS="false") == ["off", "auto"]
