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
]
