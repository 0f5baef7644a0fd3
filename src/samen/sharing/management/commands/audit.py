import sys
import time

from django.core.management.base import BaseCommand, CommandError

from samen.sharing.audit import verify


class Command(BaseCommand):
    help = "Audit trail tools. `samen audit verify` checks the hash chain; exit 1 on any break."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="verify the hash chain of the audit trail")

    def handle(self, *args: object, **options: object) -> None:
        if options["action"] != "verify":
            raise CommandError("unknown action")
        started = time.perf_counter()
        result = verify()
        seconds = time.perf_counter() - started
        rate = result.checked / seconds if seconds > 0 else 0.0
        if result.ok:
            self.stdout.write(
                f"Audit trail intact: {result.checked} entries verified "
                f"in {seconds:.2f} s ({rate:,.0f} entries/s)."
            )
            return
        where = f"sequence {result.first_bad_seq}"
        if result.first_bad_id is not None:
            where += f" (row id {result.first_bad_id})"
        self.stderr.write(
            f"Audit trail BROKEN at {where}: {result.reason}. "
            f"{result.checked} entries before it are intact."
        )
        sys.exit(1)
