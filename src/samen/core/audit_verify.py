"""The fast walk behind `audit.verify`: each range of the chain streamed in sequence order with
its subject index in the same query, the HMAC from a prepared key, and on large chains ranges
checked in parallel processes whose boundaries are joined afterwards (ADR 0020).

On PostgreSQL the rows come through `COPY ... TO STDOUT` as bytes, and the server writes the
canonical form (`audit._canonical`) around the two JSON columns itself: every string as JSON
(`to_json`), the time as `to_char` in UTC, numbers as text. Python joins those pieces with the
JSON columns re-encoded the way `json.dumps(sort_keys=True)` writes them (cached per distinct
value) and hashes the bytes; no model, no datetime, no dict per row (ADR 0042). A row whose
pieces do not hash right is checked again the slow way before it is called altered, so a
difference between the server's JSON and Python's can cost time but never a false alarm; and
it cannot hide a change either, because the server's pieces are Python's exactly whenever they
are printable ASCII, and a canonical form never holds anything else.

Entries appended on PostgreSQL since migration 0011 are in FORM_COLUMNS (`audit_form`, ADR
0059): the server writes each one's whole hashed message, which is streamed and hashed as it
comes (`_message_span`), in id order, each with the case numbers of its own row (ADR 0086); a
problem found so is named by the same walk in sequence order. The older entries go through the
walk above. The plainly right FORM_COLUMNS entries are accepted by compiled code where it is built
(`samen.core._chainwalk`, ADR 0068); the loop of `_message_span` stays the reference and judges
every line that code does not accept.

The result is the same as walking the chain entry by entry: the first entry that does not fit
its predecessor, its content, its subject index or its checkpoint, with the same reasons."""

from __future__ import annotations

import binascii
import hmac
import json
import os
import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import UTC
from json.encoder import encode_basestring_ascii as _s
from typing import Any

import psycopg
from django.db import connection, connections
from django.db.models import Max
from django.utils.dateparse import parse_datetime
from psycopg.pq import ExecStatus, TransactionStatus

from samen.core import anchor
from samen.core.audit_form import FORM_COLUMNS, FORM_JSON, message_sql, parse
from samen.core.models import AuditEntry, AuditSubject

try:
    # The fast walk's per-entry checks, compiled (ADR 0068). By module, not `from . import`: a
    # compiled module is no .py file, and an import-graph tool would read a cycle there.
    import samen.core._chainwalk as _compiled
except ImportError:  # an install without it (make install builds it): the reference loop alone
    _compiled = None  # type: ignore[assignment]

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
    return [n for n in _named(object_type, object_id, detail) if CASE_NUMBER.match(n)]


def _named(object_type: str, object_id: str, detail: dict) -> list[str]:
    """The strings subjects_of takes for case numbers, well-formed or not."""
    numbers = []
    if object_type == "case" and object_id not in ("", "*"):
        numbers.append(object_id)
    if object_type == "case":
        numbers += [n for n in detail.get("shown", []) if isinstance(n, str)]
    numbers += [n for n in detail.get("cases", []) if isinstance(n, str)]
    if isinstance(detail.get("case"), str):
        numbers.append(detail["case"])
    return numbers


_ALL_CASE_NUMBERS = re.compile(r"MH-\d{4}-\d{6}(?:,MH-\d{4}-\d{6})*")


def sorted_subjects(object_type: str, object_id: str, detail: dict) -> list[str]:
    """sorted(set(subjects_of(object_type, object_id, detail))); for an entry about no one case
    (a list's, `object_id` "*" or empty), the numbers checked in one match (_subjects)."""
    if object_id in ("", "*"):
        return _subjects(object_type, detail)
    return sorted(set(subjects_of(object_type, object_id, detail)))


def _subjects(object_type: str, detail: dict) -> list[str]:
    """sorted(set(subjects_of(object_type, "", detail))), the numbers checked in one match
    when all are well-formed (a list read shows dozens)."""
    unique = sorted(set(_named(object_type, "", detail)))
    joined = ",".join(unique)
    if _ALL_CASE_NUMBERS.fullmatch(joined) and joined.count(",") == len(unique) - 1:
        return unique
    return [n for n in unique if CASE_NUMBER.match(n)]


@dataclass(frozen=True)
class Problem:
    seq: int
    id: int | None
    reason: str
    # Whether the problem is the first row's sequence or its link to the row before the range:
    # those are judged when the ranges are joined.
    at_start: bool = False


#: A FORM_JSON entry after a FORM_COLUMNS one: appends never go back to the older form.
RELABELLED = "it claims the older form after entries in the newer one: its form was altered"


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
    # (seq, id) of the range's first FORM_JSON entry, and whether it walked a FORM_COLUMNS one:
    # the join refuses the older form after the newer one across ranges too.
    first_json: tuple[int, int] | None = None
    saw_columns: bool = False


def _sql(lo: int, hi: int | None) -> tuple[str, list[int]]:
    entries, subjects = AuditEntry._meta.db_table, AuditSubject._meta.db_table
    cols = ", ".join(f"e.{c}" for c in _ENTRY_COLUMNS)
    bound = "" if hi is None else " AND e.seq <= %s"
    # The count guards the join: a tampered case number holding a comma cannot pass for two
    # (nor, on PostgreSQL, a NULL element, which the count has and the text has not).
    if connection.vendor == "postgresql":  # the numbers in the entry itself (ADR 0086)
        index = "COALESCE(cardinality(e.case_numbers), 0), array_to_string(e.case_numbers, ',')"
    else:
        index = (
            f"(SELECT COUNT(*) FROM {subjects} s WHERE s.entry_id = e.id), "  # noqa: S608 (table names from the models)
            f"(SELECT group_concat(s.case_number, ',') FROM {subjects} s WHERE s.entry_id = e.id)"
        )
    sql = (
        f"SELECT {cols}, {index}, e.form "  # noqa: S608 (table names from the models)
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
_c_encoder = getattr(json.encoder, "c_make_encoder", None)


def _never(value: object) -> object:
    raise TypeError(f"{type(value).__name__} is not JSON")


# What _sorted_json runs, built once instead of for each value (CPython has the C encoder).
_encode = _c_encoder(None, _never, _s, None, ":", ",", True, False, True) if _c_encoder else None


def _json_text(value: object) -> str:
    """_sorted_json(value)."""
    return "".join(_encode(value, 0)) if _encode is not None else _sorted_json(value)


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


def _row_problem(prepared: hmac.HMAC, prev: str, row: tuple, anchors: anchor.Anchors) -> str | None:
    """What is wrong with one row (from `_sql`) besides its place in the chain: its content,
    its subject index, its checkpoint; None when nothing is."""
    seq, digest = row[1], row[3]
    fields, detail = _json(row[14]), _json(row[15])
    mac = prepared.copy()
    mac.update(prev.encode() + b"|" + canonical(row, fields, detail))
    if not hmac.compare_digest(mac.hexdigest(), digest):
        return "content was altered"
    count, joined = row[21], row[22]
    subjects = sorted(joined.split(",")) if joined else []
    if count != len(subjects) or subjects != sorted(
        set(subjects_of(row[12], row[13], detail))  # type: ignore[arg-type]
    ):
        return "its subject index was altered"
    kept = anchors.expected(seq)
    if kept is not None and kept != bytes.fromhex(digest)[: anchor.KEPT]:
        return "it differs from its checkpoint: the chain was rewritten from here"
    return None


def check_span(
    key: bytes, anchors: anchor.Anchors, lo: int, hi: int | None, *, by_id: bool = False
) -> Span:
    """Walk lo < seq <= hi (on PostgreSQL with `by_id`: lo < id <= hi, in id order). The first
    row's sequence and its link to the row before the range are left to the join (a range does
    not know what came before it)."""
    if connection.vendor == "postgresql":
        return _message_span(key, anchors, lo, hi, by_id=by_id)
    return _row_span(key, anchors, lo, hi)


def _row_span(key: bytes, anchors: anchor.Anchors, lo: int, hi: int | None) -> Span:
    """The walk over rows from a cursor (SQLite): every column decoded, the canonical form
    built in Python."""
    prepared = hmac.new(key, digestmod="sha256")
    expected = lo + 1
    prev = ""
    first: tuple | None = None
    checked = 0

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
        if row[23] != FORM_JSON:  # only PostgreSQL writes another form, and checks it
            return span(Problem(seq, row[0], f"its form was altered (form {row[23]})"))
        reason = _row_problem(prepared, prev, row, anchors)
        if reason is not None:
            return span(Problem(seq, row[0], reason))
        prev, expected, checked = digest, expected + 1, checked + 1
    return span(None)


# --- PostgreSQL: the columns as bytes through COPY, the canonical form joined from them --------

#: The string columns, first in each COPY row, then the rest; in the order `_copy_sql` selects.
_STRINGS = (
    "action", "actor_username", "legal_basis", "object_id", "object_type", "on_behalf_of",
    "operation", "origin", "purpose", "result", "role",
)  # fmt: skip
# `audit._canonical` in its sorted key order: strings quoted in the template (for strings that
# need no escaping) or already JSON (for those that do).
_KEYS = (
    ("action", 0), ("actor_id", None), ("actor_username", 1), ("at", None), ("detail", None),
    ("emergency", None), ("fields", None), ("legal_basis", 2), ("object_id", 3),
    ("object_type", 4), ("on_behalf_of", 5), ("operation", 6), ("organisation_id", None),
    ("origin", 7), ("purpose", 8), ("result", 9), ("role", 10), ("seq", None),
)  # fmt: skip
_PLAIN_FORM = ("{" + ",".join(
    f'"{k}":"%s"' if i is not None or k == "at" else f'"{k}":%s' for k, i in _KEYS
) + "}").encode()  # fmt: skip
_JSON_FORM = ("{" + ",".join(
    f'"{k}":"%s"' if k == "at" else f'"{k}":%s' for k, _ in _KEYS
) + "}").encode()  # fmt: skip
_EMERGENCY = {b"t": b"true", b"f": b"false"}
# How `datetime.isoformat(timespec="microseconds")` writes a time in UTC.
_AT = "to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')"
# The bytes a JSON string holds as they are (printable ASCII but the quote and the backslash),
# and the field separator: a row with any other byte before its JSON columns has its strings
# encoded one by one.
_PLAIN = bytes([9, *(c for c in range(0x20, 0x7F) if c not in (0x22, 0x5C))])
#: Entries per COPY: the subject index of one chunk is held in memory while it streams.
CHUNK = 100_000


def _copy_sql(lo: int, hi: int | None) -> str:
    entries = AuditEntry._meta.db_table
    strings = ", ".join(f"e.{c}" for c in _STRINGS)
    bound = "" if hi is None else f" AND e.seq <= {int(hi)}"
    return (
        f"COPY (SELECT {strings}, e.id, e.seq, e.prev_hash, e.hash, "  # noqa: S608 (table names from the models, bounds are ints)
        f"COALESCE(e.actor_id::text, 'null'), COALESCE(e.organisation_id::text, 'null'), "
        f"{_AT}, e.emergency, e.detail::text, e.fields::text "
        f"FROM {entries} e WHERE e.seq > {int(lo)}{bound} ORDER BY e.seq) TO STDOUT"
    )


def _subjects_sql(lo: int, hi: int | None) -> str:
    """Per entry id of the range that names cases: how many, and the numbers comma-joined
    (from the entry's own `case_numbers`, ADR 0086; a NULL element is counted, not joined)."""
    entries = AuditEntry._meta.db_table
    bound = "" if hi is None else f" AND seq <= {int(hi)}"
    return (
        f"COPY (SELECT id, cardinality(case_numbers), array_to_string(case_numbers, ',') "  # noqa: S608
        f"FROM {entries} WHERE seq > {int(lo)}{bound} AND cardinality(case_numbers) > 0) TO STDOUT"
    )


def _lines(sql: str) -> Iterator[bytes]:
    """The lines a COPY writes, each with its newline."""
    connection.ensure_connection()
    with connection.connection.cursor() as cur, cur.copy(sql) as copy:
        for block in copy:
            line = bytes(block)
            if line.find(b"\n") == len(line) - 1:
                yield line
            else:  # the server sends a row per message; be ready for it not to
                yield from (part + b"\n" for part in line.split(b"\n")[:-1])


def chunks(lo: int, hi: int | None) -> Iterator[tuple[dict[bytes, bytes], str]]:
    """lo < seq <= hi in chunks of CHUNK entries: the subject index of each ({entry id:
    b"count<TAB>numbers"}, held while the chunk streams) and the COPY of its entries."""
    while True:
        step = lo + CHUNK
        final = step >= hi if hi is not None else not _more_after(step)
        top = hi if final else step
        index = {}
        for line in _lines(_subjects_sql(lo, top)):
            entry_id, _, rest = line.partition(b"\t")
            index[entry_id] = rest[:-1]
        yield index, _copy_sql(lo, top)
        if final:
            return
        lo = step


def copy_lines(lo: int, hi: int | None) -> Iterator[tuple[bytes, dict[bytes, bytes]]]:
    """Each entry of lo < seq <= hi as the walk reads it: its COPY line and its chunk's index."""
    for index, sql in chunks(lo, hi):
        for line in _lines(sql):
            yield line, index


def _more_after(seq: int) -> bool:
    """Whether the chain goes on past seq (else the open end of the walk is reached)."""
    return AuditEntry.objects.filter(seq__gt=seq).exists()


_COPY_ESCAPE = re.compile(rb"\\(.)")
_COPY_CODES = {b"b": b"\b", b"f": b"\f", b"n": b"\n", b"r": b"\r", b"t": b"\t", b"v": b"\v"}


def _uncopy(field: bytes) -> bytes | None:
    """A field of COPY's text format as the server had it (None for NULL)."""
    if field == rb"\N":
        return None
    return _COPY_ESCAPE.sub(lambda m: _COPY_CODES.get(m.group(1), m.group(1)), field)


_loads = json.JSONDecoder().decode
_CASE_NUMBER_BYTES = re.compile(rb"^MH-\d{4}-\d{6}$")
#: Distinct JSON values remembered per walk (most details and field lists repeat).
JSON_CACHE = 20_000


@dataclass(frozen=True)
class _Detail:
    canonical: bytes
    numbers: frozenset[bytes]  # the entry's subjects named in its detail
    index: bytes  # those as the index query writes them: b"count<TAB>n1,n2"


def _index_text(numbers: list[bytes]) -> bytes:
    """Sorted, distinct numbers as the index query writes them."""
    return b"%d\t%s" % (len(numbers), b",".join(numbers)) if numbers else b""


def _detail_of(raw: bytes, object_type: str) -> _Detail:
    detail = _loads(raw.decode())
    canonical = _json_text(detail).encode()
    if not isinstance(detail, dict):  # never written so; the content check will tell
        return _Detail(canonical, frozenset(), b"")
    numbers = [n.encode() for n in _subjects(object_type, detail)]
    return _Detail(canonical, frozenset(numbers), _index_text(numbers))


def _same_index(found: bytes, wanted: bytes) -> bool:
    """The index as the query wrote it against the one the entry asks for; the numbers may
    come in any order. The count guards the join: a number holding a comma is not two."""
    if found == wanted:
        return True
    if not found or not wanted:
        return False
    count, _, numbers = found.partition(b"\t")
    want_count, _, want_numbers = wanted.partition(b"\t")
    return count == want_count and sorted(numbers.split(b",")) == want_numbers.split(b",")


def _copy_span(key: bytes, anchors: anchor.Anchors, lo: int, hi: int | None) -> Span:
    """`_row_span` over COPY lines: no model, no datetime, no dict per row; each string column
    goes into the canonical form as it is unless it needs escaping, the JSON columns as their
    cached canonical text. A row whose hash does not come out right is a suspect, checked again
    by `_row_problem` once the stream has ended: a row the fast form got wrong (a guard; never
    seen) costs a query, not a false alarm."""
    prepared = hmac.new(key, digestmod="sha256")
    # The OpenSSL object inside, when there is one: copying it skips a Python-level wrapper.
    keyed = getattr(prepared, "_hmac", None) or prepared
    expected = lo + 1
    prev = b""
    first: tuple[int, int, bytes] | None = None
    checked = 0
    present, hashes, kept_len = anchors.present, anchors.hashes, anchor.KEPT
    n_present, hex_len = len(present), 2 * kept_len
    # Per distinct detail, apart for entries about a case (whose list reads name cases).
    case_details: dict[bytes, _Detail] = {}
    other_details: dict[bytes, _Detail] = {}
    field_lists: dict[bytes, bytes] = {}
    # Suspects: (seq, id, prev_hash, checked before it), resolved after the stream.
    suspects: list[tuple[int, int, bytes, int]] = []
    problem: Problem | None = None
    unhex, case_number, plain_bytes = binascii.unhexlify, _CASE_NUMBER_BYTES.match, _PLAIN
    emergency_word, plain_form = _EMERGENCY, _PLAIN_FORM
    escaped: dict[bytes | None, bytes] = {}  # strings as JSON, for the rows that need it

    for line, index in copy_lines(lo, hi):
        if b"\\" in line:  # an escaped character or a NULL: the fields as the server had them
            parts: list[Any] = [_uncopy(f) for f in line[:-1].split(b"\t")]
            plain = False
        else:
            parts = line[:-1].split(b"\t")
            plain = not line[: len(line) - len(parts[19]) - len(parts[20]) - 2].translate(
                None, plain_bytes
            )
        (action, username, basis, object_id, object_type, behalf, operation, origin, purpose,
         result, role, row_id, seq_text, prev_hash, digest, actor_id, org_id, at, emergency,
         detail_raw, fields_raw) = parts  # fmt: skip
        seq = int(seq_text)
        if first is None:
            first, expected, prev = (seq, int(row_id), prev_hash), seq, prev_hash
        if seq != expected:
            problem = Problem(seq, int(row_id), (
                f"entry with sequence {expected} is missing" if seq > expected
                else f"sequence {seq} appears twice or out of order"
            ))  # fmt: skip
            break
        if prev_hash != prev:
            problem = Problem(seq, int(row_id), "link to previous broken")
            break
        is_case = object_type == b"case"
        known = case_details if is_case else other_details
        detail = known.get(detail_raw)
        if detail is None:
            if len(known) >= JSON_CACHE:
                known.clear()
            detail = known[detail_raw] = _detail_of(detail_raw, "case" if is_case else "")
        fields = field_lists.get(fields_raw)
        if fields is None:
            if len(field_lists) >= JSON_CACHE:
                field_lists.clear()
            fields = field_lists[fields_raw] = _list_json(json.loads(fields_raw)).encode()
        values = (action, actor_id, username, at, detail.canonical, emergency_word[emergency],
                  fields, basis, object_id, object_type, behalf, operation, org_id, origin,
                  purpose, result, role, seq_text)  # fmt: skip
        message = plain_form % values if plain else _escaped_form(values, escaped)
        mac = keyed.copy()
        mac.update(prev + b"|" + message)
        if mac.hexdigest().encode() != digest:
            suspects.append((seq, int(row_id), prev_hash, checked))
        else:
            wanted = detail.index
            if is_case and object_id not in detail.numbers and case_number(object_id):
                wanted = (
                    _index_text(sorted(detail.numbers | {object_id})) if detail.numbers
                    else b"1\t" + object_id
                )  # fmt: skip
            if not _same_index(index.get(row_id, b""), wanted):
                problem = Problem(seq, int(row_id), "its subject index was altered")
                break
            if (
                seq < n_present
                and present[seq]
                and hashes[seq * kept_len : (seq + 1) * kept_len] != unhex(digest[:hex_len])
            ):
                problem = Problem(seq, int(row_id), (
                    "it differs from its checkpoint: the chain was rewritten from here"
                ))  # fmt: skip
                break
        prev, expected, checked = digest, expected + 1, checked + 1

    if suspects:
        found = _resolve(prepared, anchors, suspects, problem)
        if found is not None:
            problem, prev, checked = found
    return Span(
        lo, first[0] if first else None, first[1] if first else None,
        first[2].decode() if first else "", prev.decode(), checked, problem,
    )  # fmt: skip


_STRING_AT = tuple(i for i, (_, column) in enumerate(_KEYS) if column is not None)


def _escaped_form(values: tuple, escaped: dict[bytes | None, bytes]) -> bytes:
    """The canonical form of a row with a string that needs escaping: each string as JSON
    (remembered: such strings, a legal basis with an accent, repeat)."""
    out = list(values)
    for i in _STRING_AT:
        value = out[i]
        text = escaped.get(value)
        if text is None:
            if len(escaped) >= JSON_CACHE:
                escaped.clear()
            text = escaped[value] = (
                b"null" if value is None
                else _s(value.decode("utf-8", "surrogateescape")).encode("ascii", "surrogateescape")
            )  # fmt: skip
        out[i] = text
    return _JSON_FORM % tuple(out)


def _resolve(
    prepared: hmac.HMAC,
    anchors: anchor.Anchors,
    suspects: list[tuple[int, int, bytes, int]],
    problem: Problem | None,
) -> tuple[Problem, bytes, int] | None:
    """The first suspect (before the problem the stream stopped at, if any) that the slow
    check finds wrong: its problem, the hash before it and the rows checked before it."""
    sql = _sql(0, None)[0].replace("WHERE e.seq > %s", "WHERE e.id = ANY(%s)")
    wanted = [s for s in suspects if problem is None or s[0] <= problem.seq]
    by_id = {}
    with connection.cursor() as cur:
        for start in range(0, len(wanted), FETCH):
            cur.execute(sql, [[s[1] for s in wanted[start : start + FETCH]]])
            by_id.update({row[0]: row for row in cur.fetchall()})
            for seq, row_id, prev_hash, checked in wanted[start : start + FETCH]:
                row = by_id.pop(row_id, None)
                reason = (
                    "content was altered" if row is None  # gone between the two reads
                    else _row_problem(prepared, prev_hash.decode(), row, anchors)
                )  # fmt: skip
                if reason is not None:
                    return Problem(seq, row_id, reason), prev_hash, checked
    return None


# --- PostgreSQL: each entry's message written by the server, hashed as streamed (ADR 0059) ----


def _message_copy_sql(lo: int, hi: int | None, *, by_id: bool = False) -> str:
    """seq, id, form, hash and, for a FORM_COLUMNS entry its whole message (`audit_form`), for
    an older one its stored prev_hash (its content is checked by `_copy_span` afterwards).

    Each entry's case numbers come from its own row (`case_numbers`, ADR 0086), sized and
    sorted by a subquery over the array. A message that comes out wrong cannot hash right, and
    `audit.verify` takes a problem the fast walk (`by_id`) finds only from the exact walk."""
    entries = AuditEntry._meta.db_table
    column = "id" if by_id else "seq"
    where = f"e.{column} > {int(lo)}" + ("" if hi is None else f" AND e.{column} <= {int(hi)}")
    # The range's rows with the text of `fields` written once (`OFFSET 0` keeps the subquery
    # from being folded into the outer query, which would write it twice: ADR 0064).
    rows = (
        f"(SELECT e.*, e.fields::text AS fields_text FROM {entries} e "  # noqa: S608 (table names from the models, bounds are ints)
        f"WHERE {where} ORDER BY e.{column} OFFSET 0) AS e"
    )
    # In id order a NULL sequence (an altered row) is left out, as the merged walk left it out.
    only = " WHERE e.seq IS NOT NULL" if by_id else ""
    return (
        f"COPY (SELECT e.seq, e.id, e.form, e.hash, CASE WHEN e.form = {FORM_COLUMNS} "  # noqa: S608
        f"THEN {message_sql(fields='e.fields_text')} ELSE e.prev_hash END "
        f"FROM {rows}{only} ORDER BY e.{column}) TO STDOUT"
    )


_COLUMNS_FORM, _JSON_FORM_TEXT = b"%d" % FORM_COLUMNS, b"%d" % FORM_JSON


#: Sent before each COPY of the walk (ADR 0064): no parallel plan, no JIT. Verify runs its own
#: processes, one per core; a parallel plan of a range added two server processes that each
#: aggregated the range's whole subject index again (measured: 9.9 CPU-s per million instead of
#: 6.0). Compiling the message expression costs more than it saves over a range's rows.
SERIAL_PLAN = "SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL jit = off; "


def _libpq_lines(sql: str) -> Generator[bytes, None, None]:
    """The lines a COPY writes, each with its newline, read from libpq itself: bytes as libpq
    hands them over, no wait generator per row (0.4 µs a row against psycopg's Copy's 0.75,
    measured alternately). The reference loop's reader: a line at a time, each buffer freed
    before the next is read (batched as `_libpq_messages` does, the same loop cost 25–45% more
    client CPU, ADR 0068)."""
    get = _copy_started(sql)
    copying = True
    try:
        while True:
            size, view = get(0)
            if size <= 0:
                copying = False
                break
            line = bytes(view)
            if line.find(b"\n") == size - 1:
                yield line
            else:  # the server sends a row per message; be ready for it not to
                yield from (part + b"\n" for part in line.split(b"\n")[:-1])
    finally:
        _copy_ended(copying)


#: COPY messages read from libpq before they are handed on (to the compiled walk in one call).
#: Few enough that their buffers stay in the CPU's cache: 64 cost the walk 1.5–1.6 µs an entry
#: of client CPU, 512 cost 2.1–3.2 (one process, alternating, ADR 0068).
MESSAGES = 64


def _libpq_messages(sql: str) -> Generator[list[Any], None, None]:
    """The messages a COPY writes, in lists of up to MESSAGES, each the buffer libpq hands
    over (a memoryview that owns it): for the compiled walk, which takes a list per call."""
    get = _copy_started(sql)
    copying, rows = True, range(MESSAGES)
    try:
        while copying:
            messages: list[Any] = []
            append = messages.append
            for _ in rows:
                size, view = get(0)
                if size <= 0:
                    copying = False
                    break
                append(view)
            if messages:
                yield messages
    finally:
        _copy_ended(copying)


def _copy_started(sql: str) -> Any:
    """Send the COPY; its reader (`get_copy_data`) once it streams, else psycopg's error.

    Outside a transaction the COPY goes in one string after SERIAL_PLAN: the two statements
    run as one implicit transaction, so the setting holds for this COPY only. Inside a caller's
    transaction it would last to that transaction's end, so the COPY goes alone."""
    connection.ensure_connection()
    pgconn = connection.connection.pgconn
    alone = pgconn.transaction_status != TransactionStatus.IDLE
    pgconn.send_query((sql if alone else SERIAL_PLAN + sql).encode())
    result = pgconn.get_result()
    while result is not None and result.status == ExecStatus.COMMAND_OK:  # the SETs
        result = pgconn.get_result()
    if result is None or result.status != ExecStatus.COPY_OUT:
        failed = _error_of(result)
        while pgconn.get_result() is not None:
            pass
        raise psycopg.DatabaseError(failed)
    return pgconn.get_copy_data


def _copy_ended(copying: bool) -> None:
    """After a COPY's stream: stopped early (`copying`), the rest is read and dropped, so the
    connection is left as psycopg knows it; an error is raised as psycopg's."""
    pgconn = connection.connection.pgconn
    while copying and pgconn.get_copy_data(0)[0] > 0:
        pass
    failed = None
    while (result := pgconn.get_result()) is not None:
        if result.status not in (ExecStatus.COMMAND_OK, ExecStatus.COPY_OUT):
            failed = _error_of(result)
    if failed is not None:
        raise psycopg.DatabaseError(failed)


def _error_of(result: Any) -> str:
    message = result.error_message if result is not None else b""
    return bytes(message).decode(errors="replace") or "COPY failed"


def _message_span(
    key: bytes, anchors: anchor.Anchors, lo: int, hi: int | None, *, by_id: bool = False
) -> Span:
    """The walk of lo < seq <= hi on PostgreSQL (with `by_id` of lo < id <= hi, in id order:
    the fast walk, see `_message_copy_sql`). A FORM_COLUMNS entry arrives as its message
    and is hashed as it comes: its link is the message's start, its content and subject index
    are the message. The older entries, which come first in any chain, are checked after the
    stream by ADR 0042's walk (`_copy_span`) over their sequences; a FORM_JSON entry after a
    FORM_COLUMNS one is refused (appends never go back). The first problem in sequence wins."""
    keyed = _prepared_key(key)
    expected = lo + 1
    prev = b""
    first: tuple[int, int, bytes] | None = None
    checked = 0
    present, hashes, kept_len = anchors.present, anchors.hashes, anchor.KEPT
    n_present, hex_len = len(present), 2 * kept_len
    unhex = binascii.unhexlify
    columns, json_form = _COLUMNS_FORM, _JSON_FORM_TEXT
    problem: Problem | None = None
    first_json: tuple[int, int] | None = None
    last_json: int | None = None  # the last FORM_JSON sequence walked (they come first)
    saw_columns = False
    sql = _message_copy_sql(lo, hi, by_id=by_id)
    # With the compiled walk, the loop below sees only the lines it does not accept (and the
    # first): it takes the walk's state before such a line and hands its own back after.
    ahead = _Ahead(lo + 1) if _compiled is not None else None
    lines = _libpq_lines(sql) if ahead is None else _lines_ahead(sql, key, anchors, ahead)

    fields: list[Any]
    for line in lines:
        if ahead is not None:
            expected, prev, checked = ahead.expected, ahead.prev, ahead.checked
            saw_columns = ahead.saw_columns
        if b"\\" in line:  # an escaped character or a NULL: the fields as the server had them
            fields = [_uncopy(f) for f in line[:-1].split(b"\t")]
        else:
            fields = line[:-1].split(b"\t")
        seq_text, row_id, form, digest, message = fields
        seq = int(seq_text)
        if first is None:
            start = message[:64] if message is not None else b""
            first, expected, prev = (seq, int(row_id), start), seq, start
        if seq != expected:
            problem = Problem(seq, int(row_id), (
                f"entry with sequence {expected} is missing" if seq > expected
                else f"sequence {seq} appears twice or out of order"
            ))  # fmt: skip
            break
        if form == columns:
            if message is None:  # a column the message needs was emptied (NULL)
                problem = Problem(seq, int(row_id), "content was altered")
                break
            if not (message.startswith(prev) and message.startswith(b"|2|", 64)):
                problem = Problem(seq, int(row_id), "link to previous broken")
                break
            mac = keyed.copy()
            mac.update(message)
            if mac.hexdigest().encode() != digest:
                problem = Problem(seq, int(row_id), _columns_reason(message))
                break
            saw_columns = True
            if (  # the hash is proven hex by now
                seq < n_present
                and present[seq]
                and hashes[seq * kept_len : (seq + 1) * kept_len] != unhex(digest[:hex_len])
            ):
                problem = Problem(seq, int(row_id), (
                    "it differs from its checkpoint: the chain was rewritten from here"
                ))  # fmt: skip
                break
        elif form == json_form:  # content and checkpoint: by `_copy_span` below
            if first_json is None:
                first_json = (seq, int(row_id))
            if saw_columns:
                problem = Problem(seq, int(row_id), RELABELLED)
                break
            if message != prev or digest is None:
                reason = "content was altered" if digest is None else "link to previous broken"
                problem = Problem(seq, int(row_id), reason)
                break
            last_json = seq
        else:
            reason = f"its form was altered (form {'NULL' if form is None else form.decode()})"
            problem = Problem(seq, int(row_id), reason)
            break
        prev, expected, checked = digest, expected + 1, checked + 1
        if ahead is not None:
            ahead.expected, ahead.prev, ahead.checked = expected, prev, checked
            ahead.saw_columns, ahead.started = saw_columns, True
    else:  # the stream ended: the compiled walk may have accepted lines after the loop's last
        if ahead is not None:
            expected, prev, checked = ahead.expected, ahead.prev, ahead.checked
            saw_columns = ahead.saw_columns
    lines.close()  # left early: the rest of the COPY is read now, before any other query

    last_hash = prev.decode()
    if first_json is not None and last_json is not None:  # the older entries, by their walk
        older = _copy_span(key, anchors, first_json[0] - 1, last_json)
        if older.problem is not None:
            problem, checked, last_hash = older.problem, older.checked, older.last_hash
    return Span(
        lo, first[0] if first else None, first[1] if first else None,
        first[2].decode() if first else "", last_hash, checked, problem,
        first_json, saw_columns,
    )  # fmt: skip


class _Ahead:
    """The state of `_message_span`'s walk where the compiled walk (`_lines_ahead`) left it or
    the loop handed it back: the sequence expected next, the previous hash, the entries
    checked, whether a FORM_COLUMNS entry was, and whether the loop took the first line."""

    __slots__ = ("checked", "expected", "prev", "saw_columns", "started")

    def __init__(self, expected: int) -> None:
        self.expected, self.prev, self.checked = expected, b"", 0
        self.saw_columns = self.started = False


def _lines_ahead(
    sql: str, key: bytes, anchors: anchor.Anchors, ahead: _Ahead
) -> Generator[bytes, None, None]:
    """The lines of the COPY that `_message_span`'s loop must see: the first, and each the
    compiled walk (`_chainwalk.walk`) does not accept as a plainly right FORM_COLUMNS entry
    (a problem, an escaped or NULL field, the older form, a message that is not one line); the
    entries it accepts advance `ahead` as the loop would have. The compiled walk only skips
    work: whatever it does not accept, the loop judges."""
    assert _compiled is not None
    walk, state = _compiled.walk, _compiled.prepare(key)
    present, hashes, kept = anchors.present, anchors.hashes, anchor.KEPT
    for messages in _libpq_messages(sql):
        at, count = 0, len(messages)
        while at < count:
            if ahead.started:
                to, prev = walk(state, messages, at, ahead.expected, ahead.prev, present, hashes,
                                kept)  # fmt: skip
                if to > at:
                    ahead.expected += to - at
                    ahead.checked += to - at
                    ahead.prev, ahead.saw_columns = prev, True
                    at = to
                    if at == count:
                        break
            line = bytes(messages[at])
            at += 1
            if line.find(b"\n") == len(line) - 1:
                yield line
            else:  # the server sends a row per message; be ready for it not to
                yield from (part + b"\n" for part in line.split(b"\n")[:-1])


def _columns_reason(message: bytes) -> str:
    """Why a FORM_COLUMNS message does not hash right, as far as the row tells: its subject
    index when that is not what its own columns name (as ADR 0020's walk says), else its
    content. Only the wording: the hash already refused the row."""
    try:
        parts = parse(message)
        detail = json.loads(str(parts["detail"]))
    except (ValueError, UnicodeDecodeError):
        return "content was altered"
    if isinstance(detail, dict):
        named = subjects_of(str(parts["object_type"]), str(parts["object_id"]), detail)
        if sorted(set(named)) != parts["subjects"]:
            return "its subject index was altered"
    return "content was altered"


def _prepared_key(key: bytes) -> Any:
    """The HMAC with its key absorbed, each message hashed by a copy: OpenSSL's object when
    there is one (a cheaper copy; measured cheaper than `hmac.digest`, which fetches the
    digest by name each call)."""
    prepared = hmac.new(key, digestmod="sha256")
    return getattr(prepared, "_hmac", None) or prepared


# State a forked worker inherits instead of receiving it pickled (the checkpoints can be large).
_inherited: dict[str, object] = {}


def _span_in_worker(bounds: tuple[int, int | None]) -> Span:
    key, anchors = _inherited["key"], _inherited["anchors"]
    return check_span(key, anchors, *bounds, by_id=bool(_inherited["by_id"]))  # type: ignore[arg-type]


def _bounds(top: int, parts: int) -> list[tuple[int, int | None]]:
    step = max(1, -(-top // parts))
    edges = list(range(0, top, step))
    return [(lo, lo + step) for lo in edges[:-1]] + [(edges[-1], None)]


def worker_count() -> int:
    return min(os.cpu_count() or 1, 8)


def spans(
    key: bytes, anchors: anchor.Anchors, *, workers: int | None = None, by_id: bool = False
) -> list[Span]:
    """The chain as ranges (of sequence numbers, or with `by_id` of ids), checked in parallel
    processes when it is large enough and the connection can be given up (not inside a
    transaction); else one range here."""

    workers = workers if workers is not None else worker_count()
    by_id = by_id and connection.vendor == "postgresql"
    top = AuditEntry.objects.aggregate(m=Max("id" if by_id else "seq"))["m"] or 0
    if (
        workers < 2
        or top < PARALLEL_FROM
        or connection.vendor != "postgresql"
        or connection.in_atomic_block
    ):
        return [check_span(key, anchors, 0, None, by_id=by_id)]
    bounds = _bounds(top, workers * RANGES_PER_WORKER)
    return parallel_spans(key, anchors, bounds, workers, by_id=by_id)


def parallel_spans(
    key: bytes,
    anchors: anchor.Anchors,
    bounds: list[tuple[int, int | None]],
    workers: int,
    *,
    by_id: bool = False,
) -> list[Span]:
    import multiprocessing

    _inherited.update(key=key, anchors=anchors, by_id=by_id)
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
    saw_columns = False  # a FORM_COLUMNS entry in an earlier range
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
        if saw_columns and part.first_json is not None:
            seq, row_id = part.first_json
            return Walk(checked + seq - part.first_seq, prev, Problem(seq, row_id, RELABELLED))
        saw_columns = saw_columns or part.saw_columns
        checked += part.checked
        prev = part.last_hash
        if part.problem:
            return Walk(checked, prev, part.problem)
        expected = part.first_seq + part.checked
    return Walk(checked, prev, None)
