from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from dashboards.models import DashboardVersion, SummaryReport


@admin.register(SummaryReport)
class SummaryReportAdmin(admin.ModelAdmin):
    list_display = ["org", "month", "state", "built_on", "created_at"]
    raw_id_fields = ["org"]


@admin.register(DashboardVersion)
class DashboardVersionAdmin(admin.ModelAdmin):
    """Read-only: the tokens the dashboards' cache is keyed by (renewed by every write under an organisation)."""

    list_display = ("path", "token")
    search_fields = ("path",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: DashboardVersion | None = None) -> bool:
        return False
