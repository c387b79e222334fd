"""Faults found by pulling plugs: the database down, secrets in logs.

The database-down cases run the app as production does (gunicorn from its configuration, production settings)
against a PostgreSQL address where nothing listens."""

from __future__ import annotations

import logging
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.urls import reverse

from chibo.lib.logs import JsonFormatter, MaskSecrets, mask_secrets
from tests.production import PRODUCTION, collect_static, environment, free_port

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "s3cr3t-Token_0123456789abcdefghijklmnop"
SESSION = "sessionid=abcdefghijklmnopqrstuvwxyz012345"


@dataclass
class Server:
    url: str
    out: Path
    err: Path

    def get(self, path: str, **headers: str) -> tuple[int, dict[str, str], str]:
        request = urllib.request.Request(self.url + path, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()


@pytest.fixture(scope="module")
def database_down(tmp_path_factory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("database-down")
    port, nowhere = free_port(), free_port()
    env = environment(
        **{**PRODUCTION, "ALLOWED_HOSTS": "127.0.0.1"},
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{nowhere}/chibo",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
        LOG_FORMAT="plain",
    )
    collect_static(env)
    out, err = folder / "out.log", folder / "err.log"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "chibo.wsgi:application"],
            cwd=ROOT,
            env=env,
            stdout=stdout,
            stderr=stderr,
        )
    server = Server(f"http://127.0.0.1:{port}", out, err)
    try:
        for _ in range(150):
            try:
                server.get("/healthz/")
                break
            except (urllib.error.URLError, ConnectionError):
                assert process.poll() is None, err.read_text()
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_health_check_says_the_database_is_down_without_reading_the_session(database_down) -> None:
    status, headers, body = database_down.get("/healthz/", Cookie=SESSION)
    assert status == 503
    assert '"database": "unavailable"' in body
    assert "Set-Cookie" not in headers


def test_a_page_shows_the_products_error_page_in_vietnamese_when_the_database_is_down(database_down) -> None:
    status, _, body = database_down.get("/", Cookie=SESSION, **{"Accept-Language": "vi"})
    assert status == 500
    assert "Hệ thống đang gặp sự cố" in body
    assert "Về trang chủ" in body
    assert "Server Error (500)" not in body


def test_the_calendar_token_never_reaches_the_logs(database_down) -> None:
    path = reverse("notifications:calendar-feed", args=[TOKEN])
    status, _, _ = database_down.get(path)
    assert status == 500  # the feed needs the database to find its owner
    time.sleep(0.5)  # the access line is written after the response
    logs = database_down.out.read_text() + database_down.err.read_text()
    assert path.replace(TOKEN, "***") in logs
    assert TOKEN not in logs


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"GET /notifications/calendar/{TOKEN}.ics HTTP/1.1", "GET /notifications/calendar/***.ics HTTP/1.1"),
        (f"Not Found: /calendar/{TOKEN}.ics", "Not Found: /calendar/***.ics"),
        ("GET /calendar/ HTTP/1.1", "GET /calendar/ HTTP/1.1"),
        ("GET /members/12/ HTTP/1.1", "GET /members/12/ HTTP/1.1"),
    ],
)
def test_secrets_are_masked_in_a_log_line(text: str, expected: str) -> None:
    assert mask_secrets(text) == expected


def test_djangos_own_log_lines_are_masked_plain_and_as_json() -> None:
    path = f"/notifications/calendar/{TOKEN}.ics"
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s", (path,), None)
    assert MaskSecrets().filter(record)
    assert record.getMessage() == "Not Found: /notifications/calendar/***.ics"

    class Request:
        method = "GET"
        path: str

    Request.path = path
    record.request = Request()
    line = JsonFormatter().format(record)
    assert TOKEN not in line
    assert '"path": "/notifications/calendar/***.ics"' in line


def test_a_missing_page_and_a_refused_one_are_the_products_in_vietnamese(client_for, tree) -> None:
    client = client_for("other_secretary")
    missing = client.get("/khong-co-trang-nay/")
    assert missing.status_code == 404
    assert "Trang này không tồn tại" in missing.content.decode()
    refused = client_for("member").get(reverse("members:member-list") + f"?org={tree.ward_a.pk}")
    if refused.status_code != 403:  # the page may simply narrow the list: ask for a page that refuses
        refused = client_for("member").get(reverse("dashboards:dashboard", args=[tree.ward_a.pk]))
    assert refused.status_code == 403
    assert "Bạn không có quyền mở trang này" in refused.content.decode()
