from django.urls import path

from samen.cases import views

urlpatterns = [
    path("<str:number>/sluiten/", views.case_close, name="case-close"),
    path("<str:number>/heropenen/", views.case_reopen, name="case-reopen"),
    path("<str:number>/verantwoordelijke/", views.case_owner, name="case-owner"),
]
