from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """Requires lower and upper case, a digit and a symbol: length alone lets 'aaaaaaaaaaaa' in."""

    def validate(self, password: str, user: object = None) -> None:
        classes = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if not all(classes):
            raise ValidationError(
                _(
                    "The password must contain a lower-case letter, an upper-case letter, "
                    "a digit and a symbol."
                ),
                code="password_character_classes",
            )

    def get_help_text(self) -> str:
        return _(
            "Your password must contain a lower-case letter, an upper-case letter, a digit "
            "and a symbol."
        )
