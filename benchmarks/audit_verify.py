"""Throughput of `samen audit verify` over a hash chain of 1,000,000 audit entries.

What it does, per database (each in its own child process, since Django binds one database per
process; default PostgreSQL only):
  1. Creates a fresh bench database (PostgreSQL: `samen_bench_audit`, dropped first when it
     exists; SQLite: a new file under /tmp), migrates it and builds the demo world without
     signals, for real users, organisations, roles, purposes and legal bases.
  2. Fills the audit trail with --entries entries (default 1,000,000), continuing the chain from
     the current head: each entry's values are made by `samen.core.audit.entry_values` for a
     demo actor (synthetic ids, case numbers, codes and field names; never personal data;
     origins in the TEST-NET range) with increasing times over the last year, and chained by
     the function `audit.record` chains with (`audit._chained`: same form, message, hash and
     column values; on PostgreSQL form 2 with the server's `jsonb` text, ADR 0059). AuditSubject
     rows are written as record() would.
     Loaded with COPY (PostgreSQL) or executemany in transactions of 50,000 (SQLite);
     AuditChainHead is set to the last seq and hash; then VACUUM ANALYZE (PostgreSQL) or ANALYZE.
  2b. Writes the checkpoint file as record() would have: by default as production writes it
     with the default settings (ADR 0043: a line for each write's entry, and on PostgreSQL for
     every 100th read's, whose entries otherwise commit without waiting for the WAL flush);
     `--every N` a line per N entries instead (1: every entry, the file ADR 0042 measured). Then
     times the floors in one process: streaming every entry as verify reads it, without any
     check (on PostgreSQL the COPY of each entry's message as the server writes it; on SQLite
     the cursor), and the HMAC alone over messages already in memory.
  3. Times `samen.core.audit.verify()` in-process (must be ok and count every entry), with
     its peak RSS (Linux VmHWM, reset after the fill; else resource.getrusage), its CPU time
     (this process and its worker processes) and, on Linux, the CPU time of the PostgreSQL
     server processes serving the bench database and the machine's load average (the machine
     may be shared: the wall time alone does not say what the check costs); then runs
     `.venv/bin/samen audit verify` once as a subprocess and shows its output and peak RSS.
  3a. With --rounds N: N rounds of verify() and the command with the compiled walk and with
     the reference loop alone (ADR 0068), alternating on the same chain, each with its CPU.
  3b. Deletes the newest 10 entries and rewinds the head (a consistent, shorter chain) and shows
     that verify() and the command fail against the last checkpoint.
  4. Alters one entry in the middle with raw SQL (on PostgreSQL past the append-only trigger via
     `SET session_replication_role = replica`: in the bench session when its role may, else as
     the postgres superuser through `sudo -u postgres psql` or `su postgres -c psql`) and shows
     that verify() and the command fail naming exactly that entry.
  5. Drops the bench database (unless --keep) and prints a last line `RESULT key=value ...`.

Run:  .venv/bin/python benchmarks/audit_verify.py [--db postgres|sqlite|both] [--entries N]
      [--every N] [--rounds N]; with --append N instead: N appends of a case read in the new
      form against N in the old, alternating (the append's cost, ADR 0059)
      (PostgreSQL DSN default: $BENCH_AUDIT_DATABASE_URL or
       postgres://samen:samen-ci@127.0.0.1:5432/samen_bench_audit)
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from benchlib import ROOT, child_database, child_result, db_name, log, run_child

DEFAULT_DSN = "postgres://samen:samen-ci@127.0.0.1:5432/samen_bench_audit"
BATCH = 50_000
HASH_SAMPLE = 200_000  # rows kept in memory for the hashing floor
TABLE = "sharing_auditentry"
SUBJECT_TABLE = "sharing_auditsubject"
LIST_FIELDS = ["municipality", "region", "forms", "minor", "age_band", "gender"]
STATUSES = ["signalled", "in_progress", "referred", "closed"]
FORMS = ["sexual", "labour", "criminal", "forced_begging", "other"]
REGIONS = ["VR01", "VR09", "VR13", "VR15", "VR17", "VR21"]


# --------------------------------------------------------------------------------------------
# Peak memory
# --------------------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    """Peak RSS of this process: VmHWM on Linux (see reset_peak_rss), else getrusage."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0), so the peak is that of what follows, not of
    the fill before it. getrusage's ru_maxrss cannot be reset."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def child_peak_rss_mb(proc: subprocess.Popen) -> float:
    """Peak RSS of a running child, polled from /proc/<pid>/status VmHWM until it exits.
    (getrusage(RUSAGE_CHILDREN) would count this process's RSS at fork time.)"""
    peak = 0.0
    while proc.poll() is None:
        try:
            for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
        except OSError:
            pass
        time.sleep(0.1)
    return peak


# --------------------------------------------------------------------------------------------
# Synthetic entries, chained exactly as audit.record chains them
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Who:
    user_id: int
    username: str
    organisation_id: int
    role: str
    purpose: str
    basis: str  # legal basis for all categories the register grants this organisation/purpose
    weight: float
    actor: object  # samen.core.actor.Actor, for audit.entry_values


def actors() -> list[Who]:
    from samen.core import policy
    from samen.core.actor import actor_for_membership
    from samen.organisations.models import Membership, Role

    weight = {
        Role.FIELD_PROFESSIONAL: 3.0,
        Role.CARE_COORDINATOR: 6.0,
        Role.INVESTIGATOR: 3.0,
        Role.NATIONAL_REGISTRAR: 2.0,
        Role.SHELTER_STAFF: 1.5,
        Role.PRIVACY_OFFICER: 0.3,
    }
    out = []
    for m in (
        Membership.objects.filter(is_active=True)
        .select_related("user", "organisation__municipality__region")
        .order_by("id")
    ):
        a = actor_for_membership(m, origin="")
        basis = policy.legal_basis(a, set(policy.grants(a)))
        out.append(
            Who(m.user_id, m.user.username, m.organisation_id, m.role, a.purpose, basis,
                weight.get(m.role, 0.2), a)
        )  # fmt: skip
    if not out:
        raise SystemExit("demo world has no memberships")
    return out


def case_number(rng: random.Random) -> str:
    return f"MH-{rng.choice((2023, 2024, 2025, 2026))}-{rng.randint(1, 40_000):06d}"


def event(rng: random.Random, who: Who) -> dict[str, object]:
    """The keyword arguments of one audit.record call, as the application makes them."""
    base = {"purpose": who.purpose, "legal_basis": who.basis}
    if who.role == "privacy_officer":
        if rng.random() < 0.6:
            return base | {
                "action": "audit.search", "object_type": "audit", "object_id": "*",
                "fields": ["audit"], "detail": {"filters": {"action": "case.read"}},
            }  # fmt: skip
        return base | {
            "action": "subject.report", "object_type": "case", "object_id": case_number(rng),
            "fields": ["audit"], "detail": {"format": "html"},
        }  # fmt: skip
    if who.role not in ("field_professional", "care_coordinator", "investigator",
                        "national_registrar", "shelter_staff"):  # fmt: skip
        return base | {  # policy.require: the role may not read cases (403, audited)
            "action": "case.read", "object_type": "case", "object_id": "", "result": "denied",
            "legal_basis": "",
        }  # fmt: skip
    roll = rng.random()
    if roll < 0.45:
        fields = [*LIST_FIELDS, "signals", "timeline"]
        if rng.random() < 0.35:
            fields += ["identity.name", "identity.date_of_birth", "identity.nationality"]
        relation = rng.choices(["own_work", "shared", "emergency"], [96, 3.5, 0.5])[0]
        return base | {
            "action": "case.read", "object_type": "case", "object_id": case_number(rng),
            "fields": fields, "emergency": relation == "emergency",
            "detail": {"relation": relation},
        }  # fmt: skip
    if roll < 0.65:
        filters = {}
        if rng.random() < 0.4:
            filters["status"] = rng.choice(STATUSES)
        if rng.random() < 0.3:
            filters["form"] = rng.choice(FORMS)
        if rng.random() < 0.2:
            filters["region"] = rng.choice(REGIONS)
        shown = sorted({case_number(rng) for _ in range(rng.choice((0, 3, 8, 12, 25, 25)))})
        return base | {
            "action": "case.search", "object_type": "case", "object_id": "*",
            "fields": LIST_FIELDS if shown else [], "detail": {"filters": filters, "shown": shown},
        }  # fmt: skip
    if roll < 0.75:
        return base | {
            "action": "signal.read", "object_type": "signal",
            "object_id": str(rng.randint(1, 120_000)), "fields": ["indicators", "municipality"],
            "detail": {"case": case_number(rng)},
        }  # fmt: skip
    if roll < 0.85:
        linked = rng.random() < 0.1
        return base | {
            "action": "signal.create", "object_type": "signal",
            "object_id": str(rng.randint(1, 120_000)),
            "fields": ["indicators", "municipality", "forms", "gender", "age_band"],
            "detail": {"case": case_number(rng), "linked": linked, "case_created": not linked},
        }  # fmt: skip
    if roll < 0.92:
        ids = [rng.randint(1, 120_000) for _ in range(rng.choice((5, 10, 25)))]
        cases = sorted({case_number(rng) for _ in ids})
        return base | {
            "action": "signal.search", "object_type": "signal", "object_id": "*",
            "fields": ["signals", "municipality"], "detail": {"shown": ids, "cases": cases},
        }  # fmt: skip
    if roll < 0.97:
        return base | {
            "action": "case.update", "object_type": "case", "object_id": case_number(rng),
            "fields": ["status"],
        }  # fmt: skip
    return base | {  # a case outside the actor's reach: 404, audited
        "action": "case.read", "object_type": "case", "object_id": case_number(rng),
        "result": "not_found", "legal_basis": "",
    }  # fmt: skip


def values_of(who: Who, call: dict[str, object], at: datetime, origin: str) -> dict[str, object]:
    """The dict audit.record builds from an actor and its arguments: audit.entry_values itself,
    with the time set."""
    from samen.core.audit import entry_values

    kwargs = {k: v for k, v in call.items() if k != "action"}
    values = entry_values(replace(who.actor, origin=origin), str(call["action"]), **kwargs)
    values["at"] = at
    return values


def batches(
    n: int, *, seq0: int, prev0: str, id0: int, key: bytes, seed: int = 1
) -> Iterator[tuple[list[list[object]], list[tuple[int, str]], tuple[int, str]]]:
    """n entries chained after (seq0, prev0) by the function `audit.record` chains them with
    (`audit._chained`: the same hashed message, form and prepared column values; on PostgreSQL
    the JSON columns' `jsonb` text asked of the server by the same expression as the append
    asks it), in batches of BATCH: (rows in copy_columns() order, subject index rows as (entry
    id, case number), (last seq, last hash))."""
    from django.db import connection

    from samen.core import audit

    rng = random.Random(seed)
    who = actors()
    weights = [w.weight for w in who]
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(days=365)
    step_us = max(1, int(365 * 86_400 * 1_000_000 / max(n, 1)))
    seq, prev = seq0, prev0
    for first in range(0, n, BATCH):
        batch = []
        for i in range(first, min(n, first + BATCH)):
            w = rng.choices(who, weights)[0]
            at = start + timedelta(microseconds=i * step_us + rng.randrange(step_us))
            channel = "web" if rng.random() < 0.8 else "api"
            origin = f"{channel}:192.0.2.{1 + w.user_id % 250}"  # TEST-NET-1, never real
            batch.append(values_of(w, event(rng, w), at, origin))
        texts: dict[str, str] = {}
        if audit.form() == audit.FORM_COLUMNS:
            with connection.cursor() as cur:
                texts = audit.jsonb_texts(cur, audit._json_of(batch))
        rows: list[list[object]] = []
        subjects: list[tuple[int, str]] = []
        in_rows = connection.vendor == "postgresql"  # the case numbers in the row (ADR 0086)
        for write_rows, write_subjects, head in audit._chained(key, batch, seq, prev, texts):
            if in_rows:  # the append's comma-joined text as the list COPY writes as an array
                write_rows = [[*row[:-1], row[-1].split(",") if row[-1] else None]
                              for row in write_rows]  # fmt: skip
            rows += [[id0 + row[0] - seq0 - 1, *row] for row in write_rows]  # seq is row[0]
            subjects += [(id0 + s - seq0 - 1, number) for s, number in write_subjects]
            seq, prev = head
        yield rows, subjects, (seq, prev)


# --------------------------------------------------------------------------------------------
# Fill
# --------------------------------------------------------------------------------------------


def head_state() -> tuple[int, str, int]:
    from django.db.models import Max

    from samen.core.audit import GENESIS
    from samen.core.models import AuditChainHead, AuditEntry

    head = AuditChainHead.objects.filter(id=1).first()
    seq, prev = (head.seq, head.hash) if head else (0, GENESIS)
    id0 = (AuditEntry.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    return seq, prev, id0


def copy_columns() -> str:
    """The entry table's columns in the order of `batches`' rows: id, then the append's."""
    from django.db import connection

    from samen.core import audit

    t = audit._tables()
    return f"id, {t.columns}" + (f", {t.numbers}" if connection.vendor == "postgresql" else "")


def fill_postgres(dsn: str, n: int, key: bytes) -> tuple[int, str]:
    import psycopg

    seq0, prev0, id0 = head_state()
    last_seq, last_hash = seq0, prev0
    t0 = time.perf_counter()
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        done = 0
        for rows, subjects, head in batches(n, seq0=seq0, prev0=prev0, id0=id0, key=key):
            last_seq, last_hash = head
            with cur.copy(f"COPY {TABLE} ({copy_columns()}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            with cur.copy(f"COPY {SUBJECT_TABLE} (entry_id, case_number) FROM STDIN") as copy:
                for row in subjects:
                    copy.write_row(row)
            done += len(rows)
            if done % 200_000 == 0 or done == n:
                rate = done / (time.perf_counter() - t0)
                log(f"[postgres] {done:,} entries written ({rate:,.0f}/s)")
        for table in (TABLE, SUBJECT_TABLE):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT MAX(id) FROM {table}))"
            )
        cur.execute(
            "INSERT INTO sharing_auditchainhead (id, seq, hash) VALUES (1, %s, %s) "
            "ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash",
            [last_seq, last_hash],
        )
        conn.commit()
    with psycopg.connect(dsn, autocommit=True) as conn:
        t = time.perf_counter()
        conn.execute(f"VACUUM (ANALYZE) {TABLE}")
        conn.execute(f"VACUUM (ANALYZE) {SUBJECT_TABLE}")
        log(f"[postgres] VACUUM ANALYZE in {time.perf_counter() - t:.1f} s")
    return last_seq, last_hash


def fill_sqlite(n: int, key: bytes) -> tuple[int, str]:
    from django.db import connection

    seq0, prev0, id0 = head_state()
    last_seq, last_hash = seq0, prev0
    connection.ensure_connection()
    raw = connection.connection  # the sqlite3 connection
    columns = copy_columns()
    marks = ", ".join("?" * len(columns.split(", ")))
    insert = f"INSERT INTO {TABLE} ({columns}) VALUES ({marks})"  # noqa: S608
    insert_subject = f"INSERT INTO {SUBJECT_TABLE} (entry_id, case_number) VALUES (?, ?)"  # noqa: S608
    t0 = time.perf_counter()
    done = 0
    for rows, subjects, head in batches(n, seq0=seq0, prev0=prev0, id0=id0, key=key):
        last_seq, last_hash = head
        raw.execute("BEGIN")
        raw.executemany(insert, rows)
        raw.executemany(insert_subject, subjects)
        raw.execute("COMMIT")
        done += len(rows)
        if done % 200_000 == 0 or done == n:
            log(f"[sqlite] {done:,} entries written ({done / (time.perf_counter() - t0):,.0f}/s)")
    raw.execute("BEGIN")
    raw.execute(
        "INSERT INTO sharing_auditchainhead (id, seq, hash) VALUES (1, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
        (last_seq, last_hash),
    )
    raw.execute("COMMIT")
    raw.execute("ANALYZE")
    return last_seq, last_hash


# --------------------------------------------------------------------------------------------
# Corruption
# --------------------------------------------------------------------------------------------


def corrupt(db: str, dsn: str, seq: int) -> str:
    """Rewrite who acted in the entry with this seq, bypassing the append-only trigger."""
    update = f"UPDATE {TABLE} SET actor_username = 'demo-registrar' WHERE seq = {int(seq)}"  # noqa: S608
    return tamper(db, dsn, [update], must_touch=True)


def cut_tail(db: str, dsn: str, keep: int, keep_hash: str) -> str:
    """Delete every entry after `keep` and rewind the head to it: a consistent shorter chain."""
    # On PostgreSQL an entry's case numbers go with its row (ADR 0086): no subject rows.
    subject_rows = [] if db == "postgres" else [
        f"DELETE FROM {SUBJECT_TABLE} WHERE entry_id IN "  # noqa: S608
        f"(SELECT id FROM {TABLE} WHERE seq > {int(keep)})",
    ]  # fmt: skip
    return tamper(
        db,
        dsn,
        [
            *subject_rows,
            f"DELETE FROM {TABLE} WHERE seq > {int(keep)}",  # noqa: S608
            f"UPDATE sharing_auditchainhead SET seq = {int(keep)}, hash = '{keep_hash}'",  # noqa: S608
        ],
        must_touch=True,
    )


def tamper(db: str, dsn: str, statements: list[str], *, must_touch: bool) -> str:
    """Run SQL as an intruder with database access, past the append-only trigger."""
    if db == "sqlite":
        from django.db import connection

        with connection.cursor() as cur:
            for sql in statements:
                cur.execute(sql)
                if must_touch and cur.rowcount < 1:
                    raise SystemExit(f"no row touched by {sql}")
        return "raw SQL (SQLite has no append-only trigger)"
    import psycopg

    try:
        with psycopg.connect(dsn) as conn:
            conn.execute("SET session_replication_role = replica")
            for sql in statements:
                if conn.execute(sql).rowcount < 1 and must_touch:
                    raise SystemExit(f"no row touched by {sql}")
        return "raw SQL by the bench role with session_replication_role = replica"
    except psycopg.errors.InsufficientPrivilege:
        pass
    parts = urlsplit(dsn)
    sql = "SET session_replication_role = replica; " + "; ".join(statements) + ";"
    psql = ["psql", "-X", "-v", "ON_ERROR_STOP=1", "-p", str(parts.port or 5432)]
    psql += ["-d", db_name(dsn), "-c", sql]
    if shutil.which("sudo"):
        cmd, how = ["sudo", "-n", "-u", "postgres", *psql], "sudo -u postgres psql"
    elif os.geteuid() == 0 and shutil.which("su"):
        cmd, how = ["su", "postgres", "-c", shlex.join(psql)], "su postgres -c psql"
    else:
        raise SystemExit("the bench role may not bypass the trigger and no sudo/su to postgres")
    out = subprocess.run(cmd, capture_output=True, text=True, cwd="/")
    if out.returncode != 0 or (must_touch and " 0\n" in out.stdout):
        raise SystemExit(f"tampering failed: {out.stdout} {out.stderr}")
    return f"raw SQL with session_replication_role = replica as postgres ({how})"


def how_often(every: int) -> str:
    return "as production writes them" if every == 0 else f"every {every}"


def checkpointed(seq: int, operation: str, db: str) -> bool:
    """Whether production checkpoints this entry, appended alone outside a transaction with the
    settings' defaults (ADR 0043): on PostgreSQL a read's entry commits late and only every
    AUDIT_READS_DURABLE_EVERY-th (by sequence) is made durable and checkpointed; a write's, and
    every entry on SQLite, after every AUDIT_ANCHOR_EVERY-th (default 1: each)."""
    from django.conf import settings

    if db == "postgres" and operation == "R":
        return seq % max(1, settings.AUDIT_READS_DURABLE_EVERY) == 0
    return seq % max(1, settings.AUDIT_ANCHOR_EVERY) == 0


def write_checkpoints(every: int, db: str) -> int:
    """The checkpoint file as record() would have left it, written in bulk from the filled
    table: with `every` 0 as production writes it (`checkpointed`), else a signed line after
    every `every`-th entry; and the last entry's."""
    from django.db import connection

    from samen.core import anchor

    key = anchor._anchor_key()
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    target = anchor.path()
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with target.open("w") as out, connection.cursor() as cur:
        cur.execute(f"SELECT MAX(seq) FROM {TABLE}")  # noqa: S608
        last = cur.fetchone()[0]
        cur.execute(f"SELECT seq, hash, operation FROM {TABLE} ORDER BY seq")  # noqa: S608
        while rows := cur.fetchmany(BATCH):
            lines = []
            for seq, digest, operation in rows:
                due = checkpointed(seq, operation, db) if every == 0 else seq % every == 0
                if due or seq == last:
                    mac = anchor._mac(key, seq, digest, at)
                    lines.append(f'{{"seq":{seq},"hash":"{digest}","at":"{at}","mac":"{mac}"}}\n')
            out.writelines(lines)
            written += len(lines)
    return written


# --------------------------------------------------------------------------------------------
# Floors and CPU
# --------------------------------------------------------------------------------------------


def stream_floor(db: str) -> tuple[int, float, list[bytes]]:
    """Stream every entry as verify reads it, no check: (rows, seconds, the first HASH_SAMPLE
    messages, kept for the hashing floor). On PostgreSQL the COPY of each entry's message as
    the server writes it (ADR 0059); on SQLite the cursor of ADR 0020's walk."""
    from samen.core import audit_verify

    sample: list[bytes] = []
    t = time.perf_counter()
    n = 0
    if db == "postgres":
        for line in audit_verify._libpq_lines(audit_verify._message_copy_sql(0, None, by_id=True)):
            n += 1
            if n <= HASH_SAMPLE:
                sample.append(line[:-1].split(b"\t")[4])
    else:
        for row in audit_verify._rows(0, None):
            n += 1
            if n <= HASH_SAMPLE:
                sample.append(repr(row).encode())
    return n, time.perf_counter() - t, sample


def hash_floor(key: bytes, messages: list[bytes]) -> float:
    """HMACs per second over messages already in memory, keyed as verify keys them (a prepared
    key, copied per message): the price of the hashing alone."""
    from samen.core import audit_verify

    keyed = audit_verify._prepared_key(key)
    t = time.perf_counter()
    for message in messages:
        mac = keyed.copy()
        mac.update(message)
        mac.hexdigest()
    return len(messages) / (time.perf_counter() - t)


def postgres_cpu(database: str) -> dict[int, float]:
    """CPU seconds (user + system) so far of each PostgreSQL server process serving `database`,
    and of the parallel workers of those (their title names the backend's PID, not the
    database; ADR 0064 found them uncounted) (Linux /proc; empty elsewhere or when they cannot
    be read)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    found: dict[int, float] = {}
    workers: dict[int, tuple[int, float]] = {}  # parallel worker: (its backend, CPU)
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            title = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if not title.startswith("postgres:"):
                continue
            backend = title.partition("parallel worker for PID ")[2].split()
            if f" {database} " not in title and not backend:
                continue
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            cpu = (int(fields[11]) + int(fields[12])) / tick
            if backend:
                workers[int(proc.name)] = (int(backend[0]), cpu)
            else:
                found[int(proc.name)] = cpu
        except (OSError, ValueError, IndexError):
            continue
    found.update({pid: cpu for pid, (backend, cpu) in workers.items() if backend in found})
    return found


class CpuMeter:
    """CPU time of what runs between start() and stop(): this process with its waited-for
    children (verify's workers), the PostgreSQL processes serving the bench database (sampled
    every 0.1 s, so a server process that lives shorter than that is missed), the whole
    machine (/proc/stat) and the 1-minute load average before and after."""

    def __init__(self, database: str | None) -> None:
        self.database = database

    def _machine(self) -> tuple[float, float]:
        try:
            parts = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
        except OSError:
            return 0.0, 0.0
        ticks = [int(p) for p in parts]
        idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)
        tick = os.sysconf("SC_CLK_TCK")
        return (sum(ticks) - idle) / tick, sum(ticks) / tick

    def _sample(self) -> None:
        while not self._done.wait(0.1):
            for pid, cpu in postgres_cpu(self.database or "").items():
                self._server[pid] = max(cpu, self._server.get(pid, 0.0))

    def start(self) -> None:
        import threading

        self.load_before = os.getloadavg()[0]
        self._server_start = postgres_cpu(self.database) if self.database else {}
        self._server = dict(self._server_start)
        self._machine_start = self._machine()
        self._times = os.times()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        if self.database:
            self._thread.start()

    def stop(self) -> dict[str, float]:
        end = os.times()
        self._done.set()
        if self.database:
            self._thread.join()
            for pid, cpu in postgres_cpu(self.database).items():
                self._server[pid] = max(cpu, self._server.get(pid, 0.0))
        busy, total = self._machine()
        return {
            "cpu_s": (end.user - self._times.user) + (end.system - self._times.system),
            "children_cpu_s": (end.children_user - self._times.children_user)
            + (end.children_system - self._times.children_system),
            "server_cpu_s": sum(self._server.values()) - sum(self._server_start.values()),
            "machine_busy_s": busy - self._machine_start[0],
            "machine_cores_s": total - self._machine_start[1],
            "load_before": self.load_before,
            "load_after": os.getloadavg()[0],
        }


# --------------------------------------------------------------------------------------------
# Child: one database
# --------------------------------------------------------------------------------------------


#: `samen audit verify` without the compiled walk (ADR 0068): its import made to fail, as on an
#: install that has not built it.
REFERENCE_CLI = (
    "import sys; sys.modules['samen.core._chainwalk'] = None; "
    "sys.argv = ['samen', 'audit', 'verify']; from samen.manage import main; main()"
)


def run_cli(*, reference: bool = False) -> tuple[int, str, float, float]:
    """`samen audit verify` as a subprocess (with `reference`, without the compiled walk):
    exit code, output, wall seconds, peak RSS MB."""
    bin_dir = ROOT / ".venv" / "bin"
    command = [str(bin_dir / "samen"), "audit", "verify"]
    if reference:
        command = [str(bin_dir / "python"), "-c", REFERENCE_CLI]
    t = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            env=dict(os.environ),
            cwd=ROOT,
        )
        peak = child_peak_rss_mb(proc)
        seconds = time.perf_counter() - t
        out.seek(0)
        return proc.returncode, out.read().strip(), seconds, peak


def measure(db: str, dsn: str, n: int, every: int, rounds: int = 0) -> dict[str, object]:
    from django.core.management import call_command
    from django.db import connection

    from samen.core import audit
    from samen.core.models import AuditEntry
    from samen.demo.builder import build_demo_world

    t = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    world = build_demo_world(seed=1, signals=0)
    log(
        f"[{db}] migrated, demo world ({world.organisations} organisations, {world.users} users) "
        f"in {time.perf_counter() - t:.1f} s"
    )
    key = audit._audit_key()

    log(f"[{db}] filling {n:,} chained entries")
    t = time.perf_counter()
    last_seq, _ = fill_postgres(dsn, n, key) if db == "postgres" else fill_sqlite(n, key)
    fill_s = time.perf_counter() - t
    total = AuditEntry.objects.count()
    log(f"[{db}] filled in {fill_s:.1f} s; {total:,} entries, head at seq {last_seq:,}")
    if total != last_seq:
        raise SystemExit(f"{total} entries but the head says {last_seq}")
    if db == "postgres":
        with connection.cursor() as cur:
            cur.execute(f"SELECT pg_total_relation_size('{TABLE}')")
            size_mb = cur.fetchone()[0] / 2**20
    else:
        size_mb = Path(connection.settings_dict["NAME"]).stat().st_size / 2**20

    t = time.perf_counter()
    from samen.core import anchor

    checkpoints = write_checkpoints(every, db)
    anchor_mb = anchor.path().stat().st_size / 2**20
    log(
        f"[{db}] {checkpoints:,} checkpoints ({how_often(every)}) written in "
        f"{time.perf_counter() - t:.1f} s, {anchor_mb:.0f} MB"
    )

    # The floors: reading the rows and their subject index as verify streams them, no checks,
    # in one process (verify itself may split it over processes); and the hashing alone.
    floor_meter = CpuMeter(db_name(dsn) if db == "postgres" else None)
    floor_meter.start()
    read, floor_s, sample = stream_floor(db)
    floor_cpu = floor_meter.stop()
    log(
        f"[{db}] floor: streaming {read:,} entries as verify reads them, no checks, in "
        f"{floor_s:.1f} s ({read / floor_s:,.0f}/s, one process; CPU {floor_cpu['cpu_s']:.1f} s "
        f"here + {floor_cpu['server_cpu_s']:.1f} s in the server)"
    )
    hash_per_s = hash_floor(key, sample)
    log(f"[{db}] floor: the HMAC alone over {len(sample):,} rows in memory: {hash_per_s:,.0f}/s")
    del sample
    # The checkpoint file as verify reads it first (in parts by its workers when large).
    from samen.core import audit_verify

    anchors_meter = CpuMeter(None)
    anchors_meter.start()
    t = time.perf_counter()
    anchor.load(workers=audit_verify.worker_count())
    anchors_s = time.perf_counter() - t
    anchors_cpu = anchors_meter.stop()
    log(
        f"[{db}] floor: reading and checking the checkpoint file alone: {anchors_s:.1f} s "
        f"(CPU {anchors_cpu['cpu_s']:.1f} s here + {anchors_cpu['children_cpu_s']:.1f} s in "
        f"{audit_verify.worker_count()} workers)"
    )

    rss_fill = peak_rss_mb()
    if not reset_peak_rss():
        log(f"[{db}] cannot reset the peak RSS: the figure below includes the fill")
    rss_before = peak_rss_mb()
    meter = CpuMeter(db_name(dsn) if db == "postgres" else None)
    meter.start()
    t = time.perf_counter()
    result = audit.verify()
    verify_s = time.perf_counter() - t
    cpu = meter.stop()
    rss_after = peak_rss_mb()
    if not result.ok or result.checked != total:
        raise SystemExit(f"verify of the filled chain failed: {result}")
    log(
        f"[{db}] audit.verify(): ok, {result.checked:,} entries in {verify_s:.1f} s "
        f"({result.checked / verify_s:,.0f}/s); peak RSS of the fill {rss_fill:.0f} MB; "
        f"RSS {rss_before:.0f} MB before verify, peak during verify {rss_after:.0f} MB"
    )
    log(
        f"[{db}] CPU of verify: {cpu['cpu_s']:.1f} s here + {cpu['children_cpu_s']:.1f} s in "
        f"its workers + {cpu['server_cpu_s']:.1f} s in the database server; the machine was busy "
        f"{cpu['machine_busy_s']:.1f} of {cpu['machine_cores_s']:.1f} core-seconds; load average "
        f"{cpu['load_before']:.1f} before, {cpu['load_after']:.1f} after"
    )

    code, output, cli_s, cli_rss = run_cli()
    log(f"[{db}] `samen audit verify` exit {code} in {cli_s:.1f} s (peak RSS {cli_rss:.0f} MB):")
    print(f"    {output}", flush=True)
    if code != 0:
        raise SystemExit("`samen audit verify` failed on the intact chain")

    if rounds:
        compare_walks(db, dsn, total, rounds)

    # Cut off the newest entries and rewind the head: a consistent, shorter chain.
    keep = total - 10
    keep_hash = AuditEntry.objects.get(seq=keep).hash
    how_cut = cut_tail(db, dsn, keep, keep_hash)
    log(f"[{db}] deleted the newest 10 entries and rewound the head by {how_cut}")
    t = time.perf_counter()
    cut = audit.verify()
    cut_s = time.perf_counter() - t
    log(f"[{db}] audit.verify() after the cut ({cut_s:.1f} s): {cut.reason}")
    if cut.ok or "last checkpoint" not in cut.reason:
        raise SystemExit(f"verify did not notice the cut: {cut}")
    code_cut, output_cut, _, _ = run_cli()
    print(f"    {output_cut}", flush=True)
    if code_cut != 1:
        raise SystemExit("`samen audit verify` passed a cut chain")
    total = keep

    bad_seq = total // 2
    bad_id = AuditEntry.objects.get(seq=bad_seq).pk
    how = corrupt(db, dsn, bad_seq)
    log(f"[{db}] altered actor_username of seq {bad_seq:,} (row id {bad_id}) by {how}")
    t = time.perf_counter()
    broken = audit.verify()
    broken_s = time.perf_counter() - t
    log(f"[{db}] audit.verify() after the change ({broken_s:.1f} s): {broken}")
    if broken.ok or broken.first_bad_seq != bad_seq or broken.first_bad_id != bad_id:
        raise SystemExit(f"verify did not name seq {bad_seq} (row id {bad_id}): {broken}")
    code_bad, output_bad, _, _ = run_cli()
    log(f"[{db}] `samen audit verify` after the change: exit {code_bad}")
    print(f"    {output_bad}", flush=True)
    if code_bad != 1 or f"sequence {bad_seq} (row id {bad_id})" not in output_bad:
        raise SystemExit("`samen audit verify` did not report the altered entry")
    connection.close()
    return {
        "db": db,
        "entries": result.checked,
        "fill_s": fill_s,
        "table_mb": size_mb,
        "verify_s": verify_s,
        "entries_per_s": result.checked / verify_s,
        "floor_s": floor_s,
        "floor_per_s": read / floor_s,
        "floor_cpu_s": floor_cpu["cpu_s"],
        "floor_server_cpu_s": floor_cpu["server_cpu_s"],
        "anchors_s": anchors_s,
        "anchors_cpu_s": anchors_cpu["cpu_s"] + anchors_cpu["children_cpu_s"],
        "hash_per_s": hash_per_s,
        **cpu,
        "checkpoints": checkpoints,
        "anchor_mb": anchor_mb,
        "cut_reason": cut.reason,
        "cli_cut_output": output_cut,
        "rss_fill_mb": rss_fill,
        "rss_before_mb": rss_before,
        "rss_peak_mb": rss_after,
        "cli_s": cli_s,
        "cli_rss_mb": cli_rss,
        "cli_output": output,
        "bad_seq": bad_seq,
        "bad_id": bad_id,
        "broken_reason": broken.reason,
        "broken_checked": broken.checked,
        "broken_verify_s": broken_s,
        "cli_broken_output": output_bad,
        "corrupted_by": how,
    }


def compare_walks(db: str, dsn: str, total: int, rounds: int) -> None:
    """`verify()` and `samen audit verify` with the compiled walk and with the reference loop
    alone (ADR 0068), alternating, `rounds` times each, on the same chain: wall, CPU here and
    in the workers, server CPU, load."""
    from samen.core import audit, audit_verify

    compiled = audit_verify._compiled
    if compiled is None:
        log(f"[{db}] the compiled walk is not built (make install): nothing to compare")
        return
    try:
        for r in range(rounds):
            for name in ("reference", "compiled")[:: 1 if r % 2 == 0 else -1]:
                audit_verify._compiled = compiled if name == "compiled" else None
                meter = CpuMeter(db_name(dsn) if db == "postgres" else None)
                meter.start()
                t = time.perf_counter()
                result = audit.verify()
                seconds = time.perf_counter() - t
                cpu = meter.stop()
                if not result.ok or result.checked != total:
                    raise SystemExit(f"verify ({name}) of the intact chain failed: {result}")
                code, _, cli_s, _ = run_cli(reference=name == "reference")
                if code != 0:
                    raise SystemExit(f"`samen audit verify` ({name}) failed on the intact chain")
                log(
                    f"[{db}] round {r + 1} {name:>9}: verify() {seconds:.2f} s, CPU "
                    f"{cpu['cpu_s']:.2f} here + {cpu['children_cpu_s']:.2f} workers + "
                    f"{cpu['server_cpu_s']:.2f} server; machine busy "
                    f"{cpu['machine_busy_s']:.1f} of {cpu['machine_cores_s']:.1f} core-s, load "
                    f"{cpu['load_before']:.1f} -> "
                    f"{cpu['load_after']:.1f}; CLI {cli_s:.2f} s"
                )
    finally:
        audit_verify._compiled = compiled


def measure_append(db: str, n: int) -> dict[str, object]:
    """`audit.record` of a case read (outside a transaction, as case_get calls it), n calls in
    the new form and n in the old one (form 1, the append as it was: no `jsonb` text asked,
    the canonical JSON hashed), alternating call by call: wall median, CPU per call here and in
    the database server. The chain it leaves alternates forms on purpose and is not verified."""
    from django.core.management import call_command
    from django.db import connection

    from samen.core import audit
    from samen.core.actor import actor_for_membership
    from samen.demo.builder import build_demo_world
    from samen.organisations.models import Membership

    call_command("migrate", verbosity=0, interactive=False)
    build_demo_world(seed=1, signals=0)
    membership = Membership.objects.filter(user__username="demo-coordinator").first()
    actor = actor_for_membership(membership, origin="web:192.0.2.1")
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid if connection.vendor == "postgresql" else None
    stat = f"/proc/{pid}/stat"

    def server() -> float:
        if pid is None:
            return 0.0
        try:
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    new_form = audit.form
    times: dict[int, tuple[list[float], list[float], list[float]]] = {
        1: ([], [], []),
        2: ([], [], []),
    }
    for i in range(-30, 2 * n):
        form = 1 if i % 2 else 2
        audit.form = (lambda: audit.FORM_JSON) if form == 1 else new_form  # type: ignore[assignment]
        number = f"MH-2026-{i % 5000 + 1:06d}"
        s0, c0, t0 = server(), time.process_time(), time.perf_counter()
        audit.record(
            actor, "case.read", object_type="case", object_id=number,
            fields=[*LIST_FIELDS, "signals", "timeline"], purpose=actor.purpose,
            legal_basis="AVG art. 6 lid 1 sub e; art. 9 lid 2 sub g",
            detail={"relation": "own_work"},
        )  # fmt: skip
        t1, c1, s1 = time.perf_counter(), time.process_time(), server()
        if i >= 0:
            for values, x in zip(times[form], (t1 - t0, c1 - c0, s1 - s0), strict=True):
                values.append(x * 1000)
    audit.form = new_form  # type: ignore[assignment]
    out: dict[str, object] = {"db": db, "append_calls": n}
    for form, (wall, client, srv) in times.items():
        name = "old" if form == 1 else "new"  # on SQLite both are form 1
        out[f"{name}_wall_ms"] = statistics.median(wall)
        out[f"{name}_cpu_ms"] = statistics.fmean(client)
        out[f"{name}_server_cpu_ms"] = statistics.fmean(srv)
        log(
            f"[{db}] audit.record, {name} append (form {1 if form == 1 else audit.form()}): "
            f"median {statistics.median(wall):.2f} ms wall, "
            f"CPU {statistics.fmean(client):.3f} ms here + {statistics.fmean(srv):.3f} ms in "
            f"the server per call ({n} calls, alternating)"
        )
    return out


def child(
    db: str, dsn: str, n: int, keep: bool, every: int, append: int = 0, rounds: int = 0
) -> int:
    if append:
        with child_database(db, dsn, keep=keep, prefix="samen-bench-audit-"):
            return child_result(measure_append(db, append))
    with child_database(db, dsn, keep=keep, prefix="samen-bench-audit-"):
        result = measure(db, dsn, n, every, rounds)
    return child_result(result)


# --------------------------------------------------------------------------------------------
# Parent
# --------------------------------------------------------------------------------------------


def child_args(args: argparse.Namespace) -> list[str]:
    """What a child gets on its command line after `--child --db <db>`."""
    extra = ["--entries", str(args.entries), "--dsn", args.dsn, "--every", str(args.every)]
    extra += ["--append", str(args.append), "--rounds", str(args.rounds)]
    return extra + (["--keep"] if args.keep else [])


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", choices=["postgres", "sqlite", "both"], default="postgres")
    p.add_argument("--entries", type=int, default=1_000_000, help="default 1000000")
    p.add_argument(
        "--dsn",
        default=os.environ.get("BENCH_AUDIT_DATABASE_URL", DEFAULT_DSN),
        help="PostgreSQL URL of the bench database (default %(default)s)",
    )
    p.add_argument(
        "--every",
        type=int,
        default=0,
        help="a checkpoint every n-th entry; default 0: as production writes them with the "
        "default settings (each write's entry, every 100th read's on PostgreSQL)",
    )
    p.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    p.add_argument(
        "--append",
        type=int,
        default=0,
        help="instead of verify: time N appends in the new form against N in the old, "
        "alternating (ADR 0059)",
    )
    p.add_argument(
        "--rounds",
        type=int,
        default=0,
        help="after the first verify: N rounds of verify() and the command with the compiled "
        "walk and with the reference loop alone, alternating (ADR 0068)",
    )
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return p.parse_args()


def main() -> int:
    args = parse_args()
    if args.entries < 2:
        raise SystemExit("--entries must be at least 2")
    if args.child:
        return child(
            args.db, args.dsn, args.entries, args.keep, args.every, args.append, args.rounds
        )
    t_start = time.perf_counter()
    dbs = ["postgres", "sqlite"] if args.db == "both" else [args.db]
    results = [run_child(__file__, db, child_args(args)) for db in dbs]
    if args.append:
        print("RESULT " + " ".join(
            f"{r['db']}_{k}={v:.3f}" if isinstance(v, float) else f"{r['db']}_{k}={v}"
            for r in results for k, v in r.items() if k != "db"
        ))  # fmt: skip
        return 0
    print()
    print(
        f"`samen audit verify` over a chain of {args.entries:,} entries, {os.cpu_count()} CPUs, "
        f"1-minute load average {os.getloadavg()[0]:.1f}"
    )
    head = (
        f"{'database':<9} {'entries':>9} {'fill s':>7} {'table MB':>9} {'verify s':>9} "
        f"{'entries/s':>10} {'floor/s':>10} {'peak RSS MB':>12} {'CLI s':>6} {'CLI RSS MB':>11} "
        f"{'tamper found':>13}"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        print(
            f"{r['db']:<9} {r['entries']:>9,} {r['fill_s']:>7.1f} {r['table_mb']:>9.0f} "
            f"{r['verify_s']:>9.1f} {r['entries_per_s']:>10,.0f} {r['floor_per_s']:>10,.0f} "
            f"{r['rss_peak_mb']:>12.0f} "
            f"{r['cli_s']:>6.1f} {r['cli_rss_mb']:>11.0f} {'seq ' + str(r['bad_seq']):>13}"
        )
    for r in results:
        print(
            f"{r['db']}: floors (one process): stream {r['floor_per_s']:,.0f}/s, HMAC alone "
            f"{r['hash_per_s']:,.0f}/s; CPU of verify {r['cpu_s'] + r['children_cpu_s']:.1f} s "
            f"(+ {r['server_cpu_s']:.1f} s database server) for {r['verify_s']:.1f} s wall; "
            f"machine busy {r['machine_busy_s']:.1f} of {r['machine_cores_s']:.1f} core-s; "
            f"load average {r['load_before']:.1f} -> {r['load_after']:.1f}"
        )
    for r in results:
        print(f"\n{r['db']}: intact   -> {r['cli_output']}")
        print(f"{r['db']}: tail cut -> {r['cli_cut_output']}")
        print(f"{r['db']}: tampered -> {r['cli_broken_output']}")
    figures: dict[str, str] = {}
    for r in results:
        prefix = "" if len(results) == 1 else f"{r['db']}_"
        figures[f"{prefix}db"] = r["db"]
        figures[f"{prefix}entries"] = str(r["entries"])
        figures[f"{prefix}fill_s"] = f"{r['fill_s']:.1f}"
        figures[f"{prefix}verify_s"] = f"{r['verify_s']:.1f}"
        figures[f"{prefix}entries_per_s"] = f"{r['entries_per_s']:.0f}"
        figures[f"{prefix}floor_entries_per_s"] = f"{r['floor_per_s']:.0f}"
        figures[f"{prefix}hmac_per_s"] = f"{r['hash_per_s']:.0f}"
        figures[f"{prefix}verify_cpu_s"] = f"{r['cpu_s'] + r['children_cpu_s']:.1f}"
        figures[f"{prefix}server_cpu_s"] = f"{r['server_cpu_s']:.1f}"
        figures[f"{prefix}load_before"] = f"{r['load_before']:.1f}"
        figures[f"{prefix}load_after"] = f"{r['load_after']:.1f}"
        figures[f"{prefix}checkpoints"] = str(r["checkpoints"])
        figures[f"{prefix}checkpoint_every"] = str(args.every or "production")
        figures[f"{prefix}anchor_mb"] = f"{r['anchor_mb']:.0f}"
        figures[f"{prefix}verify_peak_rss_mb"] = f"{r['rss_peak_mb']:.0f}"
        figures[f"{prefix}cli_s"] = f"{r['cli_s']:.1f}"
        figures[f"{prefix}cli_peak_rss_mb"] = f"{r['cli_rss_mb']:.0f}"
        figures[f"{prefix}tamper_detected_seq"] = str(r["bad_seq"])
    figures["total_s"] = f"{time.perf_counter() - t_start:.0f}"
    print("RESULT " + " ".join(f"{k}={v}" for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
