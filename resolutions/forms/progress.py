"""Forms for reporting progress on a task and for reviewing a report. They validate; they never write."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from chibo.lib.forms import SafeInputMixin
from chibo.lib.uploads import check_upload
from members.forms import CrispyMixin
from resolutions.models import ProgressUpdate, Task
from resolutions.rules import Measure
from resolutions.services import figure_error, goal_text

NAME_MAX = cast(int, ProgressUpdate._meta.get_field("evidence_name").max_length)  # a CharField: always set

# A member reports one of these; "cancelled" is the committee's decision, not a report.
REPORTED_STATUSES = [
    (Task.Status.NOT_STARTED, Task.Status.NOT_STARTED.label),
    (Task.Status.IN_PROGRESS, Task.Status.IN_PROGRESS.label),
    (Task.Status.DONE, Task.Status.DONE.label),
    (Task.Status.NOT_MET, Task.Status.NOT_MET.label),
]


class ProgressForm(CrispyMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=REPORTED_STATUSES)
    progress = forms.IntegerField(
        label=_("Progress (%)"),
        min_value=0,
        max_value=100,
        help_text=_("From 0 to 100. A task reported done counts as 100."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 100, "step": 1}),
    )
    note = forms.CharField(
        label=_("What was done"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    evidence = forms.FileField(
        label=_("Evidence (optional)"),
        required=False,
        help_text=_("A photo, a scan or a document: PDF, JPEG, PNG, Word (.docx) or Excel (.xlsx)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"}),
    )

    figure = forms.DecimalField(
        label=_("Figure reached"),
        required=False,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "min": 0, "step": "any"}),
    )

    def __init__(self, *args: Any, task: Task | None = None, **kwargs: Any) -> None:
        """``task``: the task reported on; one that carries an upper-level target measured by a number or a
        percentage asks the figure reached (optional), a yes/no target none (the status says it)."""
        if task is not None and "initial" not in kwargs:
            status = task.status if task.status != Task.Status.CANCELLED else Task.Status.NOT_STARTED
            kwargs["initial"] = {"status": status, "progress": task.progress, "figure": task.figure}
        super().__init__(*args, **kwargs)
        target = task.cell_target if task is not None and task.cell_target_id else None
        self.measure = target.measure if target is not None and target.measure != Measure.YES_NO else ""
        if not self.measure or target is None:
            del self.fields["figure"]
        else:
            field = self.fields["figure"]
            unit = "%" if self.measure == Measure.PERCENT else target.unit
            if unit:
                field.label = _("Figure reached (%(unit)s)") % {"unit": unit}
            field.help_text = _(
                "Upper-level target “%(name)s”: goal %(goal)s. Leave empty if nothing to count yet."
            ) % {
                "name": target.name,
                "goal": goal_text(target),
            }
            if self.measure == Measure.PERCENT:
                field.widget.attrs["max"] = 100
        self._setup_helper()

    def clean_figure(self) -> Decimal | None:
        figure = self.cleaned_data.get("figure")
        if figure is not None and (error := figure_error(self.measure, figure)):
            raise forms.ValidationError(error)
        return figure

    def clean_evidence(self) -> UploadedFile | None:
        evidence = self.cleaned_data.get("evidence")
        if not evidence:
            return None
        checked = check_upload(evidence)
        stem = evidence.name
        if stem.lower().endswith(checked.extension):
            stem = stem[: -len(checked.extension)]
        # The name is kept (up to 200 characters) for the download; it keeps its ending, or is given the one
        # its content calls for, so the file opens on the reader's phone.
        evidence.name = f"{stem[: NAME_MAX - len(checked.extension)]}{checked.extension}"
        evidence.content_type = checked.content_type
        return evidence

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("status") == Task.Status.DONE:
            data["progress"] = 100
        return data


class ReviewForm(SafeInputMixin, forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", _("Confirm")), ("send_back", _("Send back"))])
    note = forms.CharField(
        label=_("Review note"),
        required=False,
        max_length=ProgressUpdate._meta.get_field("review_note").max_length,
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("decision") == "send_back" and not (data.get("note") or "").strip():
            self.add_error("note", _("Say what is missing when sending a report back."))
        return data

    @property
    def confirm(self) -> bool:
        return self.cleaned_data["decision"] == "confirm"
