"""The minutes PDF built by a REAL Celery worker: a separate process, a real broker, the test's own database.

The worker is started as `celery -A chibo worker --pool=solo` with the project's real settings module, except
for the broker's folders: kombu's filesystem transport in a temporary folder, so the test neither sees nor
steals messages of a development worker (`make run` uses var/celery/). The test publishes to that folder with
an explicit connection and waits, at most 60 seconds, until the meeting row says "ready" and the file exists.

On SQLite the test settings keep the test database in a file (chibo/test_settings.py), so that the worker, another
process, opens the same database.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from chibo.celery import app as celery_app
from resolutions.models import Meeting
from resolutions.tasks import build_minutes_pdf
from tests.resolutions.test_minutes import build_meeting

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 60

WORKER_SETTINGS = '''\
"""Settings of the test's worker: the project's own, with the broker's folders in the test's temporary folder."""
from chibo.settings import *  # noqa: F403

CELERY_BROKER_URL = "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS = {transport_options!r}
'''


def database_url() -> str:
    """The test database (``test_<name>``, or the SQLite test file) as a URL for the worker's DATABASE_URL."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        assert "memory" not in str(db["NAME"]), "the SQLite test database must be a file"
        return f"sqlite:///{db['NAME']}"
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}{db.get('HOST') or ''}{port}/{quote(db['NAME'], safe='')}"


def transport_options(folder: Path) -> dict[str, object]:
    for name in ("queue", "processed", "control"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }


def start_worker(tmp_path: Path, media: Path, options: dict[str, object]) -> tuple[subprocess.Popen[bytes], Path]:
    (tmp_path / "worker_settings.py").write_text(WORKER_SETTINGS.format(transport_options=options), encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "worker_settings",
            "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
            "DATABASE_URL": database_url(),
            "MEDIA_ROOT": str(media),
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "test-only-secret-key"),
            "DEBUG": "false",
            "CONN_MAX_AGE": "0",
        }
    )
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


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_builds_and_stores_the_minutes_pdf(tree, people, tmp_path, settings) -> None:
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    meeting = build_meeting(tree, people)  # committed: the test runs outside a transaction
    Meeting.objects.filter(pk=meeting.pk).update(pdf_state=Meeting.PdfState.BUILDING, pdf_version=meeting.version)

    options = transport_options(tmp_path / "broker")
    process, log = start_worker(tmp_path, media, options)
    try:
        eager = celery_app.conf.task_always_eager
        celery_app.conf.task_always_eager = False
        try:
            with celery_app.connection_for_write("filesystem://", transport_options=options) as broker:
                build_minutes_pdf.apply_async(args=(meeting.pk, meeting.version), connection=broker)
        finally:
            celery_app.conf.task_always_eager = eager

        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            meeting.refresh_from_db()
            if meeting.pdf_state != Meeting.PdfState.BUILDING:
                break
            assert process.poll() is None, "the worker stopped:\n" + log.read_text(errors="replace")[-4000:]
            time.sleep(0.25)
        worker_log = log.read_text(errors="replace")
        assert meeting.pdf_state == Meeting.PdfState.READY, f"state {meeting.pdf_state!r}\n{worker_log[-4000:]}"
        assert meeting.pdf_is_current
        assert (media / meeting.minutes_pdf.name).read_bytes().startswith(b"%PDF-")
        assert "build_minutes_pdf" in worker_log
        assert "succeeded" in worker_log
    finally:
        stop_worker(process)
    assert process.returncode is not None
    assert not list((tmp_path / "broker" / "queue").iterdir())  # the message was consumed and acknowledged
