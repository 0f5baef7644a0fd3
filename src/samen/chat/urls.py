from django.urls import path

from samen.chat import views

app_name = "chat"

urlpatterns = [
    path("", views.chat_page, name="page"),
    path("start/", views.chat_start, name="start"),
    path("bericht/", views.chat_send, name="send"),
    path("stroom/", views.chat_stream, name="stream"),
    path("weg/", views.chat_exit, name="exit"),
    path("toestemming/", views.chat_consent, name="consent"),
    path("dienst/", views.queue_page, name="queue"),
    path("dienst/stroom/", views.queue_stream, name="queue-stream"),
    path("dienst/beschikbaar/", views.presence, name="presence"),
    path("dienst/<int:pk>/", views.conversation_page, name="conversation"),
    path("dienst/<int:pk>/stroom/", views.conversation_stream, name="conversation-stream"),
    path("dienst/<int:pk>/oppakken/", views.take, name="take"),
    path("dienst/<int:pk>/bericht/", views.send, name="counsellor-send"),
    path("dienst/<int:pk>/overdragen/", views.transfer, name="transfer"),
    path("dienst/<int:pk>/veiligheid/", views.flag, name="flag"),
    path("dienst/<int:pk>/sluiten/", views.close, name="close"),
    path("dienst/<int:pk>/doorverwijzen/", views.handover, name="handover"),
    path("meldingen/", views.alerts, name="alerts"),
    path("meldingen/<int:pk>/gezien/", views.alert_seen, name="alert-seen"),
]
