from django.conf import settings
from django.core.management.base import BaseCommand

from samen.core.keys import write_local_key_file


class Command(BaseCommand):
    help = (
        "Create a local key file with random keys for identifying data (development and demo only)."
    )

    def handle(self, *args: object, **options: object) -> None:
        path = settings.KEY_FILE
        added = write_local_key_file(path)
        if added:
            self.stdout.write(
                f"Wrote {', '.join(added)} to {path} (ignored by git; never use in production)."
            )
        else:
            self.stdout.write(f"Local keys already exist in {path}; left unchanged.")
