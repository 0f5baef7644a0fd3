"""Statements compiled once per process and executed with fresh values (ADR 0057).

Django builds and compiles a query's SQL on every call, and on a busy read (the API's case list,
its token) that costs more CPU than PostgreSQL takes to answer. Here a query built by the ORM is
compiled into a `Template` once: its SQL and parameters, with the positions of the values that
change from call to call (slots) found by compiling it twice with two different probe values
each, and the clock found as a value that differs and lies within each compile's clock reading.
A template whose parameters differ in any other way is refused (the caller then compiles for
every call, as before). What the template is keyed by is the caller's business: everything the
query is built from except its slots.

On PostgreSQL the template runs as a server-side prepared statement (setting
`DATABASE_PREPARED`, env SAMEN_DB_PREPARED, on by default; off behind a pooler in transaction
mode that does not keep prepared statements): the server parses and plans it once per connection
instead of on every call. Statements still go through Django's cursor wrapper, so they are
counted, logged and wrapped like any other.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]
from django.utils import timezone

NOW = "now"  # the slot of the clock: timezone.now() at each call

try:  # psycopg is there wherever PostgreSQL is
    import psycopg
    from psycopg.types.datetime import TimestamptzLoader

    class PreparedCursor(psycopg.Cursor):
        """A server-binding cursor whose statements are prepared (once per connection) as
        `prepare` says, unless a call says otherwise: True always, None when psycopg's
        prepare_threshold is reached (the audit append's batches, whose shapes vary)."""

        prepare: bool | None = True

        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            kwargs.setdefault("prepare", self.prepare)
            return super().execute(query, params, **kwargs)

        def _convert_query(self, query: Any, params: Any = None) -> Any:
            # Kept, as a client-binding cursor keeps it, for Django's debug log of the statement
            # (DatabaseOperations.last_executed_query reads cursor._query).
            self._query = super()._convert_query(query, params)
            return self._query

except ImportError:  # pragma: no cover (SQLite-only installs)
    psycopg = None  # type: ignore[assignment]


def _times_in_c(raw_cursor: Any, db: Any = connection) -> None:
    """`timestamptz` columns of a statement's cursor loaded by psycopg's compiled loader instead
    of Django's, which is psycopg's pure-Python loader with the time zone replaced by the
    connection's (ADR 0082): on a page of the case list it was a third of reading the rows. The
    two give the same datetimes, tzinfo included, where Django's zone is UTC and so is the
    session's (Django sets it when it connects, and nothing here sets it otherwise): psycopg
    gives `datetime.timezone.utc` for a session in UTC, the object Django puts in. Anywhere
    else Django's loader stays. Per cursor, not per connection: Django reads the `timezone` of
    the connection's loader whenever it makes a cursor, and the compiled one has none."""
    if db.timezone is UTC and raw_cursor.connection.info.parameter_status("TimeZone") == "UTC":
        # Registering psycopg's loader class registers its compiled twin where there is one.
        raw_cursor.adapters.register_loader("timestamptz", TimestamptzLoader)


def prepared(db: Any = connection) -> bool:
    """Whether statements run prepared on this connection (PostgreSQL with DATABASE_PREPARED)."""
    return (
        db.vendor == "postgresql"
        and psycopg is not None
        and getattr(settings, "DATABASE_PREPARED", False)
    )


def cursor() -> Any:
    """Django's cursor wrapper, around a prepared-statement cursor where prepared() holds."""
    if not prepared():
        return connection.cursor()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        # Django's own wrapping (counting, execute wrappers, debug logging); a private method,
        # but the one connection.cursor() uses for the cursors it creates itself. The settings
        # give the connection a prepare_threshold (without one psycopg prepares nothing).
        raw_cursor = PreparedCursor(connection.connection)
        _times_in_c(raw_cursor)
        return connection._prepare_cursor(raw_cursor)  # type: ignore[attr-defined]


def execute(sql: str, params: Sequence[object]) -> list[tuple]:
    """Run one statement (prepared where it can be) and return its rows."""
    db = connections[DEFAULT_DB_ALIAS]  # the object `connection` stands for, looked up once
    if not prepared(db):
        with db.cursor() as c:
            c.execute(sql, params)  # type: ignore[arg-type]  # as `connection.cursor()` took it
            return c.fetchall() if returns_rows(c) else []
    raw = _kept_cursor(db)
    if db.queries_logged or db.execute_wrappers:
        # Counted, logged or wrapped (tests, DEBUG, benchmarks): through Django's own wrapper.
        c = db._prepare_cursor(raw)  # type: ignore[attr-defined]
        c.execute(sql, params)
        return c.fetchall() if returns_rows(c) else []
    # What Django's CursorWrapper.execute and fetchall do when nothing wraps or logs them
    # (_prepare_cursor, CursorWrapper._execute): the thread and broken-transaction checks and
    # Django's error classes, without a wrapper object and a wrapped fetchall built on every
    # statement (ADR 0087).
    db.validate_thread_sharing()
    db.validate_no_broken_transaction()
    with db.wrap_database_errors:
        raw.execute(sql, params)
        return raw.fetchall() if returns_rows(raw) else []


def _kept_cursor(db: Any) -> Any:
    """The prepared-statement cursor `execute` uses on this connection, made once per
    connection instead of once per statement (ADR 0087): a new one when the connection is a
    new one (Django reconnected), the cursor was closed, or the time zones `_times_in_c` reads
    changed. Django's connections are per thread, and `execute` reads all rows before it
    returns, so no two statements ever share it at once."""
    db.close_if_health_check_failed()
    db.ensure_connection()
    pg = db.connection
    zones = (db.timezone is UTC, pg.info.parameter_status("TimeZone"))
    kept = getattr(db, "_samen_kept_cursor", None)
    if kept is not None and kept[0] is pg and kept[1] == zones and not kept[2].closed:
        return kept[2]
    with db.wrap_database_errors:
        raw = PreparedCursor(pg)
    _times_in_c(raw, db)
    db._samen_kept_cursor = (pg, zones, raw)
    return raw


_NO_RESULT = object()


def returns_rows(c: Any) -> bool:
    """`bool(c.description)` of a cursor (or Django's wrapper of one), without building the
    description on psycopg: it makes a Column object per column on every read (44 for the
    token's statement) and is non-empty exactly when the result has fields (ADR 0063)."""
    raw = getattr(c, "cursor", c)
    result: Any = getattr(raw, "pgresult", _NO_RESULT)
    if result is _NO_RESULT:
        return bool(c.description)
    return bool(result is not None and result.nfields)


def _db_time(value: datetime) -> object:
    return connection.ops.adapt_datetimefield_value(value)


def _within(value: object, low: datetime, high: datetime) -> bool:
    if isinstance(value, datetime):
        return low <= value <= high
    if isinstance(value, str):  # SQLite: text in one fixed format, so text order is time order
        return str(_db_time(low)) <= value <= str(_db_time(high))
    return False


@dataclass(frozen=True)
class Template:
    """A compiled query: its SQL, its constant parameters, the positions of its slots (and how
    each slot's value is prepared for the database), and how to read its rows back."""

    sql: str
    params: tuple[object, ...]
    slots: tuple[tuple[int, str], ...]
    prep: Mapping[str, Callable[[object], object]]
    names: tuple[str, ...]  # the selected columns' names (values() queries)
    converters: tuple[tuple[int, tuple[Callable, ...], object], ...]
    width: int
    model: Any = None  # model queries: the model and how to build instances
    init: tuple[str, ...] = ()
    model_span: tuple[int, int] = (0, 0)
    populators: tuple[Any, ...] = ()
    annotations: tuple[tuple[str, int], ...] = ()

    def bind(self, values: Mapping[str, object]) -> list[object]:
        params = list(self.params)
        now = None
        for pos, name in self.slots:
            if name == NOW:
                now = now or _db_time(timezone.now())
                params[pos] = now
            else:
                params[pos] = self.prep[name](values[name])
        return params

    def rows(self, values: Mapping[str, object]) -> list[tuple]:
        """The query's rows for these slot values, converted as Django converts them."""
        found = execute(self.sql, self.bind(values))
        if not self.converters:
            return [tuple(r[: self.width]) for r in found]
        out = []
        for r in found:
            row = list(r[: self.width])
            for pos, convs, expression in self.converters:
                value = row[pos]
                for conv in convs:
                    value = conv(value, expression, connection)
                row[pos] = value
            out.append(tuple(row))
        return out

    def dicts(self, values: Mapping[str, object]) -> list[dict[str, object]]:
        """As QuerySet.values(): one dict per row, by column name."""
        names = self.names
        return [dict(zip(names, row, strict=False)) for row in self.rows(values)]

    def instances(self, values: Mapping[str, object]) -> list[Any]:
        """As iterating the QuerySet: model instances with their select_related rows and
        annotations (the steps of Django's ModelIterable)."""
        start, end = self.model_span
        out = []
        for row in self.rows(values):
            obj = self.model.from_db(connection.alias, self.init, row[start:end])
            for populator in self.populators:
                populator.populate(row, obj)
            for attr, pos in self.annotations:
                setattr(obj, attr, row[pos])
            out.append(obj)
        return out


def compile_template(
    build: Callable[[Mapping[str, object]], QuerySet],
    probes: tuple[Mapping[str, object], Mapping[str, object]],
    prep: Mapping[str, Callable[[object], object]] | None = None,
) -> Template | None:
    """The template of the query `build(values)` makes, or None when its parameters vary in a
    way the slots and the clock do not explain. `probes`: two sets of slot values, every value
    different between the two; `prep[name]` prepares a slot's value as the ORM does (default:
    as is)."""
    prep = dict(prep or {})
    runs = []
    for values in probes:
        low = timezone.now()
        compiler = build(values).query.get_compiler(connection.alias)
        sql, params = compiler.as_sql()
        high = timezone.now()
        runs.append((sql, tuple(params), low, high, compiler))
        while timezone.now() <= high:  # the clock moves on between the two compiles
            pass
    (sql, first, low1, high1, compiler), (sql2, second, low2, high2, _) = runs
    if sql != sql2 or len(first) != len(second):
        return None
    slots = []
    for pos, (a, b) in enumerate(zip(first, second, strict=True)):
        if type(a) is type(b) and a == b:
            continue
        name = next(
            (
                n
                for n in probes[0]
                if _same(prep.get(n, _as_is)(probes[0][n]), a)
                and _same(prep.get(n, _as_is)(probes[1][n]), b)
            ),
            None,
        )
        if name is None and _within(a, low1, high1) and _within(b, low2, high2):
            name = NOW
        if name is None:
            return None
        slots.append((pos, name))
    for n in probes[0]:
        prep.setdefault(n, _as_is)
    query = compiler.query
    select = compiler.select
    width = compiler.col_count
    converters = compiler.get_converters([s[0] for s in select[:width]])
    template = Template(
        sql=sql,
        params=first,
        slots=tuple(slots),
        prep=prep,
        names=(*query.extra_select, *query.values_select, *query.annotation_select),
        converters=tuple((pos, tuple(c), e) for pos, (c, e) in converters.items()),
        width=width,
    )
    klass_info = compiler.klass_info
    if klass_info is None or query.values_select:
        return template
    fields = klass_info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    return Template(
        **{
            **template.__dict__,
            "model": klass_info["model"],
            "init": tuple(f[0].target.attname for f in select[start:end]),
            "model_span": (start, end),
            "populators": tuple(get_related_populators(klass_info, select, connection.alias)),
            "annotations": tuple(compiler.annotation_col_map.items()),
        }
    )


def _as_is(value: object) -> object:
    return value


def _same(prepared_value: object, param: object) -> bool:
    return type(prepared_value) is type(param) and prepared_value == param


class TemplateCache:
    """Templates per process, by the caller's key, the least recently used dropped past `size`.
    A key whose query cannot be templated is remembered as such (None)."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[Hashable, Template | None] = OrderedDict()
        self.compiled = 0  # how many templates were compiled (tests and benchmarks read it)

    def get(self, key: Hashable, make: Callable[[], Template | None]) -> Template | None:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        template = make()  # outside the lock: two threads may both compile; either result is right
        with self._lock:
            self.compiled += 1
            self._items[key] = template
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return template

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
