from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse
from django.urls import reverse


class SamenAdminSite(admin.AdminSite):
    """The Django admin, for functional administrators only. Case data is deliberately not
    registered here: it is reachable only through the services that check and audit access."""

    site_header = "Samen"
    site_title = "Samen beheer"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        from samen.organisations.models import Role

        return user.memberships.filter(role=Role.FUNCTIONAL_ADMIN, is_active=True).exists()

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        # One sign-in page for everything, with its lockout; the admin has no login of its own.
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.GET.get("next", "/admin/"), login_url=reverse("login"))


class FunctionalAdminAccess:
    """What a functional administrator administers (organisations, memberships, users, signal
    lists) needs no separate Django model permission: the site admits functional administrators
    only, and case data is not registered at all. `editable` off makes a model read-only."""

    editable = True

    def _admitted(self, request: HttpRequest) -> bool:
        return self.admin_site.has_permission(request)  # type: ignore[attr-defined]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._admitted(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._admitted(request)

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self.editable and self._admitted(request)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self.editable and self._admitted(request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self.editable and self._admitted(request)


class SamenAdminConfig(AdminConfig):
    default_site = "samen.web.admin_site.SamenAdminSite"
