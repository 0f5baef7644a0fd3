from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest


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


class SamenAdminConfig(AdminConfig):
    default_site = "samen.web.admin_site.SamenAdminSite"
