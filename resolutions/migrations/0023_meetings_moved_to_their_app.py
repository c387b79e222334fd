"""The meeting's models now belong to the meetings app: removed here in state only, their content types relabelled."""

import django.db.models.deletion
from django.db import migrations, models


MOVED = (
    "agendatemplate",
    "meeting",
    "agendaitem",
    "attendance",
    "absencerequest",
    "speech",
    "monthlyreview",
    "vote",
    "historicalmeeting",
    "historicalagendaitem",
    "historicalattendance",
    "historicalabsencerequest",
    "historicalspeech",
    "historicalmonthlyreview",
    "historicalvote",
    "historicalvote_absent_with_reason",
    "historicalvote_exempt_present",
)


def _relabel(apps, old, new):
    """The content types follow the models (permissions and generic references point at them). A row already made
    under the new label (by a migrate that ran before this one) is dropped in favour of the old one."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        row = ContentType.objects.filter(app_label=old, model=model).first()
        if row is None:
            continue
        ContentType.objects.filter(app_label=new, model=model).delete()
        row.app_label = new
        row.save(update_fields=["app_label"])


def forwards(apps, schema_editor):
    _relabel(apps, "resolutions", "meetings")


def backwards(apps, schema_editor):
    _relabel(apps, "meetings", "resolutions")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('meetings', '0001_initial'),
        ('resolutions', '0022_notifications_moved_out'),
    ]

    operations = [
        # The tables were made by resolutions and keep their names: only the state moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='agendaitem',
                    name='meeting',
                ),
                migrations.RemoveField(
                    model_name='speech',
                    name='agenda_item',
                ),
                migrations.RemoveField(
                    model_name='historicalspeech',
                    name='agenda_item',
                ),
                migrations.RemoveField(
                    model_name='agendatemplate',
                    name='cell',
                ),
                migrations.RemoveField(
                    model_name='attendance',
                    name='meeting',
                ),
                migrations.RemoveField(
                    model_name='attendance',
                    name='member',
                ),
                migrations.RemoveField(
                    model_name='historicalabsencerequest',
                    name='decided_by',
                ),
                migrations.RemoveField(
                    model_name='historicalabsencerequest',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalabsencerequest',
                    name='meeting',
                ),
                migrations.RemoveField(
                    model_name='historicalabsencerequest',
                    name='member',
                ),
                migrations.RemoveField(
                    model_name='historicalagendaitem',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalagendaitem',
                    name='meeting',
                ),
                migrations.RemoveField(
                    model_name='historicalattendance',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalattendance',
                    name='meeting',
                ),
                migrations.RemoveField(
                    model_name='historicalattendance',
                    name='member',
                ),
                migrations.RemoveField(
                    model_name='historicalmeeting',
                    name='cell',
                ),
                migrations.RemoveField(
                    model_name='historicalmeeting',
                    name='chair',
                ),
                migrations.RemoveField(
                    model_name='historicalmeeting',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='historicalmeeting',
                    name='guest_in_charge',
                ),
                migrations.RemoveField(
                    model_name='historicalmeeting',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalmeeting',
                    name='pack_published_by',
                ),
                migrations.RemoveField(
                    model_name='historicalmeeting',
                    name='recorder',
                ),
                migrations.RemoveField(
                    model_name='historicalmonthlyreview',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalmonthlyreview',
                    name='meeting',
                ),
                migrations.RemoveField(
                    model_name='historicalmonthlyreview',
                    name='resolution',
                ),
                migrations.RemoveField(
                    model_name='historicalspeech',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalspeech',
                    name='meeting',
                ),
                migrations.RemoveField(
                    model_name='historicalspeech',
                    name='speaker',
                ),
                migrations.RemoveField(
                    model_name='historicalvote',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalvote',
                    name='meeting',
                ),
                migrations.RemoveField(
                    model_name='historicalvote',
                    name='recorded_by',
                ),
                migrations.RemoveField(
                    model_name='historicalvote',
                    name='resolution',
                ),
                migrations.RemoveField(
                    model_name='historicalvote_absent_with_reason',
                    name='history',
                ),
                migrations.RemoveField(
                    model_name='historicalvote_exempt_present',
                    name='history',
                ),
                migrations.RemoveField(
                    model_name='historicalvote_absent_with_reason',
                    name='member',
                ),
                migrations.RemoveField(
                    model_name='historicalvote_absent_with_reason',
                    name='vote',
                ),
                migrations.RemoveField(
                    model_name='historicalvote_exempt_present',
                    name='member',
                ),
                migrations.RemoveField(
                    model_name='historicalvote_exempt_present',
                    name='vote',
                ),
                migrations.RemoveField(
                    model_name='meeting',
                    name='cell',
                ),
                migrations.RemoveField(
                    model_name='meeting',
                    name='chair',
                ),
                migrations.RemoveField(
                    model_name='meeting',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='meeting',
                    name='guest_in_charge',
                ),
                migrations.RemoveField(
                    model_name='meeting',
                    name='pack_published_by',
                ),
                migrations.RemoveField(
                    model_name='meeting',
                    name='recorder',
                ),
                migrations.RemoveField(
                    model_name='speech',
                    name='meeting',
                ),
                migrations.AlterField(
                    model_name='historicalpublicopinion',
                    name='meeting',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='meetings.meeting', verbose_name='raised at the meeting'),
                ),
                migrations.RemoveField(
                    model_name='monthlyreview',
                    name='meeting',
                ),
                migrations.RemoveField(
                    model_name='vote',
                    name='meeting',
                ),
                migrations.AlterField(
                    model_name='publicopinion',
                    name='meeting',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='opinions', to='meetings.meeting', verbose_name='raised at the meeting'),
                ),
                migrations.RemoveField(
                    model_name='monthlyreview',
                    name='resolution',
                ),
                migrations.RemoveField(
                    model_name='speech',
                    name='speaker',
                ),
                migrations.RemoveField(
                    model_name='vote',
                    name='absent_with_reason',
                ),
                migrations.RemoveField(
                    model_name='vote',
                    name='exempt_present',
                ),
                migrations.RemoveField(
                    model_name='vote',
                    name='recorded_by',
                ),
                migrations.RemoveField(
                    model_name='vote',
                    name='resolution',
                ),
                migrations.DeleteModel(
                    name='AbsenceRequest',
                ),
                migrations.DeleteModel(
                    name='AgendaItem',
                ),
                migrations.DeleteModel(
                    name='AgendaTemplate',
                ),
                migrations.DeleteModel(
                    name='Attendance',
                ),
                migrations.DeleteModel(
                    name='HistoricalAbsenceRequest',
                ),
                migrations.DeleteModel(
                    name='HistoricalAgendaItem',
                ),
                migrations.DeleteModel(
                    name='HistoricalAttendance',
                ),
                migrations.DeleteModel(
                    name='HistoricalMeeting',
                ),
                migrations.DeleteModel(
                    name='HistoricalMonthlyReview',
                ),
                migrations.DeleteModel(
                    name='HistoricalSpeech',
                ),
                migrations.DeleteModel(
                    name='HistoricalVote',
                ),
                migrations.DeleteModel(
                    name='HistoricalVote_absent_with_reason',
                ),
                migrations.DeleteModel(
                    name='HistoricalVote_exempt_present',
                ),
                migrations.DeleteModel(
                    name='Meeting',
                ),
                migrations.DeleteModel(
                    name='MonthlyReview',
                ),
                migrations.DeleteModel(
                    name='Speech',
                ),
                migrations.DeleteModel(
                    name='Vote',
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
