from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.lib.forms import SafeInputMixin, choice_field, model_choice_field
from inspections.access import bodies_of
from inspections.models import Inspection
from members.forms import CrispyMixin, DateInput
from members.models import Member, Organisation, today


class InspectionForm(CrispyMixin, forms.ModelForm):
    conducted_by = forms.ChoiceField(label=_("Conducted by"))

    class Meta:
        model = Inspection
        fields = [
            "activity",
            "mode",
            "conducted_by",
            "subject_member",
            "title",
            "content",
            "period_from",
            "period_to",
            "planned_start",
            "planned_end",
            "team",
        ]
        widgets = {
            "period_from": DateInput(),
            "period_to": DateInput(),
            "planned_start": DateInput(),
            "planned_end": DateInput(),
            "content": forms.Textarea(attrs={"rows": 4}),
            "team": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, subject: Organisation, body_orgs: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()
        self.instance.subject_org = subject
        self.body_orgs = {org.pk: org for org in body_orgs}
        choices = [
            (f"{org.pk}:{body}", f"{Inspection.Body(body).label} – {org.name}")
            for org in body_orgs
            for body in bodies_of(org)
        ]
        choice_field(self, "conducted_by").choices = choices
        if self.instance.pk:
            self.fields["conducted_by"].initial = f"{self.instance.body_org_id}:{self.instance.body}"
        elif choices:
            self.fields["conducted_by"].initial = choices[-1][0] if subject.is_cell else choices[0][0]
        if subject.is_cell:
            model_choice_field(self, "subject_member").queryset = (
                Member.objects.filter(cell=subject).active().order_by("search_name", "pk")
            )
        else:
            del self.fields["subject_member"]

    def clean_conducted_by(self) -> str:
        value = self.cleaned_data["conducted_by"]
        org_id, _sep, body = value.partition(":")
        org = self.body_orgs.get(int(org_id))
        if org is None or body not in bodies_of(org):
            raise forms.ValidationError(_("Choose a body you may act for."))
        self.instance.body_org = org
        self.instance.body = body
        return value


class ConcludeForm(CrispyMixin, forms.Form):
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 6}))
    conclusion = forms.ChoiceField(label=_("Conclusion"), choices=[("", "---------"), *Inspection.Conclusion.choices])
    recommendations = forms.CharField(
        label=_("Recommendations"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    follow_up_due = forms.DateField(
        label=_("Follow-up due"),
        widget=DateInput(),
        required=False,
        help_text=_("By when the recommendations must be carried out and reported."),
    )
    concluded_on = forms.DateField(label=_("Date of the conclusion"), widget=DateInput())

    def __init__(self, *args: Any, inspection: Inspection, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()
        self.inspection = inspection
        self.fields["concluded_on"].initial = today()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        day, due = data.get("concluded_on"), data.get("follow_up_due")
        if day and day > today():
            self.add_error("concluded_on", _("The date cannot be in the future."))
        if day and self.inspection.actual_start and day < self.inspection.actual_start:
            self.add_error("concluded_on", _("The conclusion cannot be dated before the inspection started."))
        if day and due and due < day:
            self.add_error("follow_up_due", _("The follow-up cannot be due before the conclusion."))
        if data.get("recommendations", "").strip() and not due:
            self.add_error("follow_up_due", _("Set when the recommendations must be carried out."))
        return data


class FollowUpForm(CrispyMixin, forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=DateInput())
    note = forms.CharField(label=_("What was done"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()
        self.fields["done_on"].initial = today()

    def clean_done_on(self) -> Any:
        day = self.cleaned_data["done_on"]
        if day > today():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day


class InspectionFilterForm(SafeInputMixin, forms.Form):
    activity = forms.ChoiceField(
        label=_("Activity"),
        choices=[("", _("Inspection and supervision")), *Inspection.Activity.choices],
        required=False,
    )
    mode = forms.ChoiceField(label=_("Form"), choices=[("", _("All forms")), *Inspection.Mode.choices], required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *Inspection.Status.choices], required=False
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)
    overdue = forms.BooleanField(label=_("Follow-up overdue"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        this_year = today().year
        choice_field(self, "year").choices = [("", _("All years"))] + [
            (year, str(year)) for year in range(this_year + 1, this_year - 6, -1)
        ]
        for name, field in self.fields.items():
            if name != "overdue":
                field.widget.attrs["class"] = "form-select"
