from django.contrib import admin

from samen.organisations.models import Membership, Municipality, Organisation
from samen.web.admin_site import FunctionalAdminAccess


class MembershipInline(FunctionalAdminAccess, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(FunctionalAdminAccess, admin.ModelAdmin):
    list_display = ["name", "type", "municipality", "is_synthetic"]
    list_filter = ["type", "municipality__region"]
    search_fields = ["name"]
    autocomplete_fields = ["municipality"]
    inlines = [MembershipInline]


@admin.register(Municipality)
class MunicipalityAdmin(FunctionalAdminAccess, admin.ModelAdmin):
    editable = False  # CBS reference data, loaded from its file

    list_display = ["code", "name", "region", "province"]
    list_filter = ["region", "province"]
    search_fields = ["name", "code"]


@admin.register(Membership)
class MembershipAdmin(FunctionalAdminAccess, admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "is_active"]
    list_filter = ["role", "is_active"]
    autocomplete_fields = ["user", "organisation"]
