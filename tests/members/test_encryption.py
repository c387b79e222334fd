"""Members' citizen IDs and party card numbers: encrypted at rest (the members' rows and their history), found
through a keyed hash, unique with a Vietnamese message, shown masked to those who do not manage the member, and
re-encrypted by ``rotate_encryption_keys`` when a key is added."""

from __future__ import annotations

import html
import importlib
import io
from io import StringIO
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection, models
from django.test import Client, override_settings
from django.urls import reverse
from openpyxl import load_workbook

from chibo.lib.crypto import DecryptionError, keyed_hash, mask
from members.checks import check_personal_data_keys
from members.models import Member
from tests.factories import MemberFactory

CITIZEN_ID = "083190123456"
CARD = "52.001234"
KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()
VALID = {
    "full_name": "Trần Văn Bình",
    "sex": "male",
    "birth_date": "05/03/1962",
    "admitted_on": "19/05/1990",
    "official_on": "19/05/1991",
}


def raw_rows(model: type[models.Model]) -> list[tuple[str | None, str | None, str | None]]:
    """The stored columns as the database holds them, read past the model."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT citizen_id, party_card_number, citizen_id_hash FROM {table}")
        return cursor.fetchall()


def stored_text(model: type) -> str:
    return " ".join(str(value) for row in raw_rows(model) for value in row[:2])


def everything_reads(citizen_id: str = CITIZEN_ID) -> None:
    member = Member.objects.with_citizen_id(citizen_id).get()
    assert (member.citizen_id, member.party_card_number) == (citizen_id, CARD)
    assert {(h.citizen_id, h.party_card_number) for h in member.history.all()} == {(citizen_id, CARD)}


@pytest.fixture
def member(tree) -> Member:
    return MemberFactory.create(
        cell=tree.cell_a1, full_name="Lê Văn Tám", citizen_id=CITIZEN_ID, party_card_number=CARD
    )


# --- pure functions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("083190123456", "••••••••3456"),
        ("52.001234", "•••••1234"),
        ("12345", "•2345"),
        ("1234", "••••"),  # four or fewer: nothing shown
        ("7", "•"),
        ("", ""),
        (None, ""),
    ],
)
def test_a_masked_value_shows_its_last_four_characters_only(value: str | None, shown: str) -> None:
    assert mask(value) == shown


def test_the_keyed_hash_depends_on_the_value_and_the_key(settings) -> None:
    settings.SEARCH_HASH_KEY = "one key"
    first = keyed_hash(CITIZEN_ID)
    assert first == keyed_hash(CITIZEN_ID)
    assert len(first) == 64
    assert keyed_hash("083190123457") != first
    settings.SEARCH_HASH_KEY = "another key"
    assert keyed_hash(CITIZEN_ID) != first


# --- at rest -------------------------------------------------------------------------------------------


def test_the_database_holds_no_plaintext_in_the_members_nor_their_history(member) -> None:
    member.phone = "0987654321"
    member.save()  # a second history row
    for model in (Member, Member.history.model):
        rows = raw_rows(model)
        assert rows
        for citizen_id, card, key in rows:
            assert citizen_id is not None
            assert citizen_id.startswith("gAAAA")
            assert card is not None
            assert card.startswith("gAAAA")
            assert key == keyed_hash(CITIZEN_ID)
        assert CITIZEN_ID not in stored_text(model)
        assert "001234" not in stored_text(model)
    member.refresh_from_db()
    assert (member.citizen_id, member.party_card_number) == (CITIZEN_ID, CARD)
    everything_reads()


def test_blank_values_stay_blank(tree) -> None:
    MemberFactory.create(cell=tree.cell_a1, citizen_id=None, party_card_number="")
    assert raw_rows(Member) == [(None, "", None)]
    assert raw_rows(Member.history.model) == [(None, "", None)]


def test_the_database_cannot_be_asked_for_an_encrypted_value(member) -> None:
    with pytest.raises(FieldError):
        list(Member.objects.filter(citizen_id=CITIZEN_ID))
    assert list(Member.objects.with_citizen_id(" 0831 9012 3456 ")) == [member]
    assert not Member.objects.with_citizen_id("083190123457").exists()
    assert not Member.objects.with_citizen_id("").exists()


def test_a_value_that_no_key_decrypts_names_the_field(member) -> None:
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_B]), pytest.raises(DecryptionError, match="citizen_id"):
        Member.objects.get(pk=member.pk)


def test_changing_the_citizen_id_through_update_fields_renews_its_hash(member) -> None:
    member.citizen_id = "083190654321"
    member.save(update_fields=["citizen_id"])
    assert list(Member.objects.with_citizen_id("083190654321")) == [member]
    assert not Member.objects.with_citizen_id(CITIZEN_ID).exists()


def test_the_data_migration_encrypts_rows_written_in_clear_and_reverses(member) -> None:
    migration = importlib.import_module("members.migrations.0008_encrypt_existing_personal_data")
    for model in (Member, Member.history.model):
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET citizen_id = %s, party_card_number = %s, citizen_id_hash = NULL",
                [CITIZEN_ID, CARD],
            )
    editor = SimpleNamespace(connection=connection, quote_name=connection.ops.quote_name)
    migration.encrypt_existing(apps, editor)
    migration.encrypt_existing(apps, editor)  # a second run changes nothing
    assert CITIZEN_ID not in stored_text(Member) + stored_text(Member.history.model)
    everything_reads()
    migration.decrypt_existing(apps, editor)
    assert raw_rows(Member) == [(CITIZEN_ID, CARD, None)]


# --- uniqueness ------------------------------------------------------------------------------------------


def test_a_citizen_id_already_recorded_is_refused_in_vietnamese(client_for, tree, member) -> None:
    url = reverse("members:member-create", args=[tree.cell_a1.pk])
    response = client_for("secretary").post(url, {**VALID, "cell": tree.cell_a1.pk, "citizen_id": CITIZEN_ID})
    assert response.status_code == 200
    assert response.context["form"].errors["citizen_id"] == ["Số CCCD này đã có ở một đảng viên khác."]
    assert not Member.objects.filter(full_name="Trần Văn Bình").exists()


def test_a_member_keeps_their_own_citizen_id_when_edited(client_for, member) -> None:
    url = reverse("members:member-edit", args=[member.pk])
    data = {**VALID, "full_name": member.full_name, "cell": member.cell_id, "citizen_id": CITIZEN_ID}
    assert client_for("secretary").post(url, data).status_code == 302


# --- who sees what ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "full"),
    [
        ("admin", True),
        ("secretary", True),
        ("deputy", True),
        ("committee", False),  # the cell committee sees the record, manages nothing
        ("in_charge", False),  # the ward committee member in charge of the cell
        ("standing", False),
    ],
)
def test_the_member_page_shows_the_numbers_in_full_only_to_those_who_manage_the_member(client_for, member, who, full):
    page = client_for(who).get(reverse("members:member-detail", args=[member.pk])).content.decode()
    assert (CITIZEN_ID in page, CARD in page) == (full, full)
    assert ("••••••••3456" in page) == (not full)


def test_members_see_their_own_numbers(people) -> None:
    own = Member.objects.get(user=people["member"])
    own.citizen_id, own.party_card_number = CITIZEN_ID, CARD
    own.save()
    client = Client()
    client.force_login(people["member"])
    page = client.get(reverse("members:member-detail", args=[own.pk])).content.decode()
    assert CITIZEN_ID in page
    assert CARD in page


def test_the_history_masks_the_numbers_for_those_who_do_not_manage_the_member(client_for, member) -> None:
    member.citizen_id, member.party_card_number = "083190654321", "52.009999"
    member.save()

    def page(who: str) -> str:
        response = client_for(who).get(reverse("history:member-history", args=[member.pk]))
        return html.unescape(response.content.decode())

    full = page("secretary")
    for label, old, new in (("Số CCCD", CITIZEN_ID, "083190654321"), ("Số thẻ đảng viên", CARD, "52.009999")):
        assert label in full
        assert old in full
        assert new in full
    masked = page("in_charge")
    for shown in ("••••••••3456", "••••••••4321", "•••••1234", "•••••9999"):
        assert shown in masked
    for hidden in (CITIZEN_ID, "083190654321", CARD, "52.009999"):
        assert hidden not in masked


@pytest.mark.parametrize("who", ["in_charge", "committee", "secretary"])
def test_a_member_list_export_holds_no_citizen_id_nor_card_number(client_for, tree, member, who) -> None:
    response = client_for(who).get(reverse("members:cell-members-export", args=[tree.cell_a1.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)
    assert member.full_name in cells
    assert CITIZEN_ID not in cells
    assert "001234" not in cells


# --- key rotation ---------------------------------------------------------------------------------------------


def test_rotation_moves_every_row_to_the_new_key(tree) -> None:
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_A]):
        member = MemberFactory.create(cell=tree.cell_a1, citizen_id=CITIZEN_ID, party_card_number=CARD)
        member.phone = "0987654321"
        member.save()
        under_a = raw_rows(Member) + raw_rows(Member.history.model)
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_B, KEY_A]):
        everything_reads()  # the new key first, the old one still reads
        out = StringIO()
        call_command("rotate_encryption_keys", "--batch-size", "1", stdout=out)
        assert "members.Member: 1 rows, 2 values" in out.getvalue()
        assert "members.HistoricalMember: 2 rows, 4 values" in out.getvalue()
    under_b = raw_rows(Member) + raw_rows(Member.history.model)
    assert all(new[0] != old[0] and new[1] != old[1] for new, old in zip(under_b, under_a, strict=True))
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_B]):
        everything_reads()  # the old key dropped: everything still reads, and the search still finds
        assert CITIZEN_ID not in stored_text(Member) + stored_text(Member.history.model)
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_A]), pytest.raises(DecryptionError):
        Member.objects.get(pk=member.pk)


def test_rotation_stops_on_a_value_no_key_decrypts(tree) -> None:
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_A]):
        MemberFactory.create(cell=tree.cell_a1, citizen_id=CITIZEN_ID, party_card_number=CARD)
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_B]), pytest.raises(Exception, match="does not decrypt"):
        call_command("rotate_encryption_keys", stdout=StringIO())


def test_a_new_search_key_needs_a_rehash(member, settings) -> None:
    settings.SEARCH_HASH_KEY = "a new search key"
    assert not Member.objects.with_citizen_id(CITIZEN_ID).exists()
    call_command("rotate_encryption_keys", "--rehash", stdout=StringIO())
    everything_reads()
    assert {row[2] for row in raw_rows(Member.history.model)} == {keyed_hash(CITIZEN_ID)}


# --- production ---------------------------------------------------------------------------------------------


def test_the_deploy_check_refuses_keys_derived_from_the_secret_key(settings) -> None:
    settings.FIELD_ENCRYPTION_KEYS, settings.SEARCH_HASH_KEY = [], ""
    assert [e.id for e in check_personal_data_keys()] == ["members.E001", "members.E002"]
    settings.FIELD_ENCRYPTION_KEYS, settings.SEARCH_HASH_KEY = [KEY_A], "a search key"
    assert check_personal_data_keys() == []


def test_a_member_read_without_the_numbers_saves_without_touching_them(member) -> None:
    partial = Member.objects.without_identity_numbers().get(pk=member.pk)
    partial.phone = "0987654321"
    partial.save(update_fields=["phone"])
    partial = Member.objects.only("pk", "full_name", "cell").get(pk=member.pk)
    partial.full_name = "Lê Văn Tám Em"
    partial.save()
    everything_reads()


def test_an_encrypted_field_is_compared_with_the_empty_string_only(member) -> None:
    """ "Is it blank?" is a question the database can answer; "is it 123456?" is not (each token is new)."""
    blank = MemberFactory.create(cell=member.cell, citizen_id=None, party_card_number="")
    assert list(Member.objects.filter(party_card_number="")) == [blank]
    assert list(Member.objects.exclude(citizen_id=None)) == [member]
    with pytest.raises(FieldError, match="search by its hash"):
        Member.objects.filter(party_card_number=CARD).count()


def test_the_member_list_finds_a_member_by_citizen_id_through_its_hash(member, people, client_for) -> None:
    """The ward's standing member sees the number masked, yet finds the member by the number given in full."""
    MemberFactory.create(cell=member.cell, full_name="Lê Văn Chín", citizen_id="083190123457")
    page = client_for("standing").get(reverse("members:member-list"), {"q": "0831 9012 3456"}).content.decode()
    assert "Lê Văn Tám" in page
    assert "Lê Văn Chín" not in page
    assert CITIZEN_ID not in page
    assert (
        "Lê Văn Tám"
        not in client_for("standing").get(reverse("members:member-list"), {"q": "083190123458"}).content.decode()
    )
