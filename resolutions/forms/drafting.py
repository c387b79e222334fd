"""Forms for drafting a resolution, its targets and tasks, the vote, dissemination and public opinion."""

from __future__ import annotations

import datetime as dt
from calendar import monthrange
from typing import Any

from django import forms
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from chibo.lib.forms import BoundedInlineFormSet, SafeInputMixin, bounded_formset, model_choice_field
from chibo.lib.html import tidy_paragraphs
from members.forms import CrispyMixin, DateInput
from members.models import MassOrganisation, Member, Organisation, ResidentialGroup, Role, today
from resolutions.forms.widgets import RenderedOptions, Select, SelectMultiple, render_quickly
from resolutions.models import Dissemination, PublicOpinion, Resolution, Target, Task
from resolutions.pages import upper_candidates, upper_choices
from resolutions.services import SECTIONS, assignment_warnings, open_load


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    return day.replace(day=1), day.replace(day=monthrange(day.year, day.month)[1])


def default_period(day: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """A resolution is drafted before the month's meeting: this month early on, next month after the 15th."""
    day = day or today()
    if day.day > 15:
        day = (day.replace(day=28) + dt.timedelta(days=7)).replace(day=1)
    return month_bounds(day)


class NewResolutionForm(CrispyMixin, forms.ModelForm):
    from_last_period = forms.BooleanField(
        label=_("Start from last period: copy the unfinished tasks and the targets of the previous resolution"),
        required=False,
        initial=True,
    )

    class Meta:
        model = Resolution
        fields = ["kind", "period_start", "period_end", "title"]
        widgets = {"period_start": DateInput(), "period_end": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()
        # The instance is new and has no period: the form's initial data must carry the default.
        start, end = default_period()
        self.initial.setdefault("period_start", start)
        self.initial.setdefault("period_end", end)
        if not self.initial["period_start"]:
            self.initial["period_start"], self.initial["period_end"] = start, end

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The end of the period cannot be before its start."))
        return data


def _upper_labels(upper: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The upper-level documents offered, each named plainly by its kind, number, title and issuer ("Kế hoạch
    03-KH/ĐU – Vận động hộ gia đình (Đảng ủy phường An Phú)"), in one query, in the order offered."""
    rows = Resolution.objects.filter(pk__in=[pk for pk, _label in upper]).values_list(
        "pk", "document_type", "number", "title", "cell__name"
    )
    named = {
        pk: f"{Resolution.DocumentType(kind).label} {number} – {title} ({issuer})"
        for pk, kind, number, title, issuer in rows
    }
    return [(pk, named.get(pk, label)) for pk, label in upper]


class ResolutionForm(CrispyMixin, forms.ModelForm):
    lock_version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Resolution
        fields = ["kind", "period_start", "period_end", "number", "title", *SECTIONS, "upper_resolutions"]
        widgets = {
            "period_start": DateInput(),
            "period_end": DateInput(),
            **{name: forms.Textarea(attrs={"rows": 5}) for name in SECTIONS},
            "upper_resolutions": forms.CheckboxSelectMultiple,
        }

    def __init__(
        self, *args: Any, amending: bool = False, upper: list[tuple[int, str]] | None = None, **kwargs: Any
    ) -> None:
        """``upper``: the upper-level resolutions offered (``pages.upper_choices``), read here when not given."""
        super().__init__(*args, **kwargs)
        self._setup_helper()
        resolution = self.instance
        self.fields["lock_version"].initial = resolution.lock_version
        upper = upper_choices(resolution.cell) if upper is None else upper
        if upper:
            field = model_choice_field(self, "upper_resolutions")
            field.queryset = upper_candidates(resolution.cell)
            field.choices = _upper_labels(upper)
        else:
            del self.fields["upper_resolutions"]  # nothing above to carry out: no empty heading on the form
        for name in SECTIONS:
            self.fields[name].help_text = _("Plain text; a blank line starts a new paragraph.")
        if amending:
            # After adoption the number, kind and period are fixed; the content changes through the amendment.
            for name in ("number", "kind", "period_start", "period_end"):
                self.fields[name].disabled = True

    def clean_number(self) -> str:
        number = self.cleaned_data["number"].strip()
        start = self.cleaned_data.get("period_start") or self.instance.period_start
        clash = Resolution.objects.filter(cell=self.instance.cell, year=start.year, number=number).exclude(
            pk=self.instance.pk
        )
        if clash.exists():
            raise forms.ValidationError(_("Another resolution of the cell this year already has this number."))
        return number

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for name in SECTIONS:
            if name in data:
                data[name] = tidy_paragraphs(data[name])
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The end of the period cannot be before its start."))
        return data

    def saved_values(self) -> dict[str, Any]:
        """What the page saves (needs a valid form): the lock version the page was read at, the fields changed, and
        the upper resolutions carried out (``None`` when the form has no such field)."""
        data = self.cleaned_data
        skipped = ("lock_version", "upper_resolutions")
        return {
            "expected_lock_version": data["lock_version"],
            "fields": {name: data[name] for name in self.changed_data if name in self.fields and name not in skipped},
            "upper_resolutions": data.get("upper_resolutions") if "upper_resolutions" in data else None,
        }


class AmendmentForm(CrispyMixin, forms.Form):
    reason = forms.CharField(label=_("Reason for the amendment"), widget=forms.Textarea(attrs={"rows": 3}))
    opinion = forms.ModelChoiceField(
        label=_("Public opinion that prompted it"), queryset=PublicOpinion.objects.none(), required=False
    )

    def __init__(self, *args: Any, cell: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()
        model_choice_field(self, "opinion").queryset = PublicOpinion.objects.filter(cell=cell)


class TargetForm(SafeInputMixin, forms.ModelForm):
    class Meta:
        model = Target
        fields = ["name", "unit", "target_value", "actual_value"]
        widgets = {"name": forms.TextInput(attrs={"placeholder": _("e.g. Households signing the commitment")})}


# The most rows one resolution holds: far above any real month's (a cell has a few dozen members), far below what
# would keep a worker busy.
MAX_TARGETS = 50
MAX_TASKS = 100


class BaseTargetFormSet(BoundedInlineFormSet):
    def add_fields(self, form: forms.BaseForm, index: int | None) -> None:
        super().add_fields(form, index)
        render_quickly(form)  # a row's widgets write their HTML themselves: the page has dozens of rows


TargetFormSet = bounded_formset(
    Resolution, Target, form=TargetForm, formset=BaseTargetFormSet, extra=1, can_delete=True, limit=MAX_TARGETS
)


def member_label(member: Member, loads: dict[int, int]) -> str:
    """A member as the task lists show them (``AssignmentChoices`` annotates ``group_name``, their residential
    group's)."""
    parts = [member.full_name]
    if group := getattr(member, "group_name", None):
        parts.append(group)
    status = member.status
    parts.append(str(Member.Status(status).label) if status else "")
    parts.append(str(_("%(n)d open tasks")) % {"n": loads.get(member.pk, 0)})
    if getattr(member, "is_away", False):
        parts.append(str(_("AWAY")))
    if getattr(member, "is_exempt", False):
        parts.append(str(_("EXEMPT")))
    return " · ".join(part for part in parts if part)


# What an optional select shows for "none", as Django's model choice fields do.
BLANK_CHOICE = ("", "---------")

# The member lists become a search box by script (static/js/forms.js): type part of a name, with or without
# accents, and tap it. Without script they stay plain selects.
PICKER_ATTRS = {
    "data-picker": _("Type part of a name"),
    "data-picker-remove": _("Remove"),
    "data-picker-none": _("No member has this name."),
}


class TaskForm(SafeInputMixin, forms.ModelForm):
    class Meta:
        model = Task
        fields = [
            "title",
            "details",
            "is_focal",
            "deadline",
            "weight",
            "lead_kind",
            "lead_member",
            "lead_mass_organisation",
            "supporters",
            "follower",
        ]
        widgets = {"deadline": DateInput(), "details": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, choices: AssignmentChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The querysets validate what is posted; the options were rendered once for the whole formset.
        lead = model_choice_field(self, "lead_member")
        _share_options(lead, choices.members, choices.lead_options, Select, {**lead.widget.attrs, **PICKER_ATTRS})
        lead.label = _("Lead member")
        supporters = model_choice_field(self, "supporters")
        _share_options(supporters, choices.members, choices.member_options, SelectMultiple, {"size": 4, **PICKER_ATTRS})
        supporters.label = _("Supporting members")
        follower = model_choice_field(self, "follower")
        _share_options(follower, choices.committee, choices.committee_options, Select, follower.widget.attrs)
        organisation = model_choice_field(self, "lead_mass_organisation")
        _share_options(
            organisation,
            choices.mass_organisations,
            choices.mass_organisation_options,
            Select,
            organisation.widget.attrs,
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        kind = data.get("lead_kind")
        if kind == Task.LeadKind.MEMBER and not data.get("lead_member"):
            self.add_error("lead_member", _("Choose the member who leads the task."))
        if kind == Task.LeadKind.MASS_ORGANISATION and not data.get("lead_mass_organisation"):
            self.add_error("lead_mass_organisation", _("Choose the mass organisation that leads the task."))
        if kind != Task.LeadKind.MEMBER:
            data["lead_member"] = None
        if kind != Task.LeadKind.MASS_ORGANISATION:
            data["lead_mass_organisation"] = None
        lead = data.get("lead_member")
        if lead and lead in (data.get("supporters") or []):
            self.add_error("supporters", _("The lead cannot also be a supporter."))
        return data


class AssignmentChoices:
    """The people and organisations a cell's tasks can go to, read once per page (not once per task row).

    ``shared``: the member lists of the rows (lead and supporters) share one list of the cell's members that the
    page sends once (``members_template``), filled in by the script; without script, the page is asked for again
    with ``shared=False`` (every row's lists in full)."""

    SHARED_ID = "task-members"

    def __init__(self, cell: Organisation, *, shared: bool = True) -> None:
        self.members = Member.objects.filter(cell=cell).active()
        # The flags and the group looked up member by member, through their indexes: a cell's few dozen rows, where
        # a join may hash every group and period of the province.
        group = ResidentialGroup.objects.filter(pk=OuterRef("residential_group_id")).order_by().values("name")
        member_list = list(
            self.members.with_flags(per_member=True).annotate(group_name=Subquery(group)).order_by("search_name", "pk")
        )
        loads = open_load([m.pk for m in member_list])
        self.by_pk = {m.pk: m for m in member_list}
        member_choices = [(m.pk, member_label(m, loads)) for m in member_list]
        shared_id = self.SHARED_ID if shared else ""
        self.lead_options = RenderedOptions([BLANK_CHOICE, *member_choices], shared=shared_id)
        self.member_options = RenderedOptions(member_choices, shared=shared_id)
        committee_users = Role.objects.filter(
            organisation=cell, kind__in=[Role.Kind.SECRETARY, Role.Kind.DEPUTY, Role.Kind.COMMITTEE]
        ).values_list("user_id", flat=True)
        committee_ids = set(Member.objects.filter(user_id__in=committee_users).values_list("pk", flat=True))
        committee = [m for m in member_list if m.pk in committee_ids] or member_list
        self.committee = self.members.filter(pk__in=[m.pk for m in committee])
        self.committee_options = RenderedOptions([BLANK_CHOICE, *((m.pk, m.full_name) for m in committee)])
        self.mass_organisations = MassOrganisation.objects.filter(cell=cell)
        self.mass_organisation_options = RenderedOptions(
            [BLANK_CHOICE, *((o.pk, o.name) for o in self.mass_organisations)]
        )

    @property
    def shared(self) -> bool:
        """Whether the rows' member lists share one list the page sends once."""
        return bool(self.member_options.shared)

    def members_template(self) -> str:
        """The one list of the cell's members the rows share ("" when every row holds its own)."""
        return self.member_options.template() if self.shared else ""


def _share_options(
    field: forms.ModelChoiceField[Any],
    queryset: QuerySet[Any],
    options: RenderedOptions,
    widget: type[Select | SelectMultiple],
    attrs: dict[str, Any],
) -> None:
    """Give a row's field the page's choices: the queryset validates what is posted, the options render."""
    field.queryset = queryset
    field.widget = widget(attrs=dict(attrs))
    field.widget.is_required = field.required
    field.choices = options  # kept as it is (a choice iterator), and handed to the widget


class BaseTaskFormSet(BoundedInlineFormSet):
    def __init__(self, *args: Any, choices: AssignmentChoices, **kwargs: Any) -> None:
        self.choices = choices
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "choices": self.choices}

    def add_fields(self, form: forms.BaseForm, index: int | None) -> None:
        super().add_fields(form, index)
        render_quickly(form)  # a row's widgets write their HTML themselves: the page has dozens of rows

    def assignment_warnings(self) -> list[str]:
        """Warnings for assignments made or changed in this submission (needs a valid formset)."""
        warnings: list[str] = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not form.has_changed():
                continue
            title = data.get("title", "")
            lead = data.get("lead_member")
            if lead and ("lead_member" in form.changed_data or not form.instance.pk):
                for text in assignment_warnings(self.choices.by_pk.get(lead.pk, lead), leads=True):
                    warnings.append(f"{title}: {text}")
            if "supporters" in form.changed_data or not form.instance.pk:
                for member in data.get("supporters") or []:
                    for text in assignment_warnings(self.choices.by_pk.get(member.pk, member), leads=False):
                        warnings.append(f"{title}: {text}")
        return warnings

    def save_tasks(self, *, cancel_removed: bool) -> None:
        """Save the rows (needs a valid formset), keeping each task's order. A removed task is deleted from a draft;
        an adopted resolution keeps its tasks' history (``cancel_removed``): the task is cancelled."""
        for order, task in enumerate(self.save(commit=False)):
            task.order = task.order or order
            task.save()
        self.save_m2m()
        for task in self.deleted_objects:
            if cancel_removed:
                task.status = Task.Status.CANCELLED
                task.save(update_fields=["status"])
            else:
                task.delete()


TaskFormSet = bounded_formset(
    Resolution, Task, form=TaskForm, formset=BaseTaskFormSet, extra=1, can_delete=True, limit=MAX_TASKS
)


class DisseminationForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = Dissemination
        fields = ["held_on", "audience", "mass_organisation", "residential_group", "place", "people_reached", "notes"]
        widgets = {"held_on": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, cell: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()
        model_choice_field(self, "mass_organisation").queryset = MassOrganisation.objects.filter(cell=cell)
        model_choice_field(self, "residential_group").queryset = ResidentialGroup.objects.filter(cell=cell)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        audience = data.get("audience")
        if audience == Dissemination.Audience.MASS_ORGANISATION and not data.get("mass_organisation"):
            self.add_error("mass_organisation", _("Choose the mass organisation."))
        if audience == Dissemination.Audience.RESIDENTIAL_GROUP and not data.get("residential_group"):
            self.add_error("residential_group", _("Choose the residential group."))
        if data.get("held_on") and data["held_on"] > today():
            self.add_error("held_on", _("Record a dissemination once it has taken place."))
        return data


class PublicOpinionForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = PublicOpinion
        fields = ["received_on", "source", "content", "response", "resolution"]
        widgets = {
            "received_on": DateInput(),
            "content": forms.Textarea(attrs={"rows": 3}),
            "response": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, cell: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()
        self.fields["received_on"].initial = today()
        model_choice_field(self, "resolution").queryset = Resolution.objects.filter(cell=cell).exclude(
            status__in=[Resolution.Status.WITHDRAWN, Resolution.Status.REJECTED]
        )
