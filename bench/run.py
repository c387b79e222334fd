"""``make bench``: the province-scale benchmark, one command, one report.

Every step it needs runs in order, so a fresh clone measures like a checkout that has been used for weeks:

1. Creates the databases when missing: the province data set lives in the database ``DATABASE_URL`` names and
   the city data set in a second one beside it (``<name>_city``), as the demo accounts of both scales share names.
2. Migrates both databases, collects the static files (``DEBUG`` is off, so pages need whitenoise's manifest)
   and compiles the message catalogues when a ``.mo`` file is missing or older than its ``.po``.
3. Builds (or reuses) the data sets: ``seed_demo --scale province`` and ``--scale city``, ``BENCH_MONTHS`` months.
4. Counts each page's SQL queries at both scales.
5. Serves the app with gunicorn (``DEBUG`` off, static files by whitenoise) on 127.0.0.1 and loads each page
   from a second process (``bench/load.py``): median, p95, requests per second. The framework floor (a
   logged-in page that does nothing) is sampled before the first page and after every page; each page's
   headline ratio divides its median by the floor measured just before and just after it, so that a busy
   moment moves both figures, not every ratio at once. The report gives the floor beside each page and the
   median, minimum and maximum of the floor's samples.
6. Times the minutes PDF, the ward summary PDF, the province reminder sweep and a 5,000-row member import.
7. Reads the web workers' memory, writes ``bench/results/<date>.md`` and ``.json`` and the same as
   ``latest.md`` / ``latest.json``, and prints the table. The JSON's ``targets`` say which target is met.

``--smoke`` (or ``BENCH_SMOKE=1``) runs every step on two small city-scale data sets (``BENCH_MONTHS``, default
3, and one month) in the databases ``<name>_smoke`` and ``<name>_smoke_city``, with 20 requests per page, and
writes its report to ``var/bench-smoke/``: a check that the benchmark runs end to end in a minute or two, not a
measurement.

Settings: BENCH_REQUESTS (per page, default 200), BENCH_FLOOR_REQUESTS (per floor sample, default 100),
BENCH_CONCURRENCY (default 2), BENCH_PORT (8765), BENCH_WORKERS (gunicorn workers, default 2), BENCH_MONTHS
(months of resolutions per cell, default 24), BENCH_RESULTS (the report's folder).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
sys.path.insert(0, str(ROOT / "bench"))

from load import percentile  # noqa: E402  (bench/load.py, the load generator's nearest-rank percentile)

# The targets.
FLOOR_RATIO = 4.0
P95_MS = 200.0
MAX_QUERIES = 15
JOB_LIMITS = {"minutes pdf": 0.5, "ward summary pdf": 3.0, "province reminder sweep": 10.0, "import 5,000 rows": 10.0}
MEMORY_MB = 250.0

SMOKE_VALUES = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class DataSet:
    """One seeded database. ``slot`` is the column of the report it fills: ``province`` is the data set the
    pages are loaded on, ``city`` the smaller one whose query counts must equal the province's."""

    slot: str
    scale: str
    months: int
    url: str


@dataclass(frozen=True)
class Config:
    smoke: bool
    requests: int
    floor_requests: int
    concurrency: int
    port: int
    workers: int
    results: Path
    province: DataSet
    city: DataSet

    @property
    def data_sets(self) -> tuple[DataSet, DataSet]:
        return (self.province, self.city)


def database_urls(*, smoke: bool = False) -> tuple[str, str]:
    """The URLs of the two databases: ``DATABASE_URL`` (or ``<name>_smoke``) and ``<that name>_city``."""
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/chibo_bench")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("make bench measures on PostgreSQL: set DATABASE_URL=postgres://user@host:port/name")
    base, _, name = url.rpartition("/")
    if smoke:
        name = f"{name}_smoke"
    return f"{base}/{name}", f"{base}/{name}_city"


def configure(*, smoke: bool) -> Config:
    smoke = smoke or os.environ.get("BENCH_SMOKE", "").strip().lower() in SMOKE_VALUES
    large_url, small_url = database_urls(smoke=smoke)
    months = int(os.environ.get("BENCH_MONTHS", "3" if smoke else "24"))
    if smoke:
        # Two city-scale data sets of different lengths: the query counts must not grow with the history either.
        province = DataSet("province", "city", months, large_url)
        city = DataSet("city", "city", 1, small_url)
    else:
        province = DataSet("province", "province", months, large_url)
        city = DataSet("city", "city", months, small_url)
    results = os.environ.get("BENCH_RESULTS") or str(ROOT / ("var/bench-smoke" if smoke else "bench/results"))
    return Config(
        smoke=smoke,
        requests=int(os.environ.get("BENCH_REQUESTS", "20" if smoke else "200")),
        floor_requests=int(os.environ.get("BENCH_FLOOR_REQUESTS", "20" if smoke else "100")),
        concurrency=int(os.environ.get("BENCH_CONCURRENCY", "2")),
        port=int(os.environ.get("BENCH_PORT", "8765")),
        workers=int(os.environ.get("BENCH_WORKERS", "2")),
        results=Path(results),
        province=province,
        city=city,
    )


def log(message: str) -> None:
    print(f"[bench {dt.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


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
        # The pages are measured with the sessions the bench opens by force_login, without the second step.
        "TWO_FACTOR_REQUIRED": "false",
        "DJANGO_SETTINGS_MODULE": "chibo.settings",
        **extra,
    }
    env.pop("REDIS_URL", None)  # the filesystem broker and a local cache: nothing else is running in the bench
    return env


def manage(url: str, *args: str) -> None:
    """``manage.py`` with the bench's settings; stops the bench, with the command's output, when it fails."""
    completed = subprocess.run(
        [PYTHON, "manage.py", *args], env=environment(url), cwd=ROOT, capture_output=True, text=True
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout + completed.stderr)
        sys.exit(f"manage.py {' '.join(args)} failed")


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


def stale_catalogues() -> list[Path]:
    """The ``.po`` files of the project whose ``.mo`` is missing or older (``*.mo`` are not committed)."""
    stale = []
    for po in sorted(ROOT.glob("locale/*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            stale.append(po)
    return stale


def compile_messages(url: str) -> bool:
    """Compile the catalogues when needed, as ``make compilemessages`` does; True when something was compiled."""
    if not stale_catalogues():
        return False
    if subprocess.run(["sh", "-c", "command -v msgfmt"], capture_output=True).returncode != 0:
        sys.exit("Thiếu gói hệ thống / missing system package: sudo apt-get install -y gettext")
    ignore = ["--ignore", ".venv/*", "--ignore", "var/*", "--ignore", "node_modules/*"]
    venv = Path(sys.prefix).resolve()
    if venv.is_relative_to(ROOT):
        ignore += ["--ignore", f"{venv.relative_to(ROOT)}/*"]
    manage(url, "compilemessages", *ignore, "-v0")
    return True


class Server:
    """gunicorn serving the app in production settings on 127.0.0.1 (the static files are collected already)."""

    def __init__(self, url: str, *, port: int, workers: int) -> None:
        self.url = url
        self.port = port
        self.workers = workers
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                sys.exit(f"Something already listens on 127.0.0.1:{self.port}: stop it or set BENCH_PORT")
        self.process = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "chibo.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--log-level",
                "warning",
                # The same workers for the whole run (gunicorn.conf.py replaces one after ~1,000 requests): no
                # page is measured on a cold worker, and the memory read at the end is that of the whole run.
                "--max-requests",
                "0",
                # No control socket: its default path is one per user, which a second server would take over.
                "--no-control-socket",
            ],
            env=environment(self.url),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,  # the access log, one line a request
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz/", timeout=5) as response:
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


def load(config: Config, name: str, path: str, cookie: str, requests: int, *, latencies: bool = False) -> dict:
    """One run of ``bench/load.py`` against ``path``; stops the bench unless every answer is a 200."""
    command = [
        PYTHON,
        str(ROOT / "bench" / "load.py"),
        "--url",
        f"http://127.0.0.1:{config.port}{path}",
        "--cookie",
        cookie,
        "--requests",
        str(requests),
        "--concurrency",
        str(config.concurrency),
    ]
    completed = subprocess.run([*command, *(["--latencies"] if latencies else [])], capture_output=True, text=True)
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr)
        sys.exit(f"bench/load.py failed on {name}")
    result = json.loads(completed.stdout)
    if set(result["statuses"]) != {"200"}:
        sys.exit(f"{name} answered {result['statuses']}, not only 200: the measurement would be wrong")
    return result


def load_pages(config: Config, pages: list[dict[str, Any]], cookies: dict[str, str], server: Server) -> tuple:
    """Every page's load figures, each with the floor measured just before and just after it (``floor_ms``),
    and the floor's own figures over all its samples; returns (results by page, floor summary, memory)."""
    floor = next(page for page in pages if page["name"] == "floor")
    floor_cookie = cookies[floor["user"]]
    samples: list[dict[str, Any]] = []

    def sample_floor() -> None:
        samples.append(load(config, "floor", floor["url"], floor_cookie, config.floor_requests, latencies=True))

    results: dict[str, dict[str, Any]] = {}
    log(f"load: floor ({floor['url']}), sample 1")
    sample_floor()
    for page in pages:
        if page is floor:
            continue
        log(f"load: {page['name']} ({page['url']}), then floor sample {len(samples) + 1}")
        cookie = cookies.get(page["user"], "") if page["user"] else ""
        result = load(config, page["name"], page["url"], cookie, config.requests)
        sample_floor()
        beside = samples[-2]["latencies_ms"] + samples[-1]["latencies_ms"]
        results[page["name"]] = {**result, "floor_ms": round(statistics.median(beside), 2)}
    memory = server.worker_memory_mb()

    pooled = [value for sample in samples for value in sample["latencies_ms"]]
    statuses: dict[str, int] = {}
    for sample in samples:
        for status, count in sample["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    results["floor"] = {
        "requests": len(pooled),
        "errors": sum(sample["errors"] for sample in samples),
        "statuses": statuses,
        "median_ms": round(statistics.median(pooled), 2),
        "p95_ms": round(percentile(pooled, 0.95), 2),
        "min_ms": round(min(pooled), 2),
        "max_ms": round(max(pooled), 2),
        "rps": round(len(pooled) / sum(sample["seconds"] for sample in samples), 1),
        "floor_ms": round(statistics.median(pooled), 2),
    }
    medians = [sample["median_ms"] for sample in samples]
    summary = {
        "samples": len(samples),
        "requests_per_sample": config.floor_requests,
        "sample_medians_ms": medians,
        "median_ms": round(statistics.median(medians), 2),
        "min_ms": min(medians),
        "max_ms": max(medians),
        "max_over_min": round(max(medians) / min(medians), 2),
    }
    return results, summary, memory


def target(name: str, value: float | int | None, limit: float | int, unit: str) -> dict[str, Any]:
    return {"name": name, "value": value, "limit": limit, "unit": unit, "met": value is not None and value <= limit}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--smoke", action="store_true", help="every step on small city-scale data sets (also BENCH_SMOKE=1)"
    )
    config = configure(smoke=parser.parse_args(argv).smoke)
    started = time.monotonic()
    province = config.province
    if config.smoke:
        log("smoke run: small city-scale data sets, few requests; the figures are not the benchmark's")

    seeded = prepare_data_sets(config)

    log("4/7 query counts on both data sets")
    queries = {data_set.slot: measure("queries", data_set.url) for data_set in config.data_sets}
    for slot, counts in queries.items():
        wrong = {name: count["status"] for name, count in counts.items() if count["status"] != 200}
        if wrong:  # a redirect or an error runs other queries than the page: the count would be wrong
            sys.exit(f"query counts ({slot} data set): pages answered {wrong}, not 200")

    log("5/7 load, with the floor sampled before the first page and after every page")
    pages = measure("pages", province.url)
    cookies = measure("sessions", province.url)
    with Server(province.url, port=config.port, workers=config.workers) as server:
        results, floor, memory = load_pages(config, pages, cookies, server)

    log("6/7 documents, the reminder sweep and the import")
    jobs = measure("jobs", province.url)

    log("7/7 report")
    rows, targets = page_rows_and_targets(pages, results, queries)
    for name, limit in JOB_LIMITS.items():
        targets.append(target(name, jobs.get(name), limit, "s"))
    targets.append(target("web worker memory after the run", memory["rss_mb"], MEMORY_MB, "MB"))

    now = dt.datetime.now().astimezone()
    report = {
        "date": now.isoformat(timespec="seconds"),
        "smoke": config.smoke,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "settings": {
            "requests": config.requests,
            "floor_requests": config.floor_requests,
            "concurrency": config.concurrency,
            "gunicorn_workers": config.workers,
            "months": province.months,
            "data_sets": {d.slot: {"scale": d.scale, "months": d.months} for d in config.data_sets},
        },
        "seed": seeded,
        "floor": floor,
        "pages": rows,
        "jobs_seconds": jobs,
        "memory": memory,
        "targets": targets,
        "all_met": all(t["met"] for t in targets),
        "duration_seconds": round(time.monotonic() - started, 1),
    }
    write_report(config, report, now)
    return 0


def prepare_data_sets(config: Config) -> dict[str, Any]:
    """Steps 1 to 3: the databases, migrated, the static files and catalogues, and the data sets seeded (or reused);
    what each seeding reported, by slot."""
    log("1/7 databases")
    for data_set in config.data_sets:
        ensure_database(data_set.url)
    log("2/7 migrations, static files, message catalogues")
    for data_set in config.data_sets:
        manage(data_set.url, "migrate", "--noinput", "-v0")
    manage(config.province.url, "collectstatic", "--noinput", "-v0")  # DEBUG off: pages need the manifest
    if compile_messages(config.province.url):
        log("compiled the message catalogues")

    seeded = {}
    for data_set in config.data_sets:
        log(
            f"3/7 {data_set.slot} data set (seed_demo --scale {data_set.scale} --months {data_set.months}, "
            "reused when present)"
        )
        prepared = measure("prepare", data_set.url, "--scale", data_set.scale, "--months", str(data_set.months))
        seeded[data_set.slot] = {**prepared, "months": data_set.months}
    return seeded


def page_rows_and_targets(
    pages: list[dict[str, Any]], results: dict[str, Any], queries: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The report's row of each page (its load, its floor ratio, its query counts) and the page's targets."""
    rows = []
    targets = []
    for page in pages:
        name = page["name"]
        result = results[name]
        ratio = round(result["median_ms"] / result["floor_ms"], 2)
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
    return rows, targets


def write_report(config: Config, report: dict[str, Any], now: dt.datetime) -> None:
    """The report in Markdown and JSON, under its time and as ``latest``; the Markdown printed too."""
    markdown = render_markdown(report)
    config.results.mkdir(parents=True, exist_ok=True)
    stamp = now.strftime("%Y-%m-%d-%H%M")
    for stem in (stamp, "latest"):
        (config.results / f"{stem}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        (config.results / f"{stem}.md").write_text(markdown)
    print(markdown)
    log(f"done in {report['duration_seconds']:.0f} s: {config.results / stamp}.md and .json, and latest.*")


def render_markdown(report: dict[str, Any]) -> str:
    machine, settings, floor = report["machine"], report["settings"], report["floor"]
    if report["smoke"]:
        title = "# Benchmark smoke run (small city-scale data sets: a check that every step runs, not a measurement)"
    else:
        title = "# Benchmark at province scale"
    lines = [
        title,
        "",
        f"{report['date']} · {machine['cpus']} CPUs · {machine['platform']} · Python {machine['python']} · "
        f"gunicorn {settings['gunicorn_workers']} workers · {settings['requests']} requests "
        f"per page at concurrency {settings['concurrency']} · the run took {report['duration_seconds']:.0f} s",
        "",
    ]
    for slot, seed in report["seed"].items():
        how = "reused" if seed["reused"] else f"built in {seed['seconds']} s"
        scale = seed.get("scale", slot)
        months = seed.get("months", settings["months"])
        lines.append(f"- {slot} data set ({scale} scale, {months} month{'s' if months != 1 else ''}): {how}")
    lines += [
        "",
        f"The floor (`accounts/ping/`, a logged-in page that does nothing) was sampled {floor['samples']} times, "
        f"{floor['requests_per_sample']} requests each, before the first page and after every page. Median of the "
        f"samples' medians {floor['median_ms']} ms, lowest {floor['min_ms']} ms, highest {floor['max_ms']} ms "
        f'(highest / lowest {floor["max_over_min"]}). Each page\'s "× floor" divides its median by the floor '
        'measured just before and just after it ("floor ms"); the floor\'s own row pools every sample.',
        "",
        "| page | median ms | p95 ms | req/s | floor ms | × floor | queries (city) | queries (province) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in report["pages"]:
        lines.append(
            f"| {row['page']} | {row['median_ms']} | {row['p95_ms']} | {row['rps']} | {row['floor_ms']} | "
            f"{row['floor_ratio']} | {row['queries_city']} | {row['queries_province']} |"
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
