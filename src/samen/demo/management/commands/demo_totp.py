from binascii import unhexlify

from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from samen.accounts.models import User
from samen.demo.builder import demo_totp_key


class Command(BaseCommand):
    help = "Print the current second-factor code of a synthetic demo account (demo only)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")

    def handle(self, *args: object, **options: object) -> None:
        user = User.objects.filter(username=options["username"], is_synthetic=True).first()
        if user is None:
            raise CommandError("Only synthetic demo accounts have a demo code.")
        totp = TOTP(unhexlify(demo_totp_key(user.username)))
        self.stdout.write(f"{totp.token():06d}")
