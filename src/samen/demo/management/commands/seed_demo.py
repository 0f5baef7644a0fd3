from django.core.management.base import BaseCommand

from samen.accounts.models import User
from samen.demo.builder import DEMO_PASSWORD, DEMO_USERS, build_demo_world


class Command(BaseCommand):
    help = "Build a deterministic synthetic demo world (organisations, users, signals, cases)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--signals", type=int, default=400, help="number of signals (default 400)"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when demo users already exist"
        )

    def handle(self, *args: object, **opts: object) -> None:
        if opts["if_empty"] and User.objects.filter(username="demo-professional").exists():
            self.stdout.write("Demo data already present; not adding more.")
        else:
            summary = build_demo_world(seed=opts["seed"], signals=opts["signals"])
            self.stdout.write(
                f"Synthetic demo world: {summary.organisations} organisations, "
                f"{summary.users} users, "
                f"{summary.signals} signals ({summary.linked} linked to an existing case)."
            )
        self.stdout.write(f"\nDemo logins (synthetic accounts, password for all: {DEMO_PASSWORD}):")
        for username, _name, org_key, role in DEMO_USERS:
            self.stdout.write(f"  {username:<24} {role.label} ({org_key})")
        self.stdout.write(
            "Roles that can see identity ask for a second factor: "
            "`.venv/bin/samen demo_totp demo-coordinator` prints the current code."
        )
