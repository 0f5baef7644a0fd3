from django.contrib import admin

from samen.signalling.models import Indicator, SignalList


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    can_delete = False
    fields = ["code", "category_code", "severity", "acute", "concerns_minor", "text_nl", "text_en"]
    readonly_fields = fields


@admin.register(SignalList)
class SignalListAdmin(admin.ModelAdmin):
    """Read-only: lists are versioned files in the repository; a new version is reviewed."""

    list_display = ["code", "version", "title_nl", "is_current"]
    inlines = [IndicatorInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
