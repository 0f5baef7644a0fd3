from django.urls import path

from . import views

app_name = "programme"
urlpatterns = [
    path("", views.progress_overview, name="overview"),
    path("overzicht/opslaan/", views.snapshot_create, name="snapshot-create"),
    path("brieven/", views.letter_list, name="letter-list"),
    path("brieven/nieuw/", views.letter_upload, name="letter-upload"),
    path("brieven/<int:pk>/", views.letter_review, name="letter-review"),
    path("voorstellen/<int:pk>/aanvaarden/", views.update_accept, name="update-accept"),
    path("voorstellen/<int:pk>/afwijzen/", views.update_reject, name="update-reject"),
    path("acties/<slug:code>/", views.action_detail, name="action-detail"),
    path("acties/<slug:code>/bijwerken/", views.action_update, name="action-update"),
    path(
        "acties/<slug:code>/gegevens/",
        views.action_details_update,
        name="action-details-update",
    ),
    path("indicatoren/", views.indicators, name="indicators"),
    path(
        "indicatoren/<slug:code>/waarden/",
        views.indicator_value_add,
        name="indicator-value-add",
    ),
    # "nieuw" before the key patterns, which would take it for a key.
    path("moties/nieuw/", views.record_create, {"kind": "motion"}, name="motion-create"),
    path(
        "toezeggingen/nieuw/",
        views.record_create,
        {"kind": "commitment"},
        name="commitment-create",
    ),
    path(
        "aanbevelingen/nieuw/",
        views.record_create,
        {"kind": "recommendation"},
        name="recommendation-create",
    ),
    path(
        "acties/<slug:code>/voortgang/<int:pk>/corrigeren/",
        views.progress_correct,
        name="progress-correct",
    ),
    path("moties/<str:key>/", views.record_detail, {"kind": "motion"}, name="motion-detail"),
    path(
        "moties/<str:key>/bijwerken/",
        views.record_update,
        {"kind": "motion"},
        name="motion-update",
    ),
    path(
        "toezeggingen/<slug:key>/",
        views.record_detail,
        {"kind": "commitment"},
        name="commitment-detail",
    ),
    path(
        "toezeggingen/<slug:key>/bijwerken/",
        views.record_update,
        {"kind": "commitment"},
        name="commitment-update",
    ),
    path(
        "aanbevelingen/<slug:key>/",
        views.record_detail,
        {"kind": "recommendation"},
        name="recommendation-detail",
    ),
    path(
        "aanbevelingen/<slug:key>/bijwerken/",
        views.record_update,
        {"kind": "recommendation"},
        name="recommendation-update",
    ),
]
