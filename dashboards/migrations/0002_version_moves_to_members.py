from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0001_initial"),
        ("members", "0010_organisationversion"),
    ]

    # The table stays: it is members.OrganisationVersion's now (members 0010).
    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="DashboardVersion")]),
    ]
