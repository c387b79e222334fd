"""The environment of a process started by a test with the project's real settings (chibo.settings), free of the
test run's own variables: its database, Redis, DEBUG, the browser tests' async switch."""

from __future__ import annotations

import fcntl
import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TEST_RUN_ONLY = {
    "DEBUG",
    "SECRET_KEY",
    "FIELD_ENCRYPTION_KEYS",
    "SEARCH_HASH_KEY",
    "DATABASE_URL",
    "DATABASE_REPLICA_URL",
    "REDIS_URL",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DJANGO_SETTINGS_MODULE",
}

# What a production start needs at the least.
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-secret-for-this-test-only-0123456789-abcdefghijklmnop",
    "ALLOWED_HOSTS": "chibo.example",
    "FIELD_ENCRYPTION_KEYS": "jfF4gECiiArxubnaI4rtnZ-qQmkyEt82pXtp9UZCJ_Q=",
    "SEARCH_HASH_KEY": "a-search-hash-key-for-this-test-only-0123456789",
}


def environment(**values: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if k not in TEST_RUN_ONLY}
    return {**clean, "DJANGO_SETTINGS_MODULE": "chibo.settings", **values}


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def collect_static(env: dict[str, str]) -> None:
    """``collectstatic`` as a deployment runs it before gunicorn starts (production serves hashed names from the
    manifest); one test process at a time, as the tests that start gunicorn share the project's static folder."""
    lock = ROOT / "var" / ".collectstatic.lock"
    lock.parent.mkdir(exist_ok=True)
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        command = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"]
        subprocess.run(command, cwd=ROOT, env=env, check=True)
