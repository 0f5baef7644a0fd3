import sys
import time

from django.core.management.base import BaseCommand, CommandError

from samen.core import anchor
from samen.core.audit import verify
from samen.core.dbroles import grant_application_role


class Command(BaseCommand):
    # Django's system checks import every URL module and view and check settings verify does
    # not use: 1.3 CPU-s of a 1,000,000-entry verify's ~5 (ADR 0064). `verify` reads the audit
    # tables and the checkpoint file only, and should run on a deployment whose configuration
    # is off too; the other actions run the checks as before (`handle`).
    requires_system_checks: list[str] = []
    stealth_options = ("skip_checks",)  # call_command's default (True) reaches `handle`
    help = (
        "Audit trail tools. `verify` checks the hash chain against its last checkpoint (exit 1 on "
        "any break); `checkpoint` anchors the current head now; `grant` (PostgreSQL, as the table "
        "owner) limits the application role to reading and appending the audit tables."
    )

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("verify", help="verify the hash chain of the audit trail")
        check.add_argument(
            "--allow-unanchored",
            action="store_true",
            help="accept a trail without any checkpoint (only right on a first upgrade)",
        )
        sub.add_parser("checkpoint", help="write a checkpoint of the current head now")
        grant = sub.add_parser("grant", help="PostgreSQL: set the application role's rights")
        grant.add_argument("--to", required=True, help="the application's database role")
        grant.add_argument("--database", default="owner", help="alias of the owner connection")

    def handle(self, *args: object, **options: object) -> None:
        action = options["action"]
        if action != "verify" and not options.get("skip_checks"):
            self.check()
        if action == "checkpoint":
            point = anchor.checkpoint_head()
            self.stdout.write(
                f"Checkpoint written: sequence {point.seq}, hash {point.hash[:16]}…"
                if point
                else "The audit trail is empty: nothing to checkpoint."
            )
            return
        if action == "grant":
            try:
                grant_application_role(str(options["to"]), using=str(options["database"]))
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"Rights of {options['to']} set: audit tables read and append only.")
            return
        if action != "verify":
            raise CommandError("unknown action")
        self._verify(bool(options["allow_unanchored"]))

    def _verify(self, allow_unanchored: bool) -> None:
        started = time.perf_counter()
        result = verify()
        seconds = time.perf_counter() - started
        rate = result.checked / seconds if seconds > 0 else 0.0
        point = result.last_checkpoint
        self.stdout.write(
            f"Last checkpoint: sequence {point.seq}, hash {point.hash[:16]}…, written {point.at} "
            f"({anchor.path()})."
            if point
            else f"No checkpoint in {anchor.path()}."
        )
        if result.ok and point is None and result.checked and not allow_unanchored:
            self.stderr.write(
                f"Audit trail NOT ANCHORED: {result.checked} entries but no checkpoint, so removal "
                "of the newest entries cannot be ruled out. On a first upgrade run `samen audit "
                "checkpoint`; otherwise the checkpoint file was lost or replaced."
            )
            sys.exit(1)
        if result.ok:
            self.stdout.write(
                f"Audit trail intact: {result.checked} entries verified "
                f"in {seconds:.2f} s ({rate:,.0f} entries/s)."
            )
            return
        where = f"sequence {result.first_bad_seq}" if result.first_bad_seq else "the start"
        if result.first_bad_id is not None:
            where += f" (row id {result.first_bad_id})"
        self.stderr.write(
            f"Audit trail BROKEN at {where}: {result.reason}. "
            f"{result.checked} entries before it are intact."
        )
        sys.exit(1)
