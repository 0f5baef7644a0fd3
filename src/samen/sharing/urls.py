from django.urls import path

from samen.sharing import views

# The privacy officer's pages. Sharing a case, share revocation and emergency access are still
# in web/views.py (see docs/architecture.md, "Still to move").
urlpatterns = [
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
