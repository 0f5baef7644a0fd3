from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from samen.accounts import views as account_views
from samen.accounts.oidc import views as oidc_views
from samen.api.views import healthz, readyz
from samen.core.access import PUBLIC, declare
from samen.observability.views import metrics_view
from samen.web.views import set_language_view

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics_view, name="metrics"),
    path("readyz", readyz, name="readyz"),
    path("i18n/setlang/", set_language_view, name="set_language"),
    path("account/login/", account_views.login_view, name="login"),
    path("account/logout/", oidc_views.sign_out, name="logout"),
    path("account/membership/", account_views.switch_membership, name="switch-membership"),
    path("account/purpose/", account_views.switch_purpose, name="switch-purpose"),
    path("account/oidc/callback/", oidc_views.oidc_callback, name="oidc-callback"),
    path("account/oidc/<slug:provider_key>/", oidc_views.oidc_start, name="oidc-start"),
    path("account/2fa/", account_views.two_factor, name="two-factor"),
    path("account/tokens/", account_views.api_tokens, name="api-tokens"),
    path(
        "account/tokens/<slug:token_id>/revoke/",
        account_views.api_token_revoke,
        name="api-token-revoke",
    ),
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
