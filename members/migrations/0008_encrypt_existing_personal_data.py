"""Encrypts the citizen IDs and party card numbers already recorded, in the members' rows and in their history,
and fills the citizen ID's keyed hash. Reversed, it writes the values back in clear and empties the hashes.

The rows are read and written through a plain cursor: the model field would try to decrypt the values still in
clear. A value that already decrypts is left as it is, so the migration may be run again after a partial run.
"""

from cryptography.fernet import InvalidToken
from django.db import migrations

from chibo.lib import crypto

BATCH_SIZE = 2000


def _is_token(value):
    try:
        crypto.decrypt(value)
    except InvalidToken:
        return False
    return True


def _encrypted(citizen_id, card):
    plain_id = crypto.decrypt(citizen_id) if citizen_id and _is_token(citizen_id) else citizen_id
    if plain_id is not None:
        plain_id = "".join(plain_id.split()) or None
    return (
        crypto.encrypt(plain_id) if plain_id else plain_id,
        crypto.encrypt(card) if card and not _is_token(card) else card,
        crypto.keyed_hash(plain_id) if plain_id else None,
    )


def _decrypted(citizen_id, card):
    return (
        crypto.decrypt(citizen_id) if citizen_id and _is_token(citizen_id) else citizen_id,
        crypto.decrypt(card) if card and _is_token(card) else card,
        None,
    )


def _convert(apps, schema_editor, change):
    qn = schema_editor.quote_name
    for name in ("Member", "HistoricalMember"):
        model = apps.get_model("members", name)
        table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
        select = (
            f"SELECT {pk}, citizen_id, party_card_number FROM {table} WHERE {pk} > %s ORDER BY {pk} LIMIT {BATCH_SIZE}"
        )
        update = f"UPDATE {table} SET citizen_id = %s, party_card_number = %s, citizen_id_hash = %s WHERE {pk} = %s"
        with schema_editor.connection.cursor() as cursor:
            after = 0
            while True:
                cursor.execute(select, [after])
                rows = cursor.fetchall()
                if not rows:
                    break
                changes = [(*change(citizen_id, card), row_id) for row_id, citizen_id, card in rows]
                cursor.executemany(update, changes)
                after = rows[-1][0]


def encrypt_existing(apps, schema_editor):
    _convert(apps, schema_editor, _encrypted)


def decrypt_existing(apps, schema_editor):
    _convert(apps, schema_editor, _decrypted)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0007_encrypt_personal_data"),
    ]

    operations = [
        migrations.RunPython(encrypt_existing, decrypt_existing, elidable=False),
    ]
