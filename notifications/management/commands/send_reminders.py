"""``manage.py send_reminders [--date dd/mm/yyyy] [--digests]``: the beat jobs, by hand, for any day."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from chibo.lib.commands import parse_day
from notifications.reminders import daily_digests, sweep


class Command(BaseCommand):
    help = "Run the daily reminder sweep (and, with --digests, the daily digests) for a day; replays are safe."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="The day to sweep, dd/mm/yyyy (default: today, Asia/Ho_Chi_Minh).")
        parser.add_argument("--digests", action="store_true", help="Send the daily digests instead of the sweep.")

    def handle(self, *args: Any, **options: Any) -> None:
        day = parse_day(options["date"]) if options["date"] else timezone.localdate()
        if options["digests"]:
            self.stdout.write(f"{daily_digests(day)} digest emails queued for {day:%d/%m/%Y}")
        else:
            self.stdout.write(str(sweep(day)))
