from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "samen.sharing"
    # "sharing" is the access core's label (it owns the tables, samen.core.apps); this app owns
    # no model of its own, only the workflows on them.
    label = "shares"
    verbose_name = "Sharing"

    def ready(self) -> None:
        # Provides the case register's share hook (samen.hooks); imported here because the
        # services read models, which load only once the registry is ready.
        from samen.sharing import providers  # noqa: F401
