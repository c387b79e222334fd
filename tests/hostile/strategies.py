"""Hostile input for every form and import: what people paste, what broken phones send, what attackers try.

``form_data`` builds the posted data of any Django form (or formset) from its fields, so a new field or a new
form is covered without writing a strategy for it.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from django import forms
from hypothesis import strategies as st

VIETNAMESE = [
    "Nguyễn Thị Hồng",
    "Trần Văn Đức",
    "Lê Thị Ngọc Ánh",
    "Chi bộ khu phố 1",
    "Vận động hộ gia đình ký cam kết giữ gìn vệ sinh môi trường",
    "Quyết định số 125-QĐ/ĐU ngày 03/11/2026",
    "Đảng viên dự bị",
]

# NUL (refused by PostgreSQL), escape, bell, DEL, a C1 control, the right-to-left override and isolates.
CONTROLS = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\u202e", "\u202d", "\u2066", "\u2069"]

MARKUP = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "{{ 7*7 }}{% debug %}",
    "'; DROP TABLE members_member; --",
    "' OR '1'='1",
    "1; SELECT pg_sleep(10)--",
    "%s %(name)s {0} %n",
    "../../etc/passwd",
    '=HYPERLINK("http://x")',
    "javascript:alert(1)",
]

WHITESPACE = [" ", "   ", "\t", "\n\n", "\u00a0", "\u2003", "\u3000", " \r\n "]

DATE_TEXTS = [
    "01/01/0001",
    "1/1/1",
    "31/12/9999",
    "01/01/1899",
    "01/01/2101",
    "31/02/2024",
    "29/02/2023",
    "00/00/0000",
    "32/01/2026",
    "15/13/2026",
    "99/99/9999",
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
    "dd/mm/yyyy",
    "hôm qua",
    "05/03/19620",
    "-1/-1/-1",
    "1e309",
]

NUMBER_TEXTS = [
    "-1",
    "-2147483649",
    "2147483648",
    "32768",
    "9223372036854775808",
    "9" * 30,
    "9" * 5000,  # more digits than Python converts by default
    "1e309",
    "-1e309",
    "NaN",
    "nan",
    "Infinity",
    "-inf",
    "1.5",
    "1,5",
    "0x10",
    "２",  # a full-width digit
    "²",  # a superscript: str.isdigit() says yes, int() says no
    "١٢",
    "12abc",
    "0.000000000000000000001",
    "99999999999999.999",
]

TIME_TEXTS = ["25:00", "23:60", "-1:00", "24:00", "7h30", "12:00:00.000000001", "99:99"]


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def with_inserted(base: st.SearchStrategy[str], extra: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """``extra`` placed at the start, the middle or the end of ``base``."""

    @st.composite
    def build(draw: Any) -> str:
        text, bad = draw(base), draw(extra)
        at = draw(st.integers(0, len(text)))
        return text[:at] + bad + text[at:]

    return build()


vietnamese = st.sampled_from(VIETNAMESE)


def long_text(at_least: int = 101) -> st.SearchStrategy[str]:
    """Text far beyond any field's limit, built by repetition (generating it character by character is slow)."""
    return st.builds(
        lambda piece, n: (piece * n)[: max(at_least, n)],
        st.sampled_from(["a", "Ữ", "ệ ", nfd("Hồng ")]),
        st.integers(at_least, 20_000),
    )


def hostile_text(*, surrogates: bool = False) -> st.SearchStrategy[str]:
    """Any text people or programs may send. Lone surrogates cannot arrive over HTTP (Django decodes the body
    with replacement) but can come from a workbook (``_xD800_``) or a direct call, hence the switch."""
    alphabet = st.characters(codec=None if surrogates else "utf-8", exclude_categories=[] if surrogates else None)
    return st.one_of(
        vietnamese,
        vietnamese.map(nfd),
        st.text(alphabet, max_size=60),
        with_inserted(vietnamese, st.sampled_from(CONTROLS)),
        with_inserted(vietnamese.map(nfd), st.sampled_from(CONTROLS)),
        st.sampled_from(MARKUP),
        st.sampled_from(WHITESPACE),
        long_text(),
        st.just(""),
        *([st.sampled_from(["\ud800", "Hồng\udfff", "\udc80abc"])] if surrogates else []),
    )


def hostile_date() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(DATE_TEXTS),
        st.dates().map(lambda d: f"{d.day:02d}/{d.month:02d}/{d.year:04d}"),
        st.dates().map(lambda d: d.isoformat()),
        hostile_text(),
    )


def hostile_number() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NUMBER_TEXTS),
        st.integers(-(10**20), 10**20).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.integers(0, 100).map(str),
        st.sampled_from(["", " ", "abc"]),
    )


def hostile_choice(valid: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        *([st.sampled_from(valid)] if valid else []), st.sampled_from(["", "x", "-1", "0", "None"]), hostile_text()
    )


def hostile_id(valid: list[str], foreign: list[str]) -> st.SearchStrategy[str]:
    """A valid id, the id of an object of another cell, or garbage."""
    pools = [st.sampled_from(ids) for ids in (valid, foreign) if ids]
    return st.one_of(*pools, st.sampled_from(["", "0", "-1", "abc", "1.5", "9" * 25]), hostile_number())


def _choice_values(field: forms.ChoiceField) -> list[str]:
    values = []
    for value, _label in field.choices:  # type: ignore[misc, union-attr]  # a form's field holds its choices as pairs
        if isinstance(_label, list | tuple):  # an optgroup
            values += [str(v) for v, _l in _label]
        elif value not in ("", None):
            values.append(str(getattr(value, "value", value)))
    return values


def field_value(
    field: forms.Field, foreign: dict[str, list[str]], name: str, *, surrogates: bool = False
) -> st.SearchStrategy[Any]:
    """Posted value(s) for one form field: hostile, with the valid values among them so forms can pass."""
    if isinstance(field, forms.ModelMultipleChoiceField):
        return st.lists(hostile_id(_choice_values(field), foreign.get(name, [])), max_size=3)
    if isinstance(field, forms.ModelChoiceField):
        return hostile_id(_choice_values(field), foreign.get(name, []))
    if isinstance(field, forms.MultipleChoiceField):
        return st.lists(hostile_choice(_choice_values(field)), max_size=3)
    if isinstance(field, forms.ChoiceField):
        return hostile_choice(_choice_values(field))
    if isinstance(field, forms.BooleanField):
        return st.sampled_from(["on", "", "false", "0", "\x00"])
    if isinstance(field, forms.DateField):
        return hostile_date()
    if isinstance(field, forms.TimeField):
        return st.one_of(st.sampled_from(TIME_TEXTS), st.times().map(lambda t: t.strftime("%H:%M")), hostile_text())
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        return hostile_number()
    if isinstance(field, forms.FileField):
        return st.just("")
    return hostile_text(surrogates=surrogates)


def plausible_value(form: forms.BaseForm, name: str) -> Any:
    """What a careful user would post in this field: the page's own value, else a likely one."""
    field, value = form.fields[name], form[name].value()
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, dt.time):
        return f"{value:%H:%M}"
    if isinstance(field, forms.ModelMultipleChoiceField | forms.MultipleChoiceField):
        return [str(v) for v in value or []]
    if value not in (None, "") and not isinstance(value, list):
        return str(getattr(value, "pk", value))
    if isinstance(field, forms.ChoiceField):  # model choices included
        choices = _choice_values(field)
        return choices[0] if choices and field.required else ""
    if isinstance(field, forms.DateField):
        return f"{dt.date.today() - dt.timedelta(days=10):%d/%m/%Y}"
    if isinstance(field, forms.TimeField):
        return "21:30" if "end" in name or "closed" in name else "19:30"
    if isinstance(field, forms.IntegerField | forms.DecimalField):
        return "1"
    if isinstance(field, forms.BooleanField | forms.FileField):
        return ""
    return "Nguyễn Văn An"


@st.composite
def form_data(
    draw: Any,
    form: forms.BaseForm,
    *,
    foreign: dict[str, list[str]] | None = None,
    keep: dict[str, Any] | None = None,
    surrogates: bool = False,
) -> dict[str, Any]:
    """Posted data for ``form`` (its prefix applied).

    Either every field is hostile, or one or two are and the others hold what a careful user would post (so
    that hostile text also reaches forms that are otherwise valid, and is saved). ``foreign``: ids of objects of
    another cell, by field name. ``keep``: values kept as they are (a hidden lock version)."""
    names = [n for n in form.fields if not (keep and n in keep)]
    hostile = set(names)
    if names and draw(st.booleans()):
        hostile = draw(st.sets(st.sampled_from(names), min_size=1, max_size=2))
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        if name not in hostile and not (keep and name in keep) and name not in ("id", "DELETE"):
            data[key] = plausible_value(form, name)
        elif keep and name in keep:
            data[key] = keep[name]
        elif isinstance(field.widget, forms.HiddenInput) and form[name].value() is not None:
            data[key] = str(form[name].value())
        elif name == "DELETE":
            data[key] = draw(st.sampled_from(["", "on"]))
        elif name == "id":
            initial = form.initial.get("id") or getattr(form.instance, "pk", None)  # type: ignore[attr-defined]  # the forms of model formsets
            data[key] = "" if initial is None else str(getattr(initial, "pk", initial))
        else:
            data[key] = draw(field_value(field, foreign or {}, name, surrogates=surrogates))
    return data


@st.composite
def formset_data(draw: Any, formset: forms.BaseFormSet, *, foreign: dict[str, list[str]] | None = None) -> dict:
    """The management form as the page sent it, and hostile data for each of the formset's forms."""
    data = {formset.management_form.add_prefix(k): str(v) for k, v in formset.management_form.initial.items()}
    for form in formset.forms:
        data.update(draw(form_data(form, foreign=foreign)))
    return data
