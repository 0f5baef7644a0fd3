from django.urls import path

from samen.cases import views

# Under /zaken/ (samen/web/urls.py).
urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("<str:number>/", views.case_detail, name="case-detail"),
    path("<str:number>/notitie/", views.case_note_add, name="case-note"),
    path("<str:number>/delen/", views.case_share, name="case-share"),
    path("<str:number>/samenvoegen/", views.case_merge, name="case-merge"),
    path("<str:number>/splitsen/", views.case_split, name="case-split"),
    path("<str:number>/sluiten/", views.case_close, name="case-close"),
    path("<str:number>/heropenen/", views.case_reopen, name="case-reopen"),
    path("<str:number>/verantwoordelijke/", views.case_owner, name="case-owner"),
]
