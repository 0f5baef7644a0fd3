import os
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

CONFIG = Path(__file__).resolve().parents[3] / "conf" / "gunicorn.py"


class Command(BaseCommand):
    help = (
        "Serve Samen with gunicorn and its configuration (samen/conf/gunicorn.py): workers from "
        "the cores, timeouts, an access log without query strings. Bind with SAMEN_BIND."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("SAMEN_BIND", "127.0.0.1:8000"))

    def handle(self, *args: object, **options: object) -> None:
        argv = [
            sys.executable, "-m", "gunicorn", "--config", str(CONFIG),
            "--bind", str(options["bind"]), "samen.wsgi:application",
        ]  # fmt: skip
        sys.stdout.flush()
        # Replace this process, so signals from the supervisor reach gunicorn's master directly.
        os.execv(sys.executable, argv)  # noqa: S606
