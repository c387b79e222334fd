"""The notifications' models, moved from resolutions with their tables: created in Django's state only."""

import django.db.models.deletion
import notifications.models
from django.conf import settings
from django.db import migrations, models

# The models that came from resolutions, with their tables (db_table): only Django's picture of them moves here.
MODELS = ["notification", "delivery", "preference", "calendarfeed"]


def _relabel(apps, schema_editor, old, new):
    """The content types (and so the permissions and any generic reference) follow the models to their app. A
    row already made under the new label (by a ``migrate`` that ran in between) gives way to the old one, which
    the permissions point to."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        if ContentType.objects.using(db).filter(app_label=old, model=model).exists():
            ContentType.objects.using(db).filter(app_label=new, model=model).delete()
            ContentType.objects.using(db).filter(app_label=old, model=model).update(app_label=new)


def forward(apps, schema_editor):
    _relabel(apps, schema_editor, "resolutions", "notifications")


def backward(apps, schema_editor):
    _relabel(apps, schema_editor, "notifications", "resolutions")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
        # The tables as resolutions last left them (resolutions 0021 then forgets the models).
        ("resolutions", "0020_task_lead_is_not_follower"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CalendarFeed',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('token', models.CharField(default=notifications.models.new_token, max_length=64, unique=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('revoked_at', models.DateTimeField(blank=True, null=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='calendar_feeds', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'calendar feed',
                        'verbose_name_plural': 'calendar feeds',
                        'db_table': 'resolutions_calendarfeed',
                    },
                ),
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('due_soon', 'Task due soon'), ('due_today', 'Task due today'), ('overdue', 'Task overdue'), ('escalation_cell', 'Overdue tasks reported to the secretary'), ('escalation_ward', 'Overdue tasks reported to the member in charge'), ('meeting_notice', 'Meeting notice'), ('meeting_pack', 'Meeting documents released'), ('missing_monthly', 'No meeting or monthly review yet this month'), ('weekly_digest', 'Weekly summary of the cells'), ('daily_digest', 'Daily summary of messages'), ('probation_ending', "Probation ending: the cell's review is due"), ('task_assigned', 'Task assigned to you'), ('report_waiting', 'Progress report waiting for confirmation'), ('report_decided', 'Your progress report was confirmed or sent back'), ('meeting_invited', 'Invitation to a meeting'), ('meeting_cancelled', 'Meeting cancelled'), ('absence_decided', 'Your absence request was decided')], max_length=20, verbose_name='kind')),
                        ('object_ref', models.CharField(help_text='What it is about, e.g. task:12, meeting:3, cell:7.', max_length=40)),
                        ('day', models.DateField(verbose_name='day')),
                        ('subject', models.CharField(max_length=200, verbose_name='subject')),
                        ('body', models.TextField(verbose_name='message')),
                        ('url', models.CharField(blank=True, max_length=300)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('read_at', models.DateTimeField(blank=True, null=True)),
                        ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'notification',
                        'verbose_name_plural': 'notifications',
                        'db_table': 'resolutions_notification',
                        'ordering': ['-created_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Delivery',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('channel', models.CharField(max_length=16, verbose_name='channel')),
                        ('address', models.CharField(max_length=254, verbose_name='address')),
                        ('status', models.CharField(choices=[('pending', 'Waiting'), ('sending', 'Sending'), ('sent', 'Sent'), ('failed', 'Failed'), ('unsure', 'Needs checking')], default='pending', max_length=10, verbose_name='status')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                        ('last_error', models.TextField(blank=True, verbose_name='last error')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent at')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('claimed_at', models.DateTimeField(blank=True, null=True, verbose_name='claimed at')),
                        ('abandoned_claims', models.PositiveSmallIntegerField(default=0, verbose_name='abandoned sends')),
                        ('due_at', models.DateTimeField(blank=True, null=True)),
                        ('notification', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='notifications.notification')),
                    ],
                    options={
                        'verbose_name': 'delivery',
                        'verbose_name_plural': 'deliveries',
                        'db_table': 'resolutions_delivery',
                        'ordering': ['-created_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Preference',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('daily_digest', models.BooleanField(default=False, verbose_name='one email a day instead of one per message')),
                        ('muted_kinds', models.JSONField(blank=True, default=list, verbose_name='muted kinds')),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='notification_preference', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'notification preference',
                        'verbose_name_plural': 'notification preferences',
                        'db_table': 'resolutions_preference',
                    },
                ),
                migrations.AddIndex(
                    model_name='notification',
                    index=models.Index(fields=['recipient', 'read_at'], name='resolutions_recipie_4b74a4_idx'),
                ),
                migrations.AddConstraint(
                    model_name='notification',
                    constraint=models.UniqueConstraint(fields=('recipient', 'kind', 'object_ref', 'day'), name='notification_natural_key'),
                ),
                migrations.AddIndex(
                    model_name='delivery',
                    index=models.Index(fields=['status', 'created_at'], name='resolutions_status_522ac0_idx'),
                ),
                migrations.AddConstraint(
                    model_name='delivery',
                    constraint=models.UniqueConstraint(fields=('notification', 'channel'), name='delivery_once_per_channel'),
                ),
            ],
        ),
        migrations.RunPython(forward, backward),
    ]
