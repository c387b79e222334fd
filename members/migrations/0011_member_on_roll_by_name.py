"""An index of the names of the members on the roll, with their keys, in the order the member search lists them.

A search over a province matches thousands of names ("nguyen van"), all of them far into the alphabet: reading the
index of the names in order, PostgreSQL read the row of every member before them to find a page of fifty. The page's
keys are now found in this index alone (the names it passes over are not read from the table), and the page's
members read by their keys."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("members", "0010_organisationversion")]

    operations = [
        migrations.AddIndex(
            model_name="member",
            index=models.Index(
                condition=models.Q(("management_status", "active")),
                fields=["search_name", "id"],
                name="member_on_roll_by_name",
            ),
        ),
    ]
