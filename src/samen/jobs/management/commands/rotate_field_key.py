from django.core.management.base import BaseCommand, CommandParser

from samen.jobs.keyrotation import field_key_rotate, rows_not_under_current_key


class Command(BaseCommand):
    help = (
        "Re-encrypt identifying data under the current field key (SAMEN_FIELD_KEY, id "
        "SAMEN_FIELD_KEY_ID), in audited batches; the old key stays in SAMEN_FIELD_KEYS_RETIRED "
        "until this reports nothing left. --check only counts. See docs/operations.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=500)
        parser.add_argument("--check", action="store_true", help="count, change nothing")

    def handle(self, *args: object, **options: object) -> None:
        if not options["check"]:
            done = field_key_rotate(batch=int(options["batch"]))  # type: ignore[call-overload]
            for field, rows in done.items():
                self.stdout.write(f"{field}: {rows} re-encrypted")
        left = rows_not_under_current_key()
        self.stdout.write(f"Rows not under the current key: {sum(left.values())}")
        if options["check"] and sum(left.values()):
            raise SystemExit(1)
