"""Backups: a round trip through ``manage.py backup`` and ``manage.py restore`` gives back every row and file; a
damaged, truncated or tampered backup is refused before anything live is touched, and a restore whose database
step fails leaves the media files as they were. Runs on SQLite, and on PostgreSQL when DATABASE_URL points at it."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from chibo.backups import MANIFEST, MEDIA_ARCHIVE, row_counts, sha256, sign
from members.models import Member, Organisation
from tests.factories import MemberFactory, make_org

pytestmark = pytest.mark.django_db(transaction=True)  # the dump runs in another process: the rows must be committed


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    evidence = settings.MEDIA_ROOT / "evidence" / "2026" / "bien-ban.pdf"
    evidence.parent.mkdir(parents=True)
    evidence.write_bytes(b"%PDF-1.7 bi\xc3\xaan b\xe1\xba\xa3n h\xe1\xbb\x8dp chi b\xe1\xbb\x99\n")
    return evidence


def backup_folder(tmp_path: Path, capsys) -> Path:
    call_command("backup", dir=tmp_path / "backups")
    return Path(capsys.readouterr().out.strip())


def test_a_round_trip_gives_back_every_row_and_file(tmp_path, media, capsys) -> None:
    city = make_org("Thành phố Bến Tre", Organisation.Kind.PROVINCE, code="BT")
    cell = make_org("Chi bộ khu phố 1", Organisation.Kind.CELL, make_org("Phường 1", Organisation.Kind.WARD, city))
    MemberFactory.create_batch(5, cell=cell)
    before, checksum = row_counts(), sha256(media)
    names = sorted(Member.objects.values_list("full_name", flat=True))
    assert before["members_member"] == 5

    folder = backup_folder(tmp_path, capsys)
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["tables"] == before
    assert manifest["media"] == {"evidence/2026/bien-ban.pdf": {"sha256": checksum, "bytes": media.stat().st_size}}
    assert manifest["signature"]["algorithm"] == "HMAC-SHA256"

    # Then things go wrong: rows added and removed, a file overwritten, another lost.
    MemberFactory.create_batch(3, cell=cell)
    first = Member.objects.order_by("pk").first()
    assert first is not None
    Member.objects.filter(pk=first.pk).delete()
    media.write_bytes(b"overwritten")
    (media.parent / "other.pdf").write_bytes(b"%PDF-1.7 stray")
    assert row_counts() != before

    call_command("restore", str(folder), yes=True)
    assert "row counts as in the backup" in capsys.readouterr().out
    assert row_counts() == before
    assert sorted(Member.objects.values_list("full_name", flat=True)) == names
    assert sha256(media) == checksum
    assert not (media.parent / "other.pdf").exists()
    assert sorted(p.name for p in media.parents[2].iterdir()) == ["evidence"]  # no working folder left behind


def test_restore_asks_for_confirmation_and_refuses_a_damaged_backup(tmp_path, media, capsys) -> None:
    folder = backup_folder(tmp_path, capsys)
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(folder))
    archive = folder / MEDIA_ARCHIVE
    archive.write_bytes(archive.read_bytes()[:-10])
    with pytest.raises(CommandError, match=r"media\.tar\.gz has .* bytes, the manifest says"):
        call_command("restore", str(folder), yes=True)
    with pytest.raises(CommandError, match="not a backup"):
        call_command("restore", str(tmp_path), yes=True)


# ---------------------------------------------------------------------------------------------------
# Damaged and tampered backups: refused, the live data untouched
# ---------------------------------------------------------------------------------------------------


@pytest.fixture
def live(tmp_path, media, capsys):
    """A backup, then the live data moved on from it: the state a refused restore must leave as it is."""
    cell = make_org("Chi bộ khu phố 1", Organisation.Kind.CELL, make_org("Phường 1", Organisation.Kind.WARD))
    MemberFactory.create_batch(3, cell=cell)
    folder = backup_folder(tmp_path, capsys)
    MemberFactory.create_batch(2, cell=cell)
    media.write_bytes(b"%PDF-1.7 the minutes as corrected after the backup")
    (media.parent / "new.pdf").write_bytes(b"%PDF-1.7 uploaded after the backup")
    return folder


def snapshot(media_root: Path) -> tuple[dict[str, int], dict[str, str]]:
    """The live data: every table's row count, every file under the media folder (working folders included)."""
    files = {p.relative_to(media_root).as_posix(): sha256(p) for p in sorted(media_root.rglob("*")) if p.is_file()}
    return row_counts(), files


def rewrite_manifest(folder: Path, change, *, signed: bool) -> None:
    manifest = json.loads((folder / MANIFEST).read_text())
    change(manifest)
    (folder / MANIFEST).write_text(json.dumps(sign(manifest) if signed else manifest))


def record_archive(folder: Path) -> None:
    """The manifest updated for a re-written media archive and signed again, as ``backup`` would have signed it."""

    def change(manifest) -> None:
        archive = folder / MEDIA_ARCHIVE
        manifest["files"][MEDIA_ARCHIVE] = {"sha256": sha256(archive), "bytes": archive.stat().st_size}

    rewrite_manifest(folder, change, signed=True)


def repack(folder: Path, name: str, content: bytes) -> None:
    """The media archive packed again with one file's content changed."""
    out = io.BytesIO()
    with tarfile.open(folder / MEDIA_ARCHIVE, "r:gz") as source, tarfile.open(fileobj=out, mode="w:gz") as target:
        for member in source:
            file = source.extractfile(member) if member.isfile() else None
            data = file.read() if file is not None else None
            if member.name == f"media/{name}":
                data, member.size = content, len(content)
            target.addfile(member, io.BytesIO(data) if data is not None else None)
    (folder / MEDIA_ARCHIVE).write_bytes(out.getvalue())


def refused(folder: Path, media_root: Path, message: str) -> None:
    before = snapshot(media_root)
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(folder), yes=True)
    assert snapshot(media_root) == before
    assert not list(media_root.glob(".restore-*"))  # no working folder left behind


def test_a_truncated_archive_is_refused_and_the_live_data_untouched(live, settings) -> None:
    archive = live / MEDIA_ARCHIVE
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    refused(live, settings.MEDIA_ROOT, "media.tar.gz has .* bytes, the manifest says")


def test_an_archive_truncated_when_written_is_refused(live, settings) -> None:
    """A backup written onto a full disk: the archive cut short before its checksum was taken. The checksum and the
    signature agree with it; reading it to its end does not."""
    archive = live / MEDIA_ARCHIVE
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size - 30])
    record_archive(live)
    refused(live, settings.MEDIA_ROOT, "media.tar.gz cannot be read to its end")


def test_a_repacked_archive_with_a_changed_file_is_refused(live, settings) -> None:
    repack(live, "evidence/2026/bien-ban.pdf", b"%PDF-1.7 a different document")
    refused(live, settings.MEDIA_ROOT, r"media\.tar\.gz (has .* bytes|does not match its checksum)")
    record_archive(live)  # even with the archive's checksum written again and signed with the key
    refused(live, settings.MEDIA_ROOT, "media file evidence/2026/bien-ban.pdf in media.tar.gz does not match")


def test_a_manifest_edited_without_the_key_is_refused(live, settings) -> None:
    repack(live, "evidence/2026/bien-ban.pdf", b"%PDF-1.7 a different document")

    def cover_up(manifest) -> None:
        changed = {"sha256": sha256(live / MEDIA_ARCHIVE), "bytes": (live / MEDIA_ARCHIVE).stat().st_size}
        manifest["files"][MEDIA_ARCHIVE] = changed
        digest = hashlib.sha256(b"%PDF-1.7 a different document").hexdigest()
        manifest["media"]["evidence/2026/bien-ban.pdf"] = {"sha256": digest, "bytes": 29}

    rewrite_manifest(live, cover_up, signed=False)
    refused(live, settings.MEDIA_ROOT, "signature of manifest.json does not match")
    rewrite_manifest(live, lambda manifest: manifest.pop("signature"), signed=False)
    refused(live, settings.MEDIA_ROOT, "manifest.json is not signed")


def test_a_backup_signed_with_another_key_is_refused(live, settings) -> None:
    settings.BACKUP_SIGNING_KEY = "the key of another server"
    refused(live, settings.MEDIA_ROOT, "signed with another key")


def test_a_file_outside_the_media_folder_is_refused(live, settings) -> None:
    out = io.BytesIO()
    with tarfile.open(live / MEDIA_ARCHIVE, "r:gz") as source, tarfile.open(fileobj=out, mode="w:gz") as target:
        for member in source:
            target.addfile(member, source.extractfile(member) if member.isfile() else None)
        escape = tarfile.TarInfo("media/../../escaped.txt")
        escape.size = 2
        target.addfile(escape, io.BytesIO(b"hi"))
    (live / MEDIA_ARCHIVE).write_bytes(out.getvalue())
    record_archive(live)
    refused(live, settings.MEDIA_ROOT, "outside the media folder")


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_a_damaged_database_copy_is_refused(live, settings) -> None:
    copy = live / "database.sqlite3"
    copy.write_bytes(gzip.compress(copy.read_bytes()))  # the right size no more, but checksummed and signed

    def change(manifest) -> None:
        manifest["files"]["database.sqlite3"] = {"sha256": sha256(copy), "bytes": copy.stat().st_size}

    rewrite_manifest(live, change, signed=True)
    refused(live, settings.MEDIA_ROOT, "database.sqlite3 cannot be read as a database|fails SQLite's integrity")


@contextmanager
def failing_database_step(monkeypatch, tmp_path: Path) -> Iterator[None]:
    """The database step made to fail for real: pg_restore not found on PostgreSQL; on SQLite, a write transaction
    open on the live database, into which SQLite's backup cannot copy."""
    if connection.vendor == "postgresql":
        (tmp_path / "no-tools").mkdir()
        monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))
        yield
        return
    with transaction.atomic():
        Organisation.objects.update(name="Đang sửa")
        yield
        transaction.set_rollback(True)


def test_a_failed_database_step_leaves_the_media_as_they_were(live, settings, monkeypatch, tmp_path) -> None:
    before = snapshot(settings.MEDIA_ROOT)
    failure = r"pg_restore is missing|database could not be replaced"
    with failing_database_step(monkeypatch, tmp_path), pytest.raises(CommandError, match=failure):
        call_command("restore", str(live), yes=True)
    assert snapshot(settings.MEDIA_ROOT) == before
    assert (settings.MEDIA_ROOT / "evidence" / "2026" / "new.pdf").exists()
    assert not list(settings.MEDIA_ROOT.glob(".restore-*"))


def test_a_good_backup_still_restores_after_a_refused_one(live, settings, capsys) -> None:
    good = json.loads((live / MANIFEST).read_text())
    archive = (live / MEDIA_ARCHIVE).read_bytes()
    repack(live, "evidence/2026/bien-ban.pdf", b"tampered")
    refused(live, settings.MEDIA_ROOT, r"media\.tar\.gz (has .* bytes|does not match its checksum)")
    (live / MEDIA_ARCHIVE).write_bytes(archive)
    (live / MANIFEST).write_text(json.dumps(good))
    call_command("restore", str(live), yes=True)
    assert "row counts as in the backup" in capsys.readouterr().out
    assert row_counts() == good["tables"]
    assert snapshot(settings.MEDIA_ROOT)[1] == {k: v["sha256"] for k, v in good["media"].items()}
