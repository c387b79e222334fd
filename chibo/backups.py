"""Backups of the database and the uploaded files, and their restore.

A backup is a folder holding the database (``pg_dump`` custom format on PostgreSQL, an online copy through
SQLite's backup API otherwise), the media files as ``media.tar.gz``, and ``manifest.json``: when it was taken,
the engine, each table's row count and each file's SHA-256. ``restore`` puts both back and checks the row counts
against the manifest, so a restore that did not take says so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection

MANIFEST = "manifest.json"
MEDIA_ARCHIVE = "media.tar.gz"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class Verification:
    expected: dict[str, int]
    found: dict[str, int]

    @property
    def differences(self) -> dict[str, tuple[int, int | None]]:
        return {t: (n, self.found.get(t)) for t, n in self.expected.items() if self.found.get(t) != n}

    @property
    def ok(self) -> bool:
        return not self.differences


def row_counts() -> dict[str, int]:
    """Rows per table of every installed model (history tables included), in one query per table."""
    tables = sorted({model._meta.db_table for model in apps.get_models(include_auto_created=True)})
    existing = set(connection.introspection.table_names())
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            if table in existing:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
                counts[table] = cursor.fetchone()[0]
    return counts


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _media_files(root: Path) -> dict[str, str]:
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): sha256(p) for p in sorted(root.rglob("*")) if p.is_file()}


def _pg_args() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
    return args, env


def _run(command: list[str], env: dict[str, str] | None = None) -> None:
    tool = command[0]
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is missing: apt-get install -y postgresql-client")
    completed = subprocess.run(command, env=env, capture_output=True, text=True)
    if completed.returncode != 0:
        raise BackupError(f"{tool} failed: {completed.stderr.strip()}")


def backup(target_dir: Path) -> Path:
    """Write a backup into a new folder under ``target_dir``; returns the folder."""
    stamp = dt.datetime.now().astimezone().strftime("%Y%m%d-%H%M%S")
    folder = target_dir / f"chibo-{stamp}"
    folder.mkdir(parents=True, exist_ok=False)
    vendor = connection.vendor
    if vendor == "postgresql":
        args, env = _pg_args()
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(folder / PG_DUMP), *args], env)
    elif vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(folder / SQLITE_COPY) as copy:
            connection.connection.backup(copy)
    else:
        raise BackupError(f"No backup for the {vendor} database engine.")
    media_root = Path(settings.MEDIA_ROOT)
    with tarfile.open(folder / MEDIA_ARCHIVE, "w:gz") as archive:
        if media_root.exists():
            archive.add(media_root, arcname="media")
    manifest = {
        "taken_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "engine": vendor,
        "tables": row_counts(),
        "media": _media_files(media_root),
        "files": {
            name: sha256(folder / name) for name in (PG_DUMP, SQLITE_COPY, MEDIA_ARCHIVE) if (folder / name).exists()
        },
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return folder


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not path.exists():
        raise BackupError(f"{folder} is not a backup: {MANIFEST} is missing.")
    manifest = json.loads(path.read_text())
    for name, digest in manifest["files"].items():
        if sha256(folder / name) != digest:
            raise BackupError(f"{name} does not match its checksum: the backup is damaged.")
    return manifest


def restore(folder: Path) -> Verification:
    """Replace the database and the media files with the backup's, then compare the row counts."""
    manifest = read_manifest(folder)
    vendor = connection.vendor
    if manifest["engine"] != vendor:
        raise BackupError(f"The backup is of a {manifest['engine']} database; this one is {vendor}.")
    if vendor == "postgresql":
        connection.close()
        args, env = _pg_args()
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                *args,
                str(folder / PG_DUMP),
            ],
            env,
        )
    else:
        connection.ensure_connection()
        with sqlite3.connect(folder / SQLITE_COPY) as source:
            source.backup(connection.connection)
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.exists():
        shutil.rmtree(media_root)
    media_root.mkdir(parents=True)
    with tarfile.open(folder / MEDIA_ARCHIVE, "r:gz") as archive:
        members = [m for m in archive.getmembers() if m.name.startswith("media/") and m.isfile()]
        for member in members:
            member.name = member.name.removeprefix("media/")
        archive.extractall(media_root, members=members, filter="data")
    return Verification(manifest["tables"], row_counts())
