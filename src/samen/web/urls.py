from django.urls import include, path

from samen.web import privacy_views, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("signalen/nieuw/", views.signal_choose_list, name="signal-choose"),
    path("signalen/nieuw/<slug:code>/", views.signal_new, name="signal-new"),
    path("signalen/", views.signal_list, name="signal-list"),
    path("signalen/<int:pk>/", views.signal_detail, name="signal-detail"),
    path("signalen/ontvangstbewijs/<str:receipt>/", views.signal_receipt, name="signal-receipt"),
    path("zaken/", views.case_list, name="case-list"),
    path("zaken/<str:number>/", views.case_detail, name="case-detail"),
    path("zaken/<str:number>/notitie/", views.case_note_add, name="case-note"),
    path("zaken/<str:number>/delen/", views.case_share, name="case-share"),
    path("zaken/", include("samen.cases.urls")),
    path("delen/", views.shares_overview, name="shares"),
    path("delen/<int:pk>/intrekken/", views.share_revoke, name="share-revoke"),
    path("noodtoegang/", views.emergency_access, name="emergency"),
    path("register/", privacy_views.register, name="register"),
    path("register/<int:pk>/", privacy_views.register_edit, name="register-edit"),
    path("privacy/", privacy_views.privacy_home, name="privacy"),
    path("privacy/audit/", privacy_views.audit_trail, name="privacy-audit"),
    path("privacy/inzage/<str:number>/", privacy_views.subject_access, name="privacy-subject"),
    path("privacy/delingen/", privacy_views.shares, name="privacy-shares"),
    path("privacy/noodtoegang/", privacy_views.emergencies, name="privacy-emergencies"),
    path(
        "privacy/noodtoegang/<int:pk>/beoordelen/",
        privacy_views.emergency_review,
        name="privacy-emergency-review",
    ),
    path("programma/", include("samen.programme.urls")),
    path("statistiek/", include("samen.statistics.urls")),
    path("opvang/", include("samen.shelter.urls")),
    path("identificatie/", include("samen.identification.urls")),
]
