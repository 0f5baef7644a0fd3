from django.urls import path

from samen.identification import views

app_name = "identification"
urlpatterns = [
    path("termijnen/", views.deadlines, name="deadlines"),
    path("meldingen/", views.notifications, name="notifications"),
    path("doorlooptijden/", views.lead_times, name="lead-times"),
    path("meldingen/gelezen/", views.notifications_read, name="notifications-read"),
    path("zaken/<str:number>/", views.path_detail, name="path"),
    path("zaken/<str:number>/stap/", views.path_step, name="step"),
    path("zaken/<str:number>/feiten/", views.path_facts, name="facts"),
    path("zaken/<str:number>/strafbaarheid/", views.non_punishment, name="non-punishment"),
    path("zaken/<str:number>/commissie/", views.commission_open, name="commission-open"),
    path(
        "zaken/<str:number>/commissie/beoordeling/",
        views.commission_assess,
        name="commission-assess",
    ),
    path(
        "zaken/<str:number>/commissie/besluit/", views.commission_decide, name="commission-decide"
    ),
]
