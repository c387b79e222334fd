"""Backups of the database and the uploaded files, and their restore.

A backup is a folder holding the database (``pg_dump`` custom format on PostgreSQL, an online copy through
SQLite's backup API otherwise), the media files as ``media.tar.gz``, and ``manifest.json``: when it was taken,
the engine, each table's row count, the SHA-256 and size of each file of the folder and of each media file, and
a signature (HMAC-SHA256 of the rest, with ``signing_key()``), so a manifest changed without the key is refused.

``restore`` checks everything before it touches anything live: the signature, each file's size and checksum, the
media archive read to its end with every file's checksum, and the SQLite copy's integrity. It then unpacks the
media into a working folder inside the media folder (the same filesystem, even when that folder is a mounted
volume), moves the live entries aside and the unpacked ones in, puts the database back and only then removes the
old media; when the database step fails the old media are moved back. Last it compares the row counts with the
manifest, so a restore that did not take says so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.db import connection

MANIFEST = "manifest.json"
MEDIA_ARCHIVE = "media.tar.gz"
MEDIA_PREFIX = "media"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
FORMAT = 2
SIGNATURE = "signature"
DATABASE_FILES = {"postgresql": PG_DUMP, "sqlite": SQLITE_COPY}
# A restore's working folders inside the media folder: the backup's files unpacked, the live ones moved aside.
WORKING_PREFIX = ".restore-"


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


def _stream_digest(stream: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    for block in iter(lambda: stream.read(1 << 20), b""):
        digest.update(block)
        size += len(block)
    return digest.hexdigest(), size


# ---------------------------------------------------------------------------------------------------
# The manifest's signature
# ---------------------------------------------------------------------------------------------------


def signing_key() -> bytes:
    """``BACKUP_SIGNING_KEY`` when set, else a key derived from ``SECRET_KEY`` for this one purpose."""
    if key := getattr(settings, "BACKUP_SIGNING_KEY", ""):
        return str(key).encode()
    return hmac.new(str(settings.SECRET_KEY).encode(), b"chibo.backups.manifest", hashlib.sha256).digest()


def canonical(manifest: dict[str, Any]) -> bytes:
    """The manifest without its signature, as the bytes that are signed: sorted keys, no spaces, UTF-8."""
    unsigned = {key: value for key, value in manifest.items() if key != SIGNATURE}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest with its signature."""
    signature = hmac.new(signing_key(), canonical(manifest), hashlib.sha256).hexdigest()
    return {**manifest, SIGNATURE: {"algorithm": "HMAC-SHA256", "value": signature}}


def signature_ok(manifest: dict[str, Any]) -> bool:
    signature = manifest.get(SIGNATURE)
    if not isinstance(signature, dict) or signature.get("algorithm") != "HMAC-SHA256":
        return False
    expected = hmac.new(signing_key(), canonical(manifest), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, str(signature.get("value", "")))


# ---------------------------------------------------------------------------------------------------
# Backup
# ---------------------------------------------------------------------------------------------------


class _HashingReader:
    """A file read through once by ``tarfile``, hashed on the way: the checksum is of the bytes archived."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream, self.digest, self.size = stream, hashlib.sha256(), 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


def _archive_media(root: Path, target: Path) -> dict[str, dict[str, Any]]:
    """``root``'s files into a gzipped tar under ``media/``; {relative path: {"sha256", "bytes"}} of what was put."""
    files: dict[str, dict[str, Any]] = {}
    with tarfile.open(target, "w:gz") as archive:
        archive.addfile(_directory_info(MEDIA_PREFIX))
        if not root.exists():
            return files
        for path in sorted(root.rglob("*")):
            name = path.relative_to(root).as_posix()
            if name.startswith(WORKING_PREFIX):  # a restore's working folder, left by a crash
                continue
            if path.is_dir() and not path.is_symlink():
                archive.addfile(_directory_info(f"{MEDIA_PREFIX}/{name}"))
            elif path.is_file() and not path.is_symlink():
                with path.open("rb") as stream:
                    info = tarfile.TarInfo(f"{MEDIA_PREFIX}/{name}")
                    info.size = os.fstat(stream.fileno()).st_size
                    info.mtime = int(os.fstat(stream.fileno()).st_mtime)
                    info.mode = 0o644
                    reader = _HashingReader(stream)
                    archive.addfile(info, reader)
                files[name] = {"sha256": reader.digest.hexdigest(), "bytes": reader.size}
    return files


def _directory_info(name: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.mode = tarfile.DIRTYPE, 0o755
    return info


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
    media = _archive_media(Path(settings.MEDIA_ROOT), folder / MEDIA_ARCHIVE)
    manifest = {
        "format": FORMAT,
        "taken_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "engine": vendor,
        "tables": row_counts(),
        "media": media,
        "files": {
            name: {"sha256": sha256(folder / name), "bytes": (folder / name).stat().st_size}
            for name in (DATABASE_FILES[vendor], MEDIA_ARCHIVE)
        },
    }
    (folder / MANIFEST).write_text(json.dumps(sign(manifest), indent=2, ensure_ascii=False) + "\n")
    return folder


# ---------------------------------------------------------------------------------------------------
# Verification: everything, before anything live is touched
# ---------------------------------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest, once its signature is checked."""
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"{folder} is not a backup: {MANIFEST} is missing.")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise BackupError(f"{MANIFEST} cannot be read: the backup is damaged.") from None
    if not isinstance(manifest, dict) or SIGNATURE not in manifest:
        raise BackupError(f"{MANIFEST} is not signed: it was not written by this version of manage.py backup.")
    if not signature_ok(manifest):
        raise BackupError(
            f"The signature of {MANIFEST} does not match: the manifest was changed after the backup, or it was "
            "signed with another key (BACKUP_SIGNING_KEY, or SECRET_KEY when that is not set)."
        )
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{MANIFEST} is of format {manifest.get('format')}; this version reads format {FORMAT}.")
    return manifest


def verify(folder: Path) -> dict[str, Any]:
    """Check the whole backup without touching live data; returns its manifest, or raises BackupError naming what
    is wrong: the signature, a missing file, a size or checksum, an unreadable or incomplete archive, a media file
    that differs from the manifest, a damaged database copy."""
    manifest = read_manifest(folder)
    vendor = connection.vendor
    if manifest["engine"] != vendor:
        raise BackupError(f"The backup is of a {manifest['engine']} database; this one is {vendor}.")
    files = manifest["files"]
    for name in (DATABASE_FILES[vendor], MEDIA_ARCHIVE):
        if name not in files:
            raise BackupError(f"{MANIFEST} does not list {name}: the backup is incomplete.")
    for name, expected in files.items():
        path = folder / name
        if PurePosixPath(name).name != name or not path.is_file():
            raise BackupError(f"{name} is missing: the backup is incomplete.")
        size = path.stat().st_size
        if size != expected["bytes"]:
            raise BackupError(
                f"{name} has {size} bytes, the manifest says {expected['bytes']}: the backup is damaged or truncated."
            )
        if sha256(path) != expected["sha256"]:
            raise BackupError(f"{name} does not match its checksum in {MANIFEST}: the backup is damaged.")
    _verify_media_archive(folder / MEDIA_ARCHIVE, manifest["media"])
    if vendor == "sqlite":
        _verify_sqlite_copy(folder / SQLITE_COPY)
    return manifest


def _archive_members(archive: tarfile.TarFile) -> Iterator[tuple[tarfile.TarInfo, str]]:
    """Each member with its path under the media folder; anything but plain files and folders under media/ is
    refused (links, devices, absolute paths, ``..``)."""
    for member in archive:
        path = PurePosixPath(member.name)
        if path.is_absolute() or ".." in path.parts or path.parts[:1] != (MEDIA_PREFIX,):
            raise BackupError(f"{MEDIA_ARCHIVE} holds {member.name!r}, outside the media folder: refused.")
        if not (member.isfile() or member.isdir()):
            raise BackupError(f"{MEDIA_ARCHIVE} holds {member.name!r}, which is not a plain file or folder: refused.")
        yield member, PurePosixPath(*path.parts[1:]).as_posix() if len(path.parts) > 1 else ""


def _verify_media_archive(path: Path, expected: dict[str, dict[str, Any]]) -> None:
    """Read the archive to its end: every file's size and checksum as the manifest says, and no file more or less."""
    found: set[str] = set()
    try:
        with tarfile.open(path, "r:gz") as archive:
            for member, name in _archive_members(archive):
                if not member.isfile():
                    continue
                want = expected.get(name)
                if want is None:
                    raise BackupError(f"{MEDIA_ARCHIVE} holds {name}, which the manifest does not list: refused.")
                stream = archive.extractfile(member)
                assert stream is not None  # a regular file
                digest, size = _stream_digest(stream)
                if (digest, size) != (want["sha256"], want["bytes"]):
                    raise BackupError(f"The media file {name} in {MEDIA_ARCHIVE} does not match its checksum.")
                found.add(name)
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:  # gzip's errors are OSError and EOFError
        raise BackupError(f"{MEDIA_ARCHIVE} cannot be read to its end ({exc}): the backup is damaged.") from None
    if missing := sorted(set(expected) - found):
        raise BackupError(f"{MEDIA_ARCHIVE} lacks {len(missing)} media file(s) of the manifest, e.g. {missing[0]}.")


def _verify_sqlite_copy(path: Path) -> None:
    try:
        with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as copy:
            result = copy.execute("PRAGMA integrity_check").fetchall()
        copy.close()
    except sqlite3.Error as exc:
        raise BackupError(f"{SQLITE_COPY} cannot be read as a database ({exc}): the backup is damaged.") from None
    if result != [("ok",)]:
        raise BackupError(f"{SQLITE_COPY} fails SQLite's integrity check: the backup is damaged.")


# ---------------------------------------------------------------------------------------------------
# Restore
# ---------------------------------------------------------------------------------------------------


def _live_entries(media_root: Path) -> list[Path]:
    """The media folder's own entries, without a restore's working folders."""
    return sorted(p for p in media_root.iterdir() if not p.name.startswith(WORKING_PREFIX))


def _unpack_media(folder: Path, manifest: dict[str, Any], media_root: Path) -> Path:
    """The media unpacked into a new working folder inside ``media_root`` (the same filesystem even when the media
    folder is a mounted volume, so the swap is a few renames), and checked again once on disk. Removed again when
    anything fails."""
    media_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{WORKING_PREFIX}new-", dir=media_root))
    try:
        with tarfile.open(folder / MEDIA_ARCHIVE, "r:gz") as archive:
            members = []
            for member, name in _archive_members(archive):
                if name:
                    member.name = name
                    members.append(member)
            archive.extractall(staging, members=members, filter="data")
        on_disk = {
            p.relative_to(staging).as_posix(): {"sha256": sha256(p), "bytes": p.stat().st_size}
            for p in staging.rglob("*")
            if p.is_file()
        }
        if on_disk != manifest["media"]:
            raise BackupError("The media files unpacked differ from the manifest: nothing was replaced.")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


@dataclass
class _Swap:
    media_root: Path
    old: Path  # the live entries moved aside, kept until the database is restored
    new: list[str]  # the entries moved in from the backup

    def put_back(self) -> None:
        """The backup's entries removed and the old ones moved back, as before the swap."""
        for name in self.new:
            path = self.media_root / name
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
        for entry in sorted(self.old.iterdir()):
            entry.rename(self.media_root / entry.name)
        self.old.rmdir()

    def finish(self) -> None:
        shutil.rmtree(self.old)


def _swap_media(media_root: Path, staging: Path) -> _Swap:
    """Move the live entries aside and the unpacked ones in, renames within one folder; undone on failure."""
    swap = _Swap(media_root, Path(tempfile.mkdtemp(prefix=f"{WORKING_PREFIX}old-", dir=media_root)), [])
    try:
        for entry in _live_entries(media_root):
            entry.rename(swap.old / entry.name)
        for entry in sorted(staging.iterdir()):
            entry.rename(media_root / entry.name)
            swap.new.append(entry.name)
    except OSError as exc:
        swap.put_back()
        raise BackupError(f"The media files could not be swapped ({exc}): nothing was replaced.") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return swap


def _restore_database(folder: Path) -> None:
    if connection.vendor == "postgresql":
        connection.close()
        args, env = _pg_args()
        command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", *args]
        _run([*command, str(folder / PG_DUMP)], env)
    else:
        connection.ensure_connection()
        try:
            with sqlite3.connect(folder / SQLITE_COPY) as source:
                source.backup(connection.connection)
            source.close()
        except sqlite3.Error as exc:
            raise BackupError(f"The database could not be replaced: {exc}") from None


def restore(folder: Path) -> Verification:
    """Verify the whole backup, then replace the media files and the database with its own, then compare the row
    counts. Raises BackupError, with the live data as it was, when the backup is damaged or the database step
    fails."""
    manifest = verify(folder)
    media_root = Path(settings.MEDIA_ROOT)
    staging = _unpack_media(folder, manifest, media_root)
    swap = _swap_media(media_root, staging)
    try:
        _restore_database(folder)
    except BaseException:
        swap.put_back()
        raise
    swap.finish()
    return Verification(manifest["tables"], row_counts())
