from django.apps import AppConfig


class ShelterConfig(AppConfig):
    name = "samen.shelter"

    def ready(self) -> None:
        # Registers the shelter's relation with the access core; imported here because it reads
        # models, which load only once the registry is ready.
        from samen.shelter import relations  # noqa: F401
