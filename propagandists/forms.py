from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.lib.forms import SafeInputMixin, model_choice_field
from chibo.lib.text import normalize
from members.forms import CrispyMixin, DateInput
from members.models import Member, Organisation, ResidentialGroup, today
from propagandists.models import Propagandist, Topic


class PropagandistForm(CrispyMixin, forms.ModelForm):
    topics = forms.MultipleChoiceField(
        label=_("Topics"), choices=Topic.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Propagandist
        fields = [
            "member",
            "full_name",
            "phone",
            "group",
            "occupation",
            "residential_group",
            "areas",
            "topics",
            "starts_on",
            "note",
        ]
        widgets = {
            "starts_on": DateInput(),
            "areas": forms.CheckboxSelectMultiple,
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        }
        help_texts = {"full_name": _("For a person who is not a party member.")}

    def __init__(self, *args: Any, cell: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()
        self.cell = cell
        self.instance.cell = cell
        model_choice_field(self, "member").queryset = (
            Member.objects.filter(cell=cell).active().order_by("search_name", "pk")
        )
        groups = ResidentialGroup.objects.filter(cell=cell)
        model_choice_field(self, "residential_group").queryset = groups
        model_choice_field(self, "areas").queryset = groups
        if self.instance.pk:
            self.fields["topics"].initial = [t.topic for t in self.instance.topics.all()]
        else:
            self.fields["starts_on"].initial = today()

    def clean_full_name(self) -> str:
        return normalize(self.cleaned_data["full_name"])

    def clean_phone(self) -> str:
        phone = "".join(ch for ch in self.cleaned_data["phone"] if ch.isdigit() or ch == "+")
        return "0" + phone[3:] if phone.startswith("+84") else phone

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        member = data.get("member")
        if member is None and not data.get("full_name"):
            self.add_error("full_name", _("Choose a party member or enter the name of a person outside the party."))
        if member is not None:
            data["full_name"] = ""
            self.instance.full_name = ""
            open_entries = Propagandist.objects.filter(member=member, ends_on__isnull=True).exclude(pk=self.instance.pk)
            if open_entries.exists():
                self.add_error("member", _("This member is already on the roster."))
        return data


class EndForm(CrispyMixin, forms.Form):
    ends_on = forms.DateField(label=_("Last day"), widget=DateInput())
    end_reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args: Any, entry: Propagandist, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()
        self.entry = entry
        self.fields["ends_on"].initial = today()

    def clean_ends_on(self) -> Any:
        day = self.cleaned_data["ends_on"]
        if day < self.entry.starts_on:
            raise forms.ValidationError(_("The end date cannot be before the start date."))
        return day


class RosterFilterForm(SafeInputMixin, forms.Form):
    q = forms.CharField(label=_("Name"), required=False)
    topic = forms.ChoiceField(label=_("Topic"), choices=[("", _("All topics")), *Topic.choices], required=False)
    area = forms.ModelChoiceField(
        label=_("Residential group"),
        queryset=ResidentialGroup.objects.none(),
        required=False,
        empty_label=_("All areas"),
    )
    state = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Active now")), ("ended", _("Ended")), ("all", _("All"))],
        required=False,
    )

    def __init__(self, *args: Any, cell: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "area").queryset = ResidentialGroup.objects.filter(cell=cell)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
