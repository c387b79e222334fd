"""Forms of the monthly meeting."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from chibo.lib.forms import SafeInputMixin, bounded_formset, model_choice_field
from meetings.models import AgendaItem, Attendance, Meeting, MonthlyReview, Speech
from meetings.rules import QUALITY_PARTS
from meetings.services import meeting_quality_errors
from members.forms import CrispyMixin, DateInput
from members.models import Member, Organisation, Role, today
from resolutions.forms import widgets
from resolutions.forms.widgets import RenderedOptions
from resolutions.models import PublicOpinion, Resolution, Task


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


def _cell_members(cell: Organisation) -> Any:
    return Member.objects.filter(cell=cell).active().order_by("search_name", "pk")


class InChargeField(forms.ModelChoiceField):
    """The ward committee member in charge of the cell, by their name."""

    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


class MeetingForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = Meeting
        fields = [
            "kind",
            "combined_with_thematic",
            "date",
            "starts_at",
            "ends_at",
            "place",
            "chair",
            "recorder",
            "guest_in_charge",
            "other_guests",
        ]
        widgets = {"date": DateInput(), "starts_at": TimeInput(), "ends_at": TimeInput()}
        field_classes = {"guest_in_charge": InChargeField}

    def __init__(self, *args: Any, cell: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()
        members = _cell_members(cell)
        model_choice_field(self, "chair").queryset = members
        model_choice_field(self, "recorder").queryset = members
        in_charge = Role.objects.filter(organisation=cell, kind=Role.Kind.IN_CHARGE).values_list("user_id", flat=True)
        model_choice_field(self, "guest_in_charge").queryset = get_user_model().objects.filter(pk__in=in_charge)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", _("The meeting ends after it starts."))
        return data


# The mixin's base for the type checker: the model form of a meeting it is mixed into (at run time it derives
# from object only).
if TYPE_CHECKING:
    _MeetingFormBase = forms.ModelForm[Meeting]
else:
    _MeetingFormBase = object


class QualityCapped(_MeetingFormBase):
    """A form of the meeting whose self-score may not give a part more than the rules the meeting broke allow
    (``resolutions.rules.quality_caps``): checked on the meeting as the form leaves it."""

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # Django's private hook, not in django-stubs
        for error in meeting_quality_errors(self.instance):
            self.add_error(None, error)


class ConclusionForm(QualityCapped, CrispyMixin, forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["conclusion", "criticism", "decisions", "opened_at", "closed_at", *QUALITY_PARTS]
        widgets = {
            "conclusion": forms.Textarea(attrs={"rows": 3}),
            "criticism": forms.Textarea(attrs={"rows": 3}),
            "decisions": forms.Textarea(attrs={"rows": 3}),
            "opened_at": TimeInput(),
            "closed_at": TimeInput(),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()
        for name, most in QUALITY_PARTS.items():
            self.fields[name].help_text = _("at most %(points)d points") % {"points": most}
            self.fields[name].widget.attrs.update({"min": 0, "max": most})


class MeetingCancelForm(CrispyMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The members are told this reason."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()


class HeldForm(SafeInputMixin, forms.Form):
    """Marking the meeting held: the times it actually opened and closed, the planned ones offered."""

    opened_at = forms.TimeField(label=capfirst(_("opened at")), widget=TimeInput(attrs={"class": "form-control"}))
    closed_at = forms.TimeField(label=capfirst(_("closed at")), widget=TimeInput(attrs={"class": "form-control"}))

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"opened_at": meeting.starts_at, "closed_at": meeting.ends_at})
        super().__init__(*args, **kwargs)


class AgendaItemForm(SafeInputMixin, forms.ModelForm):
    """An agenda line; its fields are named by the formset below."""


MAX_AGENDA_ITEMS = 40

AgendaFormSet = bounded_formset(
    Meeting,
    AgendaItem,
    limit=MAX_AGENDA_ITEMS,
    form=AgendaItemForm,
    fields=["order", "title", "notes"],
    extra=1,
    can_delete=True,
    widgets={"notes": forms.Textarea(attrs={"rows": 2}), "order": forms.NumberInput(attrs={"class": "max-w-5"})},
)


def _quick_selects(form: forms.BaseForm) -> None:
    """The form's selects written in Python (``resolutions.forms.widgets``, the draft page's), with the same
    attributes and choices: the template engine's include per option made the cost of the meeting page's forms (a
    select of the cell's members, of its tasks). A model's choices are read in one plain query (Django iterates
    them through a server-side cursor, a round trip a chunk, after counting them when asked for a list)."""
    for field in form.fields.values():
        widget = field.widget
        if type(widget) is not forms.Select:
            continue
        choices = widget.choices
        listed: list[tuple[Any, Any]]
        if isinstance(choices, ModelChoiceIterator):
            empty = choices.field.empty_label
            listed = [*([("", empty)] if empty is not None else []), *map(choices.choice, choices.queryset.all())]
        else:
            listed = [choice for choice in choices]  # noqa: C416  # list() would ask for the length first
        if any(isinstance(label, list | tuple) for _value, label in listed):
            continue  # grouped options: left to Django
        quick = widgets.Select(attrs=widget.attrs)
        quick.choices = RenderedOptions([(value, str(localize(label))) for value, label in listed])
        quick.is_required = widget.is_required
        field.widget = quick


# A member's row of the attendance page (static/js/forms.js reads its data attributes).
_ROW_HTML = """
    <li class="list-group-item" data-attendance-row data-name="{name}">
      <div class="row g-2 align-items-center">
        <div class="col-12 col-md-4 attendance-label"><label for="{status_id}" class="fw-semibold">{name}</label></div>
        <div class="col-12 attendance-tap" data-attendance-tap></div>
        <div class="col-12 col-md-3 attendance-select">{status}</div>
        <div class="col-12 col-md-5 attendance-reason"><label class="visually-hidden" for="{reason_id}">\
{reason_label}</label>{reason}{errors}</div>
      </div>
    </li>
    """


class _StatusSelect(widgets.Select):
    """The attendance form's select; given to each field as a class, which Django builds rather than deep-copies."""

    def __init__(self) -> None:
        super().__init__(attrs={"class": "form-select"})


class _ReasonInput(widgets.TextInput):
    """The attendance form's reason, given as a class (see ``_StatusSelect``)."""

    def __init__(self) -> None:
        super().__init__(attrs={"class": "form-control", "placeholder": _("Reason for the absence")})


class AttendanceForm(SafeInputMixin, forms.Form):
    """One select and one reason per member, built from the meeting's attendance rows."""

    def __init__(self, *args: Any, rows: list[Attendance], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        # The labels translated once for the whole roll, not once a member.
        # The options written once for the whole roll, each row marks its own.
        choices = RenderedOptions([(value, str(label)) for value, label in Attendance.Status.choices])
        # One field for every member's status and one for every reason (a field keeps no state of its own
        # name; the page names the member), each row's values given as the form's initial data.
        status = forms.ChoiceField(choices=choices, widget=_StatusSelect)
        reason = forms.CharField(label=_("Reason"), required=False, max_length=300, widget=_ReasonInput)
        for row in rows:
            self.fields[f"status_{row.member_id}"], self.fields[f"reason_{row.member_id}"] = status, reason
            self.initial[f"status_{row.member_id}"], self.initial[f"reason_{row.member_id}"] = row.status, row.reason

    def bound_rows(self) -> list[tuple[Attendance, forms.BoundField, forms.BoundField]]:
        return [(row, self[f"status_{row.member_id}"], self[f"reason_{row.member_id}"]) for row in self.rows]

    def rows_html(self) -> SafeString:
        """The page's list of members, a select and a reason each (the template's loop written once in Python:
        the roll is the page, and the template engine's cost a row made most of it)."""
        reason_label = _("Reason")
        return mark_safe(  # every part escaped by format_html
            "".join(
                format_html(
                    _ROW_HTML,
                    name=row.member.full_name,
                    status_id=status.id_for_label,
                    status=status,
                    reason_id=reason.id_for_label,
                    reason_label=reason_label,
                    reason=reason,
                    errors=format_html_join(
                        "", '<div class="text-danger small">{}</div>', ((e,) for e in reason.errors)
                    ),
                )
                for row, status, reason in self.bound_rows()
            )
        )

    def changes(self) -> dict[int, tuple[str, str]]:
        return {
            row.member_id: (self.cleaned_data[f"status_{row.member_id}"], self.cleaned_data[f"reason_{row.member_id}"])
            for row in self.rows
        }


class AbsenceRequestForm(CrispyMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.TextInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()


class ReviewForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = MonthlyReview
        fields = ["results", "shortcomings", "causes", "lessons", "next_programme"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in fields}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()


class SpeechForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = Speech
        fields = ["agenda_item", "speaker", "speaker_name", "content"]
        widgets = {"content": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()
        model_choice_field(self, "agenda_item").queryset = meeting.agenda_items.all()
        # Named alone: a member's other fields are neither read nor decrypted.
        model_choice_field(self, "speaker").queryset = _cell_members(meeting.cell).only("pk", "full_name")
        _quick_selects(self)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("speaker") and not (data.get("speaker_name") or "").strip():
            self.add_error("speaker", _("Name the speaker: a member, or a guest's name."))
        return data


class MeetingOpinionForm(CrispyMixin, forms.ModelForm):
    """Public opinion raised by residents and brought to the meeting."""

    class Meta:
        model = PublicOpinion
        fields = ["source", "content", "resolution", "task", "response"]
        widgets = {"content": forms.Textarea(attrs={"rows": 2}), "response": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()
        model_choice_field(self, "resolution").queryset = Resolution.objects.filter(cell=meeting.cell)
        model_choice_field(self, "task").queryset = Task.objects.filter(resolution__cell=meeting.cell).live()
        _quick_selects(self)


class VoteCountsForm(CrispyMixin, forms.Form):
    """The three counts of a vote and the dissent: what a correction changes, with its reason."""

    votes_for = forms.IntegerField(label=_("For"), min_value=0, max_value=10_000)
    votes_against = forms.IntegerField(label=_("Against"), min_value=0, max_value=10_000, initial=0)
    votes_abstain = forms.IntegerField(label=_("Abstain"), min_value=0, max_value=10_000, initial=0)
    dissent = forms.CharField(
        label=_("Dissenting opinions (who, and what)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class VoteCorrectionForm(VoteCountsForm):
    reason = forms.CharField(
        label=_("Reason for the correction"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()


def vote_meetings(cell: Organisation) -> QuerySet[Meeting]:
    """The meetings of the cell a vote can be recorded at today, latest first: held on or before today, not
    cancelled, their minutes not approved (``rules.vote_meeting_refusal``)."""
    return Meeting.objects.filter(
        cell=cell, date__lte=today(), status__in=[Meeting.Status.PLANNED, Meeting.Status.HELD]
    ).order_by("-date", "-starts_at", "-pk")


class VoteMeetingField(forms.ModelChoiceField):
    """A meeting by its day, start, place and status."""

    def label_from_instance(self, obj: Meeting) -> str:
        return f"{obj.date:%d/%m/%Y} {obj.starts_at:%H:%M} – {obj.place} ({obj.get_status_display()})"


class VoteForm(VoteCountsForm):
    """The vote taken at a meeting of the cell: its attendance is the base, so only the counts are typed."""

    meeting = VoteMeetingField(
        label=_("At the meeting"),
        queryset=Meeting.objects.none(),
        empty_label=None,
        error_messages={
            "invalid_choice": _(
                "Choose a meeting of the cell held today or earlier, not cancelled, its minutes not approved."
            ),
            "required": _("A vote is taken at a meeting of the cell: choose the meeting."),
        },
        help_text=_("The meeting's attendance decides who was there and who is entitled to vote."),
    )
    field_order = ["meeting", "votes_for", "votes_against", "votes_abstain", "dissent"]

    def __init__(self, *args: Any, cell: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._setup_helper()
        # The meetings offered, which the page also reads (the one asked for, else the latest).
        self.meetings = vote_meetings(cell)
        model_choice_field(self, "meeting").queryset = self.meetings
