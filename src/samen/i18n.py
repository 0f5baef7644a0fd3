"""The two interface languages. Dutch is the default; anything else that starts with "en" is
English. Data that carries both languages (signal lists, register names) picks with `pick`."""

from django.utils.translation import get_language


def current_language() -> str:
    return "en" if (get_language() or "nl").startswith("en") else "nl"


def pick(nl: str, en: str) -> str:
    return en if current_language() == "en" else nl
