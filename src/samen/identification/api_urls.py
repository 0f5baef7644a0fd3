from django.urls import path

from samen.identification import api

urlpatterns = [
    path("deadlines/", api.DeadlineListView.as_view(), name="identification-deadlines"),
    path("cases/<str:number>/", api.PathView.as_view(), name="identification-path"),
    path(
        "cases/<str:number>/transitions/",
        api.TransitionView.as_view(),
        name="identification-transition",
    ),
]
