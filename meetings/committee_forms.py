"""The form of a committee's vote on its own document (``views.votes.committee_vote``): taken among the committee's
members, not at a cell's meeting, so the base of the majority is typed rather than read from an attendance."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from meetings.forms import VoteCountsForm
from members.forms import DateInput
from members.models import today


class CommitteeVoteForm(VoteCountsForm):
    held_on = forms.DateField(label=_("Day of the vote"), widget=DateInput())
    entitled = forms.IntegerField(
        label=_("Committee members entitled to vote"),
        min_value=1,
        max_value=1_000,
        help_text=_("Counted from the committee's accounts; correct it when some members have no account."),
    )
    present = forms.IntegerField(label=_("Committee members present"), min_value=1, max_value=1_000)
    field_order = ["held_on", "entitled", "present", "votes_for", "votes_against", "votes_abstain", "dissent"]

    def __init__(self, *args: Any, entitled: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()
        self.fields["held_on"].initial = today()
        self.fields["entitled"].initial = entitled
        self.fields["present"].initial = entitled
