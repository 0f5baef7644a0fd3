from django.core.management.base import BaseCommand

from samen.identification.reminders import reminders_send
from samen.identification.services import minors_turning_adult


class Command(BaseCommand):
    help = (
        "Send deadline reminders (reflection period, B8/3 decision and permit end) in-app and by "
        "e-mail, and notice minors who turned 18. Idempotent: safe to run every minute from cron."
    )

    def handle(self, *args: object, **options: object) -> None:
        sent = reminders_send()
        self.stdout.write(f"{sent} reminder(s) sent")
        # Turning 18 is noticed on the day: the coordinator and the guardian get a task.
        adults = minors_turning_adult()
        if adults:
            self.stdout.write(f"{len(adults)} case(s) of a minor who turned 18")
