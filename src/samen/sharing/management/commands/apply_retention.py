from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from samen import labels
from samen.core.actor import Actor
from samen.sharing import retention


def category_label(code: str) -> str:
    """The category's name for people: the register's name, or the two kinds of its own."""
    if code == retention.SKELETON:
        return _("Case skeleton")
    if code == retention.online().category:
        return _("Online data")
    return labels.label("category", code)


def step_line(step: retention.RetentionStep, *, dry: bool) -> str:
    values = {
        "category": category_label(step.category),
        "days": step.period_days,
        "persons": len(step.person_ids),
        "cases": len(step.case_numbers),
        "records": step.records,
    }
    if step.category == retention.online().category:
        if dry:
            text = _(
                "%(category)s (retention %(days)d days after collection): files and records: "
                "%(records)d; would be deleted (dry run, nothing changes)"
            )
        else:
            text = _(
                "%(category)s (retention %(days)d days after collection): files and records: "
                "%(records)d; to delete"
            )
        return text % values
    if dry:
        text = _(
            "%(category)s (retention %(days)d days): persons: %(persons)d, cases: %(cases)d, "
            "records: %(records)d; would be deleted or redacted (dry run, nothing changes)"
        )
    else:
        text = _(
            "%(category)s (retention %(days)d days): persons: %(persons)d, cases: %(cases)d, "
            "records: %(records)d; to delete or redact"
        )
    return text % values


class Command(BaseCommand):
    help = (
        "Delete or redact personal data, per person and per data category, once the register's "
        "retention period has passed since the person's last case closed (nothing while any of "
        "their cases is open); then the case skeleton, and online data a period after it was "
        "collected. Use --dry-run to see, in counts, what would go."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count, change nothing")

    def handle(self, *args: object, **options: object) -> None:
        now = timezone.now()
        steps = retention.plan(now=now)
        dry = bool(options["dry_run"])
        # Counts and category names only: this output may end up in a log.
        for step in steps:
            self.stdout.write(step_line(step, dry=dry))
            if step.waiting:
                self.stdout.write(
                    _(
                        "%(category)s: persons past every period who wait while the "
                        "statistics may still publish a period that counts them: %(n)d"
                    )
                    % {"category": category_label(step.category), "n": step.waiting}
                )
        if dry:
            return
        actor = Actor(user=None, membership=None, origin="cli:apply_retention")
        done = retention.apply(steps=steps, actor=actor, now=now)
        self.stdout.write(
            _("Done: %(records)d records deleted or redacted in %(steps)d categories, audited.")
            % {"records": sum(done.values()), "steps": len(done)}
        )
