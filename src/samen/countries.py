"""Countries (ISO 3166-1) for nationality: one code per country, its name in the reader's
language from pycountry's maintained catalogue (with its Dutch gettext translations).

A nationality is stored as its alpha-2 code, so "Roemenië", "Romania", "ROU" and "RO" are one
person's one nationality, and the match key that joins signals to one case is the same.
"""

from __future__ import annotations

import functools
import gettext
import unicodedata

import pycountry

from samen.i18n import current_language


@functools.cache
def _translation(language: str) -> gettext.NullTranslations:
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


def country_name(code: str, language: str | None = None) -> str:
    """The country's name in the reader's language; the code itself if it is not a country."""
    country = pycountry.countries.get(alpha_2=(code or "").upper())
    if country is None:
        return code
    name = getattr(country, "common_name", None) or country.name
    lang = language or current_language()
    return name if lang == "en" else _translation(lang).gettext(name)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(c for c in text if not unicodedata.combining(c))


@functools.cache
def _names() -> dict[str, str]:
    """Every name a country goes by (English and Dutch, official and common, the codes) -> code."""
    out: dict[str, str] = {}
    nl = _translation("nl")
    for c in pycountry.countries:
        names = {c.alpha_2, c.alpha_3, c.name, getattr(c, "common_name", ""),
                 getattr(c, "official_name", "")}  # fmt: skip
        names |= {nl.gettext(n) for n in list(names) if n}
        for name in names:
            if name:
                out.setdefault(_fold(name), c.alpha_2)
    return out


def nationality_code(text: str) -> str:
    """The alpha-2 code of a nationality typed or chosen in any known form; free text that
    names no country stays as typed (trimmed), so nothing a professional wrote is lost."""
    text = (text or "").strip()
    if not text:
        return ""
    return _names().get(_fold(text), text)


def choices() -> list[tuple[str, str]]:
    """(code, name) for a pick list, sorted by the name in the reader's language."""
    rows = [(c.alpha_2, country_name(c.alpha_2)) for c in pycountry.countries]
    return sorted(rows, key=lambda row: _fold(row[1]))
