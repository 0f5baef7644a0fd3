"""Erase outreach contact details past their retention period (run it daily)."""

from django.core.management.base import BaseCommand

from samen.outreach.services import outreach_purge


class Command(BaseCommand):
    help = "Erase contact details of outreach contacts whose last step is past the period."

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write(f"outreach retention: {outreach_purge()} contact details erased")
