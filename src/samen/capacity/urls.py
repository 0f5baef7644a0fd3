from django.urls import path

from samen.capacity import views

app_name = "capacity"
urlpatterns = [
    path("", views.planning_page, name="page"),
]
