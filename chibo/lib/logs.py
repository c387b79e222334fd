"""Structured logs: one JSON object a line, for the production log collector.

Django, Celery and gunicorn all log through this formatter when ``LOG_FORMAT=json``. A gunicorn access line keeps
its parts as fields (method, path, status, duration, …) rather than one string to be parsed again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

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
                    log_data[field] = int(value) if field in {"status", "bytes", "duration_ms"} else value
            log_data["message"] = f"{atoms.get('m')} {atoms.get('U')} {atoms.get('s')}"
        # A request object (django.request's errors) is not JSON: keep what identifies it.
        request = log_data.pop("request", None)
        if request is not None and hasattr(request, "path"):
            log_data["method"] = getattr(request, "method", None)
            log_data["path"] = request.path
        if "status_code" in log_data:
            log_data["status"] = log_data.pop("status_code")
