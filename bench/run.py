"""``make bench``: the province-scale benchmark, one command, one report.

Every step it needs runs in order, so a fresh clone measures like a checkout that has been used for weeks:

1. Creates the databases when missing: the province data set lives in the database ``DATABASE_URL`` names, the
   city data set in a second one beside it (``<name>_city``) and the province with twice the history (twice
   ``BENCH_MONTHS``) in a third (``<name>_double``), as the demo accounts of both scales share names.
2. Migrates the databases, collects the static files (``DEBUG`` is off, so pages need whitenoise's manifest)
   and compiles the message catalogues when a ``.mo`` file is missing or older than its ``.po``.
3. Builds (or reuses) the data sets: ``seed_demo --scale province`` and ``--scale city``, ``BENCH_MONTHS``
   months, and ``--scale province`` with twice the months (the first time, about half an hour on two cores).
4. Empties the bench's Redis databases (the cache and the Celery broker, as in production: one database per
   data set, from ``BENCH_REDIS_URL``), so that every run starts equal, and counts each page's SQL queries on
   the three data sets.
5. Serves the app with gunicorn (``DEBUG`` off, static files by whitenoise, the cache in Redis) on 127.0.0.1 and
   loads each page from a second process (``bench/load.py``) at each concurrency level (2 and 8): median, p95,
   requests per second. The framework floor (a logged-in page that does nothing) is sampled before the first
   page and after every page, at the same concurrency; each page's headline ratio divides its median by the
   floor measured just before and just after it, so that a busy moment moves both figures, not every ratio at
   once. At concurrency 2, a second server on the twice-as-long history loads each page right after the first,
   then the first loads it again: the ratio of the longer history's median to the mean of the two others says
   whether a page's cost grows with the province's history.
6. Restarts the web workers (SIGHUP to gunicorn, which replaces them) three times before each of the heaviest
   pages and times that page's first request once the new workers are up, against one request of the page sent
   the same way to the warm workers (the medians of three each).
7. Times the minutes PDF, the ward summary PDF, the province reminder sweep and a 5,000-row member import, then
   starts a real Celery worker (prefork, one child) and reads its memory while it builds the minutes and the
   ward summary PDF from the tasks the app queues.
8. Reads the web workers' memory, writes ``bench/results/<date>.md`` and ``.json`` and the same as
   ``latest.md`` / ``latest.json``, and prints the table. The JSON's ``targets`` say which target is met.

``--smoke`` (or ``BENCH_SMOKE=1``) runs every step on three small city-scale data sets (``BENCH_MONTHS``,
default 3, one month, and twice ``BENCH_MONTHS``) in the databases ``<name>_smoke``, ``<name>_smoke_city`` and
``<name>_smoke_double``, with 20 requests per page, and writes its report to ``var/bench-smoke/``: a check that
the benchmark runs end to end in a few minutes, not a measurement.

Settings: BENCH_CONCURRENCY (the levels, default ``2,8``), BENCH_REQUESTS (per page at each level, default
``200,400``), BENCH_FLOOR_REQUESTS (per floor sample at each level, default ``100,200``), BENCH_PORT (8765; the
second server takes the next port), BENCH_WORKERS (gunicorn workers, default 2), BENCH_MONTHS (months of
resolutions per cell, default 24), BENCH_REDIS_URL (``redis://127.0.0.1:6379/5``: the province's database; the
city's and the double history's are the next two numbers), BENCH_RESULTS (the report's folder). A list setting
given one value uses it at every level.
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
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
sys.path.insert(0, str(ROOT / "bench"))

from load import percentile  # noqa: E402  (bench/load.py, the load generator's nearest-rank percentile)

# The targets.
FLOOR_RATIO = 4.0
P95_MS = 100.0
MAX_QUERIES = 15
HISTORY_RATIO = 1.25  # a page's median on twice the history, divided by its median on the usual one
RESTART_RATIO = 2.0  # the first request after the workers were replaced, divided by one on warm workers
RESTART_SAMPLES = 3  # restarts per page (and single requests on warm workers): the medians are compared
RESTART_PAGES = ("province dashboard", "cell page", "ward dashboard")
JOB_LIMITS = {"minutes pdf": 0.5, "ward summary pdf": 3.0, "province reminder sweep": 10.0, "import 5,000 rows": 10.0}
MEMORY_MB = 250.0
CELERY_MB = 250.0

SMOKE_VALUES = {"1", "true", "yes", "on"}
REDIS_DEFAULT = "redis://127.0.0.1:6379/5"


@dataclass(frozen=True)
class DataSet:
    """One seeded database and its Redis database (cache and broker). ``slot`` is the column of the report it
    fills: ``province`` is the data set the pages are loaded on, ``city`` the smaller one whose query counts must
    equal the province's, ``double`` the province with twice the history, loaded beside it at concurrency 2."""

    slot: str
    scale: str
    months: int
    url: str
    redis: str


@dataclass(frozen=True)
class Level:
    """One concurrency level of the load: how many requests a page gets, and each floor sample."""

    concurrency: int
    requests: int
    floor_requests: int


@dataclass(frozen=True)
class Config:
    smoke: bool
    levels: tuple[Level, ...]
    port: int
    workers: int
    results: Path
    province: DataSet
    city: DataSet
    double: DataSet

    @property
    def data_sets(self) -> tuple[DataSet, DataSet, DataSet]:
        return (self.province, self.city, self.double)


def database_urls(*, smoke: bool = False) -> tuple[str, str, str]:
    """The URLs of the three databases: ``DATABASE_URL`` (or ``<name>_smoke``), ``<that name>_city`` and
    ``<that name>_double``."""
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/chibo_bench")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("make bench measures on PostgreSQL: set DATABASE_URL=postgres://user@host:port/name")
    base, _, name = url.rpartition("/")
    if smoke:
        name = f"{name}_smoke"
    return f"{base}/{name}", f"{base}/{name}_city", f"{base}/{name}_double"


def redis_urls() -> tuple[str, str, str]:
    """Three Redis databases from ``BENCH_REDIS_URL`` (its number and the next two): one per data set, as the
    cached pages of one would otherwise be read for the other (the same ids name other rows)."""
    url = os.environ.get("BENCH_REDIS_URL") or REDIS_DEFAULT
    base, _, number = url.rpartition("/")
    if not url.startswith(("redis://", "rediss://")) or not number.isdigit():
        sys.exit(f"BENCH_REDIS_URL must name a Redis database by its number, as {REDIS_DEFAULT} does")
    first = int(number)
    return f"{base}/{first}", f"{base}/{first + 1}", f"{base}/{first + 2}"


def _levels(smoke: bool) -> tuple[Level, ...]:
    def numbers(name: str, default: str) -> list[int]:
        return [int(value) for value in os.environ.get(name, default).split(",") if value.strip()]

    concurrency = numbers("BENCH_CONCURRENCY", "2,8")
    requests = numbers("BENCH_REQUESTS", "20" if smoke else "200,400")
    floor = numbers("BENCH_FLOOR_REQUESTS", "20" if smoke else "100,200")
    for name, values in (("BENCH_REQUESTS", requests), ("BENCH_FLOOR_REQUESTS", floor)):
        if len(values) not in (1, len(concurrency)):
            sys.exit(f"{name} gives {len(values)} values for {len(concurrency)} concurrency levels")
    return tuple(
        Level(c, requests[i if len(requests) > 1 else 0], floor[i if len(floor) > 1 else 0])
        for i, c in enumerate(concurrency)
    )


def configure(*, smoke: bool) -> Config:
    smoke = smoke or os.environ.get("BENCH_SMOKE", "").strip().lower() in SMOKE_VALUES
    large_url, small_url, double_url = database_urls(smoke=smoke)
    large_redis, small_redis, double_redis = redis_urls()
    months = int(os.environ.get("BENCH_MONTHS", "3" if smoke else "24"))
    if smoke:
        # Small city-scale data sets of different lengths: the query counts must not grow with the history either.
        province = DataSet("province", "city", months, large_url, large_redis)
        city = DataSet("city", "city", 1, small_url, small_redis)
        double = DataSet("double", "city", 2 * months, double_url, double_redis)
    else:
        province = DataSet("province", "province", months, large_url, large_redis)
        city = DataSet("city", "city", months, small_url, small_redis)
        double = DataSet("double", "province", 2 * months, double_url, double_redis)
    results = os.environ.get("BENCH_RESULTS") or str(ROOT / ("var/bench-smoke" if smoke else "bench/results"))
    return Config(
        smoke=smoke,
        levels=_levels(smoke),
        port=int(os.environ.get("BENCH_PORT", "8765")),
        workers=int(os.environ.get("BENCH_WORKERS", "2")),
        results=Path(results),
        province=province,
        city=city,
        double=double,
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


def flush_redis(url: str) -> None:
    """Empty one Redis database (the cache and the broker's queue of a data set)."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).flushdb()
    except redis.RedisError as error:
        sys.exit(f"make bench runs the cache and the broker in Redis, as production does: {url}: {error}")


def environment(url: str, redis: str = "", **extra: str) -> dict[str, str]:
    """The settings of every process of the bench: production settings on ``url``; the cache and the Celery broker
    in the Redis database ``redis`` when given, else a local cache and the filesystem broker (the seeding)."""
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
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)  # the PDFs are built by a real worker
    if redis:
        env["REDIS_URL"] = redis
    else:
        env.pop("REDIS_URL", None)
    return env


def manage(url: str, *args: str) -> None:
    """``manage.py`` with the bench's settings; stops the bench, with the command's output, when it fails."""
    completed = subprocess.run(
        [PYTHON, "manage.py", *args], env=environment(url), cwd=ROOT, capture_output=True, text=True
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout + completed.stderr)
        sys.exit(f"manage.py {' '.join(args)} failed")


def measure(phase: str, data_set: DataSet | str, *args: str, failing: Callable[[], str] | None = None) -> Any:
    """One phase of ``bench/measure.py`` on a data set (with its Redis database) or a bare database URL;
    ``failing``: more to show when it fails (the output of a process it worked with)."""
    env = environment(data_set.url, data_set.redis) if isinstance(data_set, DataSet) else environment(data_set)
    completed = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "measure.py"), phase, *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr + (failing() if failing else ""))
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


def children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def cpu_ticks(pid: int) -> int:
    """The CPU time a process has used so far (user and system, in clock ticks); 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def stop(process: subprocess.Popen[bytes] | None) -> None:
    """A warm shutdown (SIGTERM: gunicorn's workers, or Celery's child, end first), killed after 30 s."""
    if process and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Server:
    """gunicorn serving the app in production settings on 127.0.0.1 (the static files are collected already).
    gunicorn reads the repository's ``gunicorn.conf.py`` (it is in the folder it starts in); the options given
    here on the command line take precedence over it."""

    def __init__(self, data_set: DataSet, *, port: int, workers: int) -> None:
        self.data_set = data_set
        self.port = port
        self.workers = workers
        # gunicorn's own log (gunicorn.conf.py sends it to stderr, a line per worker started): shown on failure.
        self.log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log")  # noqa: SIM115
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
                # The same workers for the whole load (gunicorn.conf.py replaces one after ~1,000 requests): no
                # page is measured on a cold worker, and the memory read after it is that of the whole load. The
                # restart check replaces them on purpose.
                "--max-requests",
                "0",
                # No control socket: its default path is one per user, which a second server would take over.
                "--no-control-socket",
            ],
            env=environment(self.data_set.url, self.data_set.redis),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,  # the access log, one line a request
            stderr=self.log,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz/", timeout=5) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.5)
        output = self.output()
        self.__exit__()
        sys.exit(f"{output}\ngunicorn did not answer on /healthz/ within 60 s")

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")[-5000:]

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        return children(self.process.pid)

    def worker_memory_mb(self) -> dict[str, float]:
        """The workers' resident memory now and at its peak (VmRSS, VmHWM), the largest worker's."""
        now, peak = 0.0, 0.0
        for pid in self.worker_pids():
            status = Path(f"/proc/{pid}/status").read_text().splitlines()
            values = {line.split(":")[0]: line.split()[1] for line in status if line.startswith(("VmRSS", "VmHWM"))}
            now = max(now, int(values["VmRSS"]) / 1024)
            peak = max(peak, int(values["VmHWM"]) / 1024)
        return {"rss_mb": round(now, 1), "peak_mb": round(peak, 1)}

    def restart_workers(self) -> float:
        """Replace the workers as a deployment does (SIGHUP: gunicorn starts new workers and stops the old ones
        gracefully); returns once every worker is a new one and they have all been idle for a second (booted,
        and done with whatever they do by themselves at start), with the seconds that took. No request is sent."""
        assert self.process is not None
        started = time.monotonic()
        old = set(self.worker_pids())
        self.process.send_signal(signal.SIGHUP)
        while True:
            if time.monotonic() - started > 120:
                sys.exit(f"{self.output()}\ngunicorn did not replace its workers within 120 s of SIGHUP")
            pids = set(self.worker_pids())
            if len(pids) == self.workers and not pids & old:
                before = {pid: cpu_ticks(pid) for pid in pids}
                time.sleep(1.0)
                if all(cpu_ticks(pid) - ticks <= 1 for pid, ticks in before.items()):
                    return round(time.monotonic() - started, 1)
            else:
                time.sleep(0.1)

    def __exit__(self, *exc: object) -> None:
        stop(self.process)
        self.log.close()


class CeleryWorker:
    """A real Celery worker of the app, as production runs it (prefork, one child), on the data set's database
    and Redis broker; its log goes to a temporary file, shown when something fails."""

    def __init__(self, data_set: DataSet) -> None:
        self.data_set = data_set
        self.log = tempfile.NamedTemporaryFile(prefix="bench-celery-", suffix=".log")  # noqa: SIM115
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> CeleryWorker:
        self.process = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "celery"),
                "-A",
                "chibo",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--loglevel=warning",
                "--without-gossip",
                "--without-mingle",
                f"--hostname=bench-{os.getpid()}@%h",
            ],
            env=environment(self.data_set.url, self.data_set.redis),
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        return self

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")[-5000:]

    def __exit__(self, *exc: object) -> None:
        stop(self.process)
        self.log.close()


def load(url: str, name: str, cookie: str, requests: int, concurrency: int, **options: Any) -> dict:
    """One run of ``bench/load.py`` against ``url``; stops the bench unless every answer is a 200.
    ``latencies``: every latency too; ``warmup``: requests sent first and not counted (load.py's default)."""
    command = [PYTHON, str(ROOT / "bench" / "load.py"), "--url", url, "--cookie", cookie]
    command += ["--requests", str(requests), "--concurrency", str(concurrency)]
    if options.get("latencies"):
        command.append("--latencies")
    if "warmup" in options:
        command += ["--warmup", str(options["warmup"])]
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr)
        sys.exit(f"bench/load.py failed on {name}")
    result = json.loads(completed.stdout)
    if set(result["statuses"]) != {"200"}:
        sys.exit(f"{name} answered {result['statuses']}, not only 200: the measurement would be wrong")
    return result


@dataclass
class Site:
    """A served data set: its server, its pages (by name) and the session cookie of every account they use."""

    server: Server
    pages: dict[str, dict[str, Any]]
    cookies: dict[str, str]

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.server.port}{self.pages[name]['url']}"

    def cookie(self, name: str) -> str:
        user = self.pages[name]["user"]
        return self.cookies.get(user, "") if user else ""

    def load(self, name: str, requests: int, concurrency: int, **options: Any) -> dict:
        return load(self.url(name), name, self.cookie(name), requests, concurrency, **options)


def floor_summary(samples: list[dict[str, Any]], requests: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The floor's row (every sample pooled) and the summary of its samples' medians."""
    pooled = [value for sample in samples for value in sample["latencies_ms"]]
    statuses: dict[str, int] = {}
    for sample in samples:
        for status, count in sample["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    row = {
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
        "requests_per_sample": requests,
        "sample_medians_ms": medians,
        "median_ms": round(statistics.median(medians), 2),
        "min_ms": min(medians),
        "max_ms": max(medians),
        "max_over_min": round(max(medians) / min(medians), 2),
    }
    return row, summary


def load_level(level: Level, site: Site, double: Site | None) -> dict[str, Any]:
    """Every page's load figures at one concurrency, each with the floor measured just before and just after it
    (``floor_ms``), and the floor's own figures over all its samples. With ``double`` (the twice-as-long history),
    each page is loaded there too, right after its floor sample, then once more on the usual history."""
    samples: list[dict[str, Any]] = []
    c = level.concurrency

    def sample_floor() -> None:
        samples.append(site.load("floor", level.floor_requests, c, latencies=True))

    results: dict[str, dict[str, Any]] = {}
    longer: dict[str, dict[str, Any]] = {}
    log(f"load at concurrency {c}: floor ({site.pages['floor']['url']}), sample 1")
    sample_floor()
    for name, page in site.pages.items():
        if name == "floor":
            continue
        also = ", then on twice the history" if double else ""
        log(f"load at concurrency {c}: {name} ({page['url']}), floor sample {len(samples) + 1}{also}")
        result = site.load(name, level.requests, c)
        sample_floor()
        beside = samples[-2]["latencies_ms"] + samples[-1]["latencies_ms"]
        results[name] = {**result, "floor_ms": round(statistics.median(beside), 2)}
        if double is not None:
            # Bracketed as the floor is: the usual history again right after the longer one, so that a busy moment
            # moves both sides of the ratio.
            longer[name] = {**double.load(name, level.requests, c), "usual_again": site.load(name, level.requests, c)}
    results["floor"], summary = floor_summary(samples, level.floor_requests)
    return {"level": level, "results": results, "floor": summary, "double": longer}


def restart_check(site: Site, warm: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Each of the heaviest pages' first request on new web workers (replaced as a deployment does), against a
    request of the page on warm workers sent the same way (one request from a new load process): the medians of
    ``RESTART_SAMPLES`` of each, the warm ones taken first, after the load. The warm median under load (the lowest
    concurrency's) is reported beside them."""
    single = {
        name: statistics.median(site.load(name, 1, 1, warmup=0)["median_ms"] for _ in range(RESTART_SAMPLES))
        for name in RESTART_PAGES
    }
    rows = []
    for name in RESTART_PAGES:
        firsts, ready = [], []
        for _ in range(RESTART_SAMPLES):
            ready.append(site.server.restart_workers())
            log(f"restart: workers replaced and idle after {ready[-1]} s; first request of {name}")
            firsts.append(site.load(name, 1, 1, warmup=0)["median_ms"])
        first = statistics.median(firsts)
        rows.append(
            {
                "page": name,
                "first_ms": round(first, 2),
                "firsts_ms": firsts,
                "warm_single_ms": round(single[name], 2),
                "warm_median_ms": warm[name]["median_ms"],
                "ratio": round(first / single[name], 2),
                "workers_ready_seconds": max(ready),
            }
        )
    return rows


def celery_check(data_set: DataSet) -> dict[str, Any]:
    """A real Celery worker's memory while it builds the minutes and the ward summary PDF (``measure.py celery``),
    the cache emptied first so that the worker computes everything the summary prints."""
    flush_redis(data_set.redis)
    with CeleryWorker(data_set) as worker:
        assert worker.process is not None
        return measure("celery", data_set, "--worker-pid", str(worker.process.pid), failing=worker.output)


def serve_and_load(config: Config) -> dict[str, Any]:
    """Steps 5 and 6: both servers up, every level loaded, the web workers' memory, then the restart check."""
    province, double = config.province, config.double
    with (
        Server(province, port=config.port, workers=config.workers) as server,
        Server(double, port=config.port + 1, workers=config.workers) as double_server,
    ):
        site = Site(server, {p["name"]: p for p in measure("pages", province)}, measure("sessions", province))
        longer = Site(double_server, {p["name"]: p for p in measure("pages", double)}, measure("sessions", double))
        levels = []
        for n, level in enumerate(config.levels):
            log(f"5/8 load at concurrency {level.concurrency}" + (", beside twice the history" if n == 0 else ""))
            levels.append(load_level(level, site, longer if n == 0 else None))
        memory = server.worker_memory_mb()
        log("6/8 the first request after the web workers are replaced")
        restart = restart_check(site, levels[0]["results"])
    urls = {name: page["url"] for name, page in site.pages.items()}
    return {"pages": list(site.pages), "urls": urls, "levels": levels, "memory": memory, "restart": restart}


def target(name: str, value: float | int | None, limit: float | int, unit: str) -> dict[str, Any]:
    return {"name": name, "value": value, "limit": limit, "unit": unit, "met": value is not None and value <= limit}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--smoke", action="store_true", help="every step on small city-scale data sets (also BENCH_SMOKE=1)"
    )
    config = configure(smoke=parser.parse_args(argv).smoke)
    started = time.monotonic()
    if config.smoke:
        log("smoke run: small city-scale data sets, few requests; the figures are not the benchmark's")

    seeded = prepare_data_sets(config)

    log("4/8 Redis emptied; query counts on the three data sets")
    for data_set in config.data_sets:
        flush_redis(data_set.redis)
    queries = {data_set.slot: measure("queries", data_set) for data_set in config.data_sets}
    for slot, counts in queries.items():
        wrong = {name: count["status"] for name, count in counts.items() if count["status"] != 200}
        if wrong:  # a redirect or an error runs other queries than the page: the count would be wrong
            sys.exit(f"query counts ({slot} data set): pages answered {wrong}, not 200")

    loaded = serve_and_load(config)

    log("7/8 documents, the reminder sweep, the import; a Celery worker building the PDFs")
    jobs = measure("jobs", config.province)
    celery = celery_check(config.province)

    log("8/8 report")
    now = dt.datetime.now().astimezone()
    report = build_report(config, seeded, queries, loaded, jobs, celery)
    report |= {"date": now.isoformat(timespec="seconds"), "duration_seconds": round(time.monotonic() - started, 1)}
    write_report(config, report, now)
    return 0


def prepare_data_sets(config: Config) -> dict[str, Any]:
    """Steps 1 to 3: the databases, migrated, the static files and catalogues, and the data sets seeded (or reused);
    what each seeding reported, by slot."""
    log("1/8 databases")
    for data_set in config.data_sets:
        ensure_database(data_set.url)
    log("2/8 migrations, static files, message catalogues")
    for data_set in config.data_sets:
        manage(data_set.url, "migrate", "--noinput", "-v0")
    manage(config.province.url, "collectstatic", "--noinput", "-v0")  # DEBUG off: pages need the manifest
    if compile_messages(config.province.url):
        log("compiled the message catalogues")

    seeded = {}
    for data_set in config.data_sets:
        log(
            f"3/8 {data_set.slot} data set (seed_demo --scale {data_set.scale} --months {data_set.months}, "
            "reused when present)"
        )
        prepared = measure("prepare", data_set.url, "--scale", data_set.scale, "--months", str(data_set.months))
        seeded[data_set.slot] = {**prepared, "months": data_set.months}
    return seeded


def level_rows(urls: dict[str, str], loaded: dict[str, Any], queries: dict[str, Any]) -> list[dict[str, Any]]:
    """The report's rows of one level: each page's load, its floor ratio and its query counts."""
    rows = []
    for name in urls:
        result = loaded["results"][name]
        counts = {f"queries_{slot}": queries[slot][name]["queries"] for slot in ("city", "province", "double")}
        ratio = round(result["median_ms"] / result["floor_ms"], 2)
        rows.append({**result, "page": name, "url": urls[name], "floor_ratio": ratio} | counts)
    return rows


def history_rows(pages: list[str], loaded: dict[str, Any]) -> list[dict[str, Any]]:
    """Each page's median on twice the history, between two on the usual one, and its ratio to their mean."""
    rows = []
    for name, longer in loaded["double"].items():
        usual, again = loaded["results"][name], longer["usual_again"]
        rows.append(
            {
                "page": name,
                "median_ms": usual["median_ms"],
                "median_again_ms": again["median_ms"],
                "median_double_ms": longer["median_ms"],
                "p95_ms": usual["p95_ms"],
                "p95_double_ms": longer["p95_ms"],
                "ratio": round(longer["median_ms"] / ((usual["median_ms"] + again["median_ms"]) / 2), 2),
            }
        )
    return sorted(rows, key=lambda row: pages.index(row["page"]))


def build_report(
    config: Config, seeded: dict[str, Any], queries: dict[str, Any], loaded: dict[str, Any], jobs: dict, celery: dict
) -> dict[str, Any]:
    """The report (without its date and duration): settings, the levels' rows, the history comparison, the restart
    check, the jobs, the Celery worker's memory, and every target with whether it is met."""
    pages = loaded["pages"]
    levels = []
    for entry in loaded["levels"]:
        level = entry["level"]
        rows = level_rows(loaded["urls"], entry, queries)
        levels.append({**level.__dict__, "floor": entry["floor"], "pages": rows})
    report = {
        "smoke": config.smoke,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "settings": {
            "levels": [level.__dict__ for level in config.levels],
            "gunicorn_workers": config.workers,
            "months": config.province.months,
            "data_sets": {d.slot: {"scale": d.scale, "months": d.months} for d in config.data_sets},
            "redis": {d.slot: d.redis for d in config.data_sets},
        },
        "seed": seeded,
        "levels": levels,
        "queries": {name: {slot: queries[slot][name]["queries"] for slot in queries} for name in pages},
        "rebuilt": {
            name: {key: queries["province"][name].get(key) for key in ("warm_ms", "rebuilt_ms", "rebuilt_queries")}
            for name in pages
        },
        "history": history_rows(pages, loaded["levels"][0]),
        "restart": loaded["restart"],
        "jobs_seconds": jobs,
        "celery": celery,
        "memory": loaded["memory"],
    }
    report["targets"] = targets(config, report)
    report["all_met"] = all(t["met"] for t in report["targets"])
    return report


def targets(config: Config, report: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets, each with its value and whether it is met."""
    found = []
    for level in report["levels"]:
        c = level["concurrency"]
        for row in level["pages"]:
            if row["page"] != "floor":
                ratio = row["floor_ratio"]
                found.append(target(f"{row['page']}: median / floor at concurrency {c}", ratio, FLOOR_RATIO, "×"))
            found.append(target(f"{row['page']}: p95 at concurrency {c}", row["p95_ms"], P95_MS, "ms"))
    months, double = config.province.months, config.double.months
    for name, counts in report["queries"].items():
        found.append(target(f"{name}: queries (province)", counts["province"], MAX_QUERIES, "queries"))
        equal = abs(counts["province"] - counts["city"])
        found.append(target(f"{name}: queries equal at city and province scale", equal, 0, "queries"))
        longer = abs(counts["double"] - counts["province"])
        found.append(target(f"{name}: queries equal at {months} and {double} months", longer, 0, "queries"))
    for row in report["history"]:
        found.append(target(f"{row['page']}: median at {double} / {months} months", row["ratio"], HISTORY_RATIO, "×"))
    for row in report["restart"]:
        found.append(target(f"{row['page']}: first request after a restart / warm", row["ratio"], RESTART_RATIO, "×"))
    for name, limit in JOB_LIMITS.items():
        found.append(target(name, report["jobs_seconds"].get(name), limit, "s"))
    found.append(target("web worker memory after the load", report["memory"]["rss_mb"], MEMORY_MB, "MB"))
    for name in ("minutes pdf", "ward summary pdf"):
        build = report["celery"][name]
        peak = build["peak_mb"] if build["state"] == "ready" else None  # a failed build measured nothing real
        found.append(target(f"Celery worker building the {name}: peak memory", peak, CELERY_MB, "MB"))
    return found


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
    machine, settings = report["machine"], report["settings"]
    if report["smoke"]:
        title = "# Benchmark smoke run (small city-scale data sets: a check that every step runs, not a measurement)"
    else:
        title = "# Benchmark at province scale"
    levels = ", ".join(
        f"{lv['requests']} requests a page at concurrency {lv['concurrency']}" for lv in report["levels"]
    )
    lines = [
        title,
        "",
        f"{report['date']} · {machine['cpus']} CPUs · {machine['platform']} · Python {machine['python']} · "
        f"gunicorn {settings['gunicorn_workers']} workers, cache and broker in Redis · {levels} · "
        f"the run took {report['duration_seconds']:.0f} s",
        "",
    ]
    for slot, seed in report["seed"].items():
        how = "reused" if seed["reused"] else f"built in {seed['seconds']} s"
        months = seed.get("months", settings["months"])
        lines.append(f"- {slot} data set ({seed['scale']} scale, {months} month{'s' if months != 1 else ''}): {how}")
    lines.append("")
    for level in report["levels"]:
        lines += level_markdown(level, report["queries"])
    lines += history_markdown(report)
    lines += rebuilt_markdown(report)
    lines += jobs_markdown(report)
    lines += ["| target | value | limit | met |", "| --- | ---: | ---: | :---: |"]
    for t in report["targets"]:
        met = "yes" if t["met"] else "NO"
        lines.append(f"| {t['name']} | {t['value']} {t['unit']} | {t['limit']} {t['unit']} | {met} |")
    missed = sum(not t["met"] for t in report["targets"])
    lines += ["", "Every target met." if report["all_met"] else f"{missed} targets are not met (NO above).", ""]
    return "\n".join(lines)


def level_markdown(level: dict[str, Any], queries: dict[str, Any]) -> list[str]:
    floor, c = level["floor"], level["concurrency"]
    lines = [
        f"## Concurrency {c}",
        "",
        f"{level['requests']} requests per page. The floor (`accounts/ping/`, a logged-in page that does nothing) was "
        f"sampled {floor['samples']} times, {floor['requests_per_sample']} requests each, before the first page and "
        f"after every page. Median of the samples' medians {floor['median_ms']} ms, lowest {floor['min_ms']} ms, "
        f'highest {floor["max_ms"]} ms (highest / lowest {floor["max_over_min"]}). Each page\'s "× floor" divides '
        'its median by the floor measured just before and just after it ("floor ms"); the floor\'s own row pools '
        "every sample.",
        "",
        "| page | median ms | p95 ms | req/s | floor ms | × floor | queries (city) | queries (province) | "
        "queries (2× history) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in level["pages"]:
        counts = queries[row["page"]]
        lines.append(
            f"| {row['page']} | {row['median_ms']} | {row['p95_ms']} | {row['rps']} | {row['floor_ms']} | "
            f"{row['floor_ratio']} | {counts['city']} | {counts['province']} | {counts['double']} |"
        )
    return [*lines, ""]


def rebuilt_markdown(report: dict[str, Any]) -> list[str]:
    """What a page costs when what is cached of it must be built again (after a write under its organisation)."""
    lines = [
        "## After a write: each page built again",
        "",
        "In process on the province data set (no HTTP, one request at a time, median of 5): each page served from "
        "what is cached, then right after a write under every organisation (every token renewed, so every part of "
        "the page and, for the dashboards, every row is computed again), with its queries then.",
        "",
        "| page | cached ms | rebuilt ms | queries, rebuilt |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, row in report["rebuilt"].items():
        lines.append(f"| {name} | {row['warm_ms']} | {row['rebuilt_ms']} | {row['rebuilt_queries']} |")
    return [*lines, ""]


def history_markdown(report: dict[str, Any]) -> list[str]:
    months = report["settings"]["data_sets"]
    usual, double = months["province"]["months"], months["double"]["months"]
    c = report["levels"][0]["concurrency"]
    lines = [
        f"## {usual} months against {double} months of history",
        "",
        f"At concurrency {c}, each page was loaded on the {double}-month data set right after the {usual}-month one, "
        f"then on the {usual}-month one again; the ratio divides the {double}-month median by the mean of the two "
        f"{usual}-month ones.",
        "",
        f"| page | median ms, {usual} months | again | median ms, {double} months | ratio | p95 ms, {usual} | "
        f"p95 ms, {double} |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in report["history"]:
        lines.append(
            f"| {row['page']} | {row['median_ms']} | {row['median_again_ms']} | {row['median_double_ms']} | "
            f"{row['ratio']} | {row['p95_ms']} | {row['p95_double_ms']} |"
        )
    lines += [
        "",
        "## First request after the web workers are replaced",
        "",
        f"{RESTART_SAMPLES} times a page: SIGHUP to gunicorn (new workers, the old ones stopped); once every worker "
        "is new and idle for a second, one request of the page from a new load process. The ratio divides the median "
        f"of those first requests by the median of {RESTART_SAMPLES} requests sent the same way to the warm workers "
        f"after the load; the warm median under load (concurrency {c}) is beside them.",
        "",
        "| page | workers ready after s | first requests ms | first, median ms | one request, warm ms | ratio "
        f"| warm median at concurrency {c} ms |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for row in report["restart"]:
        firsts = ", ".join(str(round(value, 2)) for value in row["firsts_ms"])
        lines.append(
            f"| {row['page']} | {row['workers_ready_seconds']} | {firsts} | {row['first_ms']} | "
            f"{row['warm_single_ms']} | {row['ratio']} | {row['warm_median_ms']} |"
        )
    return [*lines, ""]


def jobs_markdown(report: dict[str, Any]) -> list[str]:
    lines = ["## Jobs", "", "| job | seconds | limit |", "| --- | ---: | ---: |"]
    lines += [f"| {name} | {value} | {JOB_LIMITS.get(name, '—')} |" for name, value in report["jobs_seconds"].items()]
    celery = report["celery"]
    lines += [
        "",
        "A Celery worker (prefork, one child, the broker in Redis, the cache emptied first) builds the PDFs from the "
        f"tasks the app queues, one after the other; its child used {celery['worker_start_mb']} MB before the first.",
        "",
        "| task | outcome | seconds from queueing | memory before MB | peak MB | peak since |",
        "| --- | --- | ---: | ---: | ---: | --- |",
    ]
    for name in ("minutes pdf", "ward summary pdf"):
        build = celery[name]
        lines.append(
            f"| {name} | {build['state']} | {build['seconds']} | {build['rss_before_mb']} | {build['peak_mb']} | "
            f"{build['peak_since']} |"
        )
    memory = report["memory"]
    lines += ["", f"Web worker memory after the load: {memory['rss_mb']} MB (peak {memory['peak_mb']} MB).", ""]
    return lines


if __name__ == "__main__":
    sys.exit(main())
