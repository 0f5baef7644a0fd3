from django.urls import path

from samen.outreach import views

app_name = "outreach"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("<int:pk>/stap/", views.follow_up, name="follow-up"),
]
