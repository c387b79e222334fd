from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from propagandists.models import Propagandist, PropagandistTopic


class TopicInline(admin.TabularInline):
    model = PropagandistTopic
    extra = 0


@admin.register(Propagandist)
class PropagandistAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "cell", "group", "starts_on", "ends_on"]
    list_filter = ["group"]
    search_fields = ["full_name", "member__full_name"]
    raw_id_fields = ["cell", "member", "residential_group"]
    filter_horizontal = ["areas"]
    inlines = [TopicInline]
