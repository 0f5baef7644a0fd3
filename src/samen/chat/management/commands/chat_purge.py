"""Delete the anonymous chat's conversations past their retention period (run it every hour)."""

from django.core.management.base import BaseCommand

from samen.chat.services import chat_purge


class Command(BaseCommand):
    help = "Delete chat conversations silent for longer than the retention period (retention.json)."

    def handle(self, *args: object, **options: object) -> None:
        done = chat_purge()
        # Counts only: nothing of a conversation is printed.
        self.stdout.write(
            "chat retention: {conversations} conversations, {messages} messages, "
            "{alerts} alerts, {drafts} drafts deleted".format(**done)
        )
