from django.urls import path

from samen.identification import api

urlpatterns = [
    path("deadlines/", api.DeadlineListView.as_view(), name="identification-deadlines"),
    path(
        "notifications/",
        api.NotificationListView.as_view(),
        name="identification-notifications",
    ),
    path(
        "notifications/read/",
        api.NotificationReadView.as_view(),
        name="identification-notifications-read",
    ),
    path("cases/<str:number>/", api.PathView.as_view(), name="identification-path"),
    path(
        "cases/<str:number>/transitions/",
        api.TransitionView.as_view(),
        name="identification-transition",
    ),
    path(
        "cases/<str:number>/commission/",
        api.CommissionView.as_view(),
        name="identification-commission",
    ),
    path(
        "cases/<str:number>/commission/candidates/",
        api.CommissionCandidateListView.as_view(),
        name="identification-commission-candidates",
    ),
    path(
        "cases/<str:number>/commission/assessments/",
        api.CommissionAssessmentView.as_view(),
        name="identification-commission-assess",
    ),
    path(
        "cases/<str:number>/commission/decision/",
        api.CommissionDecisionView.as_view(),
        name="identification-commission-decide",
    ),
]
