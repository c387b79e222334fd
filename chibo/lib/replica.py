"""Reads that may be served by a PostgreSQL read replica, when ``DATABASE_REPLICA_URL`` gives one.

Only reads marked for it go to the ``replica`` alias: the dashboards' pages, their Excel export and the summary
report's pages (``@replica_view``), or any code inside ``with reads_from_replica():``. Everything else, every write
and every read inside a transaction, goes to ``default``. Without ``DATABASE_REPLICA_URL`` neither the router nor
the middleware is installed and nothing changes.

A marked read still goes to the primary when:

- the user wrote a moment ago (read-your-own-writes): a request with an unsafe method (POST, PUT, PATCH, DELETE)
  answered without a server error sets a signed cookie that keeps that browser's reads on the primary for
  ``REPLICA_PIN_SECONDS`` (``PrimaryAfterWriteMiddleware``);
- the replica does not answer (down, refused, past its connect timeout) or replays the primary's changes more than
  ``REPLICA_MAX_LAG_SECONDS`` late. The check is one query, remembered for ``REPLICA_CHECK_SECONDS`` in each
  process (``REPLICA_RETRY_SECONDS`` once it was found down: asking a host that does not answer costs a whole
  connect timeout); a change of state is logged once, as a warning when the replica is left aside;
- a query on the replica fails in the middle of a page: the page is read again from the primary. The replica
  never makes a page fail.

The lag: a standby that has replayed everything it received (``pg_last_wal_receive_lsn() =
pg_last_wal_replay_lsn()``) is not late, however old its last replayed transaction (an idle primary sends
nothing); otherwise it is as late as the age of the last transaction it replayed.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import Error, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponseBase

DEFAULT = "default"
REPLICA = "replica"
COOKIE = "chibo_primary"
_SALT = "chibo.lib.replica.pin"
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

logger = logging.getLogger(__name__)

# The lag of the replica in seconds: 0 when it replayed all it received; NULL when it never replayed anything and
# is behind (unknown, so too late).
LAG_SQL = (
    "SELECT CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0"
    " ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"
)


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def configured() -> bool:
    return REPLICA in settings.DATABASES


# ---------------------------------------------------------------------------------------------------
# Is the replica fit to read from? One check per REPLICA_CHECK_SECONDS and process.
# ---------------------------------------------------------------------------------------------------


@dataclass
class _Health:
    state: str = "unknown"  # "ok", "lagging", "down"
    checked_at: float = float("-inf")
    detail: str = ""


_health = _Health()
_lock = threading.Lock()


def _probe() -> tuple[str, str]:
    connection = connections[REPLICA]
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(LAG_SQL)
                row = cursor.fetchone()
                lag = None if row is None or row[0] is None else float(row[0])
            else:
                cursor.execute("SELECT 1")
                lag = 0.0
    except Error as exc:
        with contextlib.suppress(Error):
            connection.close()
        return "down", str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    limit = _setting("REPLICA_MAX_LAG_SECONDS", 10)
    if lag is None or lag > limit:
        shown = "unknown" if lag is None else f"{lag:.1f} s"
        return "lagging", f"replays {shown} late, more than {limit:g} s"
    return "ok", ""


def _record(state: str, detail: str, now: float) -> None:
    """Keep the outcome; log when the state changes (a warning when the replica is left aside)."""
    previous = _health.state
    _health.state, _health.detail, _health.checked_at = state, detail, now
    if state == previous:
        return
    if state == "ok":
        if previous != "unknown":
            logger.info("Read replica is back: marked reads go to it again")
    else:
        logger.warning("Read replica %s (%s): marked reads go to the primary", state, detail)


def replica_state() -> str:
    """``ok``, ``lagging`` or ``down``, checked again when the last check is older than REPLICA_CHECK_SECONDS
    (REPLICA_RETRY_SECONDS when it was down)."""
    with _lock:
        now = time.monotonic()
        every = _setting("REPLICA_CHECK_SECONDS", 2)
        if _health.state == "down":
            # A replica that does not answer may cost a whole connect timeout to ask: asked less often.
            every = max(every, _setting("REPLICA_RETRY_SECONDS", 30))
        if now - _health.checked_at >= every:
            state, detail = _probe()
            _record(state, detail, time.monotonic())
        return _health.state


def mark_down(exc: BaseException) -> None:
    """A query on the replica failed: leave it aside until the next check is due."""
    with _lock:
        with contextlib.suppress(Error):
            connections[REPLICA].close()
        _record("down", str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__, time.monotonic())


def forget() -> None:
    """Check again at the next marked read (tests; a deploy that changes the replica)."""
    with _lock:
        _health.checked_at = float("-inf")


# ---------------------------------------------------------------------------------------------------
# Marking reads, and the router
# ---------------------------------------------------------------------------------------------------


@dataclass
class Scope:
    """One marked stretch of code: ``replica`` says whether its reads go to the replica; ``used`` whether one did."""

    replica: bool
    used: bool = False


_scope: ContextVar[Scope | None] = ContextVar("chibo_replica_scope", default=None)
_pinned: ContextVar[bool] = ContextVar("chibo_replica_pinned", default=False)


def _may_use_replica() -> bool:
    if not configured() or _pinned.get() or connections[DEFAULT].in_atomic_block:
        return False
    return replica_state() == "ok"


@contextlib.contextmanager
def reads_from_replica() -> Iterator[Scope]:
    """The reads inside go to the replica, when it is configured, fit, and the user has not just written."""
    scope = Scope(replica=_may_use_replica())
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)


@contextlib.contextmanager
def reads_from_primary() -> Iterator[None]:
    """Every read inside goes to the primary, marked or not (a request after a write)."""
    token = _pinned.set(True)
    try:
        yield
    finally:
        _pinned.reset(token)


View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def replica_view(view: View) -> View:
    """A page whose reads may come from the replica. The view must only read (as every view here does): when a
    query on the replica fails, the view runs again on the primary."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with reads_from_replica() as scope:
            if not scope.replica:
                return view(request, *args, **kwargs)
            try:
                return view(request, *args, **kwargs)
            except Error as exc:
                if not scope.used:
                    raise
                mark_down(exc)
        return view(request, *args, **kwargs)

    return wrapped  # type: ignore[return-value]  # functools.wraps keeps the view's signature, not its type


class ReplicaRouter:
    """Marked reads to the replica; everything else, writes and migrations to the primary."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        scope = _scope.get()
        if scope is not None and scope.replica:
            scope.used = True
            return REPLICA
        # Said explicitly: left to Django, a read through an object loaded from the replica would follow it there.
        return DEFAULT

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return DEFAULT

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        return True  # the same rows on both

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT


class PrimaryAfterWriteMiddleware:
    """Read-your-own-writes: after a write, this browser's reads stay on the primary for REPLICA_PIN_SECONDS."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        seconds = int(_setting("REPLICA_PIN_SECONDS", 5))
        pinned = seconds > 0 and request.get_signed_cookie(COOKIE, default=None, salt=_SALT, max_age=seconds)
        token = _pinned.set(bool(pinned))
        try:
            response = self.get_response(request)
        finally:
            _pinned.reset(token)
        if seconds > 0 and request.method in _UNSAFE and response.status_code < 500:
            response.set_signed_cookie(
                COOKIE,
                "1",
                salt=_SALT,
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
