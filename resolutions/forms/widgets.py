"""Widgets that write their HTML in Python, for the rows of the draft edit page's formsets and the meeting pages' forms.

Django renders each widget, and each option of a select, through a template, once per row: a task formset of a
dozen rows, each with three lists of a cell's members, rendered tens of thousands of template nodes per page.
``RenderedOptions`` holds a list's choices with each option's HTML built once (``AssignmentChoices`` makes them
once per page); the ``Select`` and ``SelectMultiple`` below then only join the strings, marking the chosen
options (given any other choices, they render as Django's own do). The inputs and the text area write what
their templates would. ``render_quickly`` gives a row's fields these widgets. The HTML is exactly Django's
(tests/resolutions/test_widgets.py compares them), but for the lists the rows share (``RenderedOptions.shared``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, cast

from django import forms
from django.utils.choices import BaseChoiceIterator
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe

from members import forms as member_forms


def _attribute_value(value: Any) -> str:
    """An attribute's value as django/forms/widgets/attrs.html writes it (``stringformat:'s'``, escaped)."""
    text = str(value)  # what "%s" % value gives, a tuple included (stringformat writes a tuple whole)
    return text if isinstance(value, SafeData) else str(conditional_escape(text))


def flat_attributes(attrs: dict[str, Any]) -> str:
    """A widget's attributes as django/forms/widgets/attrs.html writes them: ``True`` alone, ``False`` left out."""
    return "".join(
        f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{_attribute_value(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class RenderedOptions(BaseChoiceIterator):
    """A select's choices (value, label) with each option's HTML, plain and selected, built once.

    A choice iterator: a field given it as ``choices`` keeps it as it is (Django normalises any other list again
    for every row), and a copied widget (one per row) shares the options.

    ``shared``: the id of a ``<template>`` the page writes once with every option (``template()``). A select of
    such options then holds only its blank and chosen ones and names the template (``data-options``): the script
    (static/js/forms.js) puts the others in. A list of a cell's members on every task row is sent once, not once
    a row."""

    def __init__(self, choices: Iterable[tuple[Any, str]], *, shared: str = "") -> None:
        self.choices = list(choices)
        self.shared = shared
        self.options: list[tuple[str, str, str]] = []
        for value, label in self.choices:
            text = "" if value is None else str(value)
            start = f'<option value="{conditional_escape(text)}"'
            end = f">{conditional_escape(label)}</option>"
            self.options.append((text, f"{start}{end}", f"{start} selected{end}"))

    def __iter__(self) -> Iterator[tuple[Any, str]]:
        return iter(self.choices)

    def __len__(self) -> int:
        return len(self.choices)

    def template(self) -> SafeString:
        """The ``<template>`` of every option but the blank one, for the selects that share them."""
        body = "".join(plain for text, plain, _selected in self.options if text)
        return mark_safe(f'<template id="{conditional_escape(self.shared)}">{body}</template>')


class _RenderedSelectMixin:
    """Renders from ``RenderedOptions``, as django/forms/widgets/select.html would (single or multiple)."""

    choices: Any
    attrs: dict[str, Any]
    allow_multiple_selected: bool

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        options = self.choices
        if not isinstance(options, RenderedOptions):
            return super().render(name, value, attrs, renderer)  # type: ignore[misc]  # Django's Select, mixed in after
        final = self.build_attrs(self.attrs, attrs)  # type: ignore[attr-defined]  # Django's Widget, mixed in after
        if options.shared:
            final["data-options"] = options.shared
        if self.allow_multiple_selected:
            final["multiple"] = True
        chosen = set(self.format_value(value))  # type: ignore[attr-defined]  # Django's Select, mixed in after
        multiple, has_selected = self.allow_multiple_selected, False
        parts = []
        for text, plain, selected in options.options:
            pick = (multiple or not has_selected) and text in chosen
            has_selected |= pick
            if options.shared and text and not pick:
                continue  # in the page's template
            parts.append(f"\n  {selected if pick else plain}\n")
        body = "".join(parts)  # the template's own line breaks; the renderer strips the end of the last
        return mark_safe(f'<select name="{conditional_escape(name)}"{flat_attributes(final)}>{body}\n</select>')


class _QuickInputMixin:
    """Renders as django/forms/widgets/input.html would."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]  # Django's Input, mixed in after
        shown = "" if widget["value"] is None else f' value="{_attribute_value(widget["value"])}"'
        kind, attributes = conditional_escape(widget["type"]), flat_attributes(widget["attrs"])
        return mark_safe(f'<input type="{kind}" name="{conditional_escape(name)}"{shown}{attributes}>')


# The classes keep Django's names: crispy forms adds the widget's class name ("select", "textinput") to the
# field's CSS classes, and the page stays as it was.
class Select(_RenderedSelectMixin, forms.Select):
    pass


class SelectMultiple(_RenderedSelectMixin, forms.SelectMultiple):
    pass


class TextInput(_QuickInputMixin, forms.TextInput):
    pass


class NumberInput(_QuickInputMixin, forms.NumberInput):
    pass


class HiddenInput(_QuickInputMixin, forms.HiddenInput):
    pass


class CheckboxInput(_QuickInputMixin, forms.CheckboxInput):
    pass


class DateInput(_QuickInputMixin, member_forms.DateInput):
    pass


class Textarea(forms.Textarea):
    """Renders as django/forms/widgets/textarea.html would."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        text = conditional_escape(widget["value"]) if widget["value"] else ""
        return mark_safe(
            f'<textarea name="{conditional_escape(name)}"{flat_attributes(widget["attrs"])}>\n{text}</textarea>'
        )


QUICK: dict[type[forms.Widget], type[forms.Widget]] = {
    forms.Select: Select,
    forms.SelectMultiple: SelectMultiple,
    forms.TextInput: TextInput,
    forms.NumberInput: NumberInput,
    forms.HiddenInput: HiddenInput,
    forms.CheckboxInput: CheckboxInput,
    member_forms.DateInput: DateInput,
    forms.Textarea: Textarea,
}


def render_quickly(form: forms.BaseForm) -> None:
    """Give ``form``'s fields the widgets above, where one does the work of theirs: the same widget (its
    attributes, format, choices), of a class that writes the HTML itself. A select's choices are rendered once
    for the form unless they already are (``RenderedOptions``)."""
    for field in form.fields.values():
        quick = QUICK.get(type(field.widget))
        if quick is None:
            continue
        if quick in (Select, SelectMultiple) and not isinstance(field.widget.choices, RenderedOptions):
            if isinstance(field, forms.ModelChoiceField) or not isinstance(field, forms.ChoiceField):
                continue  # options read from the database (or set on the widget alone): left to Django
            choices = list(cast(Iterable[tuple[Any, Any]], field.choices))  # normalised: (value, label) pairs
            if any(isinstance(label, list | tuple) for _, label in choices):
                continue  # grouped options: left to Django
            field.choices = RenderedOptions(choices)
        field.widget.__class__ = quick
