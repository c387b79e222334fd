"""Operations shared by the migrations that move models from one app to another with their tables."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import migrations


def relabel_content_types(models: Iterable[str], old: str, new: str) -> migrations.RunPython:
    """A reversible operation that moves the content types of ``models`` (lower-case model names) from the app
    label ``old`` to ``new``, so that permissions and generic references follow the models."""
    return move_content_types([((old, model), (new, model)) for model in models])


def move_content_types(moves: Iterable[tuple[tuple[str, str], tuple[str, str]]]) -> migrations.RunPython:
    """A reversible operation that gives content types a new app label and model name: ``moves`` pairs
    ``(app_label, model)`` before and after (lower-case model names).

    A row already made under the new name (by a ``migrate`` that ran in between and created it) gives way to the
    old one, which the permissions point to; a model without a row is left alone."""
    pairs = tuple(moves)

    def move(apps: Any, schema_editor: Any, backwards: bool) -> None:
        content_types = apps.get_model("contenttypes", "ContentType").objects.using(schema_editor.connection.alias)
        for before, after in pairs:
            (source_app, source_model), (target_app, target_model) = (after, before) if backwards else (before, after)
            if content_types.filter(app_label=source_app, model=source_model).exists():
                content_types.filter(app_label=target_app, model=target_model).delete()
                content_types.filter(app_label=source_app, model=source_model).update(
                    app_label=target_app, model=target_model
                )

    def forwards(apps: Any, schema_editor: Any) -> None:
        move(apps, schema_editor, backwards=False)

    def backwards(apps: Any, schema_editor: Any) -> None:
        move(apps, schema_editor, backwards=True)

    return migrations.RunPython(forwards, backwards)
