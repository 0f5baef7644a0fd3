from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from samen.api.views import healthz, readyz
from samen.core.access import PUBLIC, declare
from samen.observability.views import metrics_view
from samen.web.views import set_language_view

urlpatterns = [
    path("healthz", healthz, name="healthz"),
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
    path("api/v1/", include("samen.api.urls")),
    path("", include("samen.web.urls")),
]
