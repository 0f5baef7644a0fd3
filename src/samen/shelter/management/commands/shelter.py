from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from samen.shelter.hsds import export_to
from samen.shelter.services import capacity_alarm_check, holds_expire


class Command(BaseCommand):
    help = (
        "Shelter tasks. `samen shelter expire-holds`: release holds past their time. "
        "`samen shelter check-capacity`: open or close capacity alarm episodes. "
        "`samen shelter export-hsds --out DIR`: the directory as HSDS 3.0 and 3.1 capacity JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="task", required=True)
        sub.add_parser(
            "expire-holds",
            help="Release every expired hold. Idempotent: safe to run every minute from cron.",
        )
        sub.add_parser(
            "check-capacity",
            help="Open or close first-reception capacity alarms; the registrars are told once "
            "per episode. Idempotent: safe to run from cron (free counts also trigger it).",
        )
        export = sub.add_parser("export-hsds", help="Write the directory as HSDS JSON files.")
        export.add_argument("--out", required=True, type=Path)

    def handle(self, *args: object, **options: object) -> None:
        if options["task"] == "expire-holds":
            released = holds_expire()
            self.stdout.write(f"{released} hold(s) released")
        elif options["task"] == "check-capacity":
            opened = capacity_alarm_check()
            self.stdout.write(f"{len(opened)} alarm(s) raised")
        elif options["task"] == "export-hsds":
            counts = export_to(options["out"])
            self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
