"""What every hostile test checks: no server error, and either a clean write or no write at all."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction

from chibo.lib.forms import EARLIEST_DATE, LATEST_DATE
from chibo.lib.text import unsafe_character

APPS = ("members", "resolutions", "evaluations", "inspections", "propagandists")


@contextmanager
def rolled_back() -> Iterator[None]:
    """One hypothesis example in its own transaction, undone afterwards (the test's world stays as it was)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def our_models() -> list[type[models.Model]]:
    """Every model of the apps, with the change-history models and the many-to-many tables."""
    return [m for app in APPS for m in apps.get_app_config(app).get_models(include_auto_created=True)]


def table_counts() -> dict[str, int]:
    """The row count of every table of the apps, in one query."""
    tables = sorted({m._meta.db_table for m in our_models()})
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(tables, cursor.fetchone(), strict=True))


def text_problems(instance: models.Model) -> list[str]:
    """What is wrong with a stored row's text and dates: a control character, decomposed letters, too long."""
    problems = []
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        if isinstance(value, str) and isinstance(field, models.CharField | models.TextField):
            if unsafe_character(value) is not None:
                problems.append(f"{field.name}: control character {unsafe_character(value)!r}")
            if unicodedata.normalize("NFC", value) != value:
                problems.append(f"{field.name}: not composed (NFC)")
            if field.max_length and len(value) > field.max_length:
                problems.append(f"{field.name}: {len(value)} characters, at most {field.max_length}")
        is_date = isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField)
        if is_date and value and not EARLIEST_DATE <= value <= LATEST_DATE:
            problems.append(f"{field.name}: date {value} out of range")
    return problems


def rows_written(before: dict[str, int], after: dict[str, int]) -> list[str]:
    return [f"{table}: {before[table]} → {after[table]}" for table in before if before[table] != after[table]]


def new_rows_problems(before: dict[str, int], after: dict[str, int]) -> list[str]:
    """The text problems of the rows of every table that grew (a new row, or a change recorded in history)."""
    problems = []
    grown = {table for table in before if after[table] > before[table]}
    for model in our_models():
        if model._meta.db_table in grown:
            newest = model._default_manager.order_by("-pk")[
                : after[model._meta.db_table] - before[model._meta.db_table]
            ]
            for row in newest:
                problems += [f"{model.__name__}.{p}" for p in text_problems(row)]
    return problems


def draw_payload(data: Any, forms_: list[Any], *, foreign: Any = None, keep: Any = None) -> dict[str, Any]:
    """Hostile data for each form or formset of a page (``keep`` applies to the first, the page's main form)."""
    from django.forms import BaseFormSet

    from tests.hostile.strategies import form_data, formset_data

    payload: dict[str, Any] = {}
    for i, form in enumerate(forms_):
        if isinstance(form, BaseFormSet):
            strategy = formset_data(form, foreign=foreign)
        else:
            strategy = form_data(form, foreign=foreign, keep=keep if i == 0 else None)
        payload.update(data.draw(strategy))
    return payload
