from django.urls import include, path

from samen.web import info_views, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("werk/<slug:key>/", views.queue, name="queue"),
    path("signalen/", include("samen.signalling.urls")),
    path("zaken/", include("samen.cases.urls")),
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
    path("outreach/", include("samen.outreach.urls")),
    path("online/", include("samen.online.urls")),
]
