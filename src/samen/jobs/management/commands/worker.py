from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Run the job worker: e-mail with retries and the periodic jobs (reminders and hold "
        "expiry every minute, the capacity check every 5 minutes, retention and the audit "
        "verification nightly). Needs PostgreSQL. Run one or more beside `samen serve`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--concurrency", type=int, default=1)

    def handle(self, *args: object, **options: object) -> None:
        if not settings.JOBS_QUEUED:
            raise CommandError(
                "The job queue needs PostgreSQL (DATABASE_URL=postgres://...) and SAMEN_JOBS "
                "not set to inline."
            )
        call_command("procrastinate", "worker", "--concurrency", str(options["concurrency"]))
