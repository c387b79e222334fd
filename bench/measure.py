"""The parts of the benchmark that run inside Django, one phase per call; each prints one JSON object.

    DATABASE_URL=postgres://... python bench/measure.py prepare --scale province
    DATABASE_URL=postgres://... python bench/measure.py pages
    DATABASE_URL=postgres://... python bench/measure.py queries
    DATABASE_URL=postgres://... python bench/measure.py sessions
    DATABASE_URL=postgres://... python bench/measure.py jobs
    DATABASE_URL=postgres://... REDIS_URL=redis://... python bench/measure.py celery --worker-pid 1234

``bench/run.py`` calls these in order, after it has migrated the databases, collected the static files and
compiled the catalogues (the city scale, the province scale and the province with twice the history live in three
databases, as the demo accounts of one scale are named like those of the other), and serves the app with gunicorn
in between. ``celery`` queues the minutes and the ward summary PDF builds to the Celery worker ``run.py`` started
(through the broker ``REDIS_URL`` names) and reads that worker's memory while it builds them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from django.db.models import Model, QuerySet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chibo.settings")


class Rollback(Exception):
    """Raised to undo what a timed job wrote, so that every run of the benchmark measures the same work."""


def _setup() -> None:
    import django

    django.setup()


_Row = TypeVar("_Row", bound="Model")


def _first(queryset: QuerySet[_Row]) -> _Row:
    """The queryset's first row: the data sets always have one."""
    row = queryset.first()
    if row is None:
        raise LookupError(f"the data set has no {queryset.model.__name__} here")
    return row


def _timed(job: Callable[[], Any], *, repeat: int = 1, rollback: bool = False) -> float:
    """The median wall time of ``job`` in seconds; with ``rollback`` each run is undone."""
    from django.db import transaction

    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        if rollback:
            try:
                with transaction.atomic():
                    job()
                    times.append(time.perf_counter() - started)
                    raise Rollback
            except Rollback:
                pass
        else:
            job()
            times.append(time.perf_counter() - started)
    return statistics.median(times)


# ---------------------------------------------------------------------------------------------------
# prepare: the data set
# ---------------------------------------------------------------------------------------------------


def prepare(scale: str, months: int) -> dict[str, Any]:
    """Seed the demo of ``scale`` unless it is there (the database is migrated already)."""
    from django.core.management import call_command

    from demo.members import SCALES, demo_root

    if demo_root(SCALES[scale]) is not None:
        return {"scale": scale, "reused": True, "seconds": None}
    started = time.perf_counter()
    call_command("seed_demo", scale=scale, months=months, verbosity=0)
    seconds = round(time.perf_counter() - started, 1)
    # The planner's statistics, as autovacuum would have them a minute after a bulk load like this one.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {"scale": scale, "reused": False, "seconds": seconds}


# ---------------------------------------------------------------------------------------------------
# pages: which URL, as whom
# ---------------------------------------------------------------------------------------------------


def pages() -> list[dict[str, Any]]:
    """The measured pages of this database's demo, each with the account that opens it.

    The same choice at every scale: the root organisation's dashboard as the administrator, the first ward's as
    its standing committee, the first cell of that ward (its page, its current resolution, "my tasks" and the
    floor) as its secretary, and the member search over the ward as its standing committee. Then the pages a
    secretary lives on, as the cell's secretary: the home page, the cell's latest held meeting and its attendance,
    the cell's draft resolution with the most tasks (its edit page) and the cell's evaluation of the latest year;
    the change history of the ward's busiest resolution, as the ward's standing committee;
    the member search over the whole province, as the administrator; and the page of the ward's first adopted
    committee document over its cells, as the ward's standing committee."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.urls import reverse

    from members.models import Organisation, Role
    from resolutions.models import Resolution, Task

    root = Organisation.objects.get(depth=1)
    ward = _first(Organisation.objects.get_children(root))
    cell = _first(Organisation.objects.cells().filter(path__startswith=ward.path).order_by("path"))
    users = get_user_model().objects
    admin = _first(users.filter(roles__kind=Role.Kind.ADMIN).order_by("pk"))
    standing = _first(users.filter(roles__kind=Role.Kind.STANDING, roles__organisation=ward).order_by("pk"))
    secretary = _first(users.filter(roles__kind=Role.Kind.SECRETARY, roles__organisation=cell).order_by("pk"))
    resolution = _first(
        Resolution.objects.filter(cell=cell, status__in=Resolution.LIVE).order_by("-period_start", "-seq")
    )
    # "My tasks" of the account whose member leads the most tasks in force: the longest list a member sees.
    busiest = (
        Task.objects.filter(resolution__status__in=Resolution.LIVE, lead_member__user__isnull=False)
        .values("lead_member__user")
        .order_by()
        .annotate(n=Count("pk"))
        .order_by("-n", "lead_member__user")
        .first()
    )
    member_user = users.get(pk=busiest["lead_member__user"]) if busiest else secretary
    secretary_pages = _secretary_pages(cell)
    # The ward's first adopted committee document, over its cells.
    document = _first(
        Resolution.objects.filter(cell=ward, status__in=Resolution.CARRIED_OUT).order_by("period_start", "pk")
    )
    return [
        {"name": "login", "url": reverse("login"), "user": None},
        {"name": "floor", "url": reverse("ping"), "user": secretary.username},
        {"name": "ward dashboard", "url": reverse("dashboards:dashboard", args=[ward.pk]), "user": standing.username},
        {"name": "province dashboard", "url": reverse("dashboards:dashboard", args=[root.pk]), "user": admin.username},
        {"name": "cell page", "url": reverse("members:org-detail", args=[cell.pk]), "user": secretary.username},
        {
            "name": "resolution page",
            "url": reverse("resolutions:resolution-detail", args=[resolution.pk]),
            "user": secretary.username,
        },
        {"name": "my tasks", "url": reverse("resolutions:my-tasks"), "user": member_user.username},
        {"name": "member search", "url": reverse("members:member-list") + "?q=nguyen+van", "user": standing.username},
        {
            "name": "member search, whole province",
            "url": reverse("members:member-list") + "?q=nguyen+van",
            "user": admin.username,
        },
        {"name": "home", "url": reverse("home"), "user": secretary.username},
        *({**page, "user": secretary.username} for page in secretary_pages),
        {
            "name": "resolution history",
            "url": reverse("history:resolution-history", args=[_busiest_history(ward)]),
            "user": standing.username,
        },
        {
            "name": "document cells",
            "url": reverse("dashboards:document-cells", args=[document.pk]),
            "user": standing.username,
        },
    ]


def _secretary_pages(cell: Any) -> list[dict[str, str]]:
    """The cell's meeting page and its attendance (its latest held meeting whose minutes are not approved yet, as
    attendance is open then), its draft's edit page (the draft with the most tasks) and its evaluation page."""
    from django.db.models import Count
    from django.urls import reverse

    from evaluations.models import EvaluationCycle
    from meetings.models import Meeting
    from resolutions.models import Resolution

    meetings = Meeting.objects.filter(cell=cell).order_by("-date", "-pk")
    meeting = meetings.filter(status=Meeting.Status.HELD).first() or _first(
        meetings.filter(status=Meeting.Status.PLANNED)
    )
    draft = _first(
        Resolution.objects.filter(cell=cell, status__in=Resolution.EDITABLE)
        .annotate(n=Count("tasks"))
        .order_by("-n", "-period_start", "-pk")
    )
    cycle = _first(EvaluationCycle.objects.filter(cell=cell).order_by("-year"))
    return [
        {"name": "meeting page", "url": reverse("meetings:meeting-detail", args=[meeting.pk])},
        {"name": "attendance", "url": reverse("meetings:meeting-attendance", args=[meeting.pk])},
        {"name": "draft edit", "url": reverse("resolutions:resolution-edit", args=[draft.pk])},
        {"name": "evaluation", "url": reverse("evaluations:cycle-detail", args=[cycle.pk])},
    ]


def _busiest_history(ward: Any) -> int:
    """The id of the ward's resolution with the most rows on its change history page (every history table the
    page reads, ``chibo.lib.history.KINDS``), then with the most tasks (the demo is seeded with history off, so
    its own rows have none: the largest resolution stands for the busiest), then the lowest id."""
    from collections import Counter

    from django.db.models import Count

    from chibo.lib.history import KINDS
    from resolutions.models import Resolution

    tasks = dict(
        Resolution.objects.filter(cell__path__startswith=ward.path).annotate(n=Count("tasks")).values_list("pk", "n")
    )
    rows: Counter[int] = Counter()
    for source in KINDS["resolution"].sources:
        history = source.model.history.model  # type: ignore[attr-defined]  # simple-history's manager, unknown to the checker
        counts = (
            history.objects.filter(**{f"{source.lookup}__in": list(tasks)})
            .values(source.lookup)
            .order_by()
            .annotate(n=Count("pk"))
        )
        for count in counts:
            rows[count[source.lookup]] += count["n"]
    return min(tasks, key=lambda pk: (-rows[pk], -tasks[pk], pk))


# ---------------------------------------------------------------------------------------------------
# queries: how many SQL queries each page runs
# ---------------------------------------------------------------------------------------------------


def queries() -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    counts: dict[str, Any] = {}
    for page in pages():
        client = Client(HTTP_ACCEPT_LANGUAGE="vi")
        if page["user"]:
            client.force_login(get_user_model().objects.get(username=page["user"]))
        client.get(page["url"])  # warm: the first request of a process fills caches the others reuse
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page["url"])
        counts[page["name"]] = {"queries": len(captured), "status": response.status_code, **_rebuilt(client, page)}
    return counts


def _rebuilt(client: Any, page: dict[str, Any], repeat: int = 5) -> dict[str, Any]:
    """The page served from what is cached (warm) against the page right after a write under every organisation
    (every token renewed: what is cached of the page is built again), in process: median ms of ``repeat``
    requests each, and the queries of the rebuilt page."""
    import uuid

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from members.models import OrganisationVersion

    def timed() -> float:
        started = time.perf_counter()
        client.get(page["url"])
        return (time.perf_counter() - started) * 1000

    warm = [timed() for _ in range(repeat)]
    rebuilt = []
    for _ in range(repeat):
        OrganisationVersion.objects.update(token=uuid.uuid4().hex)
        rebuilt.append(timed())
    OrganisationVersion.objects.update(token=uuid.uuid4().hex)
    with CaptureQueriesContext(connection) as captured:
        client.get(page["url"])
    return {
        "warm_ms": round(statistics.median(warm), 2),
        "rebuilt_ms": round(statistics.median(rebuilt), 2),
        "rebuilt_queries": len(captured),
    }


def sessions() -> dict[str, str]:
    """A logged-in session cookie for every account the pages use (the load generator sends it as is)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    cookies = {}
    for username in sorted({page["user"] for page in pages() if page["user"]}):
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        cookies[username] = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return cookies


# ---------------------------------------------------------------------------------------------------
# jobs: documents, the reminder sweep, the import
# ---------------------------------------------------------------------------------------------------


def jobs() -> dict[str, Any]:
    from django.core.cache import cache

    from dashboards.dashboard import dashboard
    from dashboards.exports import render_summary_pdf
    from meetings.documents import render_minutes_pdf
    from meetings.models import Meeting
    from members.models import Organisation, today
    from notifications.reminders import sweep

    day = today()
    root = Organisation.objects.get(depth=1)
    ward = _first(Organisation.objects.get_children(root))
    meeting = _first(
        Meeting.objects.filter(cell__path__startswith=ward.path)
        .filter(status__in=(Meeting.Status.HELD, Meeting.Status.APPROVED))
        .order_by("-date")
    )
    results: dict[str, Any] = {
        "minutes pdf": _timed(lambda: render_minutes_pdf(meeting), repeat=5),
        "ward summary pdf": _timed(lambda: render_summary_pdf(ward, day), repeat=3),
        "province reminder sweep": _timed(lambda: sweep(day), rollback=True),
    }

    def cold(org: Any) -> Callable[[], Any]:
        """The dashboard computed with nothing cached: what the first reader after a write waits for."""

        def job() -> None:
            cache.clear()
            dashboard(org, day)

        return job

    results["ward dashboard, cache empty"] = _timed(cold(ward), repeat=5)
    results["province dashboard, cache empty"] = _timed(cold(root), repeat=3)
    importer = _import_job(ward)
    if importer is not None:
        results["import 5,000 rows"] = _timed(importer, rollback=True)
    return {name: round(value, 3) for name, value in results.items()}


def _import_job(ward: Any) -> Callable[[], Any] | None:
    try:
        from members.imports import import_members
    except ImportError:
        return None
    from members.models import Organisation

    cell = Organisation.objects.cells().filter(path__startswith=ward.path).order_by("path").last()
    data = member_workbook(5000)

    def job() -> None:
        result = import_members(cell, io.BytesIO(data), user=None)
        if result.created != 5000:  # the workbook no longer passes the import's checks: say which, briefly
            errors = result.file_errors + [f"row {e.row}, {e.column}: {e.message}" for e in result.errors]
            raise AssertionError(f"{result.created} of 5,000 rows imported; {len(errors)} errors, first: {errors[:3]}")

    return job


def member_workbook(rows: int) -> bytes:
    """A clean .xlsx of ``rows`` new members in the form secretaries keep (the import's Vietnamese headers)."""
    import random

    from openpyxl import Workbook

    from members.imports import COLUMNS
    from members.rules import probation_ends_on

    rng = random.Random(2026)
    families = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Trương", "Bùi", "Đặng"]
    middles = ["Văn", "Thị", "Minh", "Thanh", "Ngọc", "Hữu", "Quốc", "Kim"]
    givens = ["An", "Bình", "Cường", "Dũng", "Hà", "Hạnh", "Hùng", "Lan", "Mai", "Nam", "Phúc", "Tâm", "Thảo"]
    book = Workbook()
    sheet = book.active
    sheet.append([column.header for column in COLUMNS])  # the headers the import reads, in its order
    for n in range(rows):
        born = dt.date(1945, 1, 1) + dt.timedelta(days=4 * n)  # one birthday a row: no two rows are the same person
        admitted = born + dt.timedelta(days=365 * 20 + rng.randrange(365 * 5))
        name = f"{rng.choice(families)} {rng.choice(middles)} {rng.choice(givens)}"
        sheet.append(
            [
                name,
                born.strftime("%d/%m/%Y"),
                rng.choice(["Nam", "Nữ"]),
                admitted.strftime("%d/%m/%Y"),
                probation_ends_on(admitted).strftime("%d/%m/%Y"),  # official as early as the rule allows
                f"Tổ {rng.randrange(1, 12)}",
                f"09{rng.randrange(10**8):08d}",
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------------
# celery: a real worker's memory while it builds the stored PDFs
# ---------------------------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _tree(pid: int) -> list[int]:
    """``pid`` and every process under it."""
    return [pid, *(below for child in _children(pid) for below in _tree(child))]


def _status_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _pool(worker: int) -> list[int]:
    """The Celery worker's pool processes (prefork: its children; the solo pool: the worker itself)."""
    return _children(worker) or [worker]


def _pool_memory(worker: int, field: str) -> float:
    """The largest pool process's ``field`` (VmHWM, VmRSS) with that of the processes it started, in MB."""
    return round(max(sum(_status_mb(pid, field) for pid in _tree(child)) for child in _pool(worker)), 1)


def _reset_peaks(worker: int) -> bool:
    """Start the pool processes' VmHWM again from their present size (``clear_refs`` 5); False where the kernel
    refuses, so that the peak read after a build spans the worker's life until then."""
    try:
        for child in _pool(worker):
            for pid in _tree(child):
                Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def celery_builds(worker: int) -> dict[str, Any]:
    """The minutes PDF and the ward summary PDF, each built by the running Celery worker ``worker`` (pid) through
    the tasks the app queues, one after the other; for each, the pool process's memory before the build and at
    its peak during it (VmHWM, with the processes it started), and the seconds from queueing to the stored file.

    Each build is a real one: the meeting's version is raised first, as an edit does, and the summary report's,
    so neither task finds its stored PDF current. The meeting is the latest held one of the first ward's last cell
    (not the cell whose pages are measured); the report is the first ward's for this month, its number left blank
    (as asked for by hand, so no document number is drawn)."""
    from django.db.models import F

    from dashboards.models import SummaryReport
    from dashboards.tasks import request_summary_pdf
    from meetings.models import Meeting
    from meetings.tasks import request_minutes_pdf
    from members.models import Organisation, today

    day = today()
    ward = _first(Organisation.objects.get_children(Organisation.objects.get(depth=1)))
    cell = _first(Organisation.objects.cells().filter(path__startswith=ward.path).order_by("-path"))
    meeting = _first(
        Meeting.objects.filter(cell=cell, status__in=(Meeting.Status.HELD, Meeting.Status.APPROVED)).order_by("-date")
    )
    ready, failed = Meeting.PdfState.READY, Meeting.PdfState.FAILED

    def minutes() -> Callable[[], str | None]:
        Meeting.objects.filter(pk=meeting.pk).update(version=F("version") + 1)
        request_minutes_pdf(meeting)  # outside a transaction: queued at once
        done = Meeting.objects.filter(pk=meeting.pk, pdf_version=meeting.version, pdf_state__in=(ready, failed))
        return lambda: done.values_list("pdf_state", flat=True).first()

    def summary() -> Callable[[], str | None]:
        SummaryReport.objects.filter(org=ward, month=day.replace(day=1)).update(version=F("version") + 1)
        report, _queued = request_summary_pdf(ward, day, by_hand=True)
        done = SummaryReport.objects.filter(pk=report.pk, pdf_version=report.version, state__in=(ready, failed))
        return lambda: done.values_list("state", flat=True).first()

    from chibo.celery import app

    deadline = time.monotonic() + 60
    while not (_children(worker) and app.control.ping(timeout=0.5)):  # the worker consumes, its pool is up
        if time.monotonic() > deadline:
            raise TimeoutError("the Celery worker did not answer within 60 s")
    results: dict[str, Any] = {"worker_start_mb": _pool_memory(worker, "VmRSS")}
    for name, start in (("minutes pdf", minutes), ("ward summary pdf", summary)):
        reset = _reset_peaks(worker)
        before = _pool_memory(worker, "VmRSS")
        started = time.perf_counter()
        state = start()
        while (outcome := state()) is None:
            if time.perf_counter() - started > 300:
                raise TimeoutError(f"the worker did not build the {name} within 300 s")
            time.sleep(0.1)
        results[name] = {
            "state": outcome,
            "seconds": round(time.perf_counter() - started, 2),
            "rss_before_mb": before,
            "peak_mb": _pool_memory(worker, "VmHWM"),
            "peak_since": "the build's start" if reset else "the worker's start",
        }
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("phase", choices=["prepare", "pages", "queries", "sessions", "jobs", "celery"])
    parser.add_argument("--scale", default="province")
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--worker-pid", type=int, help="celery: the pid of the running Celery worker")
    args = parser.parse_args(argv)
    _setup()
    if args.phase == "prepare":
        result: Any = prepare(args.scale, args.months)
    elif args.phase == "celery":
        if args.worker_pid is None:
            parser.error("celery needs --worker-pid")
        result = celery_builds(args.worker_pid)
    else:
        result = {"pages": pages, "queries": queries, "sessions": sessions, "jobs": jobs}[args.phase]()
    json.dump(result, sys.stdout, default=str)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
