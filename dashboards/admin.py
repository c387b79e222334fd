from __future__ import annotations

from django.contrib import admin

from dashboards.models import SummaryReport


@admin.register(SummaryReport)
class SummaryReportAdmin(admin.ModelAdmin):
    list_display = ["org", "month", "state", "built_on", "created_at"]
    raw_id_fields = ["org"]
