"""gunicorn's settings, from the environment (docker-compose.yml and .env.example name them).

GUNICORN_BIND        address to listen on (0.0.0.0:8000)
GUNICORN_WORKERS     worker processes (2 × CPUs + 1, at most 8)
GUNICORN_THREADS     threads per worker (1)
GUNICORN_TIMEOUT     seconds before a stuck worker is restarted (60)
GUNICORN_MAX_REQUESTS a worker is replaced after this many requests, against slow leaks (1000; 0 = never)
FORWARDED_ALLOW_IPS  proxies whose X-Forwarded-* headers are believed (127.0.0.1)
LOG_FORMAT           json (one object a line) or plain; json unless DEBUG=true
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS") or min(2 * multiprocessing.cpu_count() + 1, 8))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = max_requests // 10
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
