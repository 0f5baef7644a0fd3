from django.urls import path

from samen.accounts import views
from samen.accounts.oidc import views as oidc_views

# Under /account/ (samen/urls.py): signing in and out, the membership and purpose acted for,
# the second factor and API tokens.
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", oidc_views.sign_out, name="logout"),
    path("membership/", views.switch_membership, name="switch-membership"),
    path("purpose/", views.switch_purpose, name="switch-purpose"),
    path("oidc/callback/", oidc_views.oidc_callback, name="oidc-callback"),
    path("oidc/<slug:provider_key>/", oidc_views.oidc_start, name="oidc-start"),
    path("2fa/", views.two_factor, name="two-factor"),
    path("tokens/", views.api_tokens, name="api-tokens"),
    path("tokens/<slug:token_id>/revoke/", views.api_token_revoke, name="api-token-revoke"),
]
