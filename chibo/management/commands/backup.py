"""``manage.py backup [--dir DIR]``: the database and the uploaded files, with a manifest (``chibo.backups``)."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from chibo.backups import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump, or SQLite's online copy) and the media files into a new folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, default=settings.VAR_DIR / "backups", help="Where to write it.")

    def handle(self, *args: Any, dir: Path, **options: Any) -> None:
        try:
            folder = backup(dir)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(folder))
