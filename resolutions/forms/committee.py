"""Forms of a committee's own documents (a resolution, plan, conclusion or directive of the ward's party
committee): the new document, its text with the cells it addresses, and the targets it sets each cell."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chibo.lib.forms import BoundedInlineFormSet, SafeInputMixin, bounded_formset, model_choice_field
from members.forms import DateInput
from members.models import Organisation
from resolutions.forms.drafting import NewResolutionForm, ResolutionForm
from resolutions.forms.widgets import render_quickly
from resolutions.models import CellTarget, Resolution
from resolutions.services import SECTIONS


def cells_under(committee: Organisation) -> Any:
    """The cells under ``committee``, the ones its documents may be addressed to, in the tree's order."""
    return Organisation.objects.filter(kind=Organisation.Kind.CELL, path__startswith=committee.path).order_by("path")


class NewDocumentForm(NewResolutionForm):
    """A committee's new document: its kind (numbered in its own run), period, subject and the day by which the
    cells make it concrete."""

    class Meta(NewResolutionForm.Meta):
        fields = ["document_type", "kind", "period_start", "period_end", "title", "concretise_by"]
        widgets = {**NewResolutionForm.Meta.widgets, "concretise_by": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["from_last_period"]  # a committee's document is written afresh

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, by = data.get("period_start"), data.get("concretise_by")
        if start and by and by < start:
            self.add_error("concretise_by", _("The cells cannot make it concrete before the period starts."))
        return data


class CommitteeDocumentForm(ResolutionForm):
    """The text of a committee's document and the cells it is addressed to (none ticked: every cell under it)."""

    class Meta(ResolutionForm.Meta):
        fields = ["kind", "period_start", "period_end", "number", "title", *SECTIONS, "concretise_by"]
        fields += ["addressed_cells", "upper_resolutions"]
        widgets = {
            **ResolutionForm.Meta.widgets,
            "concretise_by": DateInput(),
            "addressed_cells": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # A committee's document carries out no document of a cell: nothing "upper" is offered.
        super().__init__(*args, upper=[], **kwargs)
        field = model_choice_field(self, "addressed_cells")
        field.queryset = cells_under(self.instance.cell)
        field.help_text = _("Tick none to address every cell under the committee.")
        if "number" in self.fields:
            self.fields["number"].help_text = _('For example "03-KH/ĐU".')

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, by = data.get("period_start"), data.get("concretise_by")
        if start and by and by < start:
            self.add_error("concretise_by", _("The cells cannot make it concrete before the period starts."))
        return data

    def saved_values(self) -> dict[str, Any]:
        """As ``ResolutionForm.saved_values``, the addressed cells apart (a list, empty for every cell)."""
        values = super().saved_values()
        values["fields"].pop("addressed_cells", None)
        values.pop("upper_resolutions", None)
        values["addressed_cells"] = list(self.cleaned_data["addressed_cells"])
        return values


class CellTargetForm(SafeInputMixin, forms.ModelForm):
    """One target for each cell; ``CellTarget.clean`` refuses a goal its measure cannot have (``rules.goal_error``)."""

    class Meta:
        model = CellTarget
        fields = ["name", "measure", "goal", "unit", "deadline"]
        widgets = {
            "name": forms.TextInput(attrs={"placeholder": _("e.g. Households moved to sort their waste")}),
            "deadline": DateInput(),
        }


# The most targets one document sets the cells: far above any real plan's, far below a busy worker's.
MAX_CELL_TARGETS = 30


class BaseCellTargetFormSet(BoundedInlineFormSet):
    def add_fields(self, form: forms.BaseForm, index: int | None) -> None:
        super().add_fields(form, index)
        render_quickly(form)

    def save(self, commit: bool = True) -> list[Any]:
        """Save the rows in the order shown: a target's ``order`` is its place on the page."""
        saved = super().save(commit=False)
        for obj in self.deleted_objects:
            obj.delete()
        kept = [
            f.instance for f in self.forms if f.instance in saved or (f.instance.pk and f not in self.deleted_forms)
        ]
        for order, target in enumerate(kept, start=1):
            target.order = order
            target.save()
        return saved


CellTargetFormSet = bounded_formset(
    Resolution,
    CellTarget,
    form=CellTargetForm,
    formset=BaseCellTargetFormSet,
    extra=1,
    can_delete=True,
    limit=MAX_CELL_TARGETS,
)
