from django.db import migrations, models


def unfollow_own_tasks(apps, schema_editor):
    """A task whose lead also followed it loses its follower: the cell's secretary chooses another one. (Its own
    migration, committed before the constraint is added: PostgreSQL adds no constraint to a table with pending
    trigger events.)"""
    Task = apps.get_model("resolutions", "Task")
    Task.objects.filter(lead_member__isnull=False, follower=models.F("lead_member")).update(follower=None)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0005_document_numbers_and_party_committee_secretaries"),
        ("resolutions", "0018_deliveries_claimed_and_stale_pdf_builds"),
    ]

    operations = [migrations.RunPython(unfollow_own_tasks, migrations.RunPython.noop)]
