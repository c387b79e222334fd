"""Settings for chibo, read from the environment in one place.

Every value comes from an environment variable (or a ``.env`` file beside ``manage.py``) with a
development default; a malformed value stops the start-up with the variable's name.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import environ
from celery.schedules import crontab
from cryptography.fernet import Fernet
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _env(name: str, cast: Callable[..., Any], default: Any) -> Any:
    """Read one variable and fail loudly, naming it, when it cannot be parsed."""
    try:
        return cast(name, default=default)
    except (ValueError, TypeError, ImproperlyConfigured) as exc:
        raise ImproperlyConfigured(f"Environment variable {name} has an invalid value: {exc}") from exc


_BOOLEANS = {"true": True, "1": True, "yes": True, "on": True, "false": False, "0": False, "no": False, "off": False}


def _strict_bool(name: str, default: bool) -> bool:
    """django-environ reads any unknown word as False; here a typo such as DEBUG=ture is an error."""
    raw = env.str(name, default=str(default)).strip().lower()
    if raw not in _BOOLEANS:
        raise ValueError(f"expected one of {', '.join(_BOOLEANS)}, got {raw!r}")
    return _BOOLEANS[raw]


def _database(name: str, default: str) -> dict[str, object]:
    config = env.db_url(name, default=default)
    if config.get("ENGINE") not in ("django.db.backends.postgresql", "django.db.backends.sqlite3"):
        raise ValueError("use postgres://… or sqlite:///…")
    return config


DEBUG = _env("DEBUG", _strict_bool, False)
SECRET_KEY = _env("SECRET_KEY", env.str, "django-insecure-development-only" if DEBUG else None)
if not SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=true for development).")
ALLOWED_HOSTS = _env("ALLOWED_HOSTS", env.list, ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = _env("CSRF_TRUSTED_ORIGINS", env.list, [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "simple_history",
    "treebeard",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "chibo",
    "accounts",
    "members",
    "resolutions",
    "meetings",
    "notifications",
    "propagandists",
    "inspections",
    "evaluations",
    "dashboards",
    "history",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Compresses what the views answer (after every other middleware has written it); static files come
    # compressed already from whitenoise.
    "chibo.lib.middleware.GZipMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Says whether the session passed the second step of the login (user.is_verified()).
    "django_otp.middleware.OTPMiddleware",
    # Every page needs a login unless its view is marked @login_not_required (asked before the session is read).
    "chibo.lib.middleware.LoginRequiredMiddleware",
    # A session that still owes its second step (a code, or a phone to set up) opens nothing else.
    "accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "chibo.urls"
WSGI_APPLICATION = "chibo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "members.context_processors.access",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# Database: PostgreSQL in production and CI, a SQLite file under var/ by default.
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": _env("DATABASE_URL", _database, f"sqlite:///{VAR_DIR / 'chibo.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# The reads of chibo/lib/prepared.py are prepared once per PostgreSQL session (PREPARE), so that the server plans
# them once: off behind a pooler that hands a session's statements to other clients (PgBouncer in transaction mode
# before 1.21).
_PREPARED_STATEMENTS = _env("DATABASE_PREPARED_STATEMENTS", env.bool, True)
# No JIT compilation: the product's queries last milliseconds, and PostgreSQL compiled the larger ones (a province's
# counts) for longer than they ran (314 ms of a 533 ms query measured at province scale). A prepared read keeps one
# plan for every value: left to choose, PostgreSQL planned the draft edit page's read anew each time (1.9 ms of
# planning for 1.2 ms of work), where the kept plan runs in 0.9 ms. Only the prepared reads are prepared statements.
_SESSION_OPTIONS = "-c jit=off" + (" -c plan_cache_mode=force_generic_plan" if _PREPARED_STATEMENTS else "")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = _env("CONN_MAX_AGE", env.int, 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = _SESSION_OPTIONS
else:
    # SQLite: a transaction takes the write lock when it begins, so that two processes writing at once (two web
    # workers, a worker and Celery) wait for each other, up to the timeout, instead of one failing at once with
    # "database is locked" when both had read first.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A read replica (a PostgreSQL streaming standby of DATABASE_URL), optional: the dashboards' pages, their Excel
# export and the summary report's pages read from it; the rest, and every write, the primary (chibo/lib/replica.py).
# A user who wrote reads from the primary for REPLICA_PIN_SECONDS; a replica down, or replaying more than
# REPLICA_MAX_LAG_SECONDS late, is left aside (checked every REPLICA_CHECK_SECONDS) and the primary answers.
REPLICA_PIN_SECONDS = _env("REPLICA_PIN_SECONDS", env.int, 5)
REPLICA_MAX_LAG_SECONDS = _env("REPLICA_MAX_LAG_SECONDS", env.float, 10.0)
REPLICA_CHECK_SECONDS = 2.0
REPLICA_RETRY_SECONDS = 30.0  # once found down (each try may cost REPLICA_CONNECT_TIMEOUT)
if _env("DATABASE_REPLICA_URL", env.str, ""):
    _replica = _env("DATABASE_REPLICA_URL", _database, None)
    if _replica["ENGINE"] != DATABASES["default"]["ENGINE"]:
        raise ImproperlyConfigured(
            "Environment variable DATABASE_REPLICA_URL has an invalid value: not DATABASE_URL's engine"
        )
    for _key in ("ATOMIC_REQUESTS", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS"):
        if _key in DATABASES["default"]:
            _replica[_key] = DATABASES["default"][_key]
    if _replica["ENGINE"] == "django.db.backends.postgresql":
        # A replica that does not answer is given up quickly (the page then reads from the primary).
        _replica.setdefault("OPTIONS", {}).setdefault("connect_timeout", _env("REPLICA_CONNECT_TIMEOUT", env.int, 2))
        _replica["OPTIONS"]["options"] = _SESSION_OPTIONS  # as the primary
    # Under Django's test runner the replica is the test database itself (the suite's own tests of the replica
    # start a real standby: tests/replica/).
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"] = _replica
    DATABASE_ROUTERS = ["chibo.lib.replica.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.csrf.CsrfViewMiddleware") + 1,
        "chibo.lib.replica.PrimaryAfterWriteMiddleware",
    )

# Redis, when given, is the Celery broker and the cache. Without it Celery uses kombu's filesystem
# transport under var/, so that a worker and beat really run on one machine with no Redis.
REDIS_URL = _env("REDIS_URL", env.str, "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    _queue = VAR_DIR / "celery"
    for _sub in ("queue", "processed", "control"):
        (_queue / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue / "queue"),
        "data_folder_out": str(_queue / "queue"),
        "processed_folder": str(_queue / "processed"),
        # Without it kombu writes its control files into whatever folder the worker was started in.
        "control_folder": str(_queue / "control"),
        "store_processed": False,
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = _env("CELERY_TASK_ALWAYS_EAGER", _strict_bool, False)
# A task is acknowledged after it ran, and given again to a worker when the one running it dies: every task is
# safe to run twice (the delivery row is claimed before sending; a PDF build is conditional on its version).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# No task may hang a worker: a soft limit raises inside the task, the hard one ends its process. Tasks that need
# more or less say so (resolutions/tasks.py: sending 60/90 s, PDFs 240/300 s).
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
# Queueing with the broker down fails after a few quick tries (the row waits for the periodic job instead).
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
# One queue per kind of work, so that a province can give documents, mail and the nightly sweeps machines of
# their own (``celery worker -Q documents``) and a long sweep never holds up an invitation. A worker started
# without -Q consumes every queue below: one machine keeps running everything.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [Queue(name) for name in ("celery", "documents", "mail", "sweeps")]
CELERY_TASK_ROUTES = {
    "resolutions.tasks.build_minutes_pdf": {"queue": "documents"},
    "resolutions.tasks.build_summary_pdf": {"queue": "documents"},
    "resolutions.tasks.send_delivery": {"queue": "mail"},
    "resolutions.tasks.send_daily_digests": {"queue": "mail"},
    "resolutions.tasks.sweep_reminders": {"queue": "sweeps"},
    "members.tasks.apply_retention": {"queue": "sweeps"},
}
# Times are Asia/Ho_Chi_Minh (CELERY_TIMEZONE). Each job also runs by hand: manage.py send_reminders --date.
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # The notifications' jobs (notifications/tasks.py) kept the names they had in resolutions.tasks.
    "reminder-sweep": {"task": "resolutions.tasks.sweep_reminders", "schedule": crontab(hour=7, minute=0)},
    "daily-digests": {"task": "resolutions.tasks.send_daily_digests", "schedule": crontab(hour=18, minute=0)},
    # PDFs, and emails, that a lost message or a dead worker left unfinished (resolutions/background.py).
    "requeue-unfinished-work": {"task": "resolutions.tasks.requeue_unfinished_work", "schedule": crontab(minute="*/5")},
    "requeue-unfinished-emails": {
        "task": "notifications.tasks.requeue_unfinished_emails",
        "schedule": crontab(minute="*/5"),
    },
    # Identifying data of members who left, past the retention period (members/rules.py): manage.py apply_retention.
    "apply-retention": {
        "task": "members.tasks.apply_retention",
        "schedule": crontab(day_of_month=1, hour=2, minute=30),
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: after AXES_FAILURE_LIMIT failed logins in a row a username is locked, whatever address it
# comes from, and so is an address, whatever usernames it tries; both for AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = _env("AXES_FAILURE_LIMIT", env.int, 5)
AXES_COOLOFF_TIME = _env("AXES_COOLOFF_MINUTES", env.int, 15) / 60
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The address is the connection's own, which a client cannot forge. Behind reverse proxies, PROXY_COUNT says
# how many there are, and the address is read from the right of X-Forwarded-For, past the trusted proxies.
PROXY_COUNT = _env("PROXY_COUNT", env.int, 0)
if PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = PROXY_COUNT
    AXES_IPWARE_PROXY_ORDER = "right-most"
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# Two-factor sign-in (accounts/): a code from an authenticator app after the password, for every account that set
# it up. TWO_FACTOR_REQUIRED makes it compulsory for administrators and ward/province roles (accounts/rules.py): on
# unless DEBUG, so a production start has it; `make run` (DEBUG=true) leaves the demo's accounts free of it.
TWO_FACTOR_REQUIRED = _env("TWO_FACTOR_REQUIRED", _strict_bool, not DEBUG)
OTP_TOTP_ISSUER = "chibo"
# After each wrong code the next try waits twice as long (1, 2, 4, 8… seconds), on phones and recovery codes alike.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# The admin shows no secret key nor QR code of a phone.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# A password-reset link works for two hours.
PASSWORD_RESET_TIMEOUT = 2 * 60 * 60

# Sessions end after SESSION_COOKIE_AGE seconds (a working day by default) and when the user logs out.
SESSION_COOKIE_AGE = _env("SESSION_COOKIE_AGE", env.int, 8 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "chibo.views.csrf_failure"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG and _env("SECURE_COOKIES", _strict_bool, True)

# HTTPS. In production the site is served over HTTPS only: HTTP is redirected, browsers are told to remember
# it (HSTS). SECURE_PROXY_SSL_HEADER=true when a reverse proxy ends TLS and sets X-Forwarded-Proto.
SECURE_SSL_REDIRECT = not DEBUG and _env("SECURE_SSL_REDIRECT", _strict_bool, True)
SECURE_HSTS_SECONDS = 0 if DEBUG else _env("SECURE_HSTS_SECONDS", env.int, 365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG and _env("SECURE_HSTS_INCLUDE_SUBDOMAINS", _strict_bool, True)
# "preload" only lets the domain's owner submit it to the browsers' list; nothing happens until they do.
SECURE_HSTS_PRELOAD = not DEBUG and _env("SECURE_HSTS_PRELOAD", _strict_bool, True)
if _env("SECURE_PROXY_SSL_HEADER", _strict_bool, False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The health check answers over plain HTTP to the container's own probe.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy: only the project's own scripts, styles, images and fonts; no inline script or
# style attribute anywhere. The print pages carry the party document's style sheet (its sizes come from
# settings) in a <style> element with the request's nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Vietnamese first, English second.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["chibo.formats"]
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(_env("MEDIA_ROOT", env.str, str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

_email = _env("EMAIL_URL", env.email_url, "consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
# Seconds a mail server may take to answer before the send fails (and is retried later): a server that accepts
# the connection and never answers must not hold a worker.
EMAIL_TIMEOUT = _env("EMAIL_TIMEOUT", env.int, 20)
DEFAULT_FROM_EMAIL = _env("DEFAULT_FROM_EMAIL", env.str, "chibo <no-reply@chibo.local>")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SIMPLE_HISTORY_REVERT_DISABLED = True

# Logs go to the console: plain lines in development, one JSON object a line in production (LOG_FORMAT=json,
# the default when DEBUG is off), for the collector that reads the containers' output.
LOG_FORMAT = _env("LOG_FORMAT", env.str, "plain" if DEBUG else "json")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured("Environment variable LOG_FORMAT has an invalid value: use plain or json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "{asctime} {levelname} {name} {message}", "style": "{"},
        "json": {"()": "chibo.lib.logs.JsonFormatter"},
    },
    "filters": {"mask_secrets": {"()": "chibo.lib.logs.MaskSecrets"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["mask_secrets"]}},
    "root": {"handlers": ["console"], "level": _env("LOG_LEVEL", env.str, "INFO")},
    # django-axes reports every login at INFO; keep failures and lock-outs only.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
# The Celery worker logs through the same configuration instead of its own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# The key that signs a backup's manifest (HMAC-SHA256), so a restore refuses a manifest changed after the backup.
# Unset, a key is derived from SECRET_KEY; set it to restore on a server with another SECRET_KEY.
BACKUP_SIGNING_KEY = _env("BACKUP_SIGNING_KEY", env.str, "")


def _fernet_keys(name: str, default: list[str]) -> list[str]:
    """Comma-separated Fernet keys (32 bytes in url-safe base64), newest first."""
    keys = [key.strip() for key in env.list(name, default=default) if key.strip()]
    for number, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except ValueError as exc:
            raise ValueError(f"key number {number} is not a Fernet key (32 bytes in url-safe base64)") from exc
    return keys


# Personal data encrypted at rest (chibo/lib/crypto.py; README, "Personal data"): members' citizen IDs and party
# card numbers. The first key encrypts, every key decrypts (rotation: a new key first, then
# manage.py rotate_encryption_keys, then drop the old one). SEARCH_HASH_KEY keys the hash that finds a citizen ID;
# changing it needs rotate_encryption_keys --rehash. Unset, both are derived from SECRET_KEY (development and tests);
# manage.py check --deploy refuses that.
FIELD_ENCRYPTION_KEYS = _env("FIELD_ENCRYPTION_KEYS", _fernet_keys, [])
SEARCH_HASH_KEY = _env("SEARCH_HASH_KEY", env.str, "")

# Business settings with their defaults (the "unconfirmed" rules of the domain are settings).
CHIBO = {
    "MEMBER_LIST_PAGE_SIZE": 50,
    # The member list counts its matches up to this many; past it, it says "more than" (chibo/lib/pagination.py).
    "MEMBER_LIST_COUNT_CAP": 1000,
    # How long a rendered part of a page is kept in the cache (chibo/lib/parts.py); its key changes with every
    # write under its organisation and every day anyway.
    "PART_CACHE_SECONDS": 24 * 3600,
    # The reads of chibo/lib/prepared.py are prepared once per PostgreSQL session (see _SESSION_OPTIONS above).
    "PREPARED_STATEMENTS": _PREPARED_STATEMENTS,
    # Background work (resolutions/background.py): a pending email this many minutes past its time is queued
    # again; a claim to send this old was abandoned by a dead worker; a PDF not built in this time is offered again.
    "DELIVERY_REQUEUE_MINUTES": 5,
    "DELIVERY_CLAIM_MINUTES": 10,
    "PDF_BUILD_MINUTES": 10,
    # The address of the site, for links in emails.
    "SITE_URL": _env("SITE_URL", env.str, "http://127.0.0.1:8000"),
    # A regular meeting lasts at least this long (42-HD/BTCTW); longer when combined with a thematic one.
    "MEETING_MINUTES_MIN": 90,
    "MEETING_MINUTES_MIN_COMBINED": 120,
    # Its documents reach members at least this many hours before it starts (42-HD/BTCTW: one day).
    "MEETING_DOCUMENTS_HOURS": 24,
    # Dashboard thresholds (the status light); see dashboards/dashboard.py for the defaults.
    "DASHBOARD": {},
    # Reminder thresholds; see notifications/reminders.py for the defaults. Example: {"DUE_SOON_DAYS": (5, 2)}.
    "REMINDERS": {},
    # Evidence files attached to progress reports (PDF, JPEG, PNG, .docx, .xlsx, checked by content).
    "EVIDENCE_MAX_BYTES": _env("EVIDENCE_MAX_BYTES", env.int, 10 * 1024 * 1024),
    # The Excel import of a cell's members (members/imports.py): the file's size, what it may unpack to, how much
    # more tightly than an ordinary workbook it may be packed, the members it may list, the columns read.
    "IMPORT_MAX_BYTES": 5 * 1024 * 1024,
    "IMPORT_MAX_UNPACKED_BYTES": 20 * 1024 * 1024,
    "IMPORT_MAX_RATIO": 100,
    "IMPORT_MAX_ROWS": 10_000,
    "IMPORT_MAX_COLUMNS": 50,
    # The yearly classification; see evaluations/rules.py for the defaults. Example: {"MIN_MONTHS_ADMITTED": 6}.
    "EVALUATION": {},
    # Public holidays that are not working days (dates or "dd/mm/yyyy"), for the deadline of the cell's review of
    # a probationary member (members/rules.py). Tết and the days off in lieu move every year, so none is built in.
    "PUBLIC_HOLIDAYS": (),
    # A failed write to the personal data access log is logged and the page still answers; the tests raise it.
    "ACCESS_LOG_RAISES": False,
}
# Personal data (members/rules.py): years after a member left, died or was transferred out until their identifying
# data is erased.
RETENTION_YEARS_AFTER_LEAVING = _env("RETENTION_YEARS_AFTER_LEAVING", env.int, 5)
# Uploads larger than this are written to a temporary file rather than held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
