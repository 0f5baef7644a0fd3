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
from typing import Any

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
    signer = _prepared(key)
    with target.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            checked = _check_line(raw, key, signer)
            if isinstance(checked, str):
                raise AnchorBroken(checked.format(line=number))
            seq, digest, at = checked
            yield Checkpoint(seq, digest.decode(), at.decode())


def _prepared(key: bytes) -> Any:
    """The HMAC with its key prepared once; each line signs with a copy (OpenSSL's object when
    there is one: a cheaper copy)."""
    prepared = hmac.new(key, digestmod=hashlib.sha256)
    return getattr(prepared, "_hmac", None) or prepared


def _check_line(raw: bytes, key: bytes, signer: Any) -> tuple[int, bytes, bytes] | str:
    """(sequence, hash in hex, time) of one checkpoint line with its signature checked, or the
    message (with {line}) that says why it is refused. A line as write() makes it is parsed by a
    pattern and signed with a copy of the prepared key; any other by json.loads (the same signed
    text)."""
    found = _LINE.fullmatch(raw)
    if found is not None:
        seq, digest, at, mac = found.groups()
        copy = signer.copy()
        copy.update(b"%s|%s|%s" % (seq, digest, at))
        if not hmac.compare_digest(copy.hexdigest().encode(), mac):
            return "line {line} of the checkpoint file has a wrong signature"
        return int(seq), digest, at
    try:
        point, text_mac = _parse(raw)
    except (ValueError, KeyError, TypeError):
        return "line {line} of the checkpoint file is unreadable"
    if not hmac.compare_digest(_mac(key, point.seq, point.hash, point.at), text_mac):
        return "line {line} of the checkpoint file has a wrong signature"
    return point.seq, point.hash.encode(), point.at.encode()


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


#: A file larger than this (some 20,000 lines, 0.1 s of checking) is read in parts by several
#: processes: a fork costs far less, and with checkpoints as production writes them a million
#: entries leave some 150,000 lines (ADR 0059).
PARALLEL_BYTES = 4 * 2**20


@dataclass
class _Part:
    """What one part of the file (the lines starting in a byte range) holds, per sequence
    between its lowest and highest (dense, like Anchors)."""

    lines: int
    error: tuple[int, str] | None  # (line number within the part, message with {line})
    lo: int
    hi: int
    present: bytearray
    hashes: bytearray
    rewritten_at: int | None
    last: Checkpoint | None


def _lines_from(target: Path, start: int, end: int) -> list[bytes]:
    """The lines that start at a byte in [start, end)."""
    with target.open("rb") as handle:
        if start > 0:
            handle.seek(start - 1)
            handle.readline()  # the rest of the line the part before owns
        begin = handle.tell()
        if begin >= end:
            return []
        block = handle.read(end - begin) + handle.readline()
    return block.splitlines(keepends=True)


def _load_part(target: Path, start: int, end: int) -> _Part:
    """The lines starting in [start, end), each signature checked: by the pattern and a copy of
    the prepared key for a line as write() makes it, else json.loads (the same signed text)."""
    key = _anchor_key()
    signer = _prepared(key)
    points: list[tuple[int, bytes, bytes]] = []  # (seq, kept bytes, at)
    lines = _lines_from(target, start, end)
    error: tuple[int, str] | None = None
    for number, raw in enumerate(lines, start=1):
        checked = _check_line(raw, key, signer)
        if isinstance(checked, str):
            error = (number, checked)
            break
        seq, digest, at = checked
        if seq < 1:
            error = (number, f"a checkpoint names sequence {seq}")
            break
        points.append((seq, bytes.fromhex(digest[: 2 * KEPT].decode()), at))
    counted = error[0] if error else len(lines)
    if not points:
        return _Part(counted, error, 0, -1, bytearray(), bytearray(), None, None)
    lo = min(p[0] for p in points)
    hi = max(p[0] for p in points)
    present, hashes = bytearray(hi - lo + 1), bytearray((hi - lo + 1) * KEPT)
    rewritten_at: int | None = None
    top = points[0]
    for seq, kept, at in points:
        i = seq - lo
        if present[i] and hashes[i * KEPT : (i + 1) * KEPT] != kept:
            rewritten_at = seq if rewritten_at is None else min(seq, rewritten_at)
        present[i] = 1
        hashes[i * KEPT : (i + 1) * KEPT] = kept
        if seq > top[0]:
            top = (seq, kept, at)
    # The last checkpoint in full (its hash, not only the kept bytes): read again by its line.
    last = _checkpoint_at(lines, top[0])
    return _Part(counted, error, lo, hi, present, hashes, rewritten_at, last)


def _checkpoint_at(lines: list[bytes], seq: int) -> Checkpoint:
    """The last line naming `seq` (already checked) as a Checkpoint."""
    for raw in reversed(lines):
        found = _LINE.fullmatch(raw)
        point = (
            Checkpoint(int(found[1]), found[2].decode(), found[3].decode()) if found
            else _parse(raw)[0] if raw.strip() else None
        )  # fmt: skip
        if point is not None and point.seq == seq:
            return point
    raise AssertionError(f"no checkpoint line for sequence {seq}")


def _load_part_in_worker(bounds: tuple[int, int]) -> _Part:
    return _load_part(path(), *bounds)


def load(*, workers: int = 1) -> Anchors:
    """Every checkpoint of the file, each signature checked (AnchorBroken on the first bad line);
    a large file in parts by `workers` forked processes, joined in file order."""
    target = path()
    if not target.exists():
        return Anchors(None, bytearray(), bytearray())
    size = target.stat().st_size
    parts_n = max(1, workers) if size > PARALLEL_BYTES else 1
    step = -(-size // parts_n) if size else 1
    bounds = [(start, min(size, start + step)) for start in range(0, max(size, 1), step)]
    if len(bounds) == 1:
        parts = [_load_part(target, *bounds[0])]
    else:
        import multiprocessing

        # The children read a file and never touch the database connection they inherit.
        with multiprocessing.get_context("fork").Pool(len(bounds)) as pool:
            parts = pool.map(_load_part_in_worker, bounds, chunksize=1)
    return _joined(parts)


def _joined(parts: list[_Part]) -> Anchors:
    top = max((p.hi for p in parts), default=-1)
    present, hashes = bytearray(top + 1), bytearray((top + 1) * KEPT)
    rewritten_at: int | None = None
    last: Checkpoint | None = None
    filled_to, line_base = -1, 0  # the highest sequence set so far; lines before this part
    for part in parts:
        if part.error is not None:
            number, message = part.error
            raise AnchorBroken(message.format(line=line_base + number))
        line_base += part.lines
        if part.hi < part.lo:
            continue
        # Sequences an earlier part named too (checkpoints written out of order): one by one.
        for seq in range(part.lo, min(part.hi, filled_to) + 1):
            i = seq - part.lo
            if not part.present[i]:
                continue
            kept = part.hashes[i * KEPT : (i + 1) * KEPT]
            if present[seq] and hashes[seq * KEPT : (seq + 1) * KEPT] != kept:
                rewritten_at = seq if rewritten_at is None else min(seq, rewritten_at)
            present[seq] = 1
            hashes[seq * KEPT : (seq + 1) * KEPT] = kept
        start = max(part.lo, filled_to + 1)
        if start <= part.hi:
            present[start : part.hi + 1] = part.present[start - part.lo :]
            hashes[start * KEPT : (part.hi + 1) * KEPT] = part.hashes[(start - part.lo) * KEPT :]
        filled_to = max(filled_to, part.hi)
        if part.rewritten_at is not None:
            rewritten_at = min(part.rewritten_at, rewritten_at or part.rewritten_at)
        if part.last is not None and (last is None or part.last.seq > last.seq):
            last = part.last
    return Anchors(last, hashes, present, rewritten_at)
