"""Checkpoints of the audit chain's head, kept outside the database table they protect.

A hash chain alone cannot show that its newest entries were cut off together with the head row,
or that everything was deleted: what is left is still a consistent chain. So after every commit
that appended entries, the new head (sequence and hash) is written as a signed line to an
append-only file (setting AUDIT_ANCHOR_FILE). `samen audit verify` then demands that the chain
reaches the last checkpoint and that every checkpointed entry still has the checkpointed hash.

The file is only as strong as its storage: in production it lives where the application's
database credentials cannot reach it (`chattr +a`, a separate volume or a WORM store). See
docs/adr (audit anchor).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction

from samen.core.keys import key
from samen.core.models import AuditChainHead

# Bytes of each checkpointed hash that verify keeps in memory (one array slot per sequence).
KEPT = 16


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str


class AnchorBroken(Exception):
    """The checkpoint file itself was altered or holds a line that is not ours."""


def _anchor_key() -> bytes:
    # A key of its own, derived from the audit key, so a checkpoint line can never pass for an
    # audit entry's hash or the other way round.
    return hmac.new(key("SAMEN_AUDIT_KEY"), b"samen-audit-anchor-v1", hashlib.sha256).digest()


def _mac(key: bytes, seq: int, digest: str, at: str) -> str:
    return hmac.new(key, f"{seq}|{digest}|{at}".encode(), hashlib.sha256).hexdigest()


def path() -> Path:
    return Path(settings.AUDIT_ANCHOR_FILE)


def write(seq: int, digest: str) -> Checkpoint:
    """Append one signed checkpoint line. O_APPEND makes concurrent writers' lines whole."""
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    line = json.dumps(
        {"seq": seq, "hash": digest, "at": at, "mac": _mac(_anchor_key(), seq, digest, at)},
        separators=(",", ":"),
    )
    target = path()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (line + "\n").encode())
        if settings.AUDIT_ANCHOR_FSYNC:
            os.fsync(fd)
    finally:
        os.close(fd)
    return Checkpoint(seq, digest, at)


def after_commit(seq: int, digest: str, *, first: int | None = None, force: bool = False) -> None:
    """Checkpoint the head once the entries up to `seq` are committed: a checkpoint of an entry
    that is then rolled back would be a false alarm. When the entries first..seq hold an
    AUDIT_ANCHOR_EVERY-th one (1: every append), or when forced. Only for a durable commit: an
    entry committed without waiting for the flush (ADR 0043) could be lost in a crash, and its
    checkpoint would then fail every verify from then on."""
    every = max(1, int(settings.AUDIT_ANCHOR_EVERY))
    if force or seq // every > ((seq if first is None else first) - 1) // every:
        transaction.on_commit(lambda: write(seq, digest), robust=True)


def checkpoint_head() -> Checkpoint | None:
    """Checkpoint the current head now (for `samen audit checkpoint`, e.g. from cron, which
    closes the window of batched checkpoints on a quiet system). None for an empty chain.

    The head is read under its row lock in a transaction of its own: on PostgreSQL that
    transaction's commit waits for the WAL flush, so the head it read (perhaps a read's entry
    committed without waiting, ADR 0043) is durable before it is checkpointed."""

    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(id=1).first()
    if head is None or head.seq == 0:
        return None
    return write(head.seq, head.hash)


# A line exactly as write() makes it; anything else goes the slow way through json.loads.
_LINE = re.compile(
    rb'\{"seq":([1-9][0-9]{0,18}),"hash":"([0-9a-f]{64})","at":"([0-9T:.+-]{1,40})",'
    rb'"mac":"([0-9a-f]{64})"\}\r?\n?'
)


def _parse(raw: bytes) -> tuple[Checkpoint, str]:
    item = json.loads(raw)
    point = Checkpoint(int(item["seq"]), str(item["hash"]), str(item["at"]))
    mac = str(item["mac"])
    if len(bytes.fromhex(point.hash)) != 32:
        raise ValueError("not a sha256 hash")
    return point, mac


def read() -> Iterator[Checkpoint]:
    """Every checkpoint in the file, each signature checked; AnchorBroken on the first bad one.
    A line as write() makes it is parsed by a pattern and signed with a copy of the prepared
    key (a million lines in seconds, not tens of seconds); the signed text is the same."""
    target = path()
    if not target.exists():
        return
    key = _anchor_key()
    prepared = hmac.new(key, digestmod=hashlib.sha256)
    fullmatch = _LINE.fullmatch
    with target.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            found = fullmatch(raw)
            if found is not None:
                seq, digest, at, mac = found.groups()
                signer = prepared.copy()
                signer.update(b"%s|%s|%s" % (seq, digest, at))
                if not hmac.compare_digest(signer.hexdigest().encode(), mac):
                    raise AnchorBroken(
                        f"line {number} of the checkpoint file has a wrong signature"
                    )
                yield Checkpoint(int(seq), digest.decode(), at.decode())
                continue
            try:
                point, text_mac = _parse(raw)
            except (ValueError, KeyError, TypeError) as exc:
                raise AnchorBroken(f"line {number} of the checkpoint file is unreadable") from exc
            if not hmac.compare_digest(_mac(key, point.seq, point.hash, point.at), text_mac):
                raise AnchorBroken(f"line {number} of the checkpoint file has a wrong signature")
            yield point


@dataclass
class Anchors:
    """What verify needs from the file: the last checkpoint and, per sequence, the first
    KEPT bytes of the checkpointed hash (a bytearray, so a million checkpoints cost 17 MB)."""

    last: Checkpoint | None
    hashes: bytearray
    present: bytearray
    # The lowest sequence for which two signed checkpoints name different hashes: the chain was
    # cut there and written anew.
    rewritten_at: int | None = None

    def expected(self, seq: int) -> bytes | None:
        if seq >= len(self.present) or not self.present[seq]:
            return None
        return bytes(self.hashes[seq * KEPT : (seq + 1) * KEPT])


def load() -> Anchors:
    last: Checkpoint | None = None
    hashes, present = bytearray(), bytearray()
    rewritten_at: int | None = None
    for point in read():
        if point.seq < 1:
            raise AnchorBroken(f"a checkpoint names sequence {point.seq}")
        if point.seq >= len(present):
            grow = max(point.seq + 1, 2 * len(present)) - len(present)
            present.extend(bytes(grow))
            hashes.extend(bytes(grow * KEPT))
        kept = bytes.fromhex(point.hash)[:KEPT]
        if present[point.seq] and hashes[point.seq * KEPT : (point.seq + 1) * KEPT] != kept:
            rewritten_at = min(point.seq, rewritten_at or point.seq)
        present[point.seq] = 1
        hashes[point.seq * KEPT : (point.seq + 1) * KEPT] = kept
        if last is None or point.seq > last.seq:
            last = point
    return Anchors(last, hashes, present, rewritten_at)
