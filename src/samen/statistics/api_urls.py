from django.urls import path

from samen.statistics import api

urlpatterns = [
    path("tables/", api.StatisticsReleaseView.as_view(), name="statistics-release"),
    path("tables/<slug:slug>/", api.StatisticsTableView.as_view(), name="statistics-table"),
]
