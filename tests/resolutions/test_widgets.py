"""The task rows' selects render options built once, and write exactly what Django's own selects write."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.utils.safestring import mark_safe

from resolutions.forms.widgets import RenderedOptions, Select, SelectMultiple

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
