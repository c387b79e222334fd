"""A new web worker's rehearsal: before it takes its first request, it serves the pages a secretary lives on.

A worker forked from the warmed master (``gunicorn.conf.py``) still serves its first signed-in pages three to four
times slower than the next ones: every step of the request runs for the first time in that process (the
interpreter specialises the code as it runs it, the process copies the master's memory it writes to, the new
database session reads the catalogue of every table it touches and plans the prepared reads). Serving those pages
once, to a stand-in, pays for all of it before a user waits.

The stand-in is the first active cell secretary whose account needs no second sign-in step. The rehearsal runs in
one database transaction that is rolled back: its session, and whatever a page records (a look at a member's
personal data), are never written. Nothing leaves the process but page parts kept in the cache, as any visit
would keep them. Without such an account (an empty database) there is nothing to rehearse.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import sys
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.contrib.sessions.backends.base import SessionBase
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.urls import reverse

from accounts.two_factor import must_use
from members.models import Organisation, Role
from resolutions.models import Resolution

# How many secretaries are looked at to find one free of the second step (one query each).
_CANDIDATES = 10

Application = Callable[[dict[str, Any], Callable[..., Any]], Any]


def environ(path: str, cookie: str = "") -> dict[str, Any]:
    """A GET of ``path`` as gunicorn hands it to the application, over HTTPS to the first allowed host."""
    host = next((h.lstrip(".") for h in settings.ALLOWED_HOSTS if h.lstrip(".") and h != "*"), "localhost")
    secure = dict([settings.SECURE_PROXY_SSL_HEADER]) if settings.SECURE_PROXY_SSL_HEADER else {}
    path, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": host,
        "SERVER_PORT": "443",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": host,
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        **({"HTTP_COOKIE": cookie} if cookie else {}),
        **secure,
    }


def serve(app: Application, path: str, cookie: str = "") -> tuple[int, str]:
    """Serve one GET through the whole application; its status and where it sends on to (a redirect's address)."""
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        answer["status"], answer["headers"] = int(status.split()[0]), dict(headers)

    response = app(environ(path, cookie), start_response)
    try:
        b"".join(response)
    finally:
        response.close()
    return answer["status"], answer["headers"].get("Location", "")


def stand_in() -> Role | None:
    """The role of the first active cell secretary who signs in without a second step, or None."""
    roles = (
        Role.objects.filter(kind=Role.Kind.SECRETARY, organisation__kind=Organisation.Kind.CELL, user__is_active=True)
        .select_related("user", "organisation")
        .order_by("pk")[:_CANDIDATES]
    )
    return next((role for role in roles if not must_use(role.user)), None)


def pages(role: Role) -> list[str]:
    """What the secretary opens in a day: the home page, the cell, its latest resolution, their own tasks, their
    dashboard (through the address that leads there) and those of the organisations above the cell (a ward's and
    a province's, with the secretary's cell alone on them)."""
    cell = role.organisation
    assert cell is not None  # a cell secretary's role
    latest = Resolution.objects.filter(cell=cell).order_by("-pk").values_list("pk", flat=True).first()
    above = (
        Organisation.objects.filter(path__in=cell.ancestor_paths()[:-1]).order_by("-path").values_list("pk", flat=True)
    )
    return [
        reverse("home"),
        reverse("members:org-detail", args=[cell.pk]),
        *([reverse("resolutions:resolution-detail", args=[latest])] if latest else []),
        reverse("resolutions:my-tasks"),
        reverse("dashboards:dashboard-home"),
        *(reverse("dashboards:dashboard", args=[pk]) for pk in above),
    ]


def rehearse(app: Application) -> dict[str, int]:
    """Serve the stand-in's pages once, following a redirect once; each address served and its status. Writes
    nothing to the database."""
    served: dict[str, int] = {}
    with _connections_kept(), transaction.atomic():
        role = stand_in()
        if role is not None:
            session = _session(role)
            try:
                cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
                for path in pages(role):
                    status, onward = serve(app, path, cookie)
                    served[path] = status
                    if status in (301, 302) and onward.startswith("/") and onward not in served:
                        served[onward] = serve(app, onward, cookie)[0]
            finally:
                session.delete()  # from wherever the session engine keeps it (the rollback undoes the database)
        transaction.set_rollback(True)
    return served


def _session(role: Role) -> SessionBase:
    """A signed-in session of the stand-in, as the login page would open it (inside the rolled-back transaction)."""
    user = role.user
    session: SessionBase = importlib.import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = next(
        path for path in settings.AUTHENTICATION_BACKENDS if hasattr(load_backend(path), "get_user")
    )
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session


@contextlib.contextmanager
def _connections_kept() -> Iterator[None]:
    """Django closes a connection at the start and end of a request when it is in a transaction: the rehearsal's
    requests run inside the one it rolls back (as the test client's do)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
