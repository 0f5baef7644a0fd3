from django.urls import path

from samen.sharing import api

# Under /api/v1/ (samen/api/urls.py).
urlpatterns = [
    path("shares/", api.ShareListView.as_view(), name="share-list"),
    path("shares/<int:pk>/revoke/", api.ShareRevokeView.as_view(), name="share-revoke"),
    path("emergency-access/", api.EmergencyView.as_view(), name="emergency-access"),
    path("register/", api.RegisterView.as_view(), name="register"),
]
