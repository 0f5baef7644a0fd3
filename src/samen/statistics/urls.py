from django.urls import path

from samen.statistics import views

app_name = "statistics"
urlpatterns = [
    path("", views.statistics_page, name="page"),
    path("publiceren/", views.publish, name="publish"),
]
