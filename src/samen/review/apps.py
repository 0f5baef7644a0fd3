from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "samen.review"
    verbose_name = "Review by experts by experience"
