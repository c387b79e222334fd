from django.db import migrations, models

from chibo.lib.migrations import move_content_types


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("members", "0009_member_name_trigram_index"),
        ("dashboards", "0001_initial"),
    ]

    # The dashboards' version tokens become the organisations' (members.versions): the table keeps its name and its
    # rows; the model moves in the migration state only (dashboards 0002 lets it go), its content type follows it.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="OrganisationVersion",
                    fields=[
                        ("path", models.CharField(max_length=255, primary_key=True, serialize=False)),
                        ("token", models.CharField(max_length=32)),
                    ],
                    options={
                        "verbose_name": "organisation version",
                        "db_table": "resolutions_dashboardversion",
                    },
                ),
            ]
        ),
        move_content_types([(("dashboards", "dashboardversion"), ("members", "organisationversion"))]),
    ]
