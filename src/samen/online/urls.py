from django.urls import path

from samen.online import views

app_name = "online"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("scan/<int:pk>/", views.scan, name="scan"),
    path("scan/<int:pk>/leads.csv", views.export_csv, name="export-csv"),
    path("scan/<int:pk>/leads.xlsx", views.export_xlsx, name="export-xlsx"),
    path("lead/<int:pk>/", views.lead, name="lead"),
    path("lead/<int:pk>/markeren/", views.lead_mark, name="lead-mark"),
    path("lead/<int:pk>/doorsturen/", views.lead_send, name="lead-send"),
    path("lead/<int:pk>/melden/", views.notice_compose, name="notice-compose"),
    path("meldingen/", views.notices, name="notices"),
    path("meldingen/<int:pk>/", views.notice, name="notice"),
    path("meldingen/<int:pk>/tekst/<slug:language>/", views.notice_text, name="notice-text"),
]
