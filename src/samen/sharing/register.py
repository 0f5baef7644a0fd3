"""The register of processing: loading its initial content and asking it questions.

The register is data the privacy officer keeps (ProcessingRule, Purpose, DataCategory,
RolePurpose). The initial content comes from data/register.json and is loaded only into an empty
database, so later edits are never overwritten by a deploy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

REGISTER_FILE = Path(__file__).parent / "data" / "register.json"

# Which data category each presented field belongs to. Fields not listed are case metadata
# (number, status, dates, responsible organisation) that anyone with access to the case sees.
FIELD_CATEGORIES: dict[str, str] = {
    "identity.name": "identity",
    "identity.date_of_birth": "identity",
    "identity.nationality": "identity",
    "identity.contact": "contact",
    "gender": "demographics",
    "age_band": "demographics",
    "minor": "demographics",
    "minor_estimated": "demographics",
    "age_is_estimate": "demographics",
    "nationality_group": "demographics",
    "forms": "exploitation",
    "signals": "exploitation",
    "municipality": "location",
    "region": "location",
    "signals.notes": "free_text",
    "notes.care": "free_text",
    "notes.investigation": "criminal",
    "notes.shelter": "free_text",
}


def register_load_initial(using: str = "default") -> bool:
    """Load data/register.json into an empty register; returns whether it loaded."""
    from django.db import transaction

    from samen.sharing.models import DataCategory, ProcessingRule, Purpose, RolePurpose

    if Purpose.objects.using(using).exists():
        return False
    data = json.loads(REGISTER_FILE.read_text(encoding="utf-8"))
    with transaction.atomic(using=using):
        purposes = {
            p["code"]: Purpose.objects.using(using).create(
                code=p["code"], name_nl=p["nl"], name_en=p["en"]
            )
            for p in data["purposes"]
        }
        categories = {
            c["code"]: DataCategory.objects.using(using).create(
                code=c["code"], name_nl=c["nl"], name_en=c["en"], special=c["special"]
            )
            for c in data["categories"]
        }
        for role, codes in data["role_purposes"].items():
            for order, code in enumerate(codes):
                RolePurpose.objects.using(using).create(
                    role=role, purpose=purposes[code], order=order
                )
        rules = [
            ProcessingRule(
                organisation_type=org_type,
                purpose=purposes[grant["purpose"]],
                category=categories[cat],
                legal_basis=grant["legal_basis"],
                sector_law=grant.get("sector_law", ""),
                retention_days=grant["retention_days"],
                share_with=grant.get("share_with", []),
            )
            for grant in data["grants"]
            for org_type in grant["organisation_types"]
            for cat in grant["categories"]
        ]
        ProcessingRule.objects.using(using).bulk_create(rules)
    return True


@dataclass(frozen=True)
class Grant:
    category: str
    legal_basis: str
    sector_law: str
    retention_days: int
    share_with: tuple[str, ...]

    @property
    def basis_text(self) -> str:
        return f"{self.legal_basis}; {self.sector_law}" if self.sector_law else self.legal_basis


def grants_for(organisation_type: str, purpose: str) -> dict[str, Grant]:
    """What this organisation type may process for this purpose, by category code."""
    from samen.sharing.models import ProcessingRule

    rows = ProcessingRule.objects.filter(
        organisation_type=organisation_type, purpose__code=purpose
    ).values_list("category__code", "legal_basis", "sector_law", "retention_days", "share_with")
    return {
        code: Grant(code, basis, sector, days, tuple(share or ()))
        for code, basis, sector, days, share in rows
    }


def purposes_of_role(role: str) -> list[str]:
    from samen.sharing.models import RolePurpose

    return list(
        RolePurpose.objects.filter(role=role)
        .order_by("order")
        .values_list("purpose__code", flat=True)
    )


def share_refusals(
    *, from_type: str, from_purpose: str, to_type: str, to_purpose: str, categories: list[str]
) -> dict[str, str]:
    """Why each category may not be shared (empty when the share is lawful under the register)."""
    mine = grants_for(from_type, from_purpose)
    theirs = grants_for(to_type, to_purpose)
    refused: dict[str, str] = {}
    for cat in categories:
        if cat not in mine:
            refused[cat] = "sender_has_no_basis"
        elif to_type not in mine[cat].share_with:
            refused[cat] = "not_shareable_with_recipient"
        elif cat not in theirs:
            refused[cat] = "recipient_has_no_basis"
    return refused
