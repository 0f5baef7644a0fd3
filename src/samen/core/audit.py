"""The audit trail: one entry per use of personal data, append-only and hash-chained.

Each entry carries an HMAC (key SAMEN_AUDIT_KEY) over its own content and the previous entry's
hash, and a gapless sequence number. Editing, deleting, inserting or reordering entries breaks the
chain, which `samen audit verify` detects. After commit the new head is checkpointed outside the
table (samen.core.anchor), so cutting off the newest entries or wiping them all is detected
too. Entries hold ids, field names and codes, never personal data.

A refusal must outlive the transaction it happened in: a service refuses by raising, and the
raise rolls its atomic block back, entry included. Inside `refusals_outlive()` (the request
middleware and `atomic()` below) refusals are therefore held and written when the block is left.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import connection, transaction
from django.utils import timezone

from samen.core import anchor, audit_verify
from samen.core.anchor import Checkpoint
from samen.core.audit_verify import subjects_of
from samen.core.keys import key
from samen.core.models import AuditChainHead, AuditEntry, AuditSubject

if TYPE_CHECKING:
    from samen.core.actor import Actor

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


@cache
def _prepared(key: bytes) -> hmac.HMAC:
    """The HMAC with its key already absorbed; each entry hashes a copy."""
    return hmac.new(key, digestmod=hashlib.sha256)


def chain_hash(key: bytes, prev_hash: str, values: dict) -> str:
    mac = _prepared(key).copy()
    mac.update(prev_hash.encode() + b"|" + _canonical(values))
    return mac.hexdigest()


def _audit_key() -> bytes:
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
    pending = _held.get()
    if result != "ok" and pending is not None and connection.in_atomic_block:
        pending.append(values)
        return
    _append(values)


def _append(values: dict) -> None:

    with transaction.atomic():
        # The head row is locked for the append (no forks); created once, on the first entry.
        head = AuditChainHead.objects.select_for_update().filter(id=1).first()
        if head is None:
            head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        values["seq"] = head.seq + 1
        digest = chain_hash(_audit_key(), head.hash, values)
        entry = AuditEntry.objects.create(prev_hash=head.hash, hash=digest, **values)
        subjects = set(subjects_of(values["object_type"], values["object_id"], values["detail"]))
        if subjects:  # an entry about no case number needs no statement for its index
            AuditSubject.objects.bulk_create(
                [AuditSubject(entry=entry, case_number=n) for n in sorted(subjects)]
            )
        AuditChainHead.objects.filter(id=1).update(seq=values["seq"], hash=digest)
        anchor.after_commit(values["seq"], digest)


_held: ContextVar[list[dict] | None] = ContextVar("samen_audit_held_refusals", default=None)
F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def refusals_outlive() -> Iterator[None]:
    """Hold the refusals recorded inside atomic blocks within this context and write them when
    it is left, however it is left. Use it outside the atomic block whose rollback they must
    survive; nested, the outermost one writes."""
    if _held.get() is not None:
        yield
        return
    held: list[dict] = []
    token = _held.set(held)
    try:
        yield
    finally:
        _held.reset(token)
        for values in held:
            _append(values)


def atomic(func: F) -> F:
    """`transaction.atomic` for a service that may refuse: its refusals survive the rollback."""
    inner = transaction.atomic(func)

    @wraps(func)
    def wrapper(*args: object, **kwargs: object) -> object:
        with refusals_outlive():
            return inner(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    first_bad_id: int | None = None
    reason: str = ""
    last_checkpoint: Checkpoint | None = field(default=None)


def verify() -> VerifyResult:
    """Walk the chain in sequence order; stop at the first entry that does not fit its
    predecessor, its own content, its subject index or its checkpoint; then demand that the chain
    reaches the head row and the last checkpoint written outside the table. The walk itself is
    in samen.core.audit_verify (streamed, in parallel on large chains)."""

    try:
        anchors = anchor.load()
    except anchor.AnchorBroken as exc:
        return VerifyResult(False, 0, reason=f"checkpoint file altered: {exc}")
    last = anchors.last
    if anchors.rewritten_at is not None:
        return VerifyResult(
            False, 0, anchors.rewritten_at, None,
            "two checkpoints name different entries at this sequence: the chain was cut there "
            "and written anew",
            last,
        )  # fmt: skip

    walk = audit_verify.join(audit_verify.spans(_audit_key(), anchors), GENESIS)
    checked, prev = walk.checked, walk.last_hash
    if walk.problem is not None:
        p = walk.problem
        return VerifyResult(False, checked, p.seq, p.id, p.reason, last)
    if last is not None and checked < last.seq:
        return VerifyResult(
            False, checked, checked + 1, None,
            f"the chain ends at {checked} but the last checkpoint says {last.seq}: "
            "entries were removed",
            last,
        )  # fmt: skip
    head = AuditChainHead.objects.filter(id=1).first()
    if head and (head.seq != checked or head.hash != prev):
        return VerifyResult(
            False, checked, checked + 1 if head.seq > checked else checked, None,
            f"the chain ends at {checked} but the head says {head.seq}: entries were removed",
            last,
        )  # fmt: skip
    return VerifyResult(True, checked, last_checkpoint=last)
