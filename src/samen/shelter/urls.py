from django.urls import path

from samen.shelter import views

app_name = "shelter"
urlpatterns = [
    path("", views.places_overview, name="overview"),
    path("verwijzen/<str:number>/", views.referral_new, name="referral-new"),
    path("verwijzingen/<int:pk>/", views.referral_detail, name="referral"),
    path("verwijzingen/<int:pk>/vasthouden/", views.hold_create, name="hold-create"),
    path("aanvragen/", views.offered_holds, name="holds"),
    path("aanvragen/<int:pk>/accepteren/", views.hold_accept, name="hold-accept"),
    path("aanvragen/<int:pk>/afwijzen/", views.hold_decline, name="hold-decline"),
    path("afwijzingen/", views.refusals, name="refusals"),
    path(
        "afwijzingen/<int:pk>/intrekken/",
        views.hold_decline_withdraw,
        name="hold-decline-withdraw",
    ),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard.csv", views.dashboard_csv, name="dashboard-csv"),
    path("toewijzing/", views.allocation, name="allocation"),
    path("toewijzing/bevestigen/", views.allocation_confirm, name="allocation-confirm"),
    path("wachtlijst/", views.waiting, name="waiting"),
    path("meldingen/", views.notices, name="notices"),
    path("plaatsingen/", views.placements, name="placements"),
    path("plaatsingen/aankomst/<int:pk>/", views.placement_start, name="placement-start"),
    path("plaatsingen/<int:pk>/vertrek/", views.placement_end, name="placement-end"),
]
