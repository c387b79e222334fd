"""Deploy checks (``manage.py check --deploy``): personal data is not encrypted with keys derived from SECRET_KEY
in production, where a change of SECRET_KEY would leave every encrypted value unreadable."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def check_personal_data_keys(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors = []
    keys = [str(key).strip() for key in getattr(settings, "FIELD_ENCRYPTION_KEYS", None) or () if str(key).strip()]
    if not keys:
        errors.append(
            Error(
                "FIELD_ENCRYPTION_KEYS is not set: members' citizen IDs and party card numbers would be encrypted "
                "with a key derived from SECRET_KEY.",
                hint='Generate one with: python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())" (README, "Personal data").',
                id="members.E001",
            )
        )
    if not getattr(settings, "SEARCH_HASH_KEY", ""):
        errors.append(
            Error(
                "SEARCH_HASH_KEY is not set: the keyed hash that finds a citizen ID would be derived from SECRET_KEY.",
                hint="Set it to a long random string, and never change it without rotate_encryption_keys --rehash.",
                id="members.E002",
            )
        )
    return errors
