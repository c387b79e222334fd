"""Re-encrypt the members' personal data with the first of FIELD_ENCRYPTION_KEYS, in the members' rows and in their
change history; with --rehash, also recompute the citizen IDs' keyed hashes under SEARCH_HASH_KEY.

Rotation (README, "Personal data"): put the new key first in FIELD_ENCRYPTION_KEYS and keep the old one after it,
restart, run this command, then drop the old key. Safe to run again: a value already under the first key is
encrypted again under it.
"""

from __future__ import annotations

from typing import Any

from cryptography.fernet import InvalidToken
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction

from chibo.lib import crypto
from members.models import Member, normalize_citizen_id

ENCRYPTED = ("citizen_id", "party_card_number")


class Command(BaseCommand):
    help = "Re-encrypt citizen IDs and party card numbers with the first key; --rehash recomputes the search hashes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rehash", action="store_true", help="Recompute the citizen ID hashes (SEARCH_HASH_KEY).")
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, rehash: bool, batch_size: int, **options: Any) -> None:
        for model in (Member, Member.history.model):
            rows, values = self.rotate(model, rehash=rehash, batch_size=batch_size)
            self.stdout.write(f"{model._meta.label}: {rows} rows, {values} values re-encrypted")
        if rehash:
            self.stdout.write("Citizen ID hashes recomputed.")

    def rotate(self, model: type[models.Model], *, rehash: bool, batch_size: int) -> tuple[int, int]:
        """Each batch in one transaction, read and written through a plain cursor: the tokens themselves are
        rotated (``MultiFernet.rotate``), never decrypted into the model."""
        qn = connection.ops.quote_name
        table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
        columns = ", ".join(ENCRYPTED)
        select = f"SELECT {pk}, {columns}, citizen_id_hash FROM {table} WHERE {pk} > %s ORDER BY {pk} LIMIT %s"
        update = f"UPDATE {table} SET citizen_id = %s, party_card_number = %s, citizen_id_hash = %s WHERE {pk} = %s"
        after, total_rows, total_values = 0, 0, 0
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(select, [after, batch_size])
                rows = cursor.fetchall()
                if not rows:
                    return total_rows, total_values
                changes = [_rotated(model, row, rehash=rehash) for row in rows]
                total_values += sum(bool(value) for row in rows for value in row[1:3])
                cursor.executemany(update, changes)
            total_rows += len(rows)
            after = rows[-1][0]


def _rotated(model: type[models.Model], row: tuple[Any, ...], *, rehash: bool) -> tuple[Any, ...]:
    """(citizen ID, card number, hash, row id) for the UPDATE: the tokens under the first key, the hash renewed."""
    row_id, citizen_id, card, key = row
    try:
        new_id, new_card = (crypto.rotate(v) if v else v for v in (citizen_id, card))
        if rehash:
            key = crypto.keyed_hash(plain) if (plain := _plain_id(citizen_id)) else None
    except InvalidToken as exc:
        raise CommandError(
            f"{model._meta.label} {row_id}: a value does not decrypt with any of FIELD_ENCRYPTION_KEYS; "
            "put back the key it was encrypted with (after the new one) and run again."
        ) from exc
    return new_id, new_card, key, row_id


def _plain_id(token: str | None) -> str | None:
    return normalize_citizen_id(crypto.decrypt(token)) if token else None
