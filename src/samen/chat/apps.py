from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "samen.chat"
    verbose_name = "Anonymous chat"
