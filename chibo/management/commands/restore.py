"""``manage.py restore FOLDER --yes``: verify a backup whole, put it back and check its row counts (``chibo.backups``).
A damaged or changed backup is refused with the reason and a non-zero exit, the live data untouched."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chibo.backups import BackupError, restore


class Command(BaseCommand):
    help = (
        "Verify a backup (signature, checksums, the archive read to its end), then replace the database and the "
        "media files with its own and compare every table's row count."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="A folder written by manage.py backup.")
        parser.add_argument("--yes", action="store_true", help="Confirm: the current data is replaced.")

    def handle(self, *args: Any, folder: Path, yes: bool, **options: Any) -> None:
        if not yes:
            raise CommandError("Restoring replaces the current database and media files: add --yes to go on.")
        try:
            result = restore(folder)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if not result.ok:
            raise CommandError(f"Restored, but row counts differ from the backup: {result.differences}")
        self.stdout.write(f"Restored {folder}: {len(result.expected)} tables, row counts as in the backup.")
