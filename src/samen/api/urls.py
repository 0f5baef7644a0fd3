from django.urls import include, path, re_path

from samen.api import token_views, views

app_name = "api"
urlpatterns = [
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
    path("signal-lists/", views.SignalListListView.as_view(), name="signal-list-list"),
    path(
        "signal-lists/<slug:code>/", views.SignalListDetailView.as_view(), name="signal-list-detail"
    ),
    path("signals/", views.SignalListCreateView.as_view(), name="signal-list"),
    path("signals/<int:pk>/", views.SignalDetailView.as_view(), name="signal-detail"),
    path("cases/", views.CaseListView.as_view(), name="case-list"),
    path("cases/<str:number>/", views.CaseDetailView.as_view(), name="case-detail"),
    path("cases/<str:number>/notes/", views.CaseNoteView.as_view(), name="case-notes"),
    path("cases/<str:number>/shares/", views.CaseShareView.as_view(), name="case-shares"),
    path("shares/", views.ShareListView.as_view(), name="share-list"),
    path("shares/<int:pk>/revoke/", views.ShareRevokeView.as_view(), name="share-revoke"),
    path("emergency-access/", views.EmergencyView.as_view(), name="emergency-access"),
    path("register/", views.RegisterView.as_view(), name="register"),
    path("programme/", include("samen.programme.api_urls")),
    path("shelter/", include("samen.shelter.api_urls")),
    path("identification/", include("samen.identification.api_urls")),
    path("statistics/", include("samen.statistics.api_urls")),
    # Last: any other path under the API answers a JSON 404, not the web UI's HTML page.
    re_path(r"^[\s\S]*$", views.api_not_found, name="not-found"),
]
