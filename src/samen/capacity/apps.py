from django.apps import AppConfig


class CapacityConfig(AppConfig):
    name = "samen.capacity"
    label = "capacity"
    verbose_name = "Capacity planning"
