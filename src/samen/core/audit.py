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
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.conf import settings
from django.db import DatabaseError, connection, connections, models, transaction
from django.db.models import JSONField
from django.utils import timezone

from samen.core import anchor, audit_verify, statements
from samen.core.anchor import Checkpoint
from samen.core.audit_form import FORM_COLUMNS, FORM_JSON, columns_message
from samen.core.audit_verify import sorted_subjects
from samen.core.keys import key
from samen.core.models import AuditChainHead, AuditEntry, AuditSubject

if TYPE_CHECKING:
    from django.db.models import Field, QuerySet

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


def entry_values(
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
) -> dict:
    """The chained values of one entry, all but its sequence number (set when appended)."""
    user = actor.user if getattr(actor.user, "is_authenticated", False) else None
    org = actor.organisation
    return {
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
    values = entry_values(
        actor, action, object_type=object_type, object_id=object_id, fields=fields,
        result=result, purpose=purpose, legal_basis=legal_basis, emergency=emergency,
        detail=detail,
    )  # fmt: skip
    pending = _held.get()
    if result != "ok" and pending is not None and connection.in_atomic_block:
        pending.append(values)
        return
    _append([values])


def record_many(actor: Actor, action: str, entries: Iterable[dict[str, Any]]) -> None:
    """Several entries of one actor appended in one statement, chained in the given order; each
    item holds entry_values' keywords (object_type, object_id, fields, detail, ...)."""
    batch = [entry_values(actor, action, **kwargs) for kwargs in entries]
    if batch:
        _append(batch)


# Who reads an entry's case numbers asks these two (ADR 0086): PostgreSQL keeps them in the
# entry (`case_numbers`, GIN-indexed), SQLite as one AuditSubject row each.


def about_cases(entries: QuerySet[AuditEntry], numbers: Iterable[str]) -> QuerySet[AuditEntry]:
    """The entries of `entries` about any of these case numbers, each once."""
    wanted = list(numbers)
    if connection.vendor == "postgresql":
        return entries.filter(case_numbers__overlap=wanted)
    return entries.filter(subjects__case_number__in=wanted).distinct()


def cases_of(entries: Iterable[AuditEntry]) -> set[str]:
    """The case numbers these entries are about, together."""
    if connection.vendor == "postgresql":
        return {n for entry in entries for n in entry.case_numbers or ()}
    ids = [entry.pk for entry in entries]
    return set(AuditSubject.objects.filter(entry__in=ids).values_list("case_number", flat=True))


# The write path (ADR 0043). Per append, whatever the number of entries: one statement that
# locks and reads the head, one that inserts the entries, their subject index rows and moves
# the head (one statement on PostgreSQL; three cheap calls on SQLite), then the commit. The
# entries' values are prepared by the model's own fields, exactly as the ORM would store them.
_VALUE_COLUMNS = (*CHAINED_FIELDS, "prev_hash", "hash", "form")
_BATCH = 500  # entries per INSERT: far below SQLite's limit of bound parameters


@dataclass(frozen=True)
class _Tables:
    entries: str
    subjects: str
    head: str
    columns: str  # the entry table's columns in _VALUE_COLUMNS order
    numbers: str  # the column of an entry's case numbers (PostgreSQL, ADR 0086)
    named_fields: tuple  # (value name, model field preparing it for the database), same order


@cache
def _tables() -> _Tables:
    meta = AuditEntry._meta
    # Concrete fields of the entry (its foreign keys by their column names, actor_id ...).
    fields = tuple(cast("Field[Any, Any]", meta.get_field(name)) for name in _VALUE_COLUMNS)
    return _Tables(
        entries=meta.db_table,
        subjects=AuditSubject._meta.db_table,
        head=AuditChainHead._meta.db_table,
        columns=", ".join(connection.ops.quote_name(f.column) for f in fields),
        numbers=connection.ops.quote_name(meta.get_field("case_numbers").column),
        named_fields=tuple(zip(_VALUE_COLUMNS, fields, strict=True)),
    )


def _late_commit_allowed(batch: list[dict], db: Any = connection) -> bool:
    """Whether this append may commit without waiting for the WAL flush (PostgreSQL only):
    entries of reads only, in a transaction of their own. Inside an outer transaction the
    setting would cover the caller's data too, and a write's entry stays as durable as it.
    `db`: the connection, or (what the append passes) this thread's own connection object,
    which spares the proxy's thread-local look-up per attribute (ADR 0105)."""
    return (
        db.vendor == "postgresql"
        and not db.in_atomic_block
        and all(v["operation"] == "R" for v in batch)
    )


def _crosses(first: int, last: int, every: int) -> bool:
    """Whether first..last holds a multiple of `every`."""
    every = max(1, int(every))
    return last // every > (first - 1) // every


def form() -> int:
    """The form new entries are hashed in on this database (ADR 0059)."""
    return FORM_COLUMNS if connection.vendor == "postgresql" else FORM_JSON


def _json_of(batch: list[dict]) -> list[str]:
    """The distinct JSON texts of the batch's `fields` and `detail`, as the model's JSONField
    sends them (json.dumps), for the server to give back as its `jsonb` text."""
    return _distinct(_dumps(batch))


_Dumps = list[tuple[str, str]]  # json.dumps of each entry's `fields` and `detail`, in order


def _dumps(batch: list[dict]) -> _Dumps:
    return [(json.dumps(v["fields"]), json.dumps(v["detail"])) for v in batch]


def _distinct(dumps: _Dumps) -> list[str]:
    """_json_of from the entries' texts dumped once (ADR 0105: `_chained` takes the same)."""
    return list(dict.fromkeys(text for pair in dumps for text in pair))


_Head = tuple[int, str, dict[str, str]]  # seq, hash, {json.dumps text: jsonb text}
# PostgreSQL's own text of each JSON text in the array parameter, in order.
_JSONB_TEXTS = (
    "(SELECT array_agg(x::jsonb::text ORDER BY i) "
    "FROM unnest(%s::text[]) WITH ORDINALITY AS u(x, i))"
)


_SCALAR_TEXTS = 200  # up to so many JSON texts a column each, more as one array


def jsonb_texts(cursor: Any, jsons: list[str]) -> dict[str, str]:
    """{JSON text: PostgreSQL's text of it as `jsonb`}, as the append gets it while it locks the
    head (for loading entries in bulk, e.g. the verify benchmark)."""
    cursor.execute(f"SELECT {_JSONB_TEXTS}", [jsons])
    return dict(zip(jsons, cursor.fetchone()[0], strict=True))


def _lock_sql(*, late: bool, jsons: list[str] | None) -> tuple[str, list[Any] | None]:
    """PostgreSQL: the statement that locks and reads the head; with `late`, ADR 43's late
    commit set for this transaction; with `jsons`, PostgreSQL's `jsonb` text of each."""
    t = _tables()
    # set_config(..., true) is SET LOCAL: this transaction only, in the same round trip.
    late_sql = "set_config('synchronous_commit', 'off', true), " if late else ""
    texts_sql, params = "", cast("list[Any] | None", None)
    if jsons and len(jsons) <= _SCALAR_TEXTS:
        # One column each: binding a text[] costs the client ~30 µs, a few texts ~4 µs.
        texts_sql, params = ", %s::jsonb::text" * len(jsons), list(jsons)
    elif jsons:
        texts_sql, params = f", {_JSONB_TEXTS}", [jsons]
    sql = f"SELECT {late_sql}seq, hash{texts_sql} FROM {t.head} WHERE id = 1 FOR UPDATE"  # noqa: S608 (table names from the models)
    return sql, params


def _create_head(cursor: Any) -> None:
    """The first entry ever: create the head row (then lock it)."""
    head = _tables().head
    cursor.execute(
        f"INSERT INTO {head} (id, seq, hash) VALUES (1, 0, %s) ON CONFLICT (id) DO NOTHING",  # noqa: S608
        [GENESIS],
    )


def _head_of(row: Any, jsons: list[str] | None) -> _Head:
    if jsons and len(jsons) <= _SCALAR_TEXTS:
        at = len(row) - len(jsons)
        return int(row[at - 2]), str(row[at - 1]), dict(zip(jsons, row[at:], strict=True))
    if jsons:
        return int(row[-3]), str(row[-2]), dict(zip(jsons, row[-1], strict=True))
    return int(row[-2]), str(row[-1]), {}


def _lock_head(
    cursor: Any, *, late: bool, begin: bool = False, jsons: list[str] | None = None
) -> _Head:
    """Lock and read the head; with `begin`, open the transaction in the same round trip. With
    `jsons` (FORM_COLUMNS), PostgreSQL's `jsonb` text of each, in the same statement: the
    message of such an entry holds its JSON columns as the server writes them."""
    params: list[Any] | None = None
    if connection.vendor == "postgresql":
        sql, params = _lock_sql(late=late, jsons=jsons)
    else:  # SQLite: the IMMEDIATE transaction already holds the write lock
        sql = f"SELECT seq, hash FROM {_tables().head} WHERE id = 1"  # noqa: S608
    if begin:
        cursor.execute(f"BEGIN; {sql}", params)
        cursor.nextset()  # the SELECT's result, after BEGIN's
    else:
        cursor.execute(sql, params)
    row = cursor.fetchone()
    if row is None:
        _create_head(cursor)
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return _head_of(row, jsons)


# rows, subject rows (SQLite: (seq, case number) each), head. On PostgreSQL each row ends with
# its case numbers comma-joined (None for none) and there are no subject rows (ADR 0086).
_Write = tuple[list[list[Any]], list[tuple[int, str]], tuple[int, str]]


def _insert_sql(write: _Write) -> tuple[str, list[Any]]:
    """PostgreSQL: one statement that inserts the rows, each with its case numbers, and moves
    the head."""
    rows, _subjects, head = write
    t = _tables()
    # The numbers as one text split by the server: binding a list costs the client far more
    # (psycopg dumps an array element by element in Python). Case numbers hold no comma.
    one = "(" + ", ".join(["%s"] * len(_VALUE_COLUMNS)) + ", string_to_array(%s, ','))"
    params = [p for row in rows for p in row]
    sql = (
        f"WITH e AS (INSERT INTO {t.entries} ({t.columns}, {t.numbers}) VALUES "  # noqa: S608
        f"{', '.join([one] * len(rows))}) "
        f"UPDATE {t.head} SET seq = %s, hash = %s WHERE id = 1"
    )
    return sql, [*params, *head]


def _insert(cursor: Any, write: _Write) -> None:
    """Insert the prepared entry rows and their subject index rows and move the head."""
    if connection.vendor == "postgresql":
        cursor.execute(*_insert_sql(write))
        return
    rows, subjects, head = write
    t = _tables()
    one = "(" + ", ".join(["%s"] * len(_VALUE_COLUMNS)) + ")"
    values_sql = ", ".join([one] * len(rows))
    params = [p for row in rows for p in row]
    insert = f"INSERT INTO {t.entries} ({t.columns}) VALUES {values_sql} RETURNING id, seq"  # noqa: S608
    move = f"UPDATE {t.head} SET seq = %s, hash = %s WHERE id = 1"  # noqa: S608
    cursor.execute(insert, params)
    ids = {seq: pk for pk, seq in cursor.fetchall()}
    if subjects:
        cursor.execute(
            f"INSERT INTO {t.subjects} (entry_id, case_number) VALUES "  # noqa: S608
            + ", ".join(["(%s, %s)"] * len(subjects)),
            [p for seq, n in subjects for p in (ids[seq], n)],
        )
    cursor.execute(move, list(head))


class _FixedText:
    """A `dumps` for psycopg's Jsonb that gives a text dumped before (json.dumps of the value
    it is called with, by the caller's word: `_chained` dumps and binds the same value)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __call__(self, _value: object) -> str:
        return self.text


_SAME_STR = (models.CharField,)
_INTEGERS = (models.IntegerField, models.BigIntegerField, models.SmallIntegerField)
_AUTO = (models.AutoField, models.BigAutoField, models.SmallAutoField)


def _preparer(field: Field[Any, Any], db: Any) -> Callable[[object], object]:
    """`field.get_db_prep_save(value, db)` with the steps that give the value back unchanged
    skipped for the exact types an entry holds (ADR 0105): a str of a CharField, a bool of a
    BooleanField, an aware datetime of a DateTimeField and an int of an integer field or of a
    foreign key to an auto id go straight to what the backend's adapter makes of them (Django's
    own methods of these exact classes do nothing else with them); None as Django gives it. Any
    other value or class takes the field's own method. A test holds both equal, value and type."""
    prep = field.get_db_prep_save
    kind = type(field)
    ops = db.ops
    if kind in _SAME_STR:
        return lambda v: v if type(v) is str else prep(v, db)
    if kind is models.BooleanField:
        return lambda v: v if type(v) is bool else prep(v, db)
    if kind is models.DateTimeField:
        adapt_time = ops.adapt_datetimefield_value
        return lambda v: (
            adapt_time(v) if type(v) is datetime and v.utcoffset() is not None else prep(v, db)
        )
    if kind in _INTEGERS:
        adapt_int, internal = ops.adapt_integerfield_value, field.get_internal_type()
        return lambda v: adapt_int(v, internal) if type(v) is int else prep(v, db)
    if kind is models.ForeignKey and type(field.target_field) in _AUTO:  # type: ignore[attr-defined]
        validate = ops.validate_autopk_value
        return lambda v: None if v is None else validate(v) if type(v) is int else prep(v, db)
    return lambda v: prep(v, db)


def _preparers(db: Any) -> tuple[Callable[[object], object], ...]:
    """`_preparer` of each of `_tables().named_fields`, once per connection object."""
    kept = getattr(db, "_samen_audit_preparers", None)
    if kept is None:
        kept = tuple(_preparer(f, db) for _name, f in _tables().named_fields)
        db._samen_audit_preparers = kept
    return kept


@cache
def _json_positions() -> tuple[int, int]:
    """Where `fields` and `detail` are in a prepared row, when both are JSONFields that bind
    as psycopg's Jsonb with plain json.dumps (PostgreSQL, no encoder): the only case in which
    `_chained` puts its own dumped text in. Otherwise none."""
    fields = dict(_tables().named_fields)
    names = ("fields", "detail")
    plain = all(
        type(fields[n]) is JSONField and fields[n].encoder is None and _Jsonb is not None
        for n in names
    )
    return tuple(_VALUE_COLUMNS.index(n) for n in names) if plain else ()  # type: ignore[return-value]


def _chained(
    key: bytes,
    batch: list[dict],
    seq: int,
    prev: str,
    texts: dict[str, str],
    dumps: _Dumps | None = None,
) -> list[_Write]:
    """The entries of `batch` chained after (seq, prev), each given its seq, as rows prepared by
    the model's own fields, in writes of at most _BATCH entries. With `texts` (the server's
    `jsonb` text of each JSON value, see `_lock_head`) hashed in FORM_COLUMNS, else FORM_JSON.
    `dumps`: `_dumps(batch)`, when the caller dumped the batch's JSON already (for `texts`)."""
    mac = _prepared(key)
    # This thread's connection itself: each field reaches for it, through the proxy's
    # thread-local look-up every time (ADR 0063).
    db = connections[connection.alias]
    in_rows = db.vendor == "postgresql"  # the numbers in the entry's row (ADR 0086)
    json_at = _json_positions() if in_rows else ()
    preparers = _preparers(db)
    writes: list[_Write] = []
    for start in range(0, len(batch), _BATCH):
        rows: list[list[Any]] = []
        subjects: list[tuple[int, str]] = []
        for at, values in enumerate(batch[start : start + _BATCH], start):
            seq += 1
            values["seq"] = seq
            # An entry about no case number needs no subject index row.
            numbers = sorted_subjects(values["object_type"], values["object_id"], values["detail"])
            # Each JSON value dumped once here, for the message and the insert (ADR 0091).
            dumped = None
            if texts or json_at:
                dumped = (
                    dumps[at]
                    if dumps is not None
                    else (json.dumps(values["fields"]), json.dumps(values["detail"]))
                )
            if texts:
                copy = mac.copy()
                copy.update(columns_message(prev, values, texts, numbers, dumped))
                digest, form_ = copy.hexdigest(), FORM_COLUMNS
            else:
                digest, form_ = chain_hash(key, prev, values), FORM_JSON
            stored = {**values, "prev_hash": prev, "hash": digest, "form": form_}
            prepared = [
                prepare(stored[name])
                for name, prepare in zip(_VALUE_COLUMNS, preparers, strict=True)
            ]
            if json_at and dumped is not None:
                for pos, text in zip(json_at, dumped, strict=True):
                    # What the JSONField gives (psycopg's Jsonb of the value, json.dumps), with
                    # the text dumped above instead of dumping the value again when bound.
                    prepared[pos] = _Jsonb(stored[_VALUE_COLUMNS[pos]], dumps=_FixedText(text))
            if in_rows:
                joined = ",".join(numbers)
                # subjects_of passes well-formed numbers only: never one with a comma.
                if numbers and joined.count(",") != len(numbers) - 1:
                    raise ValueError("a case number holds a comma")
                prepared.append(joined or None)
            else:
                subjects += [(seq, number) for number in numbers]
            rows.append(prepared)
            prev = digest
        writes.append((rows, subjects, (seq, prev)))
    return writes


def _append(batch: list[dict]) -> None:
    """Chain the entries of `batch` in order (each gets its seq) and write them."""
    db = connections[connection.alias]  # once, not through the proxy per attribute
    if db.vendor == "postgresql" and not db.in_atomic_block:
        # A transaction of its own: joined with the appends other threads of this process make
        # at the same moment (group commit, ADR 0073).
        _group.append(batch, late=_late_commit_allowed(batch, db))
        return
    key = _audit_key()
    jsons = _json_of(batch) if form() == FORM_COLUMNS else None
    # No savepoint inside a caller's transaction: a failed append fails the caller's work too.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        seq, prev, texts = _lock_head(cursor, late=False, jsons=jsons)
        writes = _chained(key, batch, seq, prev, texts)
        for write in writes:
            _insert(cursor, write)
        anchor.after_commit(*writes[-1][2], first=seq + 1)


class GroupFailed(DatabaseError):
    """The group commit this thread's entries were to be written in failed: they are not in the
    trail (the cause is chained). Raised in every thread whose entries were in the group."""


@dataclass(eq=False)
class _Waiting:
    """One thread's append waiting in the queue: its entries, whether they may commit late, and
    what the leader of its group tells it (done, with the group's failure if any; or lead)."""

    batch: list[dict]
    late: bool
    woken: threading.Event = field(default_factory=threading.Event)
    done: bool = False
    failure: BaseException | None = None


class _Group:
    """Group commit of the appends made outside any transaction by the threads of one process
    (ADR 0073). A thread that finds no append under way writes its own entries, and with them
    those queued at that moment; the threads that arrive while it writes queue up and the first
    of them, woken when that write ends, writes all of the queue as the next group: one
    transaction, one lock of the head, one insert, one commit, on the leader's connection. So a
    lone append is written as before, and under load the fixed part of an append is shared.

    - Order: queue order, which is the order the appends entered it; a batch stays whole. The
      leader's own entries come first in its group.
    - Each thread returns only once its entries are committed, durable as its own append would
      have been: the group commits late (ADR 0043) only if every member may, and the periodic
      durable entry and the checkpoint follow the group's sequence numbers as a batch's.
    - A failed group fails every thread in it: the leader raises the error, the others
      GroupFailed; none of its entries is in the trail (one transaction) and nothing is retried
      (a failed COMMIT may have committed: a retry could write an entry twice)."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._queue: list[_Waiting] = []
        self._busy = False  # a leader is writing; the queue waits for it

    def append(self, batch: list[dict], *, late: bool) -> None:
        me = _Waiting(batch, late)
        with self._mutex:
            self._queue.append(me)
            lead = not self._busy
            self._busy = True
        if not lead:
            me.woken.wait()
            if me.done:
                if me.failure is not None:
                    raise GroupFailed(
                        "the group commit holding this request's audit entries failed"
                    ) from me.failure
                return
            # Woken to lead: the previous group is written, this thread writes the queue.
        with self._mutex:
            group, self._queue = self._queue, []
        failure: BaseException | None = None
        try:
            _write_group(group)
        except BaseException as exc:
            failure = exc
            raise
        finally:
            with self._mutex:
                for waiting in group:
                    if waiting is not me:
                        waiting.failure, waiting.done = failure, True
                        waiting.woken.set()
                if self._queue:
                    self._queue[0].woken.set()  # the next leader; _busy stays
                else:
                    self._busy = False

    def _reset(self) -> None:
        """A fresh state in a forked child: a fork copies the parent's queue, not its threads."""
        self._mutex = threading.Lock()
        self._queue = []
        self._busy = False


_group = _Group()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_group._reset)


def _write_group(group: list[_Waiting]) -> None:
    """The entries of every append in `group`, in order, as one transaction of their own."""
    batch = [values for waiting in group for values in waiting.batch]
    dumps = _dumps(batch) if form() == FORM_COLUMNS else None
    jsons = _distinct(dumps) if dumps is not None else None
    late = all(waiting.late for waiting in group)
    _append_alone(_audit_key(), batch, late=late, jsons=jsons, dumps=dumps)


def _append_alone(
    key: bytes,
    batch: list[dict],
    *,
    late: bool,
    jsons: list[str] | None,
    dumps: _Dumps | None = None,
) -> None:
    """PostgreSQL, outside any transaction: the append is a transaction of its own in two round
    trips, BEGIN with the head's lock and read, then the inserts with COMMIT (Django's atomic
    block would send BEGIN and COMMIT apart: four). On a loaded machine each round trip waits
    for the scheduler twice, so their number is most of an append's time. Where statements run
    prepared (ADR 0057), in pipeline mode with prepared statements (ADR 0062)."""
    if _pipelined(connections[connection.alias]):
        _append_pipelined(key, batch, late=late, jsons=jsons, dumps=dumps)
        return
    with connection.cursor() as cursor:
        try:
            head, prev, texts = _lock_head(cursor, late=late, begin=True, jsons=jsons)
            first = head + 1
            writes = _chained(key, batch, head, prev, texts, dumps)
            sent = [_insert_sql(write) for write in writes]
            seq, digest = writes[-1][2]
            # Every so many reads' entries one durable commit, then a checkpoint.
            periodic = late and _crosses(first, seq, settings.AUDIT_READS_DURABLE_EVERY)
            if periodic:
                sent.insert(0, (_DURABLE_SQL, []))
            cursor.execute(
                "; ".join([sql for sql, _ in sent] + ["COMMIT"]),
                [p for _, params in sent for p in params],
            )
        except BaseException:
            with suppress(DatabaseError):
                cursor.execute("ROLLBACK")
            raise
    if not late or periodic:  # a checkpoint only of entries known durable; no block: at once
        anchor.after_commit(seq, digest, first=first, force=periodic)


# Groups of up to so many entries run prepared from their first call: with gthread's four
# threads a worker's groups hold one to four entries, a few shapes of statement each.
_PREPARED_UP_TO = 4

_DURABLE_SQL = "SELECT set_config('synchronous_commit', 'on', true)"

try:  # psycopg is there wherever PostgreSQL is
    import psycopg
    from psycopg.types.json import Jsonb as _Jsonb
except ImportError:  # pragma: no cover (SQLite-only installs)
    psycopg = None  # type: ignore[assignment]
    _Jsonb = None  # type: ignore[assignment,misc]
else:
    _IDLE = psycopg.pq.TransactionStatus.IDLE


def _pipelined(db: Any = connection) -> bool:
    """Whether the append runs pipelined and prepared: statements run prepared (ADR 0057) and
    the connection prepares at all (psycopg prepares nothing while prepare_threshold is None;
    then the simple-protocol strings cost the server less than unprepared extended ones)."""
    if not statements.prepared(db) or psycopg is None:
        return False
    db.ensure_connection()
    pg = db.connection
    return pg.prepare_threshold is not None and psycopg.Pipeline.is_supported()


def _append_pipelined(
    key: bytes,
    batch: list[dict],
    *,
    late: bool,
    jsons: list[str] | None,
    dumps: _Dumps | None = None,
) -> None:
    """`_append_alone` in pipeline mode: the same statements, each a server-side prepared
    statement (parsed and planned once per connection), in the same two round trips.

    On an autocommit connection (Django's, outside atomic blocks) the transaction is the
    protocol's own (ADR 0091): the extended-protocol messages up to a Sync run in one implicit
    transaction, which the Sync commits (or, after an error, rolls back). So the head's lock is
    sent and its row fetched with a flush request (no Sync: the transaction stays open and the
    row stays locked), then the inserts and the Sync that commits them: no BEGIN and COMMIT
    statements. `set_config(..., true)` (the late commit, the periodic durable one) holds for
    that transaction as for an explicit one. Without autocommit, BEGIN and the head's lock up
    to a sync point, then the inserts and COMMIT up to the next, as before.

    The cursor is kept per connection (`_audit_cursor`), and Django's wrapper is put around it
    only when something counts, logs or wraps statements (tests, DEBUG, benchmarks), as
    `statements.execute` does (ADR 0087); otherwise its thread and broken-transaction checks
    and error classes are applied here. BEGIN, COMMIT and ROLLBACK go unprepared past Django's
    wrapper (not counted as queries, as they were not before)."""
    db = connections[connection.alias]
    pg = db.connection
    implicit = bool(pg.autocommit)
    with db.wrap_database_errors:
        raw = _audit_cursor(db)
        # A few entries' statements have few shapes (a group commit's, ADR 0073): prepared from
        # the first call. A larger batch's shapes vary with its size: prepared only once used
        # as often as the threshold says.
        raw.prepare = True if len(batch) <= _PREPARED_UP_TO else None
        if db.queries_logged or db.execute_wrappers:
            cursor = db._prepare_cursor(raw)  # type: ignore[attr-defined]  # Django's wrapping
        else:
            db.validate_thread_sharing()
            db.validate_no_broken_transaction()
            cursor = raw
        try:
            with pg.pipeline() as pipe:
                if not implicit:
                    raw.execute("BEGIN", prepare=False)
                head, prev, texts = _lock_head_pipelined(
                    cursor, pipe, late=late, jsons=jsons, sync=not implicit
                )
                first = head + 1
                writes = _chained(key, batch, head, prev, texts, dumps)
                seq, digest = writes[-1][2]
                # Every so many reads' entries one durable commit, then a checkpoint.
                periodic = late and _crosses(first, seq, settings.AUDIT_READS_DURABLE_EVERY)
                if periodic:
                    cursor.execute(_DURABLE_SQL)
                for write in writes:
                    cursor.execute(*_insert_sql(write))
                if not implicit:
                    raw.execute("COMMIT", prepare=False)
            # Leaving the pipeline sends the (second) sync point and raises any error.
        except BaseException:
            if pg.info.transaction_status != _IDLE:
                with suppress(psycopg.Error):
                    pg.execute("ROLLBACK", prepare=False)
            raise
    if not late or periodic:  # a checkpoint only of entries known durable; no block: at once
        anchor.after_commit(seq, digest, first=first, force=periodic)


def _audit_cursor(db: Any) -> Any:
    """The append's prepared-statement cursor on this connection, made once per connection
    instead of once per append: a new one when the connection is a new one (Django
    reconnected) or the cursor was closed. Django's connections are per thread, and an append
    reads all it needs before it returns, so no two appends share it at once."""
    pg = db.connection
    kept = getattr(db, "_samen_audit_cursor", None)
    if kept is not None and kept[0] is pg and not kept[1].closed:
        return kept[1]
    raw = statements.PreparedCursor(pg)
    db._samen_audit_cursor = (pg, raw)
    return raw


def _lock_head_pipelined(
    cursor: Any, pipe: Any, *, late: bool, jsons: list[str] | None, sync: bool = True
) -> _Head:
    """`_lock_head` on a pipeline: the statement queued (after BEGIN, with `sync`) and sent at a
    sync point; without `sync`, its row is fetched by a flush request (psycopg sends one when a
    result is read before a sync), so the implicit transaction stays open. Its text depends
    only on `late` and the number of JSON texts, so it is prepared once."""
    sql, params = _lock_sql(late=late, jsons=jsons)
    cursor.execute(sql, params)
    if sync:
        pipe.sync()
    row = cursor.fetchone()
    if row is None:
        _create_head(cursor)
        cursor.execute(sql, params)
        if sync:
            pipe.sync()
        row = cursor.fetchone()
    return _head_of(row, jsons)


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
        if held:
            _append(held)


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
        anchors = anchor.load(workers=audit_verify.worker_count())
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

    key = _audit_key()
    # The fast walk (in id order on PostgreSQL) clears an intact chain; a problem it finds is
    # named by the exact walk in sequence order, so the first problem in the chain wins and
    # nothing the fast walk relies on (ids in chain order, the index sorted) can raise an alarm.
    walk = audit_verify.join(audit_verify.spans(key, anchors, by_id=True), GENESIS)
    if walk.problem is not None and connection.vendor == "postgresql":
        walk = audit_verify.join(audit_verify.spans(key, anchors), GENESIS)
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
