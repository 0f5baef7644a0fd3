from django.urls import path

from samen.signalling import api

# Under /api/v1/ (samen/api/urls.py).
urlpatterns = [
    path("signal-lists/", api.SignalListListView.as_view(), name="signal-list-list"),
    path(
        "signal-lists/<slug:code>/", api.SignalListDetailView.as_view(), name="signal-list-detail"
    ),
    path("signals/", api.SignalListCreateView.as_view(), name="signal-list"),
    path("signals/<int:pk>/", api.SignalDetailView.as_view(), name="signal-detail"),
]
