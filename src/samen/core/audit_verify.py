"""The fast walk behind `audit.verify`: rows streamed from a server-side cursor (PostgreSQL) in
sequence order with their subject index in the same query, the canonical form built by hand in
the key order `audit._canonical` sorts to, the HMAC from a prepared key, and on large chains
ranges of the chain checked in parallel processes whose boundaries are joined afterwards.

The result is the same as walking the chain entry by entry: the first entry that does not fit
its predecessor, its content, its subject index or its checkpoint, with the same reasons."""

from __future__ import annotations

import hmac
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from json.encoder import encode_basestring_ascii as _s
from typing import Any

from django.db import connection, connections
from django.db.models import Max
from django.utils.dateparse import parse_datetime

from samen.core import anchor
from samen.core.models import AuditEntry, AuditSubject

FETCH = 10_000
#: Below this many entries one process walks the chain; above, ranges go to several processes.
PARALLEL_FROM = 200_000
RANGES_PER_WORKER = 4
_COMPACT = (",", ":")

# The columns of one row, in this order.
_ENTRY_COLUMNS = (
    "id", "seq", "prev_hash", "hash", "at", "actor_id", "actor_username", "on_behalf_of",
    "organisation_id", "role", "action", "operation", "object_type", "object_id", "fields",
    "detail", "purpose", "legal_basis", "emergency", "result", "origin",
)  # fmt: skip


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
class Problem:
    seq: int
    id: int | None
    reason: str
    # Whether the problem is the first row's sequence or its link to the row before the range:
    # those are judged when the ranges are joined.
    at_start: bool = False


@dataclass(frozen=True)
class Span:
    """What one range of the chain (sequence lo < seq <= hi) showed."""

    lo: int
    first_seq: int | None
    first_id: int | None
    first_prev: str
    last_hash: str
    checked: int
    problem: Problem | None


def _sql(lo: int, hi: int | None) -> tuple[str, list[int]]:
    entries, subjects = AuditEntry._meta.db_table, AuditSubject._meta.db_table
    joined = "string_agg(s.case_number, ',')" if connection.vendor == "postgresql" else (
        "group_concat(s.case_number, ',')"
    )  # fmt: skip
    cols = ", ".join(f"e.{c}" for c in _ENTRY_COLUMNS)
    bound = "" if hi is None else " AND e.seq <= %s"
    # The count guards the join: a tampered case number holding a comma cannot pass for two.
    sql = (
        f"SELECT {cols}, (SELECT COUNT(*) FROM {subjects} s WHERE s.entry_id = e.id), "  # noqa: S608 (table names from the models)
        f"(SELECT {joined} FROM {subjects} s WHERE s.entry_id = e.id) "
        f"FROM {entries} e WHERE e.seq > %s{bound} ORDER BY e.seq"
    )
    return sql, [lo] if hi is None else [lo, hi]


def _rows(lo: int, hi: int | None) -> Iterator[tuple]:
    sql, params = _sql(lo, hi)
    cursor = connection.chunked_cursor()  # a named, server-side cursor on PostgreSQL
    try:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(FETCH):
            yield from chunk
    finally:
        cursor.close()


def _json(value: object) -> object:
    return json.loads(value) if isinstance(value, str | bytes) else value


def _at(value: Any) -> str:
    if isinstance(value, str):  # SQLite hands back its text: UTC without an offset
        value = parse_datetime(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    elif value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(timespec="microseconds")


# One encoder for every entry: json.dumps with these arguments would build a new one per call.
_sorted_json = json.JSONEncoder(sort_keys=True, separators=_COMPACT).encode


def _list_json(values: object) -> str:
    """A list of strings (an entry's fields) as json.dumps writes it, without the encoder."""
    if type(values) is list and all(type(v) is str for v in values):
        return "[" + ",".join([_s(v) for v in values]) + "]"
    return _sorted_json(values)


def _num(value: int | None) -> str:
    return "null" if value is None else str(int(value))


def canonical(row: tuple, fields: object, detail: object) -> bytes:
    """`audit._canonical` of a row, keys in sorted order, without building the dict."""
    (_id, seq, _prev, _hash, at, actor_id, username, behalf, org_id, role, action, operation,
     object_type, object_id, _f, _d, purpose, basis, emergency, result,
     origin) = row[:21]  # fmt: skip
    return (
        f'{{"action":{_s(action)},"actor_id":{_num(actor_id)},'
        f'"actor_username":{_s(username)},"at":"{_at(at)}",'
        f'"detail":{"{}" if detail == {} else _sorted_json(detail)},'
        f'"emergency":{"true" if emergency else "false"},'
        f'"fields":{_list_json(fields)},'
        f'"legal_basis":{_s(basis)},"object_id":{_s(object_id)},'
        f'"object_type":{_s(object_type)},"on_behalf_of":{_s(behalf)},'
        f'"operation":{_s(operation)},"organisation_id":{_num(org_id)},"origin":{_s(origin)},'
        f'"purpose":{_s(purpose)},"result":{_s(result)},"role":{_s(role)},"seq":{_num(seq)}}}'
    ).encode()


def check_span(key: bytes, anchors: anchor.Anchors, lo: int, hi: int | None) -> Span:
    """Walk lo < seq <= hi. The first row's sequence and its link to the row before the range
    are left to the join (a range does not know what came before it)."""
    prepared = hmac.new(key, digestmod="sha256")
    expected = lo + 1
    prev = ""
    first: tuple | None = None
    checked = 0
    present, hashes, kept_len = anchors.present, anchors.hashes, anchor.KEPT
    n_present = len(present)

    def span(problem: Problem | None) -> Span:
        return Span(lo, first[1] if first else None, first[0] if first else None,
                    first[2] if first else "", prev, checked, problem)  # fmt: skip

    for row in _rows(lo, hi):
        seq, prev_hash, digest = row[1], row[2], row[3]
        if first is None:
            first, expected, prev = row, seq, prev_hash
        if seq != expected:
            return span(Problem(seq, row[0], (
                f"entry with sequence {expected} is missing" if seq > expected
                else f"sequence {seq} appears twice or out of order"
            )))  # fmt: skip
        if prev_hash != prev:
            return span(Problem(seq, row[0], "link to previous broken"))
        fields, detail = _json(row[14]), _json(row[15])
        mac = prepared.copy()
        mac.update(prev.encode() + b"|" + canonical(row, fields, detail))
        if not hmac.compare_digest(mac.hexdigest(), digest):
            return span(Problem(seq, row[0], "content was altered"))
        count, joined = row[21], row[22]
        subjects = sorted(joined.split(",")) if joined else []
        if count != len(subjects) or subjects != sorted(
            set(subjects_of(row[12], row[13], detail))  # type: ignore[arg-type]
        ):
            return span(Problem(seq, row[0], "its subject index was altered"))
        if (
            seq < n_present
            and present[seq]
            and hashes[seq * kept_len : (seq + 1) * kept_len] != bytes.fromhex(digest)[:kept_len]
        ):
            return span(Problem(
                seq, row[0], "it differs from its checkpoint: the chain was rewritten from here",
            ))  # fmt: skip
        prev, expected, checked = digest, expected + 1, checked + 1
    return span(None)


# State a forked worker inherits instead of receiving it pickled (the checkpoints can be large).
_inherited: dict[str, object] = {}


def _span_in_worker(bounds: tuple[int, int | None]) -> Span:
    return check_span(_inherited["key"], _inherited["anchors"], *bounds)  # type: ignore[arg-type]


def _bounds(top: int, parts: int) -> list[tuple[int, int | None]]:
    step = max(1, -(-top // parts))
    edges = list(range(0, top, step))
    return [(lo, lo + step) for lo in edges[:-1]] + [(edges[-1], None)]


def spans(key: bytes, anchors: anchor.Anchors, *, workers: int | None = None) -> list[Span]:
    """The chain as ranges, checked in parallel processes when it is large enough and the
    connection can be given up (not inside a transaction); else one range here."""

    workers = workers if workers is not None else min(os.cpu_count() or 1, 8)
    top = AuditEntry.objects.aggregate(m=Max("seq"))["m"] or 0
    if (
        workers < 2
        or top < PARALLEL_FROM
        or connection.vendor != "postgresql"
        or connection.in_atomic_block
    ):
        return [check_span(key, anchors, 0, None)]
    return parallel_spans(key, anchors, _bounds(top, workers * RANGES_PER_WORKER), workers)


def parallel_spans(
    key: bytes, anchors: anchor.Anchors, bounds: list[tuple[int, int | None]], workers: int
) -> list[Span]:
    import multiprocessing

    _inherited.update(key=key, anchors=anchors)
    connections.close_all()  # a forked child must open its own connection, never share ours
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return pool.map(_span_in_worker, bounds, chunksize=1)
    finally:
        _inherited.clear()


@dataclass(frozen=True)
class Walk:
    checked: int
    last_hash: str
    problem: Problem | None


def join(parts: list[Span], genesis: str) -> Walk:
    """The ranges in order, as one walk: each range's first row must follow the last row of the
    range before it (sequence and link); the first problem wins."""
    expected, prev, checked = 1, genesis, 0
    for part in parts:
        if part.first_seq is None:  # an empty range: what follows must still come next
            if part.problem:
                return Walk(checked, prev, part.problem)
            continue
        if part.first_seq != expected:
            reason = (
                f"entry with sequence {expected} is missing" if part.first_seq > expected
                else f"sequence {part.first_seq} appears twice or out of order"
            )  # fmt: skip
            return Walk(checked, prev, Problem(part.first_seq, part.first_id, reason))
        if part.first_prev != prev:
            return Walk(checked, prev, Problem(part.first_seq, part.first_id,
                                               "link to previous broken"))  # fmt: skip
        checked += part.checked
        prev = part.last_hash
        if part.problem:
            return Walk(checked, prev, part.problem)
        expected = part.first_seq + part.checked
    return Walk(checked, prev, None)
