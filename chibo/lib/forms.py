"""Form fields shared by the apps."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import connection


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """A choice of several objects by id that refuses an id the database cannot hold as an invalid value.

    Django checks each posted id only for its type before one ``id IN (…)`` query; on SQLite a number beyond 64
    bits (a tampered form) makes that query fail with a server error instead of a form error."""

    def _check_values(self, value: Any) -> Any:
        key = self.to_field_name or "pk"
        field = self.queryset.model._meta.pk if key == "pk" else self.queryset.model._meta.get_field(key)
        low, high = connection.ops.integer_field_range(field.get_internal_type())
        if low is not None or high is not None:
            for pk in value:
                try:
                    number = int(str(pk))
                except ValueError:
                    continue  # not a number at all: Django's own check reports it
                if (low is not None and number < low) or (high is not None and number > high):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                    )
        return super()._check_values(value)
