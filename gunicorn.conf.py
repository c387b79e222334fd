"""gunicorn's settings, from the environment (docker-compose.yml and .env.example name them).

GUNICORN_BIND        address to listen on (0.0.0.0:8000)
GUNICORN_WORKERS     worker processes (2 × CPUs + 1, at most 8)
GUNICORN_THREADS     threads per worker (1)
GUNICORN_TIMEOUT     seconds before a stuck worker is restarted (60)
GUNICORN_MAX_REQUESTS a worker is replaced after this many requests, against slow leaks (1000; 0 = never)
GUNICORN_PRELOAD     load and warm the app once in the master before the workers are forked (true)
FORWARDED_ALLOW_IPS  proxies whose X-Forwarded-* headers are believed (127.0.0.1)
LOG_FORMAT           json (one object a line) or plain; json unless DEBUG=true
"""

import contextlib
import gc
import logging
import multiprocessing
import os
from pathlib import Path
from typing import Any

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS") or min(2 * multiprocessing.cpu_count() + 1, 8))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = max_requests // 10
# A new worker, also one that replaces another after max_requests, serves its first request nearly as fast as any
# other: the app is loaded once in the master and warmed there (``when_ready``), and every worker is forked from it.
# Nothing the master opens may be shared by the workers: it closes its database connections before forking, and
# each worker opens its own, and the cache's, before it takes a request (``post_worker_init``). With the app
# preloaded, a code change needs a restart of gunicorn (SIGHUP reloads the workers from the master's copy).
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").strip().lower() in {"true", "1", "yes", "on"}
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = "-"
errorlog = "-"
# The private calendar feed's token is masked in the access log.
logger_class = "chibo.lib.logs.AccessLogger"

_debug = os.environ.get("DEBUG", "false").strip().lower() in {"true", "1", "yes", "on"}
if os.environ.get("LOG_FORMAT", "plain" if _debug else "json") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "chibo.lib.logs.JsonFormatter"}},
        "handlers": {
            "stdout": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
            "stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
        },
        "loggers": {
            "gunicorn.error": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "gunicorn.access": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        },
        "root": {"handlers": ["stderr"], "level": "INFO"},
    }


_log = logging.getLogger("gunicorn.error")
_TEMPLATE_SUFFIXES = {".html", ".txt", ".xml"}


def warm_app() -> None:
    """Do once what a process otherwise does on its first requests: resolve the URL patterns (importing every
    view) and build their reverse lookups, load the message catalogues and date formats of every language, compile
    the project's templates, import what a request imports late (the context processors, the cache, message and
    session back ends) and build every model's relations. Opens no connection that outlives it."""
    from django.apps import apps
    from django.conf import settings
    from django.conf.urls.i18n import is_language_prefix_patterns_used
    from django.db import connections
    from django.template import engines
    from django.urls import get_resolver
    from django.utils import formats, translation
    from django.utils.module_loading import import_string

    from chibo.lib.parts import release
    from chibo.lib.prepared import Prepared

    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 (imports every URL module and view)
    is_language_prefix_patterns_used(settings.ROOT_URLCONF)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Dashboard")
            formats.get_format("DATE_FORMAT")
            _reverse_lookups(resolver)
    engine = engines["django"]
    for folder in (Path(d) for config in settings.TEMPLATES for d in config.get("DIRS", [])):
        for file in sorted(folder.rglob("*")):
            if file.suffix in _TEMPLATE_SUFFIXES:
                engine.get_template(file.relative_to(folder).as_posix())
    engine.engine.template_context_processors  # noqa: B018 (imports them)
    for name in (settings.CACHES["default"]["BACKEND"], settings.MESSAGE_STORAGE, settings.SESSION_SERIALIZER):
        import_string(name)
    for model in apps.get_models():
        model._meta.get_fields()
    release()  # the digest of the code that keys the cached page parts: reading every file takes ~50 ms
    Prepared.compile_all()
    _cache_clients()
    connections.close_all()


def _cache_clients() -> None:
    """Import each cache's client library (redis: ~0.2 s) and make its client, which connects only when used."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    for alias in caches:
        cache = caches[alias]
        if isinstance(cache, RedisCache):
            cache._cache  # noqa: B018 (Django makes the client on first use; it opens no connection yet)


def _reverse_lookups(resolver: Any, namespace: str = "") -> None:
    """Build the reverse lookups of the URL names under a resolver, namespace by namespace: Django builds them on
    the first ``reverse()`` of a name in each namespace, for each language."""
    from django.urls import NoReverseMatch, reverse

    names = [key for key in resolver.reverse_dict if isinstance(key, str)]
    if names:
        # A name that takes arguments does not reverse without them: its namespace's lookups are built all the same.
        with contextlib.suppress(NoReverseMatch):
            reverse(namespace + names[0])
    for name, (_prefix, inner) in resolver.namespace_dict.items():
        _reverse_lookups(inner, f"{namespace}{name}:")


def warm_worker(app: Any) -> None:
    """In a new worker, before it takes a request: open its own database and cache connections, prepare the
    prepared reads in its database session, answer the health check and the login page once, then serve the pages
    a secretary lives on to a stand-in (``chibo/warmup.py``): the first pass through the middleware, the session,
    the cache, the views and the templates costs a new process three to four times what it costs later."""
    from django.core.cache import caches
    from django.db import connection
    from django.urls import reverse

    from chibo.lib.prepared import Prepared
    from chibo.warmup import rehearse, serve

    connection.ensure_connection()
    for alias in caches:
        caches[alias].get("chibo:warm-up")  # opens the worker's own connection to the cache
    Prepared.prepare_all()
    for path in (reverse("healthz"), reverse("login")):
        serve(app, path)
    served = rehearse(app)
    _log.info("worker warmed up: %s", ", ".join(f"{path} {status}" for path, status in served.items()) or "no pages")


def when_ready(server: Any) -> None:
    if not preload_app:
        return
    try:
        warm_app()
    except Exception:  # a failed warm-up costs the first requests some time, it must not stop the server
        _log.warning("warming the app up failed", exc_info=True)
    # What the master holds now is shared by every worker: kept out of the garbage collector's reach, so that a
    # worker's collections neither walk it nor copy its pages.
    gc.freeze()


def post_worker_init(worker: Any) -> None:
    if threads > 1:
        return  # a connection belongs to its thread: the threads that serve the requests open their own
    try:
        warm_worker(worker.wsgi)
    except Exception:  # the first request opens what is missing (a database that is down answers 503 there)
        _log.warning("warming the worker up failed", exc_info=True)
