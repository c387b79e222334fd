"""Test settings: the real database from DATABASE_URL, a fast hasher, mail kept in memory."""

import os
from urllib.parse import urlsplit

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")

# A parallel run (pytest-xdist: PYTEST_XDIST_WORKER is gw0, gw1, ...) gives each test process a Redis database of its
# own, counting down from the one given (15, 14, ...): each has its own cache to empty and its own broker for the
# real Celery worker it starts (tests/worker.py reads REDIS_URL). PostgreSQL test databases are already one per
# process (test_chibo_gw0, ...), and so are the SQLite files.
if (_worker := os.environ.get("PYTEST_XDIST_WORKER")) and (_redis := os.environ.get("REDIS_URL")):
    _url = urlsplit(_redis)
    _db = (int(_url.path.strip("/") or 0) - int(_worker.removeprefix("gw"))) % 16
    os.environ["REDIS_URL"] = _url._replace(path=f"/{_db}").geturl()


from chibo.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
AXES_ENABLED = True
# The tests log in administrators and ward accounts by the hundred; those about two-factor sign-in turn it on.
TWO_FACTOR_REQUIRED = False
# The test client and the live server speak plain HTTP; production settings are checked in tests/test_security.py.
SECURE_SSL_REDIRECT = False
CHIBO["ACCESS_LOG_RAISES"] = True  # noqa: F405
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory: a real Celery worker started by a test (another process) opens the same database.
    # One file per test run (the process id), so that two runs side by side do not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405
