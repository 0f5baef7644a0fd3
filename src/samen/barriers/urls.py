from django.urls import path

from . import views

app_name = "barriers"
urlpatterns = [
    path("", views.index, name="index"),
    path("opgeworpen/<int:pk>/", views.raised_detail, name="raised"),
    path("opgeworpen/<int:pk>/voortgang/", views.raised_progress, name="progress"),
    path("<slug:form>/", views.model_detail, name="model"),
    path("<slug:form>/opwerpen/", views.raise_barrier, name="raise"),
    path("<slug:form>/regio/<str:region>/", views.region_map, name="map"),
]
