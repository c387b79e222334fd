from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from inspections.models import Inspection


@admin.register(Inspection)
class InspectionAdmin(SimpleHistoryAdmin):
    list_display = ["title", "subject_org", "body", "status", "planned_start", "conclusion"]
    list_filter = ["activity", "mode", "status", "conclusion"]
    search_fields = ["title"]
    raw_id_fields = ["body_org", "subject_org", "subject_member"]
