from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from samen.cases.rekey import nationalities_rekey
from samen.core.actor import Actor


class Command(BaseCommand):
    help = (
        'Normalise the nationalities stored as typed ("Roemenië", "Roemeens") to their ISO '
        "3166 code and recompute each person's match key, in batches, audited. Safe to run "
        "again. Use --dry-run to count what would change."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=200)
        parser.add_argument("--dry-run", action="store_true", help="count, change nothing")

    def handle(self, *args: object, **options: object) -> None:
        actor = Actor(user=None, membership=None, origin="cli:rekey_nationalities")
        done = nationalities_rekey(
            actor=actor,
            batch_size=max(1, int(options["batch_size"])),  # type: ignore[call-overload]
            dry_run=bool(options["dry_run"]),
        )
        # Counts only: this output may end up in a log.
        self.stdout.write(
            _(
                "Identities: %(seen)d, nationality normalised: %(changed)d, of which already "
                "another person's key (for the registrar to merge): %(collisions)d, naming no "
                "country (kept as typed): %(unknown)d."
            )
            % {
                "seen": done.seen,
                "changed": done.changed,
                "collisions": done.collisions,
                "unknown": done.not_a_country,
            }
        )
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing changed."))
