from django import forms
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.widgets import AutocompleteSelect
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _


class SamenAdminSite(admin.AdminSite):
    """The Django admin, for functional administrators only. Case data is deliberately not
    registered here: it is reachable only through the services that check and audit access."""

    site_header = "Samen"
    site_title = "Samen beheer"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        # The admin site is built while the app registry loads (settings name it as the admin's
        # default site), before any model may be imported.
        from samen.organisations.models import Role

        return user.memberships.filter(role=Role.FUNCTIONAL_ADMIN, is_active=True).exists()

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        # One sign-in page for everything, with its lockout; the admin has no login of its own.
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.GET.get("next", "/admin/"), login_url=reverse("login"))


class LabelledAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete (select2) names its combobox by the chosen value only, so an empty
    one has no accessible name (axe: aria-input-field-name). A placeholder that names the field
    gives the combobox one; select2 shows it in the box until something is chosen. The read-only
    text box inside it is named by a small script (static/samen/admin_autocomplete_names.js)."""

    def build_attrs(self, base_attrs: dict, extra_attrs: dict | None = None) -> dict:
        attrs = super().build_attrs(base_attrs, extra_attrs)
        attrs["data-placeholder"] = _("Choose: %(field)s") % {
            "field": self.field.verbose_name  # type: ignore[attr-defined]
        }
        return attrs

    @property
    def media(self) -> forms.Media:
        # After select2 and the admin's set-up: names the text box select2 draws (see the file).
        # The admin's own files are named too, so that the merge keeps this one after them.
        return super().media + forms.Media(
            js=[
                "admin/js/jquery.init.js",
                "admin/js/autocomplete.js",
                "samen/admin_autocomplete_names.js",
            ]
        )


class LabelledRowsFormSet:
    """A tabular inline labels its columns once, in the table head: each row's inputs (the
    delete box too) have no label of their own (axe: label, select-name). Name each one after
    its field."""

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)  # type: ignore[misc]
        for name, field in form.fields.items():
            field.widget.attrs.setdefault("aria-label", str(field.label or name))


class FunctionalAdminAccess:
    """What a functional administrator administers (organisations, memberships, users, signal
    lists) needs no separate Django model permission: the site admits functional administrators
    only, and case data is not registered at all. `editable` off makes a model read-only."""

    editable = True

    class Media:
        # Django's admin marks links in the breadcrumbs by colour alone (axe: link-in-text-block).
        css = {"all": ["samen/admin.css"]}

    def get_formset(self, request: HttpRequest, obj: object = None, **kwargs):  # type: ignore[no-untyped-def]
        base = kwargs.get("formset", self.formset)  # type: ignore[attr-defined]
        kwargs["formset"] = type(f"Labelled{base.__name__}", (LabelledRowsFormSet, base), {})
        return super().get_formset(request, obj, **kwargs)  # type: ignore[misc]

    def _admitted(self, request: HttpRequest) -> bool:
        return self.admin_site.has_permission(request)  # type: ignore[attr-defined]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._admitted(request)

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):  # type: ignore[no-untyped-def]
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):  # type: ignore[attr-defined]
            kwargs["widget"] = LabelledAutocompleteSelect(
                db_field,
                self.admin_site,  # type: ignore[attr-defined]
                using=kwargs.get("using"),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

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
