"""What every form accepts as text and as a date, checked in one place.

Each form mixes in ``SafeInputMixin``. Before the form validates, every posted value is put in composed (NFC)
form, so a Vietnamese word typed on a phone that sends decomposed letters is stored as the same word; then
every text field refuses the characters no one types (``chibo.lib.text.unsafe_character``: NUL, which
PostgreSQL cannot store, other control characters, lone surrogates, the marks that reverse the direction of
text) and every date field refuses years outside ``EARLIEST_DATE``–``LATEST_DATE`` (a year 1 or 9999 date is a
typing slip, and date arithmetic on it overflows). The messages are the site's, in Vietnamese.

A value read from ``request.POST`` by hand, without a form, goes through ``clean_text``.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from django.forms.utils import ErrorDict
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from chibo.lib.text import unsafe_character

EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


def check_text(value: Any) -> None:
    """A validator for any text: refuses control characters, lone surrogates and direction overrides."""
    if isinstance(value, str) and unsafe_character(value) is not None:
        raise ValidationError(
            _("The text contains a hidden or control character that cannot be saved. Delete it and type it again."),
            code="unsafe_character",
        )


def check_date(value: Any) -> None:
    """A validator for any date field: between 1900 and 2100."""
    if isinstance(value, dt.date) and not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(
            _("Enter a date between %(earliest)s and %(latest)s."),
            params={"earliest": f"{EARLIEST_DATE:%d/%m/%Y}", "latest": f"{LATEST_DATE:%d/%m/%Y}"},
            code="date_out_of_range",
        )


def clean_text(value: str, *, max_length: int | None = None) -> str:
    """A text field read without a form: composed, stripped, checked. Raises ValidationError."""
    text = unicodedata.normalize("NFC", value).strip()
    check_text(text)
    if max_length is not None and len(text) > max_length:
        raise ValidationError(
            _("Write at most %(n)d characters (it has %(length)d)."),
            params={"n": max_length, "length": len(text)},
            code="max_length",
        )
    return text


def guard_fields(fields: dict[str, forms.Field]) -> None:
    """Add the checks to a form's fields (idempotent: a form may be cleaned more than once)."""
    for field in fields.values():
        if isinstance(field, forms.CharField) and check_text not in field.validators:
            # Django's own NUL check says so in English only; ours covers it, in the site's language.
            field.validators = [v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)] + [
                check_text
            ]
        elif isinstance(field, forms.DateField) and check_date not in field.validators:
            field.validators = [*field.validators, check_date]


# The largest id a database holds. A larger number posted as an id is refused as an unknown choice, like any
# other unknown id: SQLite cannot even compare it with a column (Python's sqlite3 raises OverflowError).
MAX_ID = 2**63 - 1


def _id_in_range(value: Any) -> Any:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return value  # not a number at all: the field says it is not a valid choice
    return value if abs(number) <= MAX_ID else "-"


def _chosen_by_number(field: forms.ModelChoiceField) -> bool:
    if field.queryset is None:
        return False  # no choices yet: nothing to bound
    model = field.queryset.model
    key = model._meta.get_field(field.to_field_name) if field.to_field_name else model._meta.pk
    return isinstance(key, models.IntegerField)  # the auto fields and every integer field derive from it


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """``form``'s model choice field ``name`` (single or multiple), to narrow its choices or relabel it."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{name} is not a model choice field")
    return field


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """``form``'s choice field ``name``, to set its choices."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{name} is not a choice field")
    return field


def composed(data: Any, id_keys: Collection[str] = ()) -> Any:
    """A copy of posted data with every text value in NFC and the ids under ``id_keys`` in range."""

    def clean(key: str, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        return _id_in_range(value) if key in id_keys else unicodedata.normalize("NFC", value)

    if hasattr(data, "lists"):  # a QueryDict or MultiValueDict
        copy = data.copy()
        for key, values in data.lists():
            copy.setlist(key, [clean(key, v) for v in values])
        return copy
    return {
        key: [clean(key, v) for v in value] if isinstance(value, list) else clean(key, value)
        for key, value in data.items()
    }


# The mixin's base for the type checker: the form it is mixed into (at run time it derives from object only).
if TYPE_CHECKING:
    _FormBase = forms.BaseForm
else:
    _FormBase = object


class SafeInputMixin(_FormBase):
    """Mixed into every form of the site (see the module's docstring). Checks are added when the form is
    cleaned, after its ``__init__`` has replaced or added fields."""

    def full_clean(self) -> None:
        if self.is_bound:
            id_keys = {
                self.add_prefix(name)
                for name, field in self.fields.items()
                if isinstance(field, forms.ModelChoiceField) and _chosen_by_number(field)
            }
            self.data = composed(self.data, id_keys)
        guard_fields(self.fields)
        super().full_clean()


class BoundedInlineFormSet(forms.BaseInlineFormSet):
    """An inline formset that never builds more rows than it may save.

    Django builds as many forms as the posted ``TOTAL_FORMS`` says, up to ``absolute_max`` (2,000 by default,
    each with its own choices): one post of a huge count kept a worker busy past its timeout. Formsets made with
    ``bounded_formset`` set ``max_num`` and ``absolute_max`` to the same limit and refuse more rows with the
    site's own message."""

    default_error_messages = {
        "too_many_forms": ngettext_lazy(
            "At most %(num)d row can be saved here.", "At most %(num)d rows can be saved here.", "num"
        ),
    }


def bounded_formset(parent: type[models.Model], model: type[models.Model], *, limit: int, **kwargs: Any) -> Any:
    """``inlineformset_factory`` with at most ``limit`` rows, built and saved (see ``BoundedInlineFormSet``)."""
    kwargs.setdefault("formset", BoundedInlineFormSet)
    assert issubclass(kwargs["formset"], BoundedInlineFormSet), "a bounded formset's class is a BoundedInlineFormSet"
    return forms.inlineformset_factory(parent, model, max_num=limit, absolute_max=limit, validate_max=True, **kwargs)


def with_blank_row(data: QueryDict, formset: forms.BaseFormSet) -> QueryDict:
    """The posted ``data`` with one more row in ``formset``'s prefix, posted as a blank row is shown: with its
    initial values (a task's "led by a member"), so the new row is unchanged and Django skips it rather than
    asking for its required fields. ``formset`` is any formset of the same kind; its ``empty_form`` gives the
    values. The caller has checked the count."""
    data = data.copy()
    key = f"{formset.prefix}-TOTAL_FORMS"
    count = int(data.get(key, "0") or 0)
    empty = formset.empty_form
    for field in empty:
        if field.name == "DELETE":
            continue
        value = field.value()
        if value in (None, "", False) or value == []:
            continue
        values = value if isinstance(value, list | tuple) else [value]
        name = field.html_name.replace("__prefix__", str(count))
        data.setlist(name, ["on" if v is True else str(v) for v in values])
    data[key] = str(count + 1)
    return data


def unchecked(*items: forms.BaseForm | forms.BaseFormSet) -> None:
    """Show forms and formsets again as posted, without checking them: after "add a row" without JavaScript
    nothing is saved, so no field is told it is missing yet; they are checked when the page is saved."""
    for item in items:
        if isinstance(item, forms.BaseFormSet):
            unchecked(*item.forms)
            # Django's private caches of the errors, which django-stubs does not declare.
            item._errors = []  # type: ignore[attr-defined]  # private
            item._non_form_errors = item.error_class(error_class="nonform", renderer=item.renderer)  # type: ignore[attr-defined]  # private
        else:
            item._errors = ErrorDict()  # type: ignore[attr-defined]  # as above


def confirmed(request: HttpRequest) -> bool:
    """The user answered "yes" to the question asked before an irreversible step
    (``templates/includes/_confirm.html``: in a dialog by ``static/js/chibo.js``, or on the page itself)."""
    return request.POST.get("confirmed") == "yes"
