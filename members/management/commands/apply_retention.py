"""``manage.py apply_retention [--apply] [--date dd/mm/yyyy]``: the retention rule for members who left.

Without ``--apply`` it only prints what would be erased (a dry run, nothing written); the monthly beat job
(``members.tasks.apply_retention``) applies it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from chibo.lib.commands import parse_day
from members.privacy import IDENTIFYING_FIELDS, RetentionReport, apply_retention


def describe(report: RetentionReport) -> list[str]:
    verb = "Erased" if report.applied else "Would erase"
    lines = [
        f"{verb} the identifying data of {len(report.members)} member(s) who left {report.years} or more years "
        f"before {report.day:%d/%m/%Y}."
    ]
    for member in report.members:
        lines.append(f"  #{member.pk} {member.full_name} ({member.management_status}, left {member.left_on:%d/%m/%Y})")
    for name in IDENTIFYING_FIELDS:
        lines.append(f"  {name}: {report.fields[name]} value(s)")
    lines.append(f"  change history rows: {report.history_rows}")
    if not report.applied and report.members:
        lines.append("Nothing was written; run again with --apply to erase.")
    return lines


class Command(BaseCommand):
    help = "Erase the identifying data of members past the retention period (dry run unless --apply)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--apply", action="store_true", help="Erase; without it only print what would be.")
        parser.add_argument("--date", help="The day the rule is applied on, dd/mm/yyyy (default: today).")

    def handle(self, *args: Any, **options: Any) -> None:
        day = parse_day(options["date"]) if options["date"] else timezone.localdate()
        report = apply_retention(day=day, apply=options["apply"])
        self.stdout.write("\n".join(describe(report)))
