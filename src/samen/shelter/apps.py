from django.apps import AppConfig


class ShelterConfig(AppConfig):
    name = "samen.shelter"

    def ready(self) -> None:
        # Registers the shelter's relation with the access core and provides the identification
        # app's hooks (samen.hooks); imported here because they read models, which load only
        # once the registry is ready.
        from samen.shelter import providers, relations  # noqa: F401
