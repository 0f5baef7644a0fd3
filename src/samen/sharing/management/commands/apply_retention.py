from django.core.management.base import BaseCommand
from django.utils import timezone

from samen.sharing import retention
from samen.sharing.actor import Actor


class Command(BaseCommand):
    help = (
        "Delete or pseudonymise personal data of closed cases whose retention period (from the "
        "register of processing) has passed. Use --dry-run to see what would happen."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="list, change nothing")

    def handle(self, *args: object, **options: object) -> None:
        now = timezone.now()
        steps = retention.plan(now=now)
        mode = "would be treated (dry run)" if options["dry_run"] else "treated"
        for step in steps:
            self.stdout.write(
                f"{step.category:<10} period {step.period_days:>5} days: "
                f"{len(step.case_numbers):>5} cases {mode}: {step.treatment}"
            )
        if options["dry_run"]:
            return
        actor = Actor(user=None, membership=None, origin="cli:apply_retention")
        done = retention.apply(steps=steps, actor=actor, now=now)
        self.stdout.write(f"Done: {sum(done.values())} case treatments, audited per category.")
