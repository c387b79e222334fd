"""What the management commands share."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError


def parse_day(value: str) -> dt.date:
    """A day given on the command line: dd/mm/yyyy as users write it, or yyyy-mm-dd."""
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise CommandError(f"Not a date: {value!r} (use dd/mm/yyyy)")
