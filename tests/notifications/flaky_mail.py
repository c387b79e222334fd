"""An email backend that fails a set number of times before it works, to prove retries send exactly once."""

from __future__ import annotations

from django.core import mail
from django.core.mail.backends.locmem import EmailBackend


class FlakyBackend(EmailBackend):
    failures_left = 0

    def send_messages(self, messages):
        if FlakyBackend.failures_left > 0:
            FlakyBackend.failures_left -= 1
            raise ConnectionRefusedError("the mail server refused the connection")
        return super().send_messages(messages)


__all__ = ["FlakyBackend", "mail"]
