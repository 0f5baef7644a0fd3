from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from samen.api.views import healthz, readyz
from samen.core.access import PUBLIC, declare
from samen.observability.views import metrics_view
from samen.web.views import set_language_view

# The API's prefix straight after the floor's path: no other pattern here matches a path under
# "api/v1/", so the order changes no answer, and an API request is not tried against the web's
# patterns first (ADR 0091; api/tests/test_url_order.py holds the two orders equal).
urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("samen.api.urls")),
    path("metrics", metrics_view, name="metrics"),
    path("readyz", readyz, name="readyz"),
    path("i18n/setlang/", set_language_view, name="set_language"),
    path("account/", include("samen.accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", declare(SpectacularAPIView.as_view(), PUBLIC), name="schema"),
    path(
        "api/docs/",
        declare(SpectacularSwaggerSplitView.as_view(url_name="schema"), PUBLIC),
        name="api-docs",
    ),
    path("", include("samen.web.urls")),
]
