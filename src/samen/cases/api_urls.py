from django.urls import path

from samen.cases import api

# Under /api/v1/cases/ (samen/api/urls.py).
urlpatterns = [
    path("", api.CaseListView.as_view(), name="case-list"),
    path("<str:number>/", api.CaseDetailView.as_view(), name="case-detail"),
    path("<str:number>/notes/", api.CaseNoteView.as_view(), name="case-notes"),
    path("<str:number>/shares/", api.CaseShareView.as_view(), name="case-shares"),
]
