from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from chibo.lib.forms import SafeInputMixin


def _code_input(**attrs: str) -> forms.TextInput:
    return forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": "", "spellcheck": "false", **attrs})


class CodeForm(SafeInputMixin, forms.Form):
    """The second step of the login: a code from the phone, or one recovery code."""

    code = forms.CharField(
        label=_("6-digit verification code"),
        max_length=20,
        help_text=_("The code your authenticator app shows now, or one of your recovery codes."),
        widget=_code_input(),
    )


class SetupForm(SafeInputMixin, forms.Form):
    code = forms.CharField(
        label=_("6-digit verification code"),
        max_length=20,
        help_text=_("The code the app shows after you added the account."),
        widget=_code_input(inputmode="numeric"),
    )


class TurnOffForm(SafeInputMixin, forms.Form):
    secret = forms.CharField(
        label=_("A code from your phone, or your password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


# At most this many reset emails to one account an hour: the form is open to everyone, and without a bound anyone
# could fill a member's mailbox. Past it the page says the same as ever (nothing is revealed) and sends nothing.
RESET_EMAILS_PER_HOUR = 3


class ResetRequestForm(SafeInputMixin, PasswordResetForm):
    def get_users(self, email: str) -> Iterator[Any]:
        for user in super().get_users(email):
            key = f"password-reset-sent:{user.pk}"
            cache.add(key, 0, timeout=60 * 60)  # the hour starts with the first email
            if cache.incr(key) <= RESET_EMAILS_PER_HOUR:
                yield user


class NewPasswordForm(SafeInputMixin, SetPasswordForm):
    pass
