"""``make bench``: the province-scale benchmark, one command, one report.

1. Builds (or reuses) the province data set in the database ``DATABASE_URL`` names and the city data set in
   a second database beside it (``<name>_city``): the demo accounts of both scales share names.
2. Serves the app with gunicorn (``DEBUG`` off, static files by whitenoise) on 127.0.0.1 and measures each page
   with ``bench/load.py`` from a second process: median, p95, requests per second, and the ratio of the median
   to the framework floor (a logged-in page that does nothing).
3. Counts each page's SQL queries at both scales.
4. Times the minutes PDF, the ward summary PDF, the province reminder sweep and a 5,000-row member import.
5. Reads the web workers' memory, writes ``bench/results/<date>.md`` and ``.json`` and the same as
   ``latest.md`` / ``latest.json``, and prints the table. The JSON's ``targets`` say which target is met.

Settings: BENCH_REQUESTS (per page, default 200), BENCH_CONCURRENCY (default 2), BENCH_PORT (8765),
BENCH_WORKERS (gunicorn workers, default 2), BENCH_MONTHS (months of resolutions per cell, default 24).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
RESULTS = ROOT / "bench" / "results"

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "2"))
PORT = int(os.environ.get("BENCH_PORT", "8765"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
MONTHS = int(os.environ.get("BENCH_MONTHS", "24"))

# The targets.
FLOOR_RATIO = 4.0
P95_MS = 200.0
MAX_QUERIES = 15
JOB_LIMITS = {"minutes pdf": 0.5, "ward summary pdf": 3.0, "province reminder sweep": 10.0, "import 5,000 rows": 10.0}
MEMORY_MB = 250.0


def log(message: str) -> None:
    print(f"[bench {dt.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def database_urls() -> tuple[str, str]:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/chibo_bench")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("make bench measures on PostgreSQL: set DATABASE_URL=postgres://user@host:port/name")
    base, _, name = url.rpartition("/")
    return url, f"{base}/{name}_city"


def ensure_database(url: str) -> None:
    """Create the database when it is missing (the server's ``postgres`` database is used to ask)."""
    import psycopg2
    from psycopg2 import sql

    base, _, name = url.rpartition("/")
    connection = psycopg2.connect(f"{base}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            log(f"creating database {name}")
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()


def environment(url: str, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret-key-not-for-production-use-0123456789"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_COOKIES": "false",
        "SECURE_SSL_REDIRECT": "false",
        "DJANGO_SETTINGS_MODULE": "chibo.settings",
        **extra,
    }
    env.pop("REDIS_URL", None)  # the filesystem broker and a local cache: nothing else is running in the bench
    return env


def measure(phase: str, url: str, *args: str) -> Any:
    completed = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "measure.py"), phase, *args],
        env=environment(url),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr)
        sys.exit(f"bench/measure.py {phase} failed")
    return json.loads(completed.stdout.strip().splitlines()[-1])


class Server:
    """gunicorn serving the app in production settings on 127.0.0.1."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        subprocess.run(
            [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env=environment(self.url), cwd=ROOT, check=True
        )
        self.process = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "chibo.wsgi:application",
                "--bind",
                f"127.0.0.1:{PORT}",
                "--workers",
                str(WORKERS),
                "--log-level",
                "warning",
            ],
            env=environment(self.url),
            cwd=ROOT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz/", timeout=5) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.5)
        self.__exit__()
        sys.exit("gunicorn did not answer on /healthz/ within 60 s")

    def worker_memory_mb(self) -> dict[str, float]:
        """The workers' resident memory now and at its peak (VmRSS, VmHWM), the largest worker's."""
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        now, peak = 0.0, 0.0
        for pid in children:
            status = Path(f"/proc/{pid}/status").read_text().splitlines()
            values = {line.split(":")[0]: line.split()[1] for line in status if line.startswith(("VmRSS", "VmHWM"))}
            now = max(now, int(values["VmRSS"]) / 1024)
            peak = max(peak, int(values["VmHWM"]) / 1024)
        return {"rss_mb": round(now, 1), "peak_mb": round(peak, 1)}

    def __exit__(self, *exc: object) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def load(path: str, cookie: str) -> dict[str, Any]:
    completed = subprocess.run(
        [
            PYTHON,
            str(ROOT / "bench" / "load.py"),
            "--url",
            f"http://127.0.0.1:{PORT}{path}",
            "--cookie",
            cookie,
            "--requests",
            str(REQUESTS),
            "--concurrency",
            str(CONCURRENCY),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout)


def target(name: str, value: float | int | None, limit: float | int, unit: str) -> dict[str, Any]:
    return {"name": name, "value": value, "limit": limit, "unit": unit, "met": value is not None and value <= limit}


def main() -> int:
    started = time.monotonic()
    province_url, city_url = database_urls()
    for url in (province_url, city_url):
        ensure_database(url)

    log(f"province data set (seed_demo --scale province --months {MONTHS}, reused when present)")
    seeded = {"province": measure("prepare", province_url, "--scale", "province", "--months", str(MONTHS))}
    log("city data set (seed_demo, reused when present)")
    seeded["city"] = measure("prepare", city_url, "--scale", "city", "--months", str(MONTHS))

    log("query counts at city and province scale")
    queries = {"city": measure("queries", city_url), "province": measure("queries", province_url)}

    pages = measure("pages", province_url)
    cookies = measure("sessions", province_url)
    results: dict[str, dict[str, Any]] = {}
    with Server(province_url) as server:
        for page in pages:
            log(f"load: {page['name']} ({page['url']})")
            results[page["name"]] = load(page["url"], cookies.get(page["user"], "") if page["user"] else "")
            statuses = results[page["name"]]["statuses"]
            if set(statuses) != {"200"}:
                sys.exit(f"{page['name']} answered {statuses}, not only 200: the measurement would be wrong")
        memory = server.worker_memory_mb()

    log("documents, the reminder sweep and the import")
    jobs = measure("jobs", province_url)

    floor = results["floor"]["median_ms"]
    rows = []
    targets = []
    for page in pages:
        name = page["name"]
        result = results[name]
        ratio = round(result["median_ms"] / floor, 2) if floor else None
        q_city, q_province = queries["city"][name]["queries"], queries["province"][name]["queries"]
        rows.append(
            {**result, "page": name, "url": page["url"], "floor_ratio": ratio}
            | {"queries_city": q_city, "queries_province": q_province}
        )
        if name != "floor":
            targets.append(target(f"{name}: median / floor", ratio, FLOOR_RATIO, "×"))
        targets.append(target(f"{name}: p95", result["p95_ms"], P95_MS, "ms"))
        targets.append(target(f"{name}: queries (province)", q_province, MAX_QUERIES, "queries"))
        equal = target(f"{name}: queries equal at city and province scale", abs(q_province - q_city), 0, "queries")
        targets.append(equal)
    for name, limit in JOB_LIMITS.items():
        targets.append(target(name, jobs.get(name), limit, "s"))
    targets.append(target("web worker memory after the run", memory["rss_mb"], MEMORY_MB, "MB"))

    now = dt.datetime.now().astimezone()
    report = {
        "date": now.isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "settings": {"requests": REQUESTS, "concurrency": CONCURRENCY, "gunicorn_workers": WORKERS, "months": MONTHS},
        "seed": seeded,
        "pages": rows,
        "jobs_seconds": jobs,
        "memory": memory,
        "targets": targets,
        "all_met": all(t["met"] for t in targets),
        "duration_seconds": round(time.monotonic() - started, 1),
    }
    markdown = render_markdown(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = now.strftime("%Y-%m-%d-%H%M")
    for stem in (stamp, "latest"):
        (RESULTS / f"{stem}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        (RESULTS / f"{stem}.md").write_text(markdown)
    print(markdown)
    return 0


def render_markdown(report: dict[str, Any]) -> str:
    machine = report["machine"]
    lines = [
        "# Benchmark at province scale",
        "",
        f"{report['date']} · {machine['cpus']} CPUs · {machine['platform']} · Python {machine['python']} · "
        f"gunicorn {report['settings']['gunicorn_workers']} workers · {report['settings']['requests']} requests "
        f"per page at concurrency {report['settings']['concurrency']} · the run took "
        f"{report['duration_seconds']:.0f} s",
        "",
    ]
    for scale, seed in report["seed"].items():
        how = "reused" if seed["reused"] else f"built in {seed['seconds']} s"
        lines.append(f"- {scale} data set: {how}")
    lines += [
        "",
        "| page | median ms | p95 ms | req/s | × floor | queries (city) | queries (province) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in report["pages"]:
        lines.append(
            f"| {row['page']} | {row['median_ms']} | {row['p95_ms']} | {row['rps']} | {row['floor_ratio']} | "
            f"{row['queries_city']} | {row['queries_province']} |"
        )
    lines += ["", "| job | seconds | limit |", "| --- | ---: | ---: |"]
    lines += [f"| {name} | {value} | {JOB_LIMITS.get(name, '—')} |" for name, value in report["jobs_seconds"].items()]
    memory = report["memory"]
    lines += ["", f"Web worker memory after the run: {memory['rss_mb']} MB (peak {memory['peak_mb']} MB).", ""]
    lines += ["| target | value | limit | met |", "| --- | ---: | ---: | :---: |"]
    for t in report["targets"]:
        met = "yes" if t["met"] else "NO"
        lines.append(f"| {t['name']} | {t['value']} {t['unit']} | {t['limit']} {t['unit']} | {met} |")
    lines += ["", "Every target met." if report["all_met"] else "Some targets are not met (NO above).", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
