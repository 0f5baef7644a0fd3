from django.core.management.base import BaseCommand
from django.utils import timezone

from samen.sharing import retention
from samen.sharing.actor import Actor


class Command(BaseCommand):
    help = (
        "Delete or redact personal data, per person and per data category, once the register's "
        "retention period has passed since the person's last case closed (nothing while any of "
        "their cases is open). Use --dry-run to see, in counts, what would go."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count, change nothing")

    def handle(self, *args: object, **options: object) -> None:
        now = timezone.now()
        steps = retention.plan(now=now)
        dry = bool(options["dry_run"])
        mode = "would be treated (dry run)" if dry else "to treat"
        # Counts and category codes only: this output may end up in a log.
        for step in steps:
            self.stdout.write(
                f"{step.category:<13} period {step.period_days:>5} days: "
                f"{len(step.person_ids):>5} persons, {len(step.case_numbers):>5} cases, "
                f"{step.records:>6} records {mode}"
            )
        if dry:
            return
        actor = Actor(user=None, membership=None, origin="cli:apply_retention")
        done = retention.apply(steps=steps, actor=actor, now=now)
        self.stdout.write(
            f"Done: {sum(done.values())} records treated in {len(done)} categories, "
            "audited per category."
        )
