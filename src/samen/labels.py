"""One place that turns a code of the domain into its label in the reader's language.

Every code a page, PDF, CSV/XLSX or notice may show (path states and steps, facts, purposes,
data categories, organisation types, roles, HTCDS values, needs profiles, reasons, verdicts,
audit actions, urgency, genders, age bands, forms of exploitation...) is looked up here, by its
*domain* (the kind of code it is: ``label("urgency", "high")``). The labels themselves stay
where the domain defines them (the models' choices, the path definition, the register), so a
new value is labelled where it is added: each app registers its domains in its ``labels.py``
(``register_choices("urgency", Urgency)``), found when the labels are first used. This module
imports no app. ``known_codes`` gives the test that searches Dutch pages for codes the list of
what to look for.

An unknown code is shown as itself only when no label exists anywhere: a later version's new
value never breaks a page, and the code test names it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.utils import formats, timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samen.i18n import pick

Labels = Mapping[str, Any]

# HTCDS 2.0 values (vic_TraffickingStatus, vic_DecisionOrganisationType) that the path stores.
HTCDS_STATUS = {
    "PossibleVictimOfTrafficking": gettext_lazy("Possible victim of trafficking"),
    "NotAVictimOfTrafficking": gettext_lazy("Not a victim of trafficking"),
    "VictimOfTrafficking": gettext_lazy("Victim of trafficking"),
    "PresumedVictimOfTrafficking": gettext_lazy("Presumed victim of trafficking"),
}
HTCDS_DECISION_ORG = {
    "Police": gettext_lazy("Police"),
    "NonPoliceGovernmentalOrganization": gettext_lazy("Government body other than the police"),
    "CourtOrProsecution": gettext_lazy("Court or public prosecution"),
    "NGO": gettext_lazy("Non-governmental organisation"),
}
EMERGENCY_VERDICT = {
    "justified": gettext_lazy("Justified"),
    "unjustified": gettext_lazy("Not justified"),
}
# The keys of a shelter needs profile (the referral's JSON), as a reader names them.
NEEDS_KEYS = {
    "gender": gettext_lazy("Gender"),
    "age_band": gettext_lazy("Age band"),
    "minor": gettext_lazy("Minor"),
    "forms": gettext_lazy("Forms of exploitation"),
    "languages": gettext_lazy("Languages"),
    "care": gettext_lazy("Care needs"),
    "addiction": gettext_lazy("Active addiction"),
    "accessibility": gettext_lazy("Needs a wheelchair-accessible place"),
    "network_risk": gettext_lazy("Active tie to a criminal network"),
    "security": gettext_lazy("Security need"),
    "region": gettext_lazy("Region"),
    "foreign": gettext_lazy("Foreign national"),
    "reflection": gettext_lazy("In the reflection period"),
    "needs.health": gettext_lazy("Care needs"),
    "needs.security": gettext_lazy("Security need"),
}
# Provenance notes the programme stores as data in English (samen.programme.services).
PROVENANCE = {
    "Entered in Samen by programme staff": gettext_lazy("Entered in Samen by programme staff"),
}
BOOLEAN = {"True": gettext_lazy("yes"), "False": gettext_lazy("no")}


def _choices(enum: Any) -> dict[str, Any]:
    return {str(v): lbl for v, lbl in enum.choices}


def _named(model: Any) -> dict[str, str]:
    """Reference data that carries both languages (name_nl, name_en) in the database."""
    return {
        row["code"]: pick(row["name_nl"], row["name_en"])
        for row in model.objects.values("code", "name_nl", "name_en")
    }


# Domains whose labels are data of no one app (the HTCDS values, words for yes and no...).
_OWN: dict[str, Callable[[], Labels]] = {
    "htcds_status": lambda: HTCDS_STATUS,
    "htcds_decision_org": lambda: HTCDS_DECISION_ORG,
    "verdict": lambda: EMERGENCY_VERDICT,
    "needs_key": lambda: NEEDS_KEYS,
    "boolean": lambda: BOOLEAN,
    "provenance": lambda: PROVENANCE,
}
# What the apps register: a domain may have several sources (the age bands of a case and the
# age classes of the statistics); on the same code the later one wins (INSTALLED_APPS order).
_SOURCES: dict[str, list[Callable[[], Labels]]] = {}
# Domains whose codes are put in words by a function instead of looked up (audit actions).
_WORDS: dict[str, Callable[[Any], str]] = {}


def register_labels(domain: str, source: Callable[[], Labels]) -> None:
    """An app names the codes of a domain it defines, in its ``labels.py``. ``source`` is called
    on every look-up, so reference data an administrator edits shows at once."""
    _SOURCES.setdefault(domain, []).append(source)


def register_choices(domain: str, enum: Any) -> None:
    """The labels of a model's choices (a ``TextChoices`` class). A class's choices are fixed
    once it is defined (its labels are lazy: they follow the active language), so they are
    read once."""
    register_labels(domain, functools.cache(lambda: _choices(enum)))


def register_named(domain: str, model: Any) -> None:
    """The labels of reference data with ``code``, ``name_nl`` and ``name_en`` in the database."""
    register_labels(domain, lambda: _named(model))


def register_words(domain: str, words: Callable[[Any], str]) -> None:
    """A domain whose codes a function puts in words: an audit action (``signal.create``) is
    its object and its verb; the fields of an audit entry are the kinds of data they are."""
    _WORDS[domain] = words


@functools.cache
def _discover() -> None:
    # Every installed app's labels.py registers its domains when imported, the way admin.py
    # registers models: so this module imports no app (any app, models included, may import it)
    # and a new value is labelled where it is defined. Done at the first look-up, when the app
    # registry is ready.
    autodiscover_modules("labels")


def _merged(sources: list[Callable[[], Labels]]) -> Callable[[], Labels]:
    if len(sources) == 1:
        return sources[0]
    return lambda: {code: text for source in sources for code, text in source().items()}


def domains() -> dict[str, Callable[[], Labels]]:
    _discover()
    return {**_OWN, **{name: _merged(sources) for name, sources in _SOURCES.items()}}


def _source(domain: str) -> Callable[[], Labels] | None:
    """What `domains()` holds for one domain, without building the whole mapping: a page of
    statistics looks up thousands of labels (an app's source wins over our own, as there)."""
    _discover()
    sources = _SOURCES.get(domain)
    if sources:
        return _merged(sources)
    return _OWN.get(domain)


def labels_of(domain: str) -> dict[str, str]:
    """Every code of one domain with its label in the active language."""
    source = _source(domain)
    return {k: str(v) for k, v in source().items()} if source else {}


def label(domain: str, code: object) -> str:
    """The label of one code. Audit actions and lists of codes have their own helpers."""
    if code is None or code == "":
        return ""
    _discover()
    words = _WORDS.get(domain)
    if words is not None:
        return words(str(code))
    key = str(code)
    source = _source(domain)
    if source is not None:
        found = source().get(key)
        if found is not None:
            return str(found)
    return key


def labels(domain: str, codes: Iterable[object], sep: str = ", ") -> str:
    return sep.join(label(domain, c) for c in codes)


def audit_action_label(action: str) -> str:
    """An audit action (``signal.create``) in words: its object and its verb (the words live
    with the subject-access report, which registers them)."""
    return label("audit_action", action)


def audit_fields(fields: Iterable[str]) -> str:
    """The fields an audit entry touched, as the kinds of data they are (the register's
    categories), not as ``identity.date_of_birth``."""
    _discover()
    words = _WORDS.get("audit_fields")
    return words(list(fields)) if words is not None else ", ".join(fields)


def needs_summary(needs: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A shelter needs profile as (label, value) pairs in words, in a stable order."""
    value_domain = {"gender": "gender", "age_band": "age_band", "forms": "form",
                    "care": "care", "security": "security", "region": "region"}  # fmt: skip
    out = []
    for key, name in NEEDS_KEYS.items():
        if key not in needs or "." in key:
            continue
        value = needs[key]
        if value is None:
            shown = _("unknown")
        elif isinstance(value, bool):
            shown = _("yes") if value else _("no")
        elif isinstance(value, list | tuple):
            if key == "languages":
                shown = ", ".join(language_name(v) for v in value)
            else:
                shown = labels(value_domain.get(key, ""), value) if value else _("none")
        else:
            shown = label(value_domain.get(key, ""), value)
        out.append((str(name), shown))
    return out


def language_name(code: str) -> str:
    """A language as a needs profile stores it (a Dutch word, lower case): as a name."""
    return str(code).capitalize()


def known_codes() -> dict[str, set[str]]:
    """Every code of every domain, for the test that searches pages for codes."""
    return {name: {str(k) for k in source()} for name, source in domains().items()}


def local_date(value: date | datetime | None) -> str:
    """A date (or the date of a moment) in Europe/Amsterdam, in the reader's format."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return formats.date_format(value.date(), "DATE_FORMAT")
    return formats.date_format(value, "DATE_FORMAT")


def local_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATETIME_FORMAT")
