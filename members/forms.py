from __future__ import annotations

from functools import cache
from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.utils.choices import CallableChoiceIterator
from django.utils.translation import gettext_lazy as _

from chibo.lib.forms import SafeInputMixin, choice_field, model_choice_field
from chibo.lib.text import name_error, name_key, normalize
from members.models import AwayPeriod, Exemption, Member, Organisation, ResidentialGroup, normalize_citizen_id


class DateInput(forms.DateInput):
    """A date typed day first (28/11/2026), and picked from the phone's own calendar: static/js/forms.js puts
    the browser's date input (whose value is 2026-11-28) beside the box and writes the day picked into it. The
    form accepts both ways of writing a date (``DATE_INPUT_FORMATS``); without script the box alone works."""

    def __init__(self, **kwargs: Any) -> None:
        attrs = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "data-date-picker": _("Pick on the calendar")}
        super().__init__(format="%d/%m/%Y", attrs=attrs, **kwargs)


class CrispyMixin(SafeInputMixin):
    def _setup_helper(self) -> None:
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class MemberForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = Member
        fields = [
            "full_name",
            "sex",
            "birth_date",
            "phone",
            "email",
            "citizen_id",
            "party_card_number",
            "admitted_on",
            "official_on",
            "cell",
            "party_group",
            "residential_group",
            "address",
            "backgrounds",
            "is_propagandist",
        ]
        widgets = {
            "birth_date": DateInput(),
            "admitted_on": DateInput(),
            "official_on": DateInput(),
            "backgrounds": forms.CheckboxSelectMultiple,
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        }

    def __init__(self, *args: Any, cells: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()
        model_choice_field(self, "cell").queryset = cells
        cell_ids = list(cells.values_list("pk", flat=True))
        model_choice_field(self, "residential_group").queryset = ResidentialGroup.objects.filter(cell_id__in=cell_ids)
        in_cells = Q(pk__in=[])
        for path in Organisation.objects.filter(pk__in=cell_ids).values_list("path", flat=True):
            in_cells |= Q(path__startswith=path)
        model_choice_field(self, "party_group").queryset = Organisation.objects.filter(
            in_cells, kind=Organisation.Kind.GROUP
        )
        if len(cell_ids) == 1:
            self.fields["cell"].initial = cell_ids[0]

    def clean_full_name(self) -> str:
        name = normalize(self.cleaned_data["full_name"])
        if error := name_error(name):
            raise forms.ValidationError(error)
        if len(name.split()) < 2:
            raise forms.ValidationError(_("Enter the full name: family name and given name."))
        return name

    def clean_phone(self) -> str:
        # People type 0912 345 678 or 0912.345.678; keep the digits.
        phone = "".join(ch for ch in self.cleaned_data["phone"] if ch.isdigit() or ch == "+")
        if phone.startswith("+84"):
            phone = "0" + phone[3:]
        return phone

    def clean_citizen_id(self) -> str | None:
        return normalize_citizen_id(self.cleaned_data["citizen_id"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        name, birth, cell = data.get("full_name"), data.get("birth_date"), data.get("cell")
        if name and birth and cell:
            # The same person: the same birth date and the same name once folded (invisible characters, case).
            born_that_day = Member.objects.filter(cell=cell, birth_date=birth).exclude(pk=self.instance.pk)
            if any(name_key(other) == name_key(name) for other in born_that_day.values_list("full_name", flat=True)):
                raise forms.ValidationError(
                    _("%(name)s, born %(birth)s, is already a member of this cell."),
                    params={"name": name, "birth": birth.strftime("%d/%m/%Y")},
                    code="duplicate",
                )
        return data


class ExemptionForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = Exemption
        fields = ["starts_on", "ends_on", "reason", "decision"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()


class AwayPeriodForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = AwayPeriod
        fields = ["kind", "starts_on", "ends_on", "place", "note"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()


class LeaveForm(CrispyMixin, forms.ModelForm):
    """A member leaves the cell's roll: transferred out, left the party, or deceased. Never deleted."""

    class Meta:
        model = Member
        fields = ["management_status", "left_on", "left_note"]
        widgets = {"left_on": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()
        choice_field(self, "management_status").choices = [
            c for c in Member.ManagementStatus.choices if c[0] != Member.ManagementStatus.ACTIVE
        ]
        self.fields["left_on"].required = True


class MemberFilterForm(SafeInputMixin, forms.Form):
    """The member list's filters. Invalid values are ignored rather than shown as errors."""

    STATUS_CHOICES = [("", _("All statuses")), *Member.Status.choices]
    FLAG_CHOICES = [
        ("", _("Everyone")),
        ("away", _("Away")),
        ("exempt", _("Exempt")),
        ("propagandist", _("Propagandists")),
    ]

    q = forms.CharField(label=_("Search by name or citizen ID"), required=False, max_length=100)
    org = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=STATUS_CHOICES, required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    flag = forms.ChoiceField(
        label=_("Show"), choices=FLAG_CHOICES, required=False, widget=forms.Select(attrs={"class": "form-select"})
    )

    def __init__(self, *args: Any, organisations: Any, cells_by_ward: bool = False, **kwargs: Any) -> None:
        """``cells_by_ward``: the user sees a whole province. Its two thousand cells are no list to scroll on a
        phone (and rendering them cost more than the search): the committees are offered, and the cells of the
        ward chosen."""
        super().__init__(*args, **kwargs)
        self.cells_by_ward = cells_by_ward
        field = model_choice_field(self, "org")
        field.queryset = organisations  # any organisation the user sees is a valid choice (links name cells too)
        field.empty_label = _("All my organisations")
        self.organisations = organisations
        # Read when the select is rendered, once (the widget goes through its choices more than once).
        field.widget.choices = CallableChoiceIterator(cache(self._org_choices))

    def _org_choices(self) -> list[tuple[Any, str]]:
        """Read when the select is rendered (an export of the list pays nothing for it)."""
        field = model_choice_field(self, "org")
        if not self.cells_by_ward:
            return [choice for choice in ModelChoiceIterator(field)]  # noqa: C416  (list() would count them first)
        shown = list(self.organisations.exclude(kind=Organisation.Kind.CELL).order_by("path"))
        if ward_path := self._chosen_ward_path(self.organisations):
            cells = self.organisations.filter(kind=Organisation.Kind.CELL, path__startswith=ward_path)
            shown = sorted([*shown, *cells], key=lambda org: org.path)
        return [("", str(field.empty_label)), *((org.pk, str(org)) for org in shown)]

    def _chosen_ward_path(self, organisations: Any) -> str:
        """The path of the ward of the organisation chosen in the query string ("" when none or not a number)."""
        chosen = str(self.data.get("org", "")) if self.is_bound else ""
        if not chosen.isdigit():
            return ""
        path = organisations.filter(pk=chosen).values_list("path", flat=True).first()
        ward = 2 * Organisation.steplen  # the province is the root; its wards are its children
        return "" if path is None or len(path) < ward else path[:ward]


class RecogniseForm(CrispyMixin, forms.Form):
    """Probationary → official: the date and the decision."""

    on = forms.DateField(label=_("Official from"), widget=DateInput())
    decision = forms.CharField(
        label=_("Decision"), max_length=200, help_text=_("E.g. Quyết định số 125-QĐ/ĐU ngày 03/11/2026.")
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()


class EndPeriodForm(CrispyMixin, forms.Form):
    """The end of an exemption, or a member back from away: from which day they take part again."""

    on = forms.DateField(label=_("Back in activities from"), widget=DateInput())
    decision = forms.CharField(label=_("Decision"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()


class TransferForm(CrispyMixin, forms.Form):
    to_cell = forms.ModelChoiceField(label=_("To cell"), queryset=Organisation.objects.none())
    on = forms.DateField(label=_("From"), widget=DateInput())
    decision = forms.CharField(label=_("Decision"), max_length=200)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, cells: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()
        model_choice_field(self, "to_cell").queryset = Organisation.objects.filter(pk__in=[c.pk for c in cells])


class ImportUploadForm(SafeInputMixin, forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))
