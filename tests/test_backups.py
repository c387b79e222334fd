"""Backups: a round trip through ``manage.py backup`` and ``manage.py restore`` gives back every row and file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from chibo.backups import MANIFEST, row_counts, sha256
from members.models import Member, Organisation
from tests.factories import MemberFactory, make_org

pytestmark = pytest.mark.django_db(transaction=True)  # the dump runs in another process: the rows must be committed


@pytest.fixture
def media(settings, tmp_path) -> Path:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    evidence = settings.MEDIA_ROOT / "evidence" / "2026" / "bien-ban.pdf"
    evidence.parent.mkdir(parents=True)
    evidence.write_bytes(b"%PDF-1.7 bi\xc3\xaan b\xe1\xba\xa3n h\xe1\xbb\x8dp chi b\xe1\xbb\x99\n")
    return evidence


def backup_folder(tmp_path: Path, capsys) -> Path:  # type: ignore[no-untyped-def]
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
    assert manifest["media"] == {"evidence/2026/bien-ban.pdf": checksum}

    # Then things go wrong: rows added and removed, a file overwritten, another lost.
    MemberFactory.create_batch(3, cell=cell)
    Member.objects.filter(pk=Member.objects.order_by("pk").first().pk).delete()
    media.write_bytes(b"overwritten")
    (media.parent / "other.pdf").write_bytes(b"%PDF-1.7 stray")
    assert row_counts() != before

    call_command("restore", str(folder), yes=True)
    assert "row counts as in the backup" in capsys.readouterr().out
    assert row_counts() == before
    assert sorted(Member.objects.values_list("full_name", flat=True)) == names
    assert sha256(media) == checksum
    assert not (media.parent / "other.pdf").exists()


def test_restore_asks_for_confirmation_and_refuses_a_damaged_backup(tmp_path, media, capsys) -> None:
    folder = backup_folder(tmp_path, capsys)
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(folder))
    archive = folder / "media.tar.gz"
    archive.write_bytes(archive.read_bytes()[:-10])
    with pytest.raises(CommandError, match="checksum"):
        call_command("restore", str(folder), yes=True)
    with pytest.raises(CommandError, match="not a backup"):
        call_command("restore", str(tmp_path), yes=True)
