from django.core.management.base import BaseCommand

from samen.identification.reminders import reminders_send


class Command(BaseCommand):
    help = (
        "Send deadline reminders (reflection period, B8/3 decision and permit end) in-app and by "
        "e-mail. Idempotent: safe to run every minute from cron."
    )

    def handle(self, *args: object, **options: object) -> None:
        sent = reminders_send()
        self.stdout.write(f"{sent} reminder(s) sent")
