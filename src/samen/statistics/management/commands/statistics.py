import re
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from samen.core.actor import actor_for_membership
from samen.organisations.models import Membership
from samen.spreadsheets import SafeDictWriter
from samen.statistics.htcds import COLUMNS, HtcdsRefused, htcds_export_create
from samen.statistics.services import release_years


def _years(value: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{4})(?:-(\d{4}))?", value.strip())
    if not match:
        raise CommandError("--years must be a year (2025) or a range of years (2021-2025)")
    first = int(match.group(1))
    return first, int(match.group(2) or first)


class Command(BaseCommand):
    help = (
        "Statistics. `export-htcds --out FILE --user NAME [--years 2021-2025] [--reason TEXT] "
        "[--k K]`: case-level HTCDS 2.0 CSV and its notes (FILE.notes.txt)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        export = actions.add_parser("export-htcds", help="pseudonymised, k-anonymous HTCDS 2.0")
        export.add_argument("--out", type=Path, required=True)
        export.add_argument("--user", required=True, help="who exports (statistics purpose)")
        export.add_argument(
            "--years", help="year or range of years opened (default: 2000 to this year)"
        )
        export.add_argument("--reason", default="", help="why and for whom (no personal data)")
        export.add_argument(
            "--k", type=int, default=None, help="k above the configured one (SAMEN_HTCDS_K)"
        )

    def handle(self, *args: object, **options: object) -> None:
        first, last = (
            _years(str(options["years"])) if options["years"] else (2000, timezone.localdate().year)
        )
        member = (
            Membership.objects.filter(user__username=options["user"], is_active=True)
            .select_related("user", "organisation__municipality__region")
            .first()
        )
        if member is None:
            raise CommandError(f"no active membership for {options['user']!r}")
        actor = actor_for_membership(member, origin="cli:export-htcds", purpose="statistics")
        try:
            # The tables of these years first, so the export is checked against them (ADR 0129).
            release_years(actor, first, last)
            result = htcds_export_create(
                actor=actor,
                first_year=first,
                last_year=last,
                k=options["k"],  # type: ignore[arg-type]
                reason=str(options["reason"]),
            )
        except PermissionDenied as exc:
            raise CommandError(f"{options['user']} may not export statistics") from exc
        except HtcdsRefused as exc:
            raise CommandError(str(exc)) from exc
        out = Path(str(options["out"]))
        with out.open("w", newline="", encoding="utf-8") as fh:
            writer = SafeDictWriter(fh, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(result.rows)
        notes = out.with_name(out.name + ".notes.txt")
        notes.write_text(result.notes, encoding="utf-8")
        record = result.record
        self.stdout.write(
            f"HTCDS 2.0 export {record.pk}: {record.released} records written to {out} "
            f"(notes in {notes}), {record.withheld} withheld, {record.held_back} held back "
            f"(k = {record.k})."
        )
