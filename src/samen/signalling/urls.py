from django.urls import path

from samen.signalling import views

# Under /signalen/ (samen/web/urls.py).
urlpatterns = [
    path("nieuw/", views.signal_choose_list, name="signal-choose"),
    path("nieuw/<slug:code>/", views.signal_new, name="signal-new"),
    path("", views.signal_list, name="signal-list"),
    path("<int:pk>/", views.signal_detail, name="signal-detail"),
    path("ontvangstbewijs/<str:receipt>/", views.signal_receipt, name="signal-receipt"),
]
