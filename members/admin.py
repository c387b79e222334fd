from typing import cast

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from members.models import (
    AwayPeriod,
    Background,
    Discipline,
    DocumentSequence,
    Exemption,
    MassOrganisation,
    Member,
    MemberEvent,
    MemberQuerySet,
    Organisation,
    OrganisationVersion,
    PersonalDataAccess,
    ResidentialGroup,
    Role,
    Suspension,
    normalize_citizen_id,
)


@admin.register(Organisation)
class OrganisationAdmin(TreeAdmin, SimpleHistoryAdmin):
    form = movenodeform_factory(Organisation)
    list_display = ["name", "code", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "code", "former_names"]


class ExemptionInline(admin.TabularInline):
    model = Exemption
    extra = 0


class AwayPeriodInline(admin.TabularInline):
    model = AwayPeriod
    extra = 0


class DisciplineInline(admin.TabularInline):
    model = Discipline
    extra = 0


@admin.register(Member)
class MemberAdmin(SimpleHistoryAdmin):
    list_display = ["full_name", "cell", "birth_date", "admitted_on", "official_on", "management_status"]
    list_filter = ["management_status", "is_propagandist", "sex"]
    # The citizen ID is encrypted: a search for one is matched on its keyed hash (get_search_results).
    search_fields = ["search_name", "full_name", "phone"]
    autocomplete_fields = ["cell", "party_group", "residential_group", "user"]
    list_select_related = ["cell"]
    inlines = [ExemptionInline, AwayPeriodInline, DisciplineInline]
    filter_horizontal = ["backgrounds"]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Member], search_term: str
    ) -> tuple[QuerySet[Member], bool]:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if (term := normalize_citizen_id(search_term)) and term.isdigit():
            results |= cast(MemberQuerySet, queryset).with_citizen_id(term)  # built from Member.objects
        return results, may_have_duplicates

    def has_delete_permission(self, request: HttpRequest, obj: Member | None = None) -> bool:
        # People leave by transfer or by leaving the party, with a date; their history stays.
        return False


@admin.register(ResidentialGroup)
class ResidentialGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "cell"]
    search_fields = ["name", "cell__name"]
    autocomplete_fields = ["cell"]


@admin.register(Background)
class BackgroundAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name"]


@admin.register(Role)
class RoleAdmin(SimpleHistoryAdmin):
    list_display = ["user", "kind", "organisation"]
    list_filter = ["kind"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]


@admin.register(DocumentSequence)
class DocumentSequenceAdmin(admin.ModelAdmin):
    list_display = ["organisation", "kind", "year", "last"]
    list_filter = ["kind", "year"]
    search_fields = ["organisation__name"]
    autocomplete_fields = ["organisation"]
    list_select_related = ["organisation"]


@admin.register(Exemption)
class ExemptionAdmin(SimpleHistoryAdmin):
    list_display = ["member", "starts_on", "ends_on", "reason"]
    autocomplete_fields = ["member"]
    list_select_related = ["member"]


@admin.register(AwayPeriod)
class AwayPeriodAdmin(SimpleHistoryAdmin):
    list_display = ["member", "kind", "starts_on", "ends_on", "place"]
    list_filter = ["kind"]
    autocomplete_fields = ["member"]
    list_select_related = ["member"]


@admin.register(Suspension)
class SuspensionAdmin(SimpleHistoryAdmin):
    list_display = ["member", "starts_on", "ends_on", "reason"]
    autocomplete_fields = ["member"]
    list_select_related = ["member"]


@admin.register(MemberEvent)
class MemberEventAdmin(SimpleHistoryAdmin):
    list_display = ["member", "kind", "on", "from_cell", "to_cell", "decision", "recorded_by", "recorded_at"]
    list_filter = ["kind"]
    autocomplete_fields = ["member", "from_cell", "to_cell"]
    list_select_related = ["member", "from_cell", "to_cell", "recorded_by"]
    date_hierarchy = "on"


@admin.register(MassOrganisation)
class MassOrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "cell"]
    list_filter = ["kind"]
    search_fields = ["name", "cell__name"]
    autocomplete_fields = ["cell"]


@admin.register(Discipline)
class DisciplineAdmin(SimpleHistoryAdmin):
    list_display = ["member", "form", "decided_on", "decision"]
    list_filter = ["form"]
    autocomplete_fields = ["member"]
    list_select_related = ["member"]
    date_hierarchy = "decided_on"


@admin.register(OrganisationVersion)
class OrganisationVersionAdmin(admin.ModelAdmin):
    """Read-only: the tokens what is cached under an organisation is keyed by (``members.versions``)."""

    list_display = ("path", "token")
    search_fields = ("path",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OrganisationVersion | None = None) -> bool:
        return False


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    """The access log is read, never written by hand: no adding, changing or deleting."""

    list_display = ["at", "kind", "user", "member", "scope", "rows"]
    list_filter = ["kind"]
    list_select_related = ["user", "member", "scope"]
    search_fields = ["member__full_name", "user__username"]
    date_hierarchy = "at"
    readonly_fields = ["at", "kind", "user", "member", "scope", "scope_path", "rows", "note"]

    def has_add_permission(self, request: HttpRequest, obj: PersonalDataAccess | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PersonalDataAccess | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: PersonalDataAccess | None = None) -> bool:
        return False
