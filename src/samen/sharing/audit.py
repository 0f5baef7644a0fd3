"""The audit trail: one entry per use of personal data, append-only and hash-chained.

Each entry carries an HMAC (key SAMEN_AUDIT_KEY) over its own content and the previous entry's
hash, and a gapless sequence number. Editing, deleting, inserting or reordering entries breaks the
chain, which `samen audit verify` detects. Entries hold ids, field names and codes, never personal
data.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

if TYPE_CHECKING:
    from samen.sharing.actor import Actor

OPERATIONS = {
    "create": "C",
    "read": "R",
    "list": "R",
    "search": "R",
    "update": "U",
    "share": "U",
    "revoke": "U",
    "delete": "D",
    "retention": "D",
    "export": "E",
    "print": "E",
    "report": "E",
    "link": "U",
    "emergency": "R",
}
GENESIS = "0" * 64
CHAINED_FIELDS = (
    "seq", "at", "actor_id", "actor_username", "on_behalf_of", "organisation_id", "role",
    "action", "operation", "object_type", "object_id", "fields", "detail", "purpose",
    "legal_basis", "emergency", "result", "origin",
)  # fmt: skip


def operation_of(action: str) -> str:
    verb = action.rsplit(".", 1)[-1]
    return OPERATIONS.get(verb, "R")


def _canonical(values: dict) -> bytes:
    def norm(v: object) -> object:
        if isinstance(v, datetime):
            return v.astimezone(UTC).isoformat(timespec="microseconds")
        return v

    return json.dumps(
        {k: norm(values[k]) for k in CHAINED_FIELDS}, sort_keys=True, separators=(",", ":")
    ).encode()


def chain_hash(key: bytes, prev_hash: str, values: dict) -> str:
    return hmac.new(key, prev_hash.encode() + b"|" + _canonical(values), hashlib.sha256).hexdigest()


def _audit_key() -> bytes:
    from samen.cases.keys import key

    return key("SAMEN_AUDIT_KEY")


def record(
    actor: Actor,
    action: str,
    *,
    object_type: str = "",
    object_id: str = "",
    fields: Iterable[str] = (),
    result: str = "ok",
    purpose: str = "",
    legal_basis: str = "",
    emergency: bool = False,
    detail: dict | None = None,
) -> None:
    from samen.sharing.models import AuditChainHead, AuditEntry, AuditSubject

    user = actor.user if getattr(actor.user, "is_authenticated", False) else None
    org = actor.organisation
    values = {
        "at": timezone.now(),
        "actor_id": user.pk if user else None,
        "actor_username": user.username if user else "",
        "on_behalf_of": f"organisation:{org.pk}" if org else "",
        "organisation_id": org.pk if org else None,
        "role": actor.role,
        "action": action,
        "operation": operation_of(action),
        "object_type": object_type,
        "object_id": str(object_id)[:64],
        "fields": sorted(set(fields)),
        "detail": detail or {},
        "purpose": purpose,
        "legal_basis": legal_basis[:400],
        "emergency": emergency,
        "result": result,
        "origin": actor.origin,
    }
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        values["seq"] = head.seq + 1
        digest = chain_hash(_audit_key(), head.hash, values)
        entry = AuditEntry.objects.create(prev_hash=head.hash, hash=digest, **values)
        subjects = set(subjects_of(object_type, str(object_id), values["detail"]))
        AuditSubject.objects.bulk_create(
            [AuditSubject(entry=entry, case_number=n) for n in sorted(subjects)]
        )
        head.seq, head.hash = values["seq"], digest
        head.save(update_fields=["seq", "hash"])


CASE_NUMBER = re.compile(r"^MH-\d{4}-\d{6}$")


def subjects_of(object_type: str, object_id: str, detail: dict) -> list[str]:
    """The case numbers an entry is about: its object, the cases a list showed, a signal's case.
    Only well-formed numbers: a probe for a made-up number is about nobody."""
    numbers = []
    if object_type == "case" and object_id not in ("", "*"):
        numbers.append(object_id)
    if object_type == "case":
        numbers += [n for n in detail.get("shown", []) if isinstance(n, str)]
    numbers += [n for n in detail.get("cases", []) if isinstance(n, str)]
    if isinstance(detail.get("case"), str):
        numbers.append(detail["case"])
    return [n for n in numbers if CASE_NUMBER.match(n)]


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    first_bad_id: int | None = None
    reason: str = ""


def verify(batch: int = 5000) -> VerifyResult:
    """Walk the chain in sequence order; stop at the first entry that does not fit."""
    from samen.sharing.models import AuditChainHead, AuditEntry

    key = _audit_key()
    prev = GENESIS
    expected = 1
    checked = 0
    for row in _rows(AuditEntry, batch):
        if row["seq"] != expected:
            reason = (
                f"entry with sequence {expected} is missing" if row["seq"] > expected
                else f"sequence {row['seq']} appears twice or out of order"
            )  # fmt: skip
            return VerifyResult(False, checked, row["seq"], row["id"], reason)
        if row["prev_hash"] != prev:
            return VerifyResult(False, checked, row["seq"], row["id"], "link to previous broken")
        if not hmac.compare_digest(chain_hash(key, prev, row), row["hash"]):
            return VerifyResult(False, checked, row["seq"], row["id"], "content was altered")
        prev, expected, checked = row["hash"], expected + 1, checked + 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head and (head.seq != checked or head.hash != prev):
        return VerifyResult(
            False, checked, checked + 1 if head.seq > checked else checked, None,
            f"the chain ends at {checked} but the head says {head.seq}: entries were removed",
        )  # fmt: skip
    return VerifyResult(True, checked)


def _rows(model: type, batch: int) -> Iterator[dict]:
    columns = ("id", "prev_hash", "hash", *CHAINED_FIELDS)
    last = 0
    while True:
        chunk = list(model.objects.filter(seq__gt=last).order_by("seq").values(*columns)[:batch])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1]["seq"]
