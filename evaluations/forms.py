"""Forms of the yearly evaluation. They validate and never write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chibo.lib.forms import SafeInputMixin
from evaluations.models import EmulationCriterion, EvaluationCycle, Level, MemberEvaluation, PeopleComment
from members.forms import CrispyMixin, DateInput
from members.models import Member, Organisation

TEXT = {"rows": 4}


class OpenCycleForm(CrispyMixin, forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()
        self.fields["year"].initial = timezone.localdate().year


class SelfAssessmentForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = MemberEvaluation
        fields = ["strengths", "shortcomings", "direction", "self_level"]
        widgets = {name: forms.Textarea(attrs=TEXT) for name in ("strengths", "shortcomings", "direction")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()
        self.fields["self_level"].required = True
        self.fields["strengths"].required = True


class CellAssessmentForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = EvaluationCycle
        fields = ["strengths", "shortcomings", "direction", "cell_proposed_level"]
        widgets = {name: forms.Textarea(attrs=TEXT) for name in ("strengths", "shortcomings", "direction")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()


class VoteForm(CrispyMixin, forms.Form):
    day = forms.DateField(label=_("Vote date"), widget=DateInput())
    votes_for = forms.IntegerField(label=_("Votes for"), min_value=0)
    votes_against = forms.IntegerField(label=_("Votes against"), min_value=0, initial=0)
    votes_abstain = forms.IntegerField(label=_("Abstentions"), min_value=0, initial=0)
    absent_with_reason = forms.ModelMultipleChoiceField(
        label=_("Official members absent with an approved reason"),
        queryset=Member.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, cell: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()
        self.fields["day"].initial = timezone.localdate()
        self.fields["absent_with_reason"].queryset = (
            Member.objects.filter(cell=cell).active().order_by("search_name", "pk").only("pk", "full_name")
        )


class SendBackForm(SafeInputMixin, forms.Form):
    reason = forms.CharField(label=_("Reason for sending back"), max_length=500)


class CommentForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = PeopleComment
        fields = ["source", "about", "text", "given_on"]
        widgets = {"given_on": DateInput(), "text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, cell: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()
        self.fields["about"].queryset = Member.objects.filter(cell=cell).active().order_by("search_name", "pk")
        self.fields["given_on"].initial = timezone.localdate()


class CriterionForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = EmulationCriterion
        fields = ["text", "target", "max_points"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()


LEVEL_CHOICES = [("", "—"), *Level.choices]
