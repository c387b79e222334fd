"""Structured logs: one JSON object a line, for the production log collector.

Django, Celery and gunicorn all log through this formatter when ``LOG_FORMAT=json``. A gunicorn access line keeps
its parts as fields (method, path, status, duration, …) rather than one string to be parsed again.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any, cast

from gunicorn.glogging import Logger as _GunicornLogger
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"

# gunicorn's access-log atoms, by the name each takes in the log line.
ACCESS_ATOMS = {
    "remote_addr": "h",
    "method": "m",
    "path": "U",
    "query": "q",
    "status": "s",
    "bytes": "B",
    "duration_ms": "M",
    "referer": "f",
    "user_agent": "a",
}


# Secrets that travel in a path: the private calendar feed's token is the feed's only key.
_SECRET_IN_PATH = re.compile(r"(/calendar/)[^/?#\s]+(\.ics)")


def mask_secrets(text: str) -> str:
    """The text with every secret of a path replaced by "***"."""
    return _SECRET_IN_PATH.sub(r"\1***\2", text)


class AccessLogger(_GunicornLogger):
    """gunicorn's logger, with the secrets of the path masked in every access line (plain or JSON) and in its
    own error lines ("Error handling request /…")."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        self.error_log.addFilter(MaskSecrets())

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        for atom in ("U", "r", "f"):  # the path, the request line, the referer
            if isinstance(atoms.get(atom), str):
                atoms[atom] = mask_secrets(atoms[atom])
        return atoms


class MaskSecrets(logging.Filter):
    """For Django's own lines ("Not Found: /…/calendar/<token>.ics"): the message with its secrets masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


class JsonFormatter(_JsonFormatter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"})
        kwargs.setdefault("json_ensure_ascii", False)
        kwargs.setdefault("datefmt", "%Y-%m-%dT%H:%M:%S%z")
        super().__init__(FIELDS, *args, **kwargs)

    def add_fields(self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]) -> None:
        super().add_fields(log_data, record, message_dict)
        if record.name == "gunicorn.access" and isinstance(record.args, Mapping):
            atoms = record.args
            for field, atom in ACCESS_ATOMS.items():
                value = atoms.get(atom)
                if value not in (None, "-"):
                    # gunicorn's atoms are text, or numbers (the duration).
                    log_data[field] = (
                        int(cast("str | int", value)) if field in {"status", "bytes", "duration_ms"} else value
                    )
            log_data["message"] = f"{atoms.get('m')} {atoms.get('U')} {atoms.get('s')}"
        # A request object (django.request's errors) is not JSON: keep what identifies it.
        request = log_data.pop("request", None)
        if request is not None and hasattr(request, "path"):
            log_data["method"] = getattr(request, "method", None)
            log_data["path"] = mask_secrets(request.path)
        if "status_code" in log_data:
            log_data["status"] = log_data.pop("status_code")
