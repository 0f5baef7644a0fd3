"""A lead cluster of leads.json in the reader's language.

The engine writes its explanations in English (it has no Django and no translations). The screen
and the notices rebuild them here from the cluster's structured fields (indicator ids, counts,
contacts, personas, evidence spans), so a Dutch reader sees Dutch; an indicator Samen does not
know yet is shown as "another indicator", never as the engine's code or English text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

INDICATOR_LABELS = {
    "we_language": gettext_lazy("The ad speaks about the person in the third person or as “we”"),
    "movement": gettext_lazy("Movement between cities or urgency (stated in the ad)"),
    "controlled_availability": gettext_lazy("Availability controlled by someone else"),
    "youth_emphasis": gettext_lazy("Emphasis on youth"),
    "third_party_payment": gettext_lazy("Payment to a third party"),
    "crypto_only": gettext_lazy("Restricted or unusual payment"),
    "third_party_booking": gettext_lazy("Booking through a third party"),
    "several_persons": gettext_lazy("Several persons in one ad"),
    "language_mismatch": gettext_lazy("Language of the ad does not match the person"),
    "price_below_median": gettext_lazy("Price far below the local median"),
    "contact_many_personas": gettext_lazy("One contact behind many personas"),
    "template_many_cities": gettext_lazy("One text template in many cities"),
    "persona_many_cities": gettext_lazy("A persona advertised in many cities"),
    "cluster_many_personas": gettext_lazy("Many personas in one group of ads"),
    "indicator_diversity": gettext_lazy("Several kinds of indicators"),
    "cluster_size": gettext_lazy("Size of the group of ads"),
}
CONTACT_KINDS = {
    "phone": gettext_lazy("phone number"),
    "e-mail": gettext_lazy("e-mail address"),
    "image": gettext_lazy("photo (fingerprint)"),
    "telegram handle": gettext_lazy("Telegram account"),
    "whatsapp handle": gettext_lazy("WhatsApp account"),
    "snapchat handle": gettext_lazy("Snapchat account"),
    "instagram handle": gettext_lazy("Instagram account"),
    "onlyfans handle": gettext_lazy("OnlyFans account"),
}
SLOTS = {
    "{NAME}": gettext_lazy("[name]"),
    "{CITY}": gettext_lazy("[city]"),
    "{NUM}": gettext_lazy("[number]"),
    "{PHONE}": gettext_lazy("[phone]"),
    "{EMAIL}": gettext_lazy("[e-mail]"),
    "{HANDLE}": gettext_lazy("[account]"),
    "{URL}": gettext_lazy("[link]"),
    "{…}": gettext_lazy("[…]"),
}
_SHARE = re.compile(r"(\d+) of (\d+) ads")
_SLOT = re.compile(r"\{[A-Z…]+\}")


@dataclass
class Indicator:
    id: str
    label: str
    contribution: float
    share: str  # "24 van 25 advertenties", or ""
    evidence: list[str] = field(default_factory=list)


@dataclass
class Contact:
    kind: str
    value: str
    ads: int
    personas: int


def indicator_label(code: str) -> str:
    return str(INDICATOR_LABELS.get(code, gettext_lazy("Another indicator")))


def contact_value(contact: str) -> str:
    """'tel:+316…' → '+316…': the kind is shown in words beside it."""
    return contact.split(":", 1)[1] if ":" in contact else contact


def contacts(cluster: dict[str, Any]) -> list[Contact]:
    return [
        Contact(
            kind=str(CONTACT_KINDS.get(c.get("type", ""), gettext_lazy("other contact"))),
            value=contact_value(str(c.get("contact", ""))),
            ads=int(c.get("ads", 0)),
            personas=int(c.get("personas", 0)),
        )
        for c in cluster.get("shared_contacts", [])
    ]


def evidence_by_indicator(cluster: dict[str, Any]) -> dict[str, list[str]]:
    """The distinct words found per indicator in the sample ads (the evidence spans)."""
    found: dict[str, list[str]] = {}
    for ad in cluster.get("evidence", []):
        for hit in ad.get("hits", []):
            words = str(hit.get("evidence", "")).strip()
            spans = found.setdefault(str(hit.get("indicator", "")), [])
            if words and words not in spans and len(spans) < 5:
                spans.append(words)
    return found


def indicators(cluster: dict[str, Any]) -> list[Indicator]:
    spans = evidence_by_indicator(cluster)
    out = []
    for item in cluster.get("indicators", []):
        code = str(item.get("id", ""))
        if code == "text_cap":
            continue  # the cap is a rule of the score, not something found
        match = _SHARE.search(str(item.get("detail", "")))
        share = (
            _("%(n)s of %(total)s ads") % {"n": match.group(1), "total": match.group(2)}
            if match
            else ""
        )
        out.append(
            Indicator(
                id=code,
                label=indicator_label(code),
                contribution=round(float(item.get("contribution", 0.0)), 2),
                share=share,
                evidence=spans.get(code, []),
            )
        )
    return out


def template(cluster: dict[str, Any]) -> str:
    """The text template with its slots named in the reader's language."""
    return _SLOT.sub(lambda m: str(SLOTS.get(m.group(0), m.group(0))), cluster.get("template", ""))


def summary(cluster: dict[str, Any], persona_cities: dict[str, list[str]]) -> list[str]:
    """A few sentences that say why this is a lead, strongest evidence first."""
    lines = []
    size = int(cluster.get("size", 0))
    personas = cluster.get("personas", [])
    cities = cluster.get("cities", [])
    for c in cluster.get("shared_contacts", []):
        if int(c.get("personas", 0)) >= 3:
            lines.append(
                _("The %(kind)s %(value)s is used in %(ads)d ads under %(personas)d personas.")
                % {
                    "kind": CONTACT_KINDS.get(c.get("type", ""), _("other contact")),
                    "value": contact_value(str(c.get("contact", ""))),
                    "ads": int(c.get("ads", 0)),
                    "personas": int(c.get("personas", 0)),
                }
            )
    if len(cities) >= 3:
        lines.append(
            _("One text template in %(ads)d ads across %(n)d cities (%(cities)s).")
            % {"ads": size, "n": len(cities), "cities": ", ".join(sorted(cities))}
        )
    moving = {p: c for p, c in persona_cities.items() if len(c) >= 3}
    for persona, where in sorted(moving.items())[:3]:
        lines.append(
            _("Persona %(persona)s is advertised in %(n)d cities (%(cities)s).")
            % {"persona": persona, "n": len(where), "cities": ", ".join(where)}
        )
    if len(personas) >= 2:
        lines.append(
            _("%(n)d personas in %(ads)d ads: %(personas)s.")
            % {"n": len(personas), "ads": size, "personas": ", ".join(personas)}
        )
    return lines
