"""A user's choices about their messages. The form validates; the view saves."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from members.forms import CrispyMixin
from notifications.models import Kind, Preference

# The daily digest is how the other kinds reach a user who asked for it: muting it would silence them all.
MUTABLE_KINDS = [(value, label) for value, label in Kind.choices if value != Kind.DAILY_DIGEST]


class PreferenceForm(CrispyMixin, forms.ModelForm):
    muted_kinds = forms.MultipleChoiceField(
        label=_("Do not send me these messages"),
        choices=MUTABLE_KINDS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A muted kind is neither shown here nor sent by email."),
    )

    class Meta:
        model = Preference
        fields = ["daily_digest", "muted_kinds"]
        help_texts = {
            "daily_digest": _("Every message still appears in the list here as soon as it is made."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()
        # A kind muted earlier that is no longer offered (or was never mutable) is dropped on the next save.
        self.initial["muted_kinds"] = [k for k in self.initial.get("muted_kinds") or [] if k in dict(MUTABLE_KINDS)]
