"""The production set-up: gunicorn from its configuration file with JSON logs, the health check, and a
docker-compose.yml whose services restart, report their health and keep their data in volumes. Docker itself
does not run here; the compose file is read as data and checked against what the README and .env.example say."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from django.urls import reverse

from tests.production import PRODUCTION, collect_static, environment, free_port

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
LONG_RUNNING = ["db", "redis", "web", "worker", "beat"]


def _get(url: str) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


SECRETARY = """
from tests.factories import MemberFactory, UserFactory, grant, make_org
city = make_org("Thành phố", "province")
cell = make_org("Chi bộ Khu phố 1", "cell", make_org("Phường 1", "ward", city))
user = UserFactory.create(username="bithu")
MemberFactory.create(cell=cell, user=user)
grant(user, "secretary", cell)
"""


def test_gunicorn_serves_from_its_configuration_with_json_logs(tmp_path) -> None:
    port = free_port()
    env = environment(
        **{**PRODUCTION, "ALLOWED_HOSTS": "127.0.0.1"},
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDIS_URL=os.environ.get("REDIS_URL", ""),  # the health check then asks Redis too
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="2",
        LOG_FORMAT="json",
    )
    collect_static(env)
    # A deployment migrates before the app starts; a cell with its secretary is the stand-in of the workers' warm-up.
    for command in (["migrate", "-v0"], ["shell", "-c", SECRETARY]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, timeout=300)
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    out, err = tmp_path / "out.log", tmp_path / "err.log"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        server = subprocess.Popen(
            [gunicorn, "-c", "gunicorn.conf.py", "chibo.wsgi:application"],
            cwd=ROOT,
            env=env,
            stdout=stdout,
            stderr=stderr,
        )
    try:
        status = None
        for _ in range(150):
            try:
                status, body = _get(f"http://127.0.0.1:{port}/healthz/")
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, err.read_text()
                time.sleep(0.2)
        assert status == 200, err.read_text()
        assert body["database"] == "ok"
        assert ("redis" in body) is bool(os.environ.get("REDIS_URL"))
        # The health check is exempt from the HTTPS redirect; every other page is sent to HTTPS.
        request = urllib.request.Request(f"http://127.0.0.1:{port}/accounts/login/", method="HEAD")
        with pytest.raises(urllib.error.HTTPError) as redirect:
            urllib.request.build_opener(_NoRedirect).open(request, timeout=5)
        assert redirect.value.code == 301
        assert redirect.value.headers["Location"].startswith("https://")
    finally:
        server.terminate()
        server.wait(timeout=30)

    access = [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
    health = next(line for line in access if line.get("path") == "/healthz/")
    assert health["logger"] == "gunicorn.access"
    assert health["method"] == "GET"
    assert health["status"] == 200
    assert isinstance(health["duration_ms"], int)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", health["time"])
    errors = [json.loads(line) for line in err.read_text().splitlines() if line.startswith("{")]
    assert len([line for line in errors if "Booting worker" in line["message"]]) == 2
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in errors)
    # The app is warmed once in the master, and each worker before its first request, without a failure: each
    # worker served the secretary's pages to the stand-in.
    assert [line["message"] for line in errors if "warming" in line["message"]] == [], err.read_text()[-3000:]
    warmed = [line["message"] for line in errors if line["message"].startswith("worker warmed up")]
    pages = "/ 200, /organisations/3/ 200, /tasks/mine/ 200, /dashboard/ 302, /dashboard/3/ 200, /dashboard/2/ 200"
    assert warmed == [f"worker warmed up: {pages}, /dashboard/1/ 200"] * 2


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_health_check_fails_when_redis_does_not_answer(client, db, settings) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": settings.REDIS_URL}
    }
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "redis": "unavailable"}


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_every_service_restarts_and_logs_within_bounds(name: str) -> None:
    service = SERVICES[name]
    assert service["restart"] == "unless-stopped"
    assert service["logging"]["options"]["max-size"]


@pytest.mark.parametrize("name", ["db", "redis", "web", "worker"])
def test_services_report_their_health(name: str) -> None:
    assert SERVICES[name]["healthcheck"]["test"]


def test_web_is_gunicorn_from_its_configuration_and_the_health_check_asks_healthz() -> None:
    web = SERVICES["web"]
    assert web["command"][:3] == ["gunicorn", "-c", "gunicorn.conf.py"]
    assert "/healthz/" in " ".join(web["healthcheck"]["test"])
    assert web["environment"]["GUNICORN_WORKERS"].startswith("${GUNICORN_WORKERS")
    for dependency in ("db", "redis"):
        assert web["depends_on"][dependency]["condition"] == "service_healthy"


def test_data_lives_in_volumes() -> None:
    mounts = {service: [v.split(":")[1] for v in SERVICES[service].get("volumes", [])] for service in SERVICES}
    assert "/var/lib/postgresql/data" in mounts["db"]
    assert "/data" in mounts["redis"]
    for service in ("web", "worker"):
        assert {"/app/var/media", "/app/var/backups"} <= set(mounts[service])
    declared = set(COMPOSE["volumes"])
    used = {v.split(":")[0] for service in SERVICES.values() for v in service.get("volumes", [])}
    assert used <= declared


def test_redis_keeps_the_queue_across_a_restart() -> None:
    """Without persistence a restart of Redis loses every queued email and PDF build: append-only file, flushed
    every second, on the volume."""
    redis = SERVICES["redis"]
    command = redis["command"]
    assert command[0] == "redis-server"
    options = dict(zip(command[1::2], command[2::2], strict=True))
    assert options["--appendonly"] == "yes"
    assert options["--appendfsync"] == "everysec"
    assert options.get("--dir", "/data") == "/data"
    assert "redisdata:/data" in redis["volumes"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "--appendonly yes" in readme


def test_migrations_run_as_a_one_off_before_the_app() -> None:
    migrate = SERVICES["migrate"]
    assert migrate["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert migrate["restart"] == "no"
    assert "migrate" not in " ".join(SERVICES["web"]["command"])


def test_every_setting_read_from_the_environment_is_documented() -> None:
    settings_source = (ROOT / "chibo" / "settings.py").read_text(encoding="utf-8")
    gunicorn_source = (ROOT / "gunicorn.conf.py").read_text(encoding="utf-8")
    names = set(re.findall(r'_env\("([A-Z_]+)"', settings_source))
    names |= set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', gunicorn_source))
    compose_source = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    names |= set(re.findall(r"\$\{([A-Z_]+)", compose_source))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    undocumented = sorted(name for name in names if f"`{name}`" not in readme)
    assert undocumented == [], "add these to the README's table of environment variables"
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for name in re.findall(r"\$\{([A-Z_]+)", compose_source):
        assert re.search(rf"^{name}=", example, re.MULTILINE), f"{name} is used by docker-compose.yml"
