from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from samen.capacity import report
from samen.capacity.engine import PlaceChange, Scenario
from samen.capacity.selectors import region_names
from samen.capacity.services import plan_run
from samen.core.actor import actor_for_membership
from samen.organisations.models import Membership
from samen.shelter.hsds import export_to
from samen.shelter.services import capacity_alarm_check, holds_expire


class Command(BaseCommand):
    help = (
        "Shelter tasks. `samen shelter expire-holds`: release holds past their time. "
        "`samen shelter check-capacity`: open or close capacity alarm episodes. "
        "`samen shelter export-hsds --out DIR`: the directory as HSDS 3.0 and 3.1 capacity JSON. "
        "`samen shelter simulate --user NAME [--year Y] [--replications N] ...`: capacity "
        "planning (calibrate, back-test, baseline and scenario) with progress."
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
        sim = sub.add_parser(
            "simulate",
            help="Capacity planning: calibrate on a year of the register (statistics purpose), "
            "back-test on it, simulate the baseline and a scenario; prints the tables.",
        )
        sim.add_argument("--user", required=True, help="who asks (programme staff, registrar)")
        sim.add_argument("--year", type=int, default=timezone.localdate().year - 1)
        sim.add_argument("--replications", type=int, default=100)
        sim.add_argument("--days", type=float, default=365.0)
        sim.add_argument("--seed", type=int, default=1)
        sim.add_argument("--region", default="", help="safety region code of the change")
        sim.add_argument("--place-type", default="", help="type of the places added")
        sim.add_argument("--places", type=int, default=0, help="places added (negative: removed)")
        sim.add_argument("--first-reception", type=int, default=100, help="percent of today")
        sim.add_argument(
            "--growth-all", type=int, default=0, help="percent growth of all referrals"
        )
        sim.add_argument(
            "--growth-minors", type=int, default=0, help="percent extra growth of minors"
        )
        sim.add_argument("--out", type=Path, help="also write the tables (.csv or .xlsx)")

    def handle(self, *args: object, **options: object) -> None:
        if options["task"] == "expire-holds":
            released = holds_expire()
            self.stdout.write(f"{released} hold(s) released")
        elif options["task"] == "check-capacity":
            opened = capacity_alarm_check()
            self.stdout.write(f"{len(opened)} alarm(s) raised")
        elif options["task"] == "simulate":
            self._simulate(options)
        elif options["task"] == "export-hsds":
            counts = export_to(Path(str(options["out"])))
            self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))

    def _simulate(self, options: dict) -> None:
        member = (
            Membership.objects.filter(user__username=options["user"], is_active=True)
            .select_related("user", "organisation")
            .first()
        )
        if member is None:
            raise CommandError(f"no active membership for {options['user']!r}")
        if options["places"] and not (options["region"] and options["place_type"]):
            raise CommandError("--places needs --region and --place-type")
        if options["replications"] < 2:
            raise CommandError("--replications: at least 2, for a confidence interval")
        changes: tuple[PlaceChange, ...] = ()
        if options["places"]:
            changes = (PlaceChange(options["region"], options["place_type"], options["places"]),)
        scenario = Scenario(
            label="scenario",
            changes=changes,
            first_reception_factor=options["first_reception"] / 100,
            growth_all=options["growth_all"] / 100,
            growth_minors=options["growth_minors"] / 100,
        )

        def progress(stage: str, done: int, total: int) -> None:
            if done == total or done % max(1, total // 10) == 0:
                self.stderr.write(f"{stage}: {done}/{total} replications")

        actor = actor_for_membership(member, origin="cli:shelter-simulate", purpose="statistics")
        try:
            result = plan_run(
                actor=actor,
                year=options["year"],
                scenario=scenario,
                replications=options["replications"],
                seed=options["seed"],
                days=options["days"],
                progress=progress,
            )
        except PermissionDenied as exc:
            raise CommandError(f"{options['user']} may not read statistics") from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        found = report.tables(result, region_names())
        for table in found:
            self.stdout.write(table.title)
            self.stdout.write("\t".join(table.headers))
            for row in table.text_rows():
                self.stdout.write("\t".join(row))
            self.stdout.write("")
        out = options.get("out")
        if out:
            body = report.tables_xlsx(found) if out.suffix == ".xlsx" else report.tables_csv(found)
            out.write_bytes(body)
            self.stdout.write(f"written: {out}")
