from django import forms
from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from chibo.lib.forms import SafeInputMixin
from meetings.forms import QualityCapped
from meetings.models import AbsenceRequest, AgendaItem, AgendaTemplate, Attendance, Meeting, MonthlyReview, Speech, Vote


@admin.register(Vote)
class VoteAdmin(SimpleHistoryAdmin):
    list_display = ["resolution", "held_on", "votes_for", "entitled_count", "present_count", "adopted"]
    raw_id_fields = ["resolution", "meeting", "recorded_by"]
    filter_horizontal = ["absent_with_reason", "exempt_present"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a vote is recorded on its page, where the Charter rule and the ballots are checked

    def has_change_permission(self, request: HttpRequest, obj: Vote | None = None) -> bool:
        return False  # a recorded vote is a record: it is corrected on its page, with a reason


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0


class MeetingAdminForm(QualityCapped, SafeInputMixin, forms.ModelForm):
    """The self-score is held to the meeting's rules here as on the meeting's page (the admin gives the model and
    the fields)."""


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    form = MeetingAdminForm
    list_display = ["cell", "date", "kind", "status", "minutes_revision", "pack_published_at"]
    list_filter = ["status", "kind"]
    search_fields = ["cell__name", "place"]
    list_select_related = ["cell"]
    raw_id_fields = ["cell", "chair", "recorder", "guest_in_charge", "created_by", "pack_published_by"]
    inlines = [AgendaItemInline]


@admin.register(Attendance)
class AttendanceAdmin(SimpleHistoryAdmin):
    list_display = ["meeting", "member", "status", "reason"]
    list_filter = ["status"]
    raw_id_fields = ["meeting", "member"]


for model, fields in (
    (AgendaItem, ["title", "meeting", "order"]),
    (AgendaTemplate, ["name", "cell"]),
    (AbsenceRequest, ["meeting", "member", "status"]),
    (Speech, ["meeting", "speaker", "speaker_name"]),
    (MonthlyReview, ["meeting", "resolution", "created_at"]),
):
    admin.site.register(
        model,
        type(
            f"{model.__name__}Admin",
            (admin.ModelAdmin,),
            {
                "list_display": fields,
                "raw_id_fields": [f.name for f in model._meta.fields if f.is_relation and f.many_to_one],
            },
        ),
    )
