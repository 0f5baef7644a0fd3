from django.urls import path

from samen.web import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("signalen/nieuw/", views.signal_choose_list, name="signal-choose"),
    path("signalen/nieuw/<slug:code>/", views.signal_new, name="signal-new"),
    path("signalen/", views.signal_list, name="signal-list"),
    path("signalen/<int:pk>/", views.signal_detail, name="signal-detail"),
    path("zaken/", views.case_list, name="case-list"),
    path("zaken/<str:number>/", views.case_detail, name="case-detail"),
]
