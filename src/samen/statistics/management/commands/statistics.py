from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from samen.cases.keys import key
from samen.organisations.models import Membership
from samen.sharing.actor import actor_for_membership
from samen.spreadsheets import SafeDictWriter
from samen.statistics.htcds import COLUMNS, build_export
from samen.statistics.kanon import DEFAULT_K
from samen.statistics.selectors import cases_for_statistics


class Command(BaseCommand):
    help = "Statistics. `export-htcds --out FILE --user NAME [--k 10]`: case-level HTCDS 2.0 CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        export = actions.add_parser("export-htcds", help="pseudonymised, k-anonymous HTCDS 2.0")
        export.add_argument("--out", type=Path, required=True)
        export.add_argument("--user", required=True, help="who exports (statistics purpose)")
        export.add_argument("--k", type=int, default=DEFAULT_K, help="k-anonymity (default 10)")

    def handle(self, *args: object, **options: object) -> None:
        if options["k"] < 2:
            raise CommandError("--k must be at least 2")
        member = (
            Membership.objects.filter(user__username=options["user"], is_active=True)
            .select_related("user", "organisation__municipality__region")
            .first()
        )
        if member is None:
            raise CommandError(f"no active membership for {options['user']!r}")
        actor = actor_for_membership(member, origin="cli:export-htcds", purpose="statistics")
        try:
            rows = cases_for_statistics(actor=actor)
        except PermissionDenied as exc:
            raise CommandError(f"{options['user']} may not export statistics") from exc
        result = build_export(rows, key=key("SAMEN_PSEUDONYM_KEY"), k=options["k"])
        with options["out"].open("w", newline="", encoding="utf-8") as fh:
            writer = SafeDictWriter(fh, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(result.released)
        self.stdout.write(
            f"HTCDS 2.0 export: {len(result.released)} records written to {options['out']}, "
            f"{result.generalised} generalised, {result.withheld} withheld (k = {result.k})."
        )
