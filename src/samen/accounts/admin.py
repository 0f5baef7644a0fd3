from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from samen.accounts.models import ApiToken, User
from samen.accounts.tokens import token_revoke
from samen.core.actor import client_origin
from samen.web.admin_site import FunctionalAdminAccess


@admin.register(User)
class SamenUserAdmin(FunctionalAdminAccess, UserAdmin):
    list_display = ["username", "first_name", "last_name", "is_active", "is_staff", "is_synthetic"]
    search_fields = ["username", "first_name", "last_name", "email"]
    # Roles come from memberships; Django's own superuser flag and permissions are not handed out.
    readonly_fields = ["is_superuser", "user_permissions", "groups", "last_login", "date_joined"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Functional administrators see and revoke tokens; they cannot make or read one (only a
    hash is kept, and it is not shown)."""

    list_display = ["prefix", "user", "membership", "created_at", "expires_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["prefix", "user__username"]
    fields = ["prefix", "user", "membership", "role", "created_at", "expires_at", "last_used_at",
              "revoked_at", "revoked_by"]  # fmt: skip
    readonly_fields = fields
    actions = ["revoke"]

    # The admin site itself admits functional administrators only (SamenAdminSite); they need no
    # separate model permission to see and revoke tokens.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.admin_site.has_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self.admin_site.has_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # revoked, not deleted: the record of who held a token stays

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            token_revoke(token=token, by=request.user, origin=client_origin(request.META, "admin"))
        messages.success(request, _("The selected tokens have been revoked."))
