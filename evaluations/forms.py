"""Forms of the yearly evaluation. They validate and never write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chibo.lib.forms import SafeInputMixin, clean_text, model_choice_field
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
        model_choice_field(self, "absent_with_reason").queryset = (
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
        model_choice_field(self, "about").queryset = (
            Member.objects.filter(cell=cell).active().order_by("search_name", "pk")
        )
        self.fields["given_on"].initial = timezone.localdate()


class CriterionForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = EmulationCriterion
        fields = ["text", "target", "max_points"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()


LEVEL_CHOICES = [("", "—"), *Level.choices]


# A score is a small integer column: PostgreSQL refuses more than this.
SCORE_MAX = 32767
NOTE_MAX = MemberEvaluation._meta.get_field("proposal_note").max_length
REASON_MAX = MemberEvaluation._meta.get_field("evidence_reason").max_length


class PostedChoice(forms.Field):
    """A value as posted ("" when missing); the form says whether it is one of the levels."""

    def __init__(self) -> None:
        super().__init__(required=False)

    def to_python(self, value: Any) -> str:
        return "" if value is None else value


class PlainText(forms.Field):
    """An optional text of a grid's row, read as ``clean_text`` reads it (composed, stripped, checked, at most
    ``max_length`` characters, with the site's own messages)."""

    def __init__(self, *, max_length: int | None) -> None:
        super().__init__(required=False)
        self.max_length = max_length

    def clean(self, value: Any) -> str:
        return clean_text("" if value is None else value, max_length=self.max_length)


class LevelGridForm(SafeInputMixin, forms.Form):
    """A level for each member's evaluation (``level_<id>``), as the grid of levels posts it. A level that is
    none of the levels is not something the page posts (``forged``: the page answers 404)."""

    def __init__(self, data: Any, *, evaluations: list[MemberEvaluation]) -> None:
        super().__init__(data)
        self.evaluations = evaluations
        for evaluation in evaluations:
            self.fields[f"level_{evaluation.pk}"] = PostedChoice()

    def level_of(self, evaluation: MemberEvaluation) -> str:
        return self.cleaned_data[f"level_{evaluation.pk}"]

    @property
    def forged(self) -> bool:
        self.is_valid()
        return any(self.level_of(e) and self.level_of(e) not in Level.values for e in self.evaluations)


class ProposalGridForm(LevelGridForm):
    """The committee's proposal: a level and a remark for each member (``note_<id>``), and the reason confirming a
    level the evidence weighs against (``reason_<id>``, posted only for the members the page asks it of)."""

    def __init__(self, data: Any, *, evaluations: list[MemberEvaluation]) -> None:
        super().__init__(data, evaluations=evaluations)
        for evaluation in evaluations:
            self.fields[f"note_{evaluation.pk}"] = PlainText(max_length=NOTE_MAX)
            self.fields[f"reason_{evaluation.pk}"] = PlainText(max_length=REASON_MAX)

    def _row_error(self, evaluation: MemberEvaluation) -> list[str]:
        for name in (f"note_{evaluation.pk}", f"reason_{evaluation.pk}"):
            if name in self.errors:
                return [str(error) for error in self.errors[name]]
        return []

    def row_errors(self) -> list[str]:
        """One message for each member whose remark or reason is refused, in the grid's order."""
        return [f"{e.member.full_name}: {' '.join(errors)}" for e in self.evaluations if (errors := self._row_error(e))]

    def levels(self) -> dict[int, tuple[str, str]]:
        """(level, remark) by evaluation id; a refused row keeps its level and no remark."""
        return {
            e.pk: (self.level_of(e), "" if self._row_error(e) else self.cleaned_data[f"note_{e.pk}"])
            for e in self.evaluations
        }

    def reasons(self) -> dict[int, str]:
        """The reasons posted, by evaluation id (a row the page asked none of keeps its own)."""
        return {
            e.pk: self.cleaned_data[f"reason_{e.pk}"]
            for e in self.evaluations
            if f"reason_{e.pk}" in self.data and not self._row_error(e)
        }


class ApprovalGridForm(LevelGridForm):
    """The upper level's decision: a level for each member, and the cell's (``cell_level``)."""

    def __init__(self, data: Any, *, evaluations: list[MemberEvaluation]) -> None:
        super().__init__(data, evaluations=evaluations)
        self.fields["cell_level"] = PostedChoice()

    def levels(self) -> dict[int, str]:
        return {e.pk: self.level_of(e) for e in self.evaluations}


class ScoresForm(SafeInputMixin, forms.Form):
    """The emulation criteria's scores (``score_<id>``): a whole number of points from 0 to the criterion's most
    (a small integer column's most when it has none), or nothing."""

    def __init__(self, data: Any, *, criteria: list[EmulationCriterion]) -> None:
        super().__init__(data)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"score_{criterion.pk}"] = forms.IntegerField(
                min_value=0, max_value=self.most(criterion), required=False
            )

    @staticmethod
    def most(criterion: EmulationCriterion) -> int:
        return SCORE_MAX if criterion.max_points is None else criterion.max_points

    def row_errors(self) -> list[str]:
        return [
            _("%(criterion)s: enter a whole number of points from 0 to %(max)s.")
            % {"criterion": c.text, "max": self.most(c)}
            for c in self.criteria
            if f"score_{c.pk}" in self.errors
        ]

    def scores(self) -> dict[int, int | None]:
        """The scores read, by criterion id (a refused one is left out)."""
        return {c.pk: self.cleaned_data[f"score_{c.pk}"] for c in self.criteria if f"score_{c.pk}" in self.cleaned_data}
