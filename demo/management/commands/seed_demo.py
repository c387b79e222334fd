"""``manage.py seed_demo``: the demo dataset shaped like Bến Tre city (see ``demo.assemble``, which puts together every
app's part)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.assemble import seed_demo
from demo.members import DEMO_PASSWORD, SCALES, DemoDataError, Report, named_accounts
from demo.resolutions import DEFAULT_MONTHS


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Seed demo data shaped like Bến Tre city: 1 city committee, 16 ward/commune committees, 72 cells, "
        f"4,374 members, with roles and login accounts (password {DEMO_PASSWORD}); then for every cell a monthly "
        "resolution for each of the last 12 months (votes, tasks, progress reports, dissemination, public opinion) "
        "and, for the secretary bithu's cell, next month's draft. Deterministic (fixed random seed); dates follow "
        "the day it is run. Idempotent: when the demo tree (root code BT, or TBT for --scale province) is already "
        "present, nothing is created and the accounts are only listed; --reset removes the demo (both scales, "
        "their resolutions, and every account with an @demo.chibo.invalid address) and seeds it again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=sorted(SCALES),
            default="city",
            help="city (default): 72 cells, 4,374 members; province: ~2,000 cells, 120,000 members (benchmarks).",
        )
        parser.add_argument(
            "--months",
            type=_positive,
            default=DEFAULT_MONTHS,
            help=f"Months of resolutions per cell, up to and including the current one (default {DEFAULT_MONTHS}).",
        )
        parser.add_argument("--reset", action="store_true", help="Remove any demo data first, then seed again.")

    def handle(self, *args: Any, scale: str, months: int, reset: bool, **options: Any) -> None:
        try:
            report = seed_demo(SCALES[scale], reset=reset, months=months)
        except DemoDataError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"] >= 1:
            self._print_accounts()
        self._print_summary(report)

    def _print_accounts(self) -> None:
        rows = [("username", "password", "role", "organisation")]
        rows += [(row.username, DEMO_PASSWORD, row.role, row.organisation) for row in named_accounts()]
        widths = [max(len(row[column]) for row in rows) for column in range(3)]
        for index, (username, password, role, organisation) in enumerate(rows):
            cells = (username.ljust(widths[0]), password.ljust(widths[1]), role.ljust(widths[2]), organisation)
            self.stdout.write("  ".join(cells).rstrip())
            if index == 0:
                self.stdout.write("  ".join("-" * width for width in [*widths, len("organisation")]))
        self.stdout.write(
            "Other accounts, same password: bithu.<cell code>, phobithu.<cell code>, chiuyvien<n>.<cell code>, "
            "thuongtruc<n>.<ward code>, phutrach<n>.<ward code> (codes in lower case, e.g. bithu.bt-ah-01)."
        )

    def _print_summary(self, report: Report) -> None:
        c = report.counts
        what = "Seeded" if report.created else "Demo data already present, nothing created:"
        line = (
            f"{what} {report.scale.key} scale: {c['wards']} ward/commune committees, {c['cells']} cells, "
            f"{c['groups']} party groups, {c['residential_groups']} residential groups, {c['members']:,} members "
            f"({c['probationary']} probationary, {c['exempt']} exempt, {c['away']} away, "
            f"{c['propagandists']} propagandists), {c['accounts']:,} accounts, {c['roles']:,} roles; "
            f"{c['resolutions']:,} resolutions ({c['completed']:,} completed, {c['in_progress']:,} being implemented, "
            f"{c['drafts']:,} draft), {c['votes']:,} votes, {c['tasks']:,} tasks ({c['tasks_open']:,} open, "
            f"{c['tasks_overdue']:,} overdue, {c['tasks_done']:,} done, {c['tasks_late']:,} of them late, "
            f"{c['tasks_not_met']:,} not met), {c['progress_updates']:,} progress reports, {c['meetings']:,} meetings "
            f"({c['meetings_held']:,} held, {c['meetings_planned']:,} planned; attendance {c['attendance_rate']}%), "
            f"{c['absence_requests']:,} absence requests in {report.elapsed:.1f} s."
        )
        if not report.created and not c["resolutions"]:
            line += " This demo was seeded before resolutions were part of it: run with --reset to add them."
        self.stdout.write(self.style.SUCCESS(line) if report.created else line)
