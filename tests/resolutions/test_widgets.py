"""The edit page's rows write their widgets in Python (selects from options built once), exactly as Django's
own widgets write them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.utils.safestring import mark_safe

from chibo.lib.forms import choice_field
from members.forms import DateInput
from resolutions.forms import widgets
from resolutions.forms.widgets import RenderedOptions, Select, SelectMultiple, render_quickly

CHOICES: list[tuple[Any, str]] = [
    ("", "---------"),
    (1, "Nguyễn Văn An · Tổ 1"),
    (2, 'Trần <b>"Bình"</b> & Co\'s'),
    (3, "Lê Thị Cúc"),
    (3, "Lê Thị Cúc (again)"),  # a repeated value: a single select marks only the first
]

ATTRS: list[dict[str, Any]] = [
    {},
    {"id": "id_tasks-0-lead_member", "class": "select form-select"},
    {"data-picker": "Gõ <tên>", "size": 4, "required": True, "disabled": False},
    {"aria-describedby": mark_safe("a&amp;b"), "data-x": ("a", "b"), "data-none": None},
]


@pytest.mark.parametrize("attrs", ATTRS)
@pytest.mark.parametrize("value", [None, "", 1, "2", 3, "9", [1], ["abc"]])
def test_a_select_writes_what_django_writes(attrs: dict[str, Any], value: Any) -> None:
    ours = Select(attrs={"data-own": "x"}, choices=RenderedOptions(CHOICES))
    django = forms.Select(attrs={"data-own": "x"}, choices=CHOICES)
    assert ours.render("tasks-0-lead_member", value, attrs) == django.render("tasks-0-lead_member", value, attrs)


@pytest.mark.parametrize("attrs", ATTRS)
@pytest.mark.parametrize("value", [None, [], [1], ["2", 3], [1, 2, 3, 9], ("1",)])
def test_a_multiple_select_writes_what_django_writes(attrs: dict[str, Any], value: Any) -> None:
    ours = SelectMultiple(choices=RenderedOptions(CHOICES[1:]))
    django = forms.SelectMultiple(choices=CHOICES[1:])
    assert ours.render("tasks-0-supporters", value, attrs) == django.render("tasks-0-supporters", value, attrs)


def test_a_select_given_other_choices_renders_as_django_does() -> None:
    grouped = [("Tổ 1", [(1, "An"), (2, "Bình")]), (3, "Cúc")]
    assert Select(choices=grouped).render("x", 2) == forms.Select(choices=grouped).render("x", 2)


def test_the_options_are_shared_by_copies_and_kept_by_a_field() -> None:
    options = RenderedOptions(CHOICES)
    field = forms.ChoiceField(widget=Select)
    field.choices = options
    assert field.widget.choices is options  # not normalised again into a list
    copy = field.widget.__deepcopy__({})
    assert copy.choices.options is options.options
    assert list(field.choices) == CHOICES
    assert len(options) == len(CHOICES)


def test_crispy_gives_our_selects_the_css_classes_it_gives_django_s() -> None:
    assert Select.__name__ == forms.Select.__name__
    assert SelectMultiple.__name__ == forms.SelectMultiple.__name__


INPUTS = [
    (widgets.TextInput, forms.TextInput, {"maxlength": "300"}),
    (widgets.NumberInput, forms.NumberInput, {"min": 0, "step": "0.01"}),
    (widgets.HiddenInput, forms.HiddenInput, {}),
    (widgets.Textarea, forms.Textarea, {"rows": 2}),
]
VALUES = [None, "", "Vận động <hộ> \"gia\" & 'đình'", "\nhai dòng\n", 0, 5, Decimal("1.50"), dt.date(2026, 11, 28)]


@pytest.mark.parametrize(("quick", "django", "own"), INPUTS)
@pytest.mark.parametrize("attrs", ATTRS)
@pytest.mark.parametrize("value", VALUES)
def test_an_input_writes_what_django_writes(quick: Any, django: Any, own: dict, attrs: dict, value: Any) -> None:
    assert quick(attrs=own).render("tasks-0-x", value, attrs) == django(attrs=own).render("tasks-0-x", value, attrs)


@pytest.mark.parametrize("value", [None, "", True, False, "on", "0"])
def test_a_checkbox_writes_what_django_writes(value: Any) -> None:
    attrs = {"id": "id_tasks-0-DELETE", "class": "checkboxinput form-check-input"}
    assert widgets.CheckboxInput().render("x", value, attrs) == forms.CheckboxInput().render("x", value, attrs)


@pytest.mark.parametrize("value", [None, "", "28/11/2026", dt.date(2026, 11, 28)])
def test_a_date_writes_what_the_site_s_date_input_writes(value: Any) -> None:
    assert widgets.DateInput().render("d", value, {"id": "d"}) == DateInput().render("d", value, {"id": "d"})


def test_a_row_gets_the_quick_widgets_with_its_own_state() -> None:
    class Row(forms.Form):
        title = forms.CharField(max_length=10)
        kind = forms.ChoiceField(choices=[("a", "A <1>"), ("b", "B")])
        grouped = forms.ChoiceField(choices=[("G", [("a", "A")])])
        day = forms.DateField(widget=DateInput())
        other = forms.EmailField()

    form = Row(initial={"kind": "b", "day": dt.date(2026, 1, 2)})
    before = {name: str(form[name]) for name in form.fields}
    render_quickly(form)
    kinds = {name: type(field.widget) for name, field in form.fields.items()}
    assert kinds == {
        "title": widgets.TextInput,
        "kind": widgets.Select,
        "grouped": forms.Select,  # grouped options: Django's
        "day": widgets.DateInput,
        "other": forms.EmailInput,  # no quick one
    }
    assert form.fields["title"].widget.attrs == {"maxlength": "10"}
    assert isinstance(choice_field(form, "kind").choices, RenderedOptions)
    assert {name: str(form[name]) for name in form.fields} == before


@pytest.mark.parametrize(
    ("value", "kept"),
    [(None, [""]), ("", [""]), (1, ["", "1"]), ("9", [""]), (3, ["", "3"])],
)
def test_a_select_of_shared_options_holds_its_blank_and_chosen_ones_and_names_the_list(value: Any, kept: list) -> None:
    options = RenderedOptions(CHOICES, shared="task-members")
    html = Select(choices=options).render("tasks-0-lead_member", value)
    assert ' data-options="task-members"' in html
    assert [option.split('"')[1] for option in html.split("<option value=")[1:]] == kept
    # The one chosen is marked as Django marks it (the first of a repeated value; none when 9, not offered, is).
    assert html.count(" selected") == (0 if value == "9" else 1)
    assert html.count("Lê Thị Cúc") == (1 if value == 3 else 0)
    many = SelectMultiple(choices=RenderedOptions(CHOICES[1:], shared="task-members")).render("s", [2, 3])
    assert [option.split('"')[1] for option in many.split("<option value=")[1:]] == ["2", "3", "3"]


def test_the_shared_list_is_written_once_with_every_option_but_the_blank() -> None:
    options = RenderedOptions(CHOICES, shared="task-members")
    assert options.template() == (
        '<template id="task-members"><option value="1">Nguyễn Văn An · Tổ 1</option>'
        '<option value="2">Trần &lt;b&gt;&quot;Bình&quot;&lt;/b&gt; &amp; Co&#x27;s</option>'
        '<option value="3">Lê Thị Cúc</option><option value="3">Lê Thị Cúc (again)</option></template>'
    )
