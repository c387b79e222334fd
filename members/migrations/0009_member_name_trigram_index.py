"""A trigram index on the members' search name, on PostgreSQL: the search finds every word typed anywhere in
the name (``LIKE '%word%'``), which a b-tree cannot serve; at province scale the admin-wide search scanned every
member. SQLite (the embedded default) keeps its plain index."""

from django.db import migrations

INDEX = "members_member_search_name_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON members_member USING gin (search_name gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("members", "0008_encrypt_existing_personal_data")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
