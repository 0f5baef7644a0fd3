"""`programme_sync`: fetch motions and commitments on the programme's dossiers and propose
register updates for review. Nothing in the register changes here: a person accepts or
rejects each proposal on the review page, as for a letter."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from samen.programme.models import Letter, Motion, ParliamentRecord, ProposedUpdate, SyncState

from . import tk
from .client import Pacer, Transport, base_url, min_interval, pages

DEFAULT_DOSSIERS = "28638,36547"  # Mensenhandel; the programme's own dossier


def programme_dossiers() -> list[str]:
    """The dossiers to follow: configured ones plus every dossier the register cites."""
    configured = os.environ.get("SAMEN_PROGRAMME_DOSSIERS", DEFAULT_DOSSIERS)
    dossiers = {d.strip() for d in configured.split(",") if d.strip().isdigit()}
    dossiers |= set(Motion.objects.exclude(dossier="").values_list("dossier", flat=True))
    return sorted(dossiers)


@dataclass
class SyncResult:
    fetched: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    letter: Letter | None = None
    proposals: list[ProposedUpdate] = field(default_factory=list)


def _modified(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


ENTITIES: dict[
    str, tuple[Callable[..., str], Callable[[dict[str, Any]], dict[str, Any] | None]]
] = {
    "motion": (tk.motion_query, tk.motion_item),
    "commitment": (tk.commitment_query, tk.commitment_item),
}


def _store(kind: str, entity: dict[str, Any], item: dict[str, Any]) -> bool:
    """Keep the record as fetched; True when it is new or changed since the last sync."""
    modified = _modified(entity["GewijzigdOp"])
    ref = item.get("reference") or {}
    parliament = item["parliament"]
    existing = ParliamentRecord.objects.filter(tk_id=entity["Id"]).first()
    if existing and existing.modified_at >= modified:
        return False
    ParliamentRecord.objects.update_or_create(
        tk_id=entity["Id"],
        defaults={
            "kind": kind,
            "number": parliament["number"],
            "dossier": ref.get("dossier", ""),
            "suffix": ref.get("suffix", ""),
            "document_number": ref.get("number", ""),
            "title": item["subject"],
            "members": item["submitters"] or item["made_to"],
            "vote_outcome": parliament.get("vote_outcome", ""),
            "votes": parliament.get("votes", {}),
            "tk_status": parliament.get("status", ""),
            "modified_at": modified,
            "payload": entity,
        },
    )
    return True


def programme_sync(
    *,
    transport: Transport,
    dossiers: list[str] | None = None,
    base: str = "",
    interval: float | None = None,
    sleep: Callable[[float], None] | None = None,
) -> SyncResult:
    """Fetch what changed since the last sync (by GewijzigdOp) and propose updates.

    All network reads happen before anything is written, so an outage half-way leaves the
    database as it was."""
    base = base or base_url()
    dossiers = dossiers or programme_dossiers()
    interval = min_interval() if interval is None else interval
    pacer = Pacer(interval, sleep) if sleep else Pacer(interval)
    fetched: dict[str, list[dict[str, Any]]] = {}
    for kind, (query, _) in ENTITIES.items():
        state = SyncState.objects.filter(entity=kind).first()
        url = query(base, dossiers, state.last_modified if state else "")
        fetched[kind] = [e for page in pages(url, transport=transport, pacer=pacer) for e in page]
    return _record(fetched)


@transaction.atomic
def _record(fetched: dict[str, list[dict[str, Any]]]) -> SyncResult:
    result = SyncResult()
    items: list[dict[str, Any]] = []
    for kind, entities in fetched.items():
        _, to_item = ENTITIES[kind]
        result.fetched[kind] = len(entities)
        changed = 0
        for entity in entities:
            item = to_item(entity)
            if item is None:
                continue
            if _store(kind, entity, item):
                changed += 1
                items.append(item)
        result.changed[kind] = changed
        if entities:
            latest = max(entities, key=lambda e: _modified(e["GewijzigdOp"]))["GewijzigdOp"]
            SyncState.objects.update_or_create(entity=kind, defaults={"last_modified": latest})
    if not items:
        return result
    now = timezone.now()
    digest = hashlib.sha256(
        "|".join(f"{i['parliament']['id']}@{i['parliament']['modified']}" for i in items).encode()
    ).hexdigest()
    letter, _ = Letter.objects.get_or_create(
        sha256=digest,
        defaults={
            "title": f"Tweede Kamer open data, {timezone.localdate(now):%d-%m-%Y}",
            "sent_on": timezone.localdate(now),
            "origin": "open_data",
        },
    )
    result.letter = letter
    for index, item in enumerate(items):
        item["index"] = index
        update, _ = ProposedUpdate.objects.get_or_create(
            letter=letter,
            item_index=index,
            defaults={
                "kind": item["kind"],
                "reference_key": item["reference"]["key"] if item["reference"] else "",
                "proposed_status": item["status"] or "",
                "evidence": item["evidence"],
                "payload": item,
            },
        )
        result.proposals.append(update)
    return result
