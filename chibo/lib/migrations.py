"""Operations shared by the migrations that move models from one app to another with their tables."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import migrations


def relabel_content_types(models: Iterable[str], old: str, new: str) -> migrations.RunPython:
    """A reversible operation that moves the content types of ``models`` (lower-case model names) from the app
    label ``old`` to ``new``, so that permissions and generic references follow the models.

    A row already made under the new label (by a ``migrate`` that ran in between and created it) gives way to the
    old one, which the permissions point to; a model without a row is left alone."""
    names = tuple(models)

    def relabel(apps: Any, schema_editor: Any, source: str, target: str) -> None:
        content_types = apps.get_model("contenttypes", "ContentType").objects.using(schema_editor.connection.alias)
        for model in names:
            if content_types.filter(app_label=source, model=model).exists():
                content_types.filter(app_label=target, model=model).delete()
                content_types.filter(app_label=source, model=model).update(app_label=target)

    def forwards(apps: Any, schema_editor: Any) -> None:
        relabel(apps, schema_editor, old, new)

    def backwards(apps: Any, schema_editor: Any) -> None:
        relabel(apps, schema_editor, new, old)

    return migrations.RunPython(forwards, backwards)
