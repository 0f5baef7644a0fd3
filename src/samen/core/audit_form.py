"""The message an audit entry's hash covers in FORM_COLUMNS (ADR 0059): defined once, twice over.

`columns_message` builds it in Python when the entry is appended (the HMAC needs the key, which
never goes to the database); `message_sql` has PostgreSQL write the same bytes from the stored
row, so `samen audit verify` streams each entry's message and only hashes it: no column decoded,
no canonical form rebuilt, nothing compared. The two are kept side by side so they cannot drift;
a test compares them on awkward content.

    prev_hash "|2|" seq "|" at "|" actor_id "|" organisation_id "|" emergency (t or f) "|"
    sized(each of SIZED_COLUMNS) sized(fields) sized(each subject index number) "|" detail

`sized(x)` is `octet_length(x) ":" x`; `at` is the time in UTC as `isoformat(timespec=
"microseconds")` writes it; missing ids are empty; `fields` and `detail` are PostgreSQL's own
text of the stored `jsonb` (the append asks the server for it, in the round trip that locks the
chain head); the subject index numbers are sorted bytewise (`COLLATE "C"`). Every part is sized
or cannot hold the delimiter after it, and the detail comes last, so two different rows never
give the same message; a relabelled form cannot pass either, since a FORM_JSON message starts
with `prev_hash "|{"`.
"""

from __future__ import annotations

import json
from datetime import UTC

#: AuditEntry.form: which message an entry's hash covers.
FORM_JSON = 1  # the canonical JSON of the chained fields (ADR 3): SQLite; older PostgreSQL rows
FORM_COLUMNS = 2  # this module's message: entries appended on PostgreSQL since migration 0011

#: The string columns, each sized, in this order.
SIZED_COLUMNS = (
    "actor_username", "on_behalf_of", "role", "action", "operation", "object_type", "object_id",
    "purpose", "legal_basis", "result", "origin",
)  # fmt: skip
# How `datetime.isoformat(timespec="microseconds")` writes a time in UTC (ADR 0042).
AT_SQL = "to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')"


def _sized(text: str) -> bytes:
    raw = text.encode()
    return b"%d:%s" % (len(raw), raw)


def _number(value: int | None) -> bytes:
    return b"" if value is None else b"%d" % value


def columns_message(
    prev_hash: str,
    values: dict,
    texts: dict[str, str],
    subjects: list[str],
    dumped: tuple[str, str] | None = None,
) -> bytes:
    """The message of an entry with these chained `values` (as `audit.entry_values` makes them,
    with its seq), after `prev_hash`, with these subject index numbers. `texts` maps the JSON
    text of `fields` and `detail` as the model's JSONField sends it (`json.dumps`) to
    PostgreSQL's text of that `jsonb` (`%s::jsonb::text`). `dumped`: those two JSON texts, when
    the caller has them already (`json.dumps` of `fields` and `detail`)."""
    fields_json, detail_json = dumped or (
        json.dumps(values["fields"]),
        json.dumps(values["detail"]),
    )
    at = values["at"].astimezone(UTC).isoformat(timespec="microseconds")
    head = b"%s|2|%d|%s|%s|%s|%s|" % (
        prev_hash.encode(), values["seq"], at.encode(), _number(values["actor_id"]),
        _number(values["organisation_id"]), b"t" if values["emergency"] else b"f",
    )  # fmt: skip
    strings = b"".join([_sized(str(values[name])) for name in SIZED_COLUMNS])
    fields = _sized(texts[fields_json])
    index = b"".join([_sized(n) for n in sorted(subjects)])  # code points: UTF-8 byte order
    detail = texts[detail_json].encode()
    return b"%s%s%s%s|%s" % (head, strings, fields, index, detail)


def _sized_sql(expr: str) -> str:
    return f"octet_length({expr}) || ':' || {expr}"


#: The row's case numbers (`e.case_numbers`, ADR 0086) sized and joined in the array's own
#: order: the append and migration 0013 store them sorted bytewise, as the message has them, so
#: no sort is needed (one per entry made verify's query ~40% slower). An array stored in another
#: order gives another message and fails its hash: a changed row is found, never passed. An
#: element that is NULL (never written so) is written `NULL`: no sized number starts so, so a
#: NULL slipped into the array changes the message instead of vanishing from it. `unnest`
#: reads an array out in storage order and the aggregate takes its rows as they come.
NUMBERS_SQL = (
    f"(SELECT string_agg(COALESCE({_sized_sql('u.n')}, 'NULL'), '') "  # noqa: S608 (no input)
    "FROM unnest(e.case_numbers) AS u(n))"
)

#: Bytes of a well-formed case number (`MH-2026-000123`, `audit_verify.CASE_NUMBER`): the only
#: numbers the append stores.
CASE_NUMBER_BYTES = 14

#: `NUMBERS_SQL` without its subquery where every number has CASE_NUMBER_BYTES bytes: then the
#: sized join is the numbers joined with that size as separator, two array functions instead of
#: a subquery a row (`unnest` and `string_agg` cost verify's server ~4 µs an entry; 6.8 s for a
#: million entries where the subject rows gave 4.3-4.7). The test is on the lengths' sum, which
#: is exact enough: an array of n numbers whose bytes add up to n sizes (NULL elements are left
#: out of the sum but counted by `cardinality`, so they fail it) gives a text of 17 n bytes with
#: n separators. Were it to equal a stored array's text, whose numbers hold no ':', it would
#: hold as many colons as that one, so none of its numbers holds one either, and its numbers
#: would be those. Any other array takes the subquery; a row's message stays one to one with its
#: numbers, so a changed array still fails its hash.
_SIZE = f"{CASE_NUMBER_BYTES}:"
NUMBERS_FAST_SQL = (
    "CASE WHEN e.case_numbers IS NULL THEN '' "
    "WHEN cardinality(e.case_numbers) > 0 AND octet_length(array_to_string(e.case_numbers, '')) "
    f"= {CASE_NUMBER_BYTES} * cardinality(e.case_numbers) "
    f"THEN '{_SIZE}' || array_to_string(e.case_numbers, '{_SIZE}') "
    f"ELSE COALESCE({NUMBERS_SQL}, '') END"
)


def message_sql(*, fields: str = "e.fields::text") -> str:
    """The expression that writes `columns_message` of the row `e`, its case numbers from its
    own `case_numbers`. `fields` is the text of its `fields`: sized, it is used twice, and
    PostgreSQL would write the `jsonb` out twice (ADR 0064: verify's query selects it once, in
    a subquery)."""
    strings = " || ".join(_sized_sql(f"e.{name}") for name in SIZED_COLUMNS)
    numbers = NUMBERS_FAST_SQL
    return (
        f"e.prev_hash || '|2|' || e.seq || '|' || {AT_SQL} || '|' || "
        "COALESCE(e.actor_id::text, '') || '|' || COALESCE(e.organisation_id::text, '') || '|' "
        "|| CASE e.emergency WHEN true THEN 't' WHEN false THEN 'f' END || '|' || "
        f"{strings} || {_sized_sql(fields)} || {numbers} || '|' || e.detail::text"
    )


def parse(message: bytes) -> dict[str, object]:
    """A message split back into its parts (for the reason of a failed check, and the tests):
    the columns by name as text, `subjects` as a list. ValueError when it is not one."""
    prev, form, seq, at, actor_id, org_id, emergency, rest = message.split(b"|", 7)
    if form != b"2" or emergency not in (b"t", b"f"):
        raise ValueError("not a FORM_COLUMNS message")
    parts: dict[str, object] = {
        "prev_hash": prev.decode(), "seq": seq.decode(), "at": at.decode(),
        "actor_id": actor_id.decode(), "organisation_id": org_id.decode(),
        "emergency": emergency == b"t",
    }  # fmt: skip
    items: list[str] = []
    at_byte = 0
    while rest[at_byte : at_byte + 1].isdigit():
        colon = rest.index(b":", at_byte)
        size, start = rest[at_byte:colon], colon + 1
        items.append(rest[start : start + int(size)].decode())
        at_byte = start + int(size)
    if len(items) <= len(SIZED_COLUMNS) or rest[at_byte : at_byte + 1] != b"|":
        raise ValueError("not a FORM_COLUMNS message")
    parts.update(zip(SIZED_COLUMNS, items, strict=False))
    parts["fields"] = items[len(SIZED_COLUMNS)]
    parts["subjects"] = items[len(SIZED_COLUMNS) + 1 :]
    parts["detail"] = rest[at_byte + 1 :].decode()
    return parts
