from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from resolutions.models import (
    CellTarget,
    Dissemination,
    ProgressUpdate,
    PublicOpinion,
    Resolution,
    StatusChange,
    Target,
    Task,
    Version,
)


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


class CellTargetInline(admin.TabularInline):
    """The targets a committee's document sets each cell it addresses."""

    model = CellTarget
    extra = 0
    fields = ["name", "measure", "goal", "unit", "deadline", "order"]


class TaskInline(admin.TabularInline):
    model = Task
    extra = 0
    fields = ["title", "deadline", "lead_kind", "lead_member", "status", "progress"]
    raw_id_fields = ["lead_member"]


@admin.register(Resolution)
class ResolutionAdmin(SimpleHistoryAdmin):
    list_display = ["number", "title", "cell", "document_type", "kind", "period_start", "status", "version"]
    list_filter = ["status", "document_type", "kind"]
    search_fields = ["number", "title", "cell__name"]
    list_select_related = ["cell"]
    raw_id_fields = ["cell", "previous", "created_by"]
    # A committee's document: its kind, the cells it addresses (none: all under it), when they make it concrete.
    filter_horizontal = ["upper_resolutions", "addressed_cells"]
    inlines = [TargetInline, CellTargetInline, TaskInline]


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


for model, fields in (
    (Target, ["name", "resolution", "target_value", "actual_value"]),
    (CellTarget, ["name", "resolution", "measure", "goal", "deadline"]),
    (Version, ["resolution", "number", "created_at"]),
    (StatusChange, ["resolution", "from_status", "to_status", "by", "at"]),
    (Dissemination, ["resolution", "held_on", "audience", "people_reached"]),
    (PublicOpinion, ["cell", "received_on", "source"]),
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
