from __future__ import annotations

from django import forms
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
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


class ResetRequestForm(SafeInputMixin, PasswordResetForm):
    pass


class NewPasswordForm(SafeInputMixin, SetPasswordForm):
    pass
