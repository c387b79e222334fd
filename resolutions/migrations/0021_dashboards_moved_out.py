from django.db import migrations


class Migration(migrations.Migration):
    """The dashboards' models moved to their own app (dashboards 0001), their tables kept: gone from this app's
    state only."""

    dependencies = [
        ('resolutions', '0020_task_lead_is_not_follower'),
        ('dashboards', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.DeleteModel(name='DashboardVersion'),
            migrations.DeleteModel(name='SummaryReport'),
        ]),
    ]
