from django.urls import path

from samen.sharing import views

# At the root (samen/web/urls.py): the organisation's shares and emergency access, the register
# and the privacy officer's pages. Sharing a case is a case page (samen/cases/urls.py).
urlpatterns = [
    path("delen/", views.shares_overview, name="shares"),
    path("delen/<int:pk>/intrekken/", views.share_revoke, name="share-revoke"),
    path("noodtoegang/", views.emergency_access, name="emergency"),
    path("register/", views.register, name="register"),
    path("register/<int:pk>/", views.register_edit, name="register-edit"),
    path("privacy/", views.privacy_home, name="privacy"),
    path("privacy/audit/", views.audit_trail, name="privacy-audit"),
    path("privacy/inzage/<str:number>/", views.subject_access, name="privacy-subject"),
    path("privacy/delingen/", views.shares, name="privacy-shares"),
    path("privacy/noodtoegang/", views.emergencies, name="privacy-emergencies"),
    path(
        "privacy/noodtoegang/<int:pk>/beoordelen/",
        views.emergency_review,
        name="privacy-emergency-review",
    ),
]
