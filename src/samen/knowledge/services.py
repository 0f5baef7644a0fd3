"""Writes of the knowledge base: its records come from data files and the signal lists."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.contrib.postgres.search import SearchVector
from django.db import connections, transaction

from samen.knowledge.models import Kind, Resource
from samen.signalling.lists import read_list_files

RESOURCES_FILE = Path(__file__).parent / "data" / "resources.json"


def _rows() -> list[dict]:
    data = json.loads(RESOURCES_FILE.read_text(encoding="utf-8"))
    rows = []
    for item in data["resources"]:
        if item["kind"] not in Kind.values or item["kind"] == Kind.CARD:
            raise ValueError(f"resource {item['code']}: bad kind {item['kind']!r}")
        rows.append(
            {
                "code": item["code"],
                "kind": item["kind"],
                "title_nl": item["title"]["nl"],
                "title_en": item["title"]["en"],
                "text_nl": item["text"]["nl"],
                "text_en": item["text"]["en"],
                "audience_nl": item["audience"]["nl"],
                "audience_en": item["audience"]["en"],
                "settings": list(item["settings"]),
                "link": item["link"],
                "signal_list_code": "",
                "reach_indicator": item.get("reach_indicator", ""),
            }
        )
    # Every current signal list is also a printable card, found by the words on it.
    for sl in read_list_files():
        indicators = [i for c in sl["categories"] for i in c["indicators"]]
        rows.append(
            {
                "code": f"card-{sl['code']}",
                "kind": Kind.CARD,
                "title_nl": sl["title"]["nl"],
                "title_en": sl["title"]["en"],
                "text_nl": " ".join(
                    [sl["description"]["nl"], *(i["text"]["nl"] for i in indicators)]
                ),
                "text_en": " ".join(
                    [sl["description"]["en"], *(i["text"]["en"] for i in indicators)]
                ),
                "audience_nl": sl["setting"]["nl"],
                "audience_en": sl["setting"]["en"],
                "settings": [sl["code"]],
                "link": "",
                "signal_list_code": sl["code"],
                "reach_indicator": "",
            }
        )
    for row in rows:
        canonical = json.dumps(row, sort_keys=True, ensure_ascii=False).encode()
        row["checksum"] = hashlib.sha256(canonical).hexdigest()
    return rows


def search_vector() -> SearchVector:
    """Dutch titles weigh most, Dutch text and audience next, English last (its own stemmer)."""
    return (
        SearchVector("title_nl", weight="A", config="dutch")
        + SearchVector("text_nl", "audience_nl", weight="B", config="dutch")
        + SearchVector("title_en", "text_en", weight="C", config="english")
    )


def resources_sync(using: str = "default") -> int:
    """Create or update every record whose content changed; refresh its search vector."""
    changed = 0
    with transaction.atomic(using=using):
        existing = {r.code: r for r in Resource.objects.using(using).all()}
        for row in _rows():
            old = existing.get(row["code"])
            if old is not None and old.checksum == row["checksum"]:
                continue
            Resource.objects.using(using).update_or_create(code=row["code"], defaults=row)
            changed += 1
        if changed and connections[using].vendor == "postgresql":
            Resource.objects.using(using).update(search_vector=search_vector())
    return changed
