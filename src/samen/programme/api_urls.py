from django.urls import path

from . import api

urlpatterns = [
    path("action-lines/", api.ActionLineListView.as_view(), name="programme-action-line-list"),
    path(
        "action-lines/<int:number>/",
        api.ActionLineDetailView.as_view(),
        name="programme-action-line-detail",
    ),
    path("actions/", api.ActionListView.as_view(), name="programme-action-list"),
    path("actions/<slug:code>/", api.ActionDetailView.as_view(), name="programme-action-detail"),
    path("progress/<int:pk>/", api.ProgressNoteView.as_view(), name="programme-progress-detail"),
    path("motions/", api.MotionListView.as_view(), name="programme-motion-list"),
    path("motions/<str:key>/", api.MotionDetailView.as_view(), name="programme-motion-detail"),
    path("commitments/", api.CommitmentListView.as_view(), name="programme-commitment-list"),
    path(
        "commitments/<slug:code>/",
        api.CommitmentDetailView.as_view(),
        name="programme-commitment-detail",
    ),
    path(
        "recommendations/",
        api.RecommendationListView.as_view(),
        name="programme-recommendation-list",
    ),
    path(
        "recommendations/<slug:code>/",
        api.RecommendationDetailView.as_view(),
        name="programme-recommendation-detail",
    ),
    path("indicators/", api.IndicatorListView.as_view(), name="programme-indicator-list"),
    path(
        "indicators/<slug:code>/values/",
        api.IndicatorValuesView.as_view(),
        name="programme-indicator-values",
    ),
    path(
        "indicators/<slug:code>/",
        api.IndicatorDetailView.as_view(),
        name="programme-indicator-detail",
    ),
    path("letters/", api.LetterListView.as_view(), name="programme-letter-list"),
    path(
        "letters/<int:pk>/updates/",
        api.LetterUpdatesView.as_view(),
        name="programme-letter-updates",
    ),
    path(
        "updates/<int:pk>/accept/", api.UpdateAcceptView.as_view(), name="programme-update-accept"
    ),
    path(
        "updates/<int:pk>/reject/", api.UpdateRejectView.as_view(), name="programme-update-reject"
    ),
]
