"""A REAL Celery worker for tests: a separate process, a real broker, the test's own database.

The worker runs with the project's settings plus a few lines written into the test's temporary folder: the
broker (Redis when REDIS_URL is set, as in CI; else kombu's filesystem transport in the temporary folder, so
that no development worker sees the messages), the test's pinned clock (``tests/clock.py``) and whatever the test
adds (an email backend, MEDIA_ROOT).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import kombu.pools
from django.db import connection
from django.utils import timezone

from chibo.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[1]
WAIT_SECONDS = 60

SETTINGS = '''\
"""Settings of a test's worker: the project's own, with the broker and what the test needs."""
from chibo.settings import *  # noqa: F403

import datetime as _dt

import time_machine as _time_machine

# The test's pinned clock, ticking on from the instant the process was started.
_time_machine.travel(_dt.datetime.fromisoformat({now!r}), tick=True).start()

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = {broker_url!r}
CELERY_BROKER_TRANSPORT_OPTIONS = {transport_options!r}
{extra}
'''


def database_url() -> str:
    """The test database (``test_<name>``, or the SQLite test file) as a URL for another process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        assert "memory" not in str(db["NAME"]), "the SQLite test database must be a file (chibo/test_settings.py)"
        return f"sqlite:///{db['NAME']}"
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}{db.get('HOST') or ''}{port}/{quote(db['NAME'], safe='')}"


def broker(tmp_path: Path) -> tuple[str, dict[str, object]]:
    """Redis when the environment has it, else a filesystem broker in ``tmp_path``. On Redis, a database of its
    own, eight below the test process's cache (15 → 7; in a parallel run each process has its own cache database,
    chibo/test_settings.py, and so its own broker): emptying a cache never drops a worker's messages."""
    redis = os.environ.get("REDIS_URL")
    if redis:
        url = urlsplit(redis)
        return url._replace(path=f"/{(int(url.path.strip('/') or 0) - 8) % 16}").geturl(), {}
    folder = tmp_path / "broker"
    for name in ("queue", "processed", "control"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    return "filesystem://", {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }


def environment(tmp_path: Path, extra_settings: str = "", **env: str) -> dict[str, str]:
    """The environment of a process (worker or command) that uses the test's broker and database."""
    broker_url, options = broker(tmp_path)
    (tmp_path / "worker_settings.py").write_text(
        SETTINGS.format(
            now=timezone.now().isoformat(), broker_url=broker_url, transport_options=options, extra=extra_settings
        ),
        encoding="utf-8",
    )
    out = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    out.update(
        {
            "DJANGO_SETTINGS_MODULE": "worker_settings",
            "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT), out.get("PYTHONPATH", "")]).rstrip(os.pathsep),
            "DATABASE_URL": database_url(),
            "SECRET_KEY": os.environ.get("SECRET_KEY", "test-only-secret-key"),
            "DEBUG": "false",
            "CONN_MAX_AGE": "0",
            **env,
        }
    )
    return out


def start_worker(tmp_path: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], Path]:
    log = tmp_path / "worker.log"
    command = [
        *(sys.executable, "-m", "celery", "-A", "chibo", "worker"),
        *("--pool=solo", "--concurrency=1", "-l", "info"),
        *("--without-gossip", "--without-mingle", "--without-heartbeat", f"--hostname=test-{os.getpid()}@%h"),
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT)
    return process, log


def stop_worker(process: subprocess.Popen[bytes]) -> None:
    """A warm shutdown (SIGTERM: finish the current task, then exit); killed only if it does not stop."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def wait_until(done: Callable[[], bool], process: subprocess.Popen[bytes], log: Path, what: str = "") -> None:
    """Poll ``done`` until it holds, for at most a minute; fail with the worker's log if it stops or never does."""
    deadline = time.monotonic() + WAIT_SECONDS
    waiting_for = f" ({what})" if what else ""
    while time.monotonic() < deadline:
        if done():
            return
        assert process.poll() is None, f"the worker stopped{waiting_for}:\n" + log.read_text(errors="replace")[-4000:]
        time.sleep(0.25)
    raise AssertionError(f"the worker did not finish in time{waiting_for}:\n" + log.read_text(errors="replace")[-4000:])


def _drop_broker_connections() -> None:
    """Close and forget the pooled broker connections, so that the next message goes to the broker the settings
    now name. The pools live in kombu's registry, keyed by broker address: closing one without clearing the
    registry would hand the same closed pool to the next test that publishes there ("Acquire on closed pool";
    Celery acquires a producer even in eager mode)."""
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def publishing_to_worker(tmp_path: Path) -> Iterator[None]:
    """Tasks queued by this process (the live server's views among them) go to the test worker's broker instead
    of running eagerly, for the time of the block."""
    broker_url, options = broker(tmp_path)
    conf = celery_app.conf
    saved = {name: conf[name] for name in ("task_always_eager", "broker_url", "broker_transport_options")}
    conf.update(task_always_eager=False, broker_url=broker_url, broker_transport_options=options)
    _drop_broker_connections()
    try:
        yield
    finally:
        conf.update(saved)
        _drop_broker_connections()


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log: Path

    def wait_until(self, done: Callable[[], bool], what: str) -> None:
        wait_until(done, self.process, self.log, what)


@contextmanager
def running_worker(tmp_path: Path, extra_settings: str = "", **env: str) -> Iterator[Worker]:
    """A real worker on the test's database for the time of the block, with this process publishing to it."""
    process, log = start_worker(tmp_path, environment(tmp_path, extra_settings, **env))
    try:
        with publishing_to_worker(tmp_path):
            yield Worker(process, log)
    finally:
        stop_worker(process)
