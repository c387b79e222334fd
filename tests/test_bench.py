"""``make bench`` runs on a fresh clone: ``bench/run.py --smoke`` from a clean copy of the repository.

The copy holds the files git knows (committed or not, as they are in the working tree) and nothing it ignores:
no collected static files and their manifest, no compiled catalogues, no ``var/``. So the bench must prepare
everything itself, in order (migrations, static files, catalogues, data sets), before it measures anything.
The smoke run goes through every step on three small city-scale data sets in three temporary PostgreSQL databases,
which the test creates and drops, with the cache and the broker in three Redis databases of its own (13 to 15):
both concurrency levels, the history comparison, the restart of the web workers and a real Celery worker.

It runs in the PostgreSQL pass of the suite only (``DATABASE_URL=postgres://…``, as in CI's first pass and
``make bench``): the bench measures on PostgreSQL, and CI's second pass, on SQLite, would only run the same
minutes again. There the test is skipped, with that reason in the report; so it is where no Redis answers.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.production import environment, free_port

ROOT = Path(__file__).resolve().parents[1]
DATABASE_URL = os.environ.get("DATABASE_URL", "")
POSTGRES = DATABASE_URL.startswith(("postgres://", "postgresql://"))

PAGES = [
    "login",
    "floor",
    "ward dashboard",
    "province dashboard",
    "cell page",
    "resolution page",
    "my tasks",
    "member search",
    "member search, whole province",
    "home",
    "meeting page",
    "attendance",
    "draft edit",
    "evaluation",
    "resolution history",
    "document cells",
]
JOBS = ["minutes pdf", "ward summary pdf", "province reminder sweep", "import 5,000 rows"]
REQUESTS = 20  # the smoke run's requests per page and per floor sample
LEVELS = [2, 8]
RESTARTED = ["province dashboard", "cell page", "ward dashboard"]
REDIS = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


pytestmark = [
    pytest.mark.skipif(
        not POSTGRES, reason="the bench's smoke run is tested in the PostgreSQL pass (DATABASE_URL=postgres://…)"
    ),
    pytest.mark.skipif(not redis_answers(), reason="the bench runs its cache and broker in Redis: none answers"),
]


def clean_copy(destination: Path) -> Path:
    """The files git tracks or would track (working-tree content), without anything it ignores."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():  # a tracked file deleted in the working tree is not copied
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


def _admin(base: str, statement: str) -> None:
    import psycopg2

    connection = psycopg2.connect(f"{base}/postgres")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


@pytest.fixture
def databases():
    """A fresh name on the suite's PostgreSQL server; the smoke run's three databases (``<name>_smoke``,
    ``<name>_smoke_city`` and ``<name>_smoke_double``, see bench/run.py) are created empty here and dropped
    afterwards."""
    base = DATABASE_URL.rpartition("/")[0]
    name = f"chibo_benchtest_{uuid.uuid4().hex[:8]}"
    created = [f"{name}_smoke", f"{name}_smoke_city", f"{name}_smoke_double"]
    for database in created:
        _admin(base, f'CREATE DATABASE "{database}"')
    yield f"{base}/{name}"
    for database in created:
        _admin(base, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def test_the_smoke_run_prepares_everything_and_writes_the_report(tmp_path: Path, databases: str) -> None:
    clone = clean_copy(tmp_path / "clone")
    assert not (clone / "var").exists()
    assert not list(clone.glob("locale/*/LC_MESSAGES/*.mo"))
    env = {key: value for key, value in environment().items() if not key.startswith("BENCH_")}
    redis = f"{REDIS.rpartition('/')[0]}/13"
    env |= {"DATABASE_URL": databases, "BENCH_PORT": str(free_port()), "BENCH_REDIS_URL": redis}
    try:
        completed = subprocess.run(
            [sys.executable, "bench/run.py", "--smoke"],
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
    except subprocess.TimeoutExpired as timeout:
        stderr = timeout.stderr.decode(errors="replace") if isinstance(timeout.stderr, bytes) else timeout.stderr
        pytest.fail(f"the smoke run took more than 900 s:\n{stderr}")
    assert completed.returncode == 0, completed.stderr[-5000:]

    # Prepared in the copy: whitenoise's manifest and the compiled catalogues.
    assert (clone / "var/staticfiles/staticfiles.json").is_file()
    assert {mo.parent.parent.name for mo in clone.glob("locale/*/LC_MESSAGES/django.mo")} == {"vi", "en"}

    results = clone / "var/bench-smoke"
    assert {path.name for path in results.iterdir()} >= {"latest.json", "latest.md"}
    stamped = sorted(path.stem for path in results.glob("20*.json"))
    assert len(stamped) == 1
    assert (results / f"{stamped[0]}.md").is_file()
    report = json.loads((results / "latest.json").read_text())
    markdown = (results / "latest.md").read_text()

    assert report["smoke"] is True
    assert report["settings"]["data_sets"] == {
        "province": {"scale": "city", "months": 3},
        "city": {"scale": "city", "months": 1},
        "double": {"scale": "city", "months": 6},
    }
    assert report["settings"]["redis"]["province"] == redis
    for slot in ("province", "city", "double"):
        assert report["seed"][slot]["reused"] is False
        assert report["seed"][slot]["seconds"] > 0

    assert [level["concurrency"] for level in report["levels"]] == LEVELS
    for level in report["levels"]:
        check_level(level, markdown)
    for name, counts in report["queries"].items():
        assert set(counts) == {"city", "province", "double"}, name
        assert all(0 <= count <= 50 for count in counts.values()), name
    assert report["queries"]["province dashboard"]["province"] > 0
    check_history_restart_and_celery(report, markdown)

    assert set(JOBS) <= set(report["jobs_seconds"])
    assert all(seconds > 0 for seconds in report["jobs_seconds"].values())
    assert 0 < report["memory"]["rss_mb"] <= report["memory"]["peak_mb"]
    check_targets(report)
    assert markdown.startswith("# Benchmark smoke run")
    assert 0 < report["duration_seconds"] < 900


def check_level(level: dict, markdown: str) -> None:
    """One concurrency level's rows: every page in order, all 200, the floor sampled around each page."""
    rows = {row["page"]: row for row in level["pages"]}
    assert list(rows) == PAGES
    floor = level["floor"]
    assert floor["samples"] == len(PAGES)  # before the first page and after each of the others
    assert len(floor["sample_medians_ms"]) == floor["samples"]
    assert 0 < floor["min_ms"] <= floor["median_ms"] <= floor["max_ms"]
    assert floor["max_over_min"] == pytest.approx(floor["max_ms"] / floor["min_ms"], abs=0.01)
    for name, row in rows.items():
        requests = REQUESTS * len(PAGES) if name == "floor" else REQUESTS
        assert row["requests"] == requests, name
        assert row["statuses"] == {"200": requests}, name
        assert row["errors"] == 0, name
        assert 0 < row["min_ms"] <= row["median_ms"] <= row["p95_ms"] <= row["max_ms"], name
        assert row["rps"] > 0, name
        # The floor beside a page is the median of the two samples around it: between the lowest and highest.
        assert floor["min_ms"] - 0.01 <= row["floor_ms"] <= floor["max_ms"] + 0.01, name
        assert row["floor_ratio"] == pytest.approx(row["median_ms"] / row["floor_ms"], abs=0.01), name
        assert f"| {name} | {row['median_ms']} | {row['p95_ms']} | {row['rps']} | {row['floor_ms']} |" in markdown
    assert rows["floor"]["floor_ratio"] == 1.0
    assert f"## Concurrency {level['concurrency']}" in markdown
    assert f"sampled {len(PAGES)} times" in markdown


def check_history_restart_and_celery(report: dict, markdown: str) -> None:
    history = {row["page"]: row for row in report["history"]}
    assert list(history) == [name for name in PAGES if name != "floor"]
    for name, row in history.items():
        usual = (row["median_ms"] + row["median_again_ms"]) / 2
        assert row["ratio"] == pytest.approx(row["median_double_ms"] / usual, abs=0.01), name
        figures = f"| {row['median_ms']} | {row['median_again_ms']} | {row['median_double_ms']} | {row['ratio']} |"
        assert f"| {name} {figures}" in markdown

    warm = {row["page"]: row for row in report["levels"][0]["pages"]}
    assert [row["page"] for row in report["restart"]] == RESTARTED
    for row in report["restart"]:
        assert len(row["firsts_ms"]) == 3, row
        assert row["first_ms"] == pytest.approx(sorted(row["firsts_ms"])[1], abs=0.01)
        assert row["warm_single_ms"] > 0, row
        assert row["workers_ready_seconds"] > 0, row
        assert row["warm_median_ms"] == warm[row["page"]]["median_ms"]
        assert row["ratio"] == pytest.approx(row["first_ms"] / row["warm_single_ms"], abs=0.01)
        assert f"| {row['first_ms']} | {row['warm_single_ms']} | {row['ratio']} | {row['warm_median_ms']} |" in markdown

    celery = report["celery"]
    assert celery["worker_start_mb"] > 0
    for name in ("minutes pdf", "ward summary pdf"):
        build = celery[name]
        assert build["state"] == "ready", name  # the worker really built it
        assert 0 < build["rss_before_mb"] <= build["peak_mb"], name
        assert build["seconds"] > 0, name


def check_targets(report: dict) -> None:
    targets = {t["name"]: t for t in report["targets"]}
    expected = set()
    for c in LEVELS:
        expected |= {f"{name}: median / floor at concurrency {c}" for name in PAGES if name != "floor"}
        expected |= {f"{name}: p95 at concurrency {c}" for name in PAGES}
    for name in PAGES:
        expected |= {
            f"{name}: queries (province)",
            f"{name}: queries equal at city and province scale",
            f"{name}: queries equal at 3 and 6 months",
        }
    expected |= {f"{name}: median at 6 / 3 months" for name in PAGES if name != "floor"}
    expected |= {f"{name}: first request after a restart / warm" for name in RESTARTED}
    expected |= {*JOBS, "web worker memory after the load"}
    expected |= {f"Celery worker building the {name}: peak memory" for name in ("minutes pdf", "ward summary pdf")}
    assert set(targets) == expected
    assert all(t["value"] is not None and isinstance(t["met"], bool) for t in targets.values())
    assert report["all_met"] == all(t["met"] for t in targets.values())
