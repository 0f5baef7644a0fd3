from django.contrib import admin

from samen.signalling.models import Indicator, SignalList
from samen.web.admin_site import FunctionalAdminAccess


class IndicatorInline(FunctionalAdminAccess, admin.TabularInline):
    editable = False
    model = Indicator
    extra = 0
    can_delete = False
    fields = ["code", "category_code", "severity", "acute", "concerns_minor", "text_nl", "text_en"]
    readonly_fields = fields


@admin.register(SignalList)
class SignalListAdmin(FunctionalAdminAccess, admin.ModelAdmin):
    """Read-only: lists are versioned files in the repository; a new version is reviewed."""

    editable = False

    list_display = ["code", "version", "title_nl", "is_current"]
    inlines = [IndicatorInline]
