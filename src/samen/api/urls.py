from django.urls import include, path, re_path

from samen.api import token_views, views

app_name = "api"
# The case list's prefix first: no other pattern here matches a path under "cases/" (the ""
# includes hold none), so the order changes no answer and the busiest path is tried first
# (ADR 0091; api/tests/test_url_order.py holds the two orders equal).
urlpatterns = [
    path("cases/", include("samen.cases.api_urls")),
    path("me/", views.MeView.as_view(), name="me"),
    path("auth/token/", token_views.TokenView.as_view(), name="token"),
    path("auth/tokens/", token_views.TokenListView.as_view(), name="token-list"),
    path(
        "auth/tokens/<slug:token_id>/",
        token_views.TokenRevokeView.as_view(),
        name="token-revoke",
    ),
    path("organisations/", views.OrganisationListView.as_view(), name="organisation-list"),
    path(
        "organisations/<int:pk>/",
        views.OrganisationDetailView.as_view(),
        name="organisation-detail",
    ),
    path("", include("samen.signalling.api_urls")),
    path("", include("samen.sharing.api_urls")),
    path("programme/", include("samen.programme.api_urls")),
    path("shelter/", include("samen.shelter.api_urls")),
    path("identification/", include("samen.identification.api_urls")),
    path("statistics/", include("samen.statistics.api_urls")),
    # Last: any other path under the API answers a JSON 404, not the web UI's HTML page.
    re_path(r"^[\s\S]*$", views.api_not_found, name="not-found"),
]
