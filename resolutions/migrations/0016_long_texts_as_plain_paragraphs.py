"""The resolution's four text sections were stored as sanitised HTML; they are plain paragraphs now.

Every stored copy is converted with ``chibo.lib.html.html_to_text``: the resolutions, their change history, and
the sections kept in each version's snapshot (and that snapshot's history). A value without HTML tags is left
as it is, so running the conversion again changes nothing. The reverse step keeps the plain text: it reads
correctly either way.
"""

from django.db import migrations

from chibo.lib.html import html_to_text, looks_like_html

SECTIONS = ("assessment", "focal_tasks", "solutions", "implementation")
BATCH = 500


def _convert_rows(model, fields):
    changed = []
    for row in model.objects.only("pk", *fields).iterator(chunk_size=BATCH):
        dirty = False
        for name in fields:
            value = getattr(row, name)
            if looks_like_html(value):
                setattr(row, name, html_to_text(value))
                dirty = True
        if dirty:
            changed.append(row)
        if len(changed) >= BATCH:
            model.objects.bulk_update(changed, fields)
            changed = []
    if changed:
        model.objects.bulk_update(changed, fields)


def _convert_snapshots(model):
    changed = []
    for row in model.objects.only("pk", "snapshot").iterator(chunk_size=BATCH):
        sections = (row.snapshot or {}).get("sections") or {}
        if any(looks_like_html(value) for value in sections.values()):
            row.snapshot = {**row.snapshot, "sections": {k: html_to_text(v) for k, v in sections.items()}}
            changed.append(row)
        if len(changed) >= BATCH:
            model.objects.bulk_update(changed, ["snapshot"])
            changed = []
    if changed:
        model.objects.bulk_update(changed, ["snapshot"])


def convert_long_texts(apps, schema_editor):
    for name in ("Resolution", "HistoricalResolution"):
        _convert_rows(apps.get_model("resolutions", name), SECTIONS)
    for name in ("Version", "HistoricalVersion"):
        _convert_snapshots(apps.get_model("resolutions", name))


class Migration(migrations.Migration):
    dependencies = [("resolutions", "0015_notification_kinds_of_events")]

    operations = [migrations.RunPython(convert_long_texts, migrations.RunPython.noop, elidable=True)]
