from django.urls import include, path

from samen.web import info_views, views

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
    path("zaken/<str:number>/samenvoegen/", views.case_merge, name="case-merge"),
    path("zaken/<str:number>/splitsen/", views.case_split, name="case-split"),
    path("zaken/", include("samen.cases.urls")),
    path("delen/", views.shares_overview, name="shares"),
    path("delen/<int:pk>/intrekken/", views.share_revoke, name="share-revoke"),
    path("noodtoegang/", views.emergency_access, name="emergency"),
    path("", include("samen.sharing.urls")),
    path("programma/", include("samen.programme.urls")),
    path("statistiek/", include("samen.statistics.urls")),
    path("opvang/", include("samen.shelter.urls")),
    path("capaciteit/", include("samen.capacity.urls")),
    path("identificatie/", include("samen.identification.urls")),
    path("toegankelijkheid/", info_views.accessibility_statement, name="accessibility"),
    path("favicon.ico", info_views.favicon, name="favicon"),
    path("barrieres/", include("samen.barriers.urls")),
    path("kennis/", include("samen.knowledge.urls")),
    path("spiegelgroep/", include("samen.review.urls")),
    path("chat/", include("samen.chat.urls")),
]
