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


# What a professional types for a nationality is often the adjective, not the country
# ("Roemeens", "Romanian"). The countries most signals name (origin countries of victims in the
# Netherlands, the EU and neighbours): code, the Dutch adjective, the English one. Dutch's
# inflected form ("Roemeense") is derived by `_inflected`.
ADJECTIVES = """
AF afghaans afghan; AL albanees albanian; DZ algerijns algerian; US amerikaans american;
BE belgisch belgian; BR braziliaans brazilian; GB brits british; BG bulgaars bulgarian;
CN chinees chinese; CO colombiaans colombian; CD congolees congolese; DK deens danish;
DE duits german; EG egyptisch egyptian; ER eritrees eritrean; EE ests estonian;
ET ethiopisch ethiopian; PH filipijns filipino; FR frans french; GH ghanees ghanaian;
GR grieks greek; GN guinees guinean; HU hongaars hungarian; IN indiaas indian;
IQ iraaks iraqi; IR iraans iranian; IT italiaans italian; CM kameroens cameroonian;
HR kroatisch croatian; LV lets latvian; LT litouws lithuanian; MA marokkaans moroccan;
MD moldavisch moldovan; NL nederlands dutch; NG nigeriaans nigerian; UG oegandees ugandan;
UA oekraiens ukrainian; AT oostenrijks austrian; PK pakistaans pakistani; PL pools polish;
PT portugees portuguese; RO roemeens romanian; RU russisch russian; SL sierra-leoons sierra-leonean;
SK slowaaks slovak; SI sloveens slovenian; SO somalisch somali; ES spaans spanish;
SD soedanees sudanese; SR surinaams surinamese; SY syrisch syrian; TH thais thai;
CZ tsjechisch czech; TR turks turkish; VN vietnamees vietnamese; IE iers irish;
SE zweeds swedish; CH zwitsers swiss; LU luxemburgs luxembourgish; FI fins finnish;
CY cypriotisch cypriot; MT maltees maltese; BD bengaals bangladeshi; LK srilankaans sri-lankan
"""


def _inflected(adjective: str) -> str:
    """Dutch's attributive form: 'roemeens' -> 'roemeense', 'chinees' -> 'chinese',
    'indiaas' -> 'indiase', 'belgisch' -> 'belgische'."""
    if len(adjective) > 3 and adjective[-3] == adjective[-2] and adjective[-2] in "aeou":
        return adjective[:-2] + "se"
    return adjective + "e"


def _adjectives() -> dict[str, str]:
    out: dict[str, str] = {}
    for entry in ADJECTIVES.split(";"):
        code, dutch, english = entry.split()
        for word in (dutch, _inflected(dutch), english):
            for spelling in {word, word.replace("-", " ")}:
                out[_fold(spelling)] = code
    return out


@functools.cache
def _names() -> dict[str, str]:
    """Every name a country goes by (English and Dutch, official and common, the codes) -> code."""
    out: dict[str, str] = {}
    nl = _translation("nl")
    for c in pycountry.countries:
        names = {
            c.alpha_2,
            c.alpha_3,
            c.name,
            getattr(c, "common_name", ""),
            getattr(c, "official_name", ""),
        }
        names |= {nl.gettext(n) for n in list(names) if n}
        for name in names:
            if name:
                out.setdefault(_fold(name), c.alpha_2)
    for name, code in _adjectives().items():
        out.setdefault(name, code)
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
