from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from chibo.lib.forms import SafeInputMixin
from resolutions.forms.meetings import QualityCapped
from resolutions.models import (
    AbsenceRequest,
    AgendaItem,
    AgendaTemplate,
    Attendance,
    Dissemination,
    Meeting,
    MonthlyReview,
    ProgressUpdate,
    PublicOpinion,
    Resolution,
    Speech,
    StatusChange,
    Target,
    Task,
    Version,
    Vote,
)


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


class TaskInline(admin.TabularInline):
    model = Task
    extra = 0
    fields = ["title", "deadline", "lead_kind", "lead_member", "status", "progress"]
    raw_id_fields = ["lead_member"]


@admin.register(Resolution)
class ResolutionAdmin(SimpleHistoryAdmin):
    list_display = ["number", "title", "cell", "kind", "period_start", "status", "version"]
    list_filter = ["status", "kind"]
    search_fields = ["number", "title", "cell__name"]
    list_select_related = ["cell"]
    raw_id_fields = ["cell", "previous", "created_by"]
    filter_horizontal = ["upper_resolutions"]
    inlines = [TargetInline, TaskInline]


@admin.register(Task)
class TaskAdmin(SimpleHistoryAdmin):
    list_display = ["title", "resolution", "lead_kind", "deadline", "status", "progress"]
    list_filter = ["status", "is_focal"]
    search_fields = ["title", "resolution__number"]
    list_select_related = ["resolution"]
    raw_id_fields = ["resolution", "lead_member", "lead_mass_organisation", "follower", "carried_from"]
    filter_horizontal = ["supporters"]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(SimpleHistoryAdmin):
    list_display = ["task", "author", "status", "progress", "review", "created_at"]
    list_filter = ["review", "status"]
    raw_id_fields = ["task", "author"]
    # A report is confirmed or sent back on the task's page, never by its author, and the task then follows its
    # latest confirmed report (``services.review_update``): the admin does not change the review.
    readonly_fields = ["review", "reviewed_by", "reviewed_at", "review_note"]


@admin.register(Vote)
class VoteAdmin(SimpleHistoryAdmin):
    list_display = ["resolution", "held_on", "votes_for", "entitled_count", "present_count", "adopted"]
    raw_id_fields = ["resolution", "meeting", "recorded_by"]
    filter_horizontal = ["absent_with_reason", "exempt_present"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # a vote is recorded on its page, where the Charter rule and the ballots are checked

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
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
    (Target, ["name", "resolution", "target_value", "actual_value"]),
    (AgendaItem, ["title", "meeting", "order"]),
    (Version, ["resolution", "number", "created_at"]),
    (StatusChange, ["resolution", "from_status", "to_status", "by", "at"]),
    (Dissemination, ["resolution", "held_on", "audience", "people_reached"]),
    (PublicOpinion, ["cell", "received_on", "source"]),
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
