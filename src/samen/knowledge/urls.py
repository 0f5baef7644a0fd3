from django.urls import path

from . import views

app_name = "knowledge"
urlpatterns = [
    path("", views.index, name="index"),
    path("kaart/<slug:code>/", views.card, name="card"),
    path("kaart/<slug:code>/<slug:language>.pdf", views.card_pdf, name="card-pdf"),
]
