"""Personal data encrypted at rest, found again through a keyed hash, shown masked.

- ``FIELD_ENCRYPTION_KEYS`` (settings): Fernet keys, newest first. The first encrypts, every one decrypts, so a new
  key is put first, ``manage.py rotate_encryption_keys`` re-encrypts every row with it, and then the old key is
  dropped. ``EncryptedCharField`` stores a Fernet token (AES-128-CBC with HMAC-SHA256) in place of the value.
- ``SEARCH_HASH_KEY`` (settings): the key of the blind index, ``keyed_hash(value)`` = HMAC-SHA256 in hex. A column
  holding it lets the database find a value (and keep it unique) without holding the value. Changing this key
  changes every hash: run ``rotate_encryption_keys --rehash`` at once after changing it.

Unset, both are derived from ``SECRET_KEY`` (one label each), which suits development and the tests; the deploy
check refuses production without them (``members/checks.py``), since a changed ``SECRET_KEY`` would otherwise make
every encrypted value unreadable.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import FieldError
from django.db import models

MASK_CHAR = "•"
SHOWN_DIGITS = 4


class DecryptionError(Exception):
    """A stored value that none of the keys decrypts: the key that encrypted it is missing from the settings."""


def _derived(label: bytes) -> bytes:
    return _derive(str(settings.SECRET_KEY), label)


@lru_cache(maxsize=8)
def _derive(secret: str, label: bytes) -> bytes:
    return hmac.new(secret.encode(), label, hashlib.sha256).digest()


def encryption_keys() -> tuple[str, ...]:
    """The Fernet keys from the settings, newest first; one derived from ``SECRET_KEY`` when none is set."""
    keys = tuple(str(k).strip() for k in getattr(settings, "FIELD_ENCRYPTION_KEYS", None) or () if str(k).strip())
    if keys:
        return keys
    return (base64.urlsafe_b64encode(_derived(b"chibo.crypto.field-encryption")).decode(),)


def search_hash_key() -> bytes:
    """The key of the blind index: ``SEARCH_HASH_KEY``, or one derived from ``SECRET_KEY`` when it is not set."""
    if key := getattr(settings, "SEARCH_HASH_KEY", ""):
        return str(key).encode()
    return _derived(b"chibo.crypto.search-hash")


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    # Keyed by the keys themselves, so a change of settings (override_settings in the tests) builds a new one.
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(encryption_keys())


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """The value of a token; ``InvalidToken`` when no key fits."""
    return fernet().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """The token encrypted again with the first key (its timestamp kept)."""
    return fernet().rotate(token.encode()).decode()


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of the value under ``SEARCH_HASH_KEY``, in hex: equal values give equal hashes."""
    return hmac.new(search_hash_key(), value.encode(), hashlib.sha256).hexdigest()


def mask(value: str | None) -> str:
    """The value with all but its last four characters hidden: "001234569012" → "••••••••9012". A value of four
    characters or fewer is hidden whole; an empty value stays empty."""
    if not value:
        return ""
    shown = value[-SHOWN_DIGITS:] if len(value) > SHOWN_DIGITS else ""
    return MASK_CHAR * (len(value) - len(shown)) + shown


class BlankExact(models.lookups.Exact):
    """``field=""`` (or ``field=None``) on an encrypted field: is it blank? Any other value would be compared with
    a fresh token (a new random one each time) and never match, so it is refused."""

    def get_prep_lookup(self) -> Any:
        if self.rhs not in ("", None):  # None: Django turns ``field=None`` into ``isnull`` after this
            raise FieldError("An encrypted field can only be compared with the empty string; search by its hash.")
        return super().get_prep_lookup()


class EncryptedCharField(models.CharField):
    """A short text stored as a Fernet token under ``FIELD_ENCRYPTION_KEYS``.

    ``max_length`` bounds the value as typed (the form and the validators see it); the column is a text column that
    holds the token. An empty value ("" or NULL) is stored as it is, so a blank field stays blank. The database
    cannot compare or search the values: only ``isnull``, and ``exact`` against the empty string (is it blank?),
    are allowed as lookups; search through a keyed hash (``keyed_hash``) kept in a column of its own.
    """

    def db_type(self, connection: Any) -> str | None:
        return models.TextField().db_type(connection)

    def cast_db_type(self, connection: Any) -> str | None:
        return models.TextField().cast_db_type(connection)  # type: ignore[attr-defined]  # not in django-stubs

    def get_internal_type(self) -> str:
        return "TextField"

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "exact":
            return BlankExact
        if lookup_name != "isnull":
            return None  # Django then raises FieldError: "Unsupported lookup … for EncryptedCharField"
        return super().get_lookup(lookup_name)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        try:
            return decrypt(value)
        except InvalidToken as exc:
            raise DecryptionError(
                f"{self.model._meta.label}.{self.name}: the stored value does not decrypt with any of "
                "FIELD_ENCRYPTION_KEYS (was a key dropped before rotate_encryption_keys had run?)"
            ) from exc

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)
