"""Time the case-list API over a large synthetic register, on SQLite and PostgreSQL in one run.

What it does, per database (each in a child process of its own, since Django binds one database
per process; --db both|sqlite|postgres, default both):
  1. (Re)creates the bench database (PostgreSQL `samen_bench`, SQLite --sqlite-path), migrates
     it, builds the demo world without signals, then loads --cases synthetic cases (default
     100,000): COPY on PostgreSQL, executemany on SQLite. One person, one or two forms of
     exploitation, one signal with one indicator and two timeline events per case, spread over
     all safety regions and 2022 up to now. Everything is flagged is_synthetic.
  2. Starts gunicorn (gthread) on a free loopback port against that database and waits for
     /healthz.
  3. Gets API tokens for demo-registrar (national scope) and demo-coordinator (region VR09).
  4. Times, from a thread pool of persistent http.client connections, at 1 and 16 concurrent
     clients: GET /healthz (the floor); the case list as registrar: its first page, page 50 by
     cursor (followed from page 1 as a client does) and ?page=50 (numbered, with the exact
     count older clients get); the case list filtered on labour exploitation as coordinator.
  5. The parent prints per database a table with each endpoint's median, p95 and p95 over the
     floor's p95 at the same concurrency in the same run, the CPU time per request of the
     gunicorn processes, of the PostgreSQL backends serving them and of the clients (read from
     /proc around the timed requests: on a shared machine these tell what a change costs when
     the latencies cannot), the load average, and a last line `RESULT key=value ...`; gunicorn
     is stopped also on error. While the runs go on, a process of its own times a fixed piece
     of Python four times a second (the probe): how fast the shared machine ran Python during
     each run. The list's CPU per request follows it (ADR 0104); the floor's hardly does.

Only loopback traffic. Test keys for identifying data are generated per run and passed to the
child processes through the environment; nothing is written to var/.

Run:  .venv/bin/python benchmarks/api_read.py [--db both] [--cases 100000] [--reuse] [--dsn URL]
      [--production]  (gunicorn with samen serve's configuration and the database cache)
      [--only list,labour]  (a subset of the scenarios, for alternating A/B runs; the floor is
      always timed)
      (DSN default: $BENCH_DATABASE_URL or postgres://samen:samen-ci@127.0.0.1:5432/samen_bench)
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from benchlib import (
    ROOT,
    bench_env,
    child_result,
    db_name,
    django_setup,
    log,
    maintenance_dsn,
    require_bench_name,
    require_loopback,
    run_child,
)

CONF = ROOT / "src" / "samen" / "conf" / "gunicorn.py"  # what `samen serve` runs with
DEFAULT_DSN = "postgres://samen:samen-ci@127.0.0.1:5432/samen_bench"
DEFAULT_SQLITE = str(Path(tempfile.gettempdir()) / "samen_bench_api.sqlite3")
AMS = ZoneInfo("Europe/Amsterdam")
BATCH = 10_000

# Shares loosely after the national register: sexual and labour exploitation dominate.
FORM_WEIGHTS = {
    "sexual": 42,
    "labour": 30,
    "criminal": 18,
    "forced_begging": 3,
    "forced_marriage": 2,
    "organ_removal": 0.5,
    "other": 4.5,
}
STATUS_WEIGHTS = {"signalled": 15, "in_progress": 30, "referred": 20, "closed": 35}
GENDER_WEIGHTS = {"female": 55, "male": 38, "other": 1, "unknown": 6}
NATIONALITY_WEIGHTS = {"NL": 0.35, "EU": 0.35, "non_EU": 0.2, "unknown": 0.1}
BAND_WEIGHTS = {"0-11": 2, "12-17": 12, "18-22": 22, "23-29": 24, "30-49": 28, "50+": 5}
BAND_WEIGHTS["unknown"] = 7
ADVICE_WEIGHTS = {"call_now": 5, "report": 35, "consult": 40, "watch": 20}
BIG_REGIONS = {"VR13": 3.0, "VR17": 2.5, "VR15": 1.8, "VR09": 1.5}  # Amsterdam, Rotterdam, ...


# --------------------------------------------------------------------------------------------
# Environment and database
# --------------------------------------------------------------------------------------------


def prepare_database(dsn: str, *, reuse: bool) -> bool:
    """Create the database (dropping an old one unless reusing). True when it was (re)created."""
    if dsn.startswith("sqlite:"):
        path = Path(urlsplit(dsn).path)
        if path.exists() and reuse:
            log(f"reusing database {path}")
            return False
        for extra in ("", "-wal", "-shm"):
            Path(f"{path}{extra}").unlink(missing_ok=True)
        log(f"creating database {path}")
        return True
    import psycopg
    from psycopg import sql

    name = db_name(dsn)
    with psycopg.connect(maintenance_dsn(dsn), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reuse:
            log(f"reusing database {name}")
            return False
        if exists:
            require_bench_name(name)
            log(f"dropping database {name}")
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        log(f"creating database {name}")
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return True


# --------------------------------------------------------------------------------------------
# Synthetic data
# --------------------------------------------------------------------------------------------


@dataclass
class World:
    regions: list[tuple[int, str]]  # (id, code)
    region_weights: list[float]
    municipalities: dict[int, list[int]]  # region id -> municipality ids
    hub: dict[int, int]  # region id -> care coordination organisation id
    recorders: dict[int, list[tuple[int, int]]]  # region id -> [(user id, organisation id)]
    national_orgs: list[int]
    forms: dict[str, int]  # code -> id
    lists: list[tuple[int, list[int]]]  # (signal list id, indicator ids)


def bench_world(rng: random.Random) -> World:
    """Reference data from the migrated database plus one field professional per region."""
    from django.db import transaction

    from samen.accounts.models import User
    from samen.cases.models import ExploitationForm
    from samen.organisations.models import (
        Membership,
        Municipality,
        Organisation,
        OrganisationType,
        Role,
        SafetyRegion,
    )
    from samen.signalling.models import Indicator, SignalList

    regions = list(SafetyRegion.objects.order_by("code").values_list("id", "code"))
    municipalities: dict[int, list[int]] = {rid: [] for rid, _ in regions}
    for mid, rid in Municipality.objects.order_by("code").values_list("id", "region_id"):
        municipalities[rid].append(mid)
    hub: dict[int, int] = {}
    for oid, rid in (
        Organisation.objects.filter(type=OrganisationType.CARE_COORDINATION)
        .order_by("id")
        .values_list("id", "municipality__region_id")
    ):
        hub.setdefault(rid, oid)
    recorders: dict[int, list[tuple[int, int]]] = {rid: [] for rid, _ in regions}
    with transaction.atomic():
        for rid, code in regions:
            org = (
                Organisation.objects.filter(
                    type=OrganisationType.SOCIAL_TEAM, municipality__region_id=rid
                )
                .order_by("id")
                .first()
            )
            if org is None:
                continue
            user, created = User.objects.get_or_create(
                username=f"bench-field-{code.lower()}",
                defaults={"first_name": "Bench", "last_name": code, "is_synthetic": True},
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            Membership.objects.get_or_create(
                user=user, organisation=org, role=Role.FIELD_PROFESSIONAL
            )
    for uid, oid, rid in (
        Membership.objects.filter(role=Role.FIELD_PROFESSIONAL, is_active=True)
        .order_by("id")
        .values_list("user_id", "organisation_id", "organisation__municipality__region_id")
    ):
        recorders[rid].append((uid, oid))
    national_orgs = list(
        Organisation.objects.filter(
            type__in=[OrganisationType.COMENSHA, OrganisationType.LABOUR_INSPECTORATE]
        ).values_list("id", flat=True)
    )
    forms = dict(ExploitationForm.objects.values_list("code", "id"))
    indicators: dict[int, list[int]] = {}
    for iid, lid in Indicator.objects.filter(signal_list__is_current=True).values_list(
        "id", "signal_list_id"
    ):
        indicators.setdefault(lid, []).append(iid)
    lists = [
        (lid, indicators[lid])
        for lid in SignalList.objects.filter(is_current=True)
        .order_by("code")
        .values_list("id", flat=True)
        if indicators.get(lid)
    ]
    weights = [BIG_REGIONS.get(code, 1.0) * rng.uniform(0.6, 1.4) for _, code in regions]
    missing = [code for rid, code in regions if rid not in hub or not recorders[rid]]
    if missing or not lists or set(FORM_WEIGHTS) - set(forms):
        raise SystemExit(f"demo world incomplete (regions without hub or recorder: {missing})")
    return World(regions, weights, municipalities, hub, recorders, national_orgs, forms, lists)


def pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@dataclass(frozen=True)
class J:
    """A JSON value, written as jsonb on PostgreSQL and as text on SQLite."""

    value: object


def _sqlite_value(v: object) -> object:
    # As Django stores them on SQLite: UTC text times, hex UUIDs, JSON text.
    if isinstance(v, datetime):
        return v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(v, uuid.UUID):
        return v.hex
    if isinstance(v, J):
        return json.dumps(v.value)
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v


def copy_rows(cur, table: str, columns: list[str], rows: list[tuple]) -> None:
    cols = ", ".join(columns)
    if isinstance(cur, sqlite3.Cursor):
        marks = ", ".join("?" for _ in columns)
        cur.executemany(
            f"INSERT INTO {table} ({cols}) VALUES ({marks})",  # noqa: S608 (model tables)
            [tuple(_sqlite_value(v) for v in row) for row in rows],
        )
        return
    from psycopg.types.json import Jsonb

    with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(tuple(Jsonb(v.value) if isinstance(v, J) else v for v in row))


@contextlib.contextmanager
def bulk_cursor(url: str) -> Iterator:
    """A raw cursor on the bench database for the load, committed at the end."""
    if url.startswith("sqlite:"):
        conn = sqlite3.connect(urlsplit(url).path)
        try:
            yield conn.cursor()
            conn.commit()
        finally:
            conn.close()
        return
    import psycopg

    with psycopg.connect(url) as conn, conn.cursor() as cur:
        yield cur
        conn.commit()


def next_id(cur, table: str) -> int:
    return cur.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}").fetchone()[0]  # noqa: S608


def load_cases(dsn: str, n: int, *, seed: int = 1) -> None:
    """COPY n synthetic cases with persons, forms, a signal each and their timeline events."""
    from samen.cases.models import Case, CaseEvent, CaseNumberCounter, Person
    from samen.signalling.models import Signal

    rng = random.Random(seed)
    world = bench_world(rng)
    t_case, t_person, t_signal = Case._meta.db_table, Person._meta.db_table, Signal._meta.db_table
    t_event, t_counter = CaseEvent._meta.db_table, CaseNumberCounter._meta.db_table
    t_case_forms = Case.forms.through._meta.db_table
    t_sig_ind = Signal.indicators.through._meta.db_table

    start = datetime(2022, 1, 1, tzinfo=AMS)
    now = datetime.now(UTC)
    span = (now - start).total_seconds()
    # Sorted, so case numbers follow the opening date as they do in real use.
    opened = sorted(start + timedelta(seconds=rng.random() * span) for _ in range(n))
    other_forms = list(FORM_WEIGHTS)

    sqlite = dsn.startswith("sqlite:")
    with bulk_cursor(dsn) as cur:
        counters = dict(cur.execute(f"SELECT year, last FROM {t_counter}").fetchall())  # noqa: S608
        case_id0 = next_id(cur, t_case)
        person_id0 = next_id(cur, t_person)
        signal_id0 = next_id(cur, t_signal)
        t0 = time.perf_counter()
        for lo in range(0, n, BATCH):
            persons, cases, case_forms, signals, sig_ind, events = [], [], [], [], [], []
            for i in range(lo, min(lo + BATCH, n)):
                at = opened[i]
                year = at.astimezone(AMS).year
                counters[year] = counters.get(year, 0) + 1
                number = f"MH-{year}-{counters[year]:06d}"
                rid = world.regions[
                    rng.choices(range(len(world.regions)), world.region_weights)[0]
                ][0]
                mid = rng.choice(world.municipalities[rid])
                roll = rng.random()
                if roll < 0.93:
                    responsible = world.hub[rid]
                elif roll < 0.97:
                    responsible = rng.choice(world.national_orgs)
                else:  # taken over by another region's coordination
                    responsible = world.hub[rng.choice(world.regions)[0]]
                band = pick(rng, BAND_WEIGHTS)
                pid, cid, sid = person_id0 + i, case_id0 + i, signal_id0 + i
                persons.append(
                    (
                        pid,
                        uuid.UUID(int=rng.getrandbits(128), version=4),
                        pick(rng, GENDER_WEIGHTS),
                        band,
                        band in ("0-11", "12-17"),
                        True,
                        pick(rng, NATIONALITY_WEIGHTS),
                        True,
                        at,
                    )
                )
                # Older cases are more often closed.
                status = pick(rng, STATUS_WEIGHTS)
                if (now - at).days > 730 and rng.random() < 0.6:
                    status = "closed"
                cases.append((cid, number, pid, status, responsible, mid, rid, at, at, True))
                codes = [pick(rng, FORM_WEIGHTS)]
                if rng.random() < 0.15:
                    second = rng.choice(other_forms)
                    if second not in codes:
                        codes.append(second)
                case_forms.extend((cid, world.forms[c]) for c in codes)
                user_id, org_id = rng.choice(world.recorders[rid])
                list_id, indicator_ids = rng.choice(world.lists)
                advice = pick(rng, ADVICE_WEIGHTS)
                observed = (at - timedelta(days=rng.randrange(0, 10))).astimezone(AMS).date()
                signals.append(
                    (
                        sid,
                        cid,
                        list_id,
                        user_id,
                        org_id,
                        mid,
                        rid,
                        observed,
                        "",
                        None,
                        advice,
                        J([]),
                        False,
                        at,
                        True,
                        J([]),
                    )
                )
                sig_ind.extend((sid, ind) for ind in rng.sample(indicator_ids, k=1))
                events.append((cid, at, "created", user_id, org_id, J({"forms": codes})))
                events.append(
                    (
                        cid,
                        at,
                        "signal_added",
                        user_id,
                        org_id,
                        J({"signal": sid, "advice": advice}),
                    )
                )
            copy_rows(
                cur,
                t_person,
                [
                    "id",
                    "ref",
                    "gender",
                    "age_band",
                    "is_minor",
                    "age_is_estimate",
                    "nationality_group",
                    "is_synthetic",
                    "created_at",
                ],
                persons,
            )
            copy_rows(
                cur,
                t_case,
                [
                    "id",
                    "number",
                    "person_id",
                    "status",
                    "responsible_organisation_id",
                    "municipality_id",
                    "region_id",
                    "opened_at",
                    "updated_at",
                    "is_synthetic",
                ],
                cases,
            )
            copy_rows(cur, t_case_forms, ["case_id", "exploitationform_id"], case_forms)
            copy_rows(
                cur,
                t_signal,
                [
                    "id",
                    "case_id",
                    "signal_list_id",
                    "recorded_by_id",
                    "organisation_id",
                    "municipality_id",
                    "region_id",
                    "observed_on",
                    "setting",
                    "notes_ciphertext",
                    "advice",
                    "advice_reasons",
                    "linked_to_existing",
                    "created_at",
                    "is_synthetic",
                    "identity_new",
                ],
                signals,
            )
            copy_rows(cur, t_sig_ind, ["signal_id", "indicator_id"], sig_ind)
            copy_rows(
                cur,
                t_event,
                ["case_id", "at", "kind", "actor_id", "organisation_id", "data"],
                events,
            )
            done = min(lo + BATCH, n)
            rate = done / (time.perf_counter() - t0)
            log(f"  loaded {done:>9,} / {n:,} cases ({rate:,.0f} cases/s)")
        if not sqlite:
            for table in (t_person, t_case, t_signal):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT MAX(id) FROM {table}))"
                )
        mark = "?" if sqlite else "%s"
        for year, last in counters.items():
            cur.execute(
                f"INSERT INTO {t_counter} (year, last) VALUES ({mark}, {mark}) "  # noqa: S608
                "ON CONFLICT (year) DO UPDATE SET last = EXCLUDED.last",
                [year, last],
            )
    if sqlite:
        with contextlib.closing(sqlite3.connect(urlsplit(dsn).path)) as conn:
            log("ANALYZE")
            conn.execute("ANALYZE")
        return
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        log("VACUUM ANALYZE")
        conn.execute("VACUUM ANALYZE")
        # Flush the load now rather than in a checkpoint during the measurement (needs the
        # pg_checkpoint role or superuser; without it the measurement simply starts earlier).
        with contextlib.suppress(psycopg.Error):
            conn.execute("CHECKPOINT")


def build(dsn: str, env: dict[str, str], n: int, *, reuse: bool) -> int:
    """Migrate, build the demo world and load the cases; the number of cases in the database."""
    created = prepare_database(dsn, reuse=reuse)
    django_setup(env)
    from django.core.management import call_command
    from django.db import connections

    from samen.cases.models import Case
    from samen.demo.builder import build_demo_world

    t = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    log(f"migrated in {time.perf_counter() - t:.1f} s")
    have = Case.objects.count()
    if not created and have >= n:
        log(f"database already holds {have:,} cases; not loading")
        connections.close_all()
        return have
    if have:
        raise SystemExit(f"database holds {have:,} cases, fewer than {n:,}: run without --reuse")
    t = time.perf_counter()
    summary = build_demo_world(seed=1, signals=0)
    log(
        f"demo world: {summary.organisations} organisations, {summary.users} users "
        f"in {time.perf_counter() - t:.1f} s"
    )
    t = time.perf_counter()
    log(f"loading {n:,} synthetic cases with COPY")
    load_cases(dsn, n)
    log(f"loaded in {time.perf_counter() - t:.1f} s")
    have = Case.objects.count()
    connections.close_all()
    return have


# --------------------------------------------------------------------------------------------
# Server
# --------------------------------------------------------------------------------------------


def source_revision() -> str:
    """The commit the server runs, with "+changes" when tracked files differ from it."""
    try:
        rev = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return rev + ("+changes" if dirty else "")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str], *, workers: int, threads: int, production: bool = False
) -> Iterator[tuple[int, int]]:
    """gunicorn serving the bench database: (its port, the master's pid)."""
    port = free_port()
    logdir = Path(tempfile.mkdtemp(prefix="samen-bench-"))
    errlog = logdir / "gunicorn.log"
    if production:
        # `samen serve`'s configuration (gthread, timeouts, access log without query strings),
        # with this run's worker and thread counts.
        env = {
            **env,
            "SAMEN_WORKERS": str(workers),
            "SAMEN_THREADS": str(threads),
            "SAMEN_ACCESS_LOG": str(logdir / "access.log"),
        }
        cmd = [str(ROOT / ".venv" / "bin" / "gunicorn"), "samen.wsgi:application",
               "--config", str(CONF), "--bind", f"127.0.0.1:{port}",
               "--error-logfile", str(errlog), "--log-level", "warning"]  # fmt: skip
    else:
        cmd = _plain_gunicorn(port, workers, threads, errlog)
    log(
        f"starting gunicorn ({'samen serve configuration' if production else 'plain'}): "
        f"{workers} gthread workers x {threads} threads on 127.0.0.1:{port}"
    )
    proc = subprocess.Popen(
        cmd,
        env=env,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_healthy(port, proc, errlog)
        yield port, proc.pid
    finally:
        stop(proc)
        log(f"gunicorn stopped (exit {proc.returncode}); its log: {errlog}")


def _plain_gunicorn(port: int, workers: int, threads: int, errlog: Path) -> list[str]:
    return [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "samen.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--keep-alive",
        "30",
        "--timeout",
        "120",
        "--error-logfile",
        str(errlog),
        "--log-level",
        "warning",
    ]


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # the group this script created for it
        proc.wait(timeout=10)


def wait_healthy(port: int, proc: subprocess.Popen, errlog: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}:\n{tail(errlog)}")
        try:
            status, body = request(
                http.client.HTTPConnection("127.0.0.1", port, timeout=5), "/readyz"
            )
            if status == 200 and json.loads(body).get("status") == "ok":
                log("gunicorn answers /readyz")
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"/readyz did not answer within {timeout:.0f} s:\n{tail(errlog)}")


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def request(
    conn: http.client.HTTPConnection,
    path: str,
    headers: dict[str, str] | None = None,
    method: str = "GET",
    body: bytes | None = None,
) -> tuple[int, bytes]:
    conn.request(method, path, body=body, headers=headers or {})
    resp = conn.getresponse()
    return resp.status, resp.read()


def token_for(port: int, username: str, password: str) -> str:
    """A token as the demo user; roles that see identity add the demo account's TOTP code.

    A TOTP code is accepted once: a run that starts within the same 30-second step as the
    previous run's login is refused its code (403), so it waits for the next step and asks
    once more."""
    import time
    from binascii import unhexlify

    from django_otp.oath import TOTP

    from samen.demo.builder import demo_totp_key

    for attempt in range(2):
        totp = TOTP(unhexlify(demo_totp_key(username)))
        otp = f"{totp.token():06d}"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            status, body = request(
                conn,
                "/api/v1/auth/token/",
                {"Content-Type": "application/json", "Accept": "application/json"},
                "POST",
                json.dumps({"username": username, "password": password, "otp": otp}).encode(),
            )
        finally:
            conn.close()
        if status in (200, 201):  # 201 since tokens are records of their own
            return json.loads(body)["token"]
        if status != 403 or attempt:
            break
        time.sleep(totp.step - time.time() % totp.step + 0.5)  # the next step's code
    raise RuntimeError(f"token for {username}: HTTP {status} {body[:200]!r}")


# --------------------------------------------------------------------------------------------
# CPU time of the server, its database backends and the clients
# --------------------------------------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name (which may hold spaces)."""
    raw = Path(f"/proc/{pid}/stat").read_text()
    return raw[raw.rindex(")") + 2 :].split()


def _cpu_s(pid: int, *, reaped: bool = False) -> float:
    """User and system CPU seconds of a process (with reaped: its waited-for children's too)."""
    try:
        f = _stat(pid)
    except (OSError, ValueError):
        return 0.0  # gone, or not readable: counts nothing
    ticks = int(f[11]) + int(f[12]) + ((int(f[13]) + int(f[14])) if reaped else 0)
    return ticks / _TICK


def _children(pid: int) -> list[int]:
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                if int(_stat(int(entry.name))[1]) == pid:
                    kids.append(int(entry.name))
    return kids


class CpuSampler:
    """CPU seconds so far of gunicorn (the master, its workers and the workers it has reaped:
    a worker replaced after max_requests still counts), of the PostgreSQL backends connected to
    the bench database (not this sampler's own; a backend that exits between two samples is
    lost, so the figure is a lower bound) and of this process (the client threads)."""

    def __init__(self, server_pid: int, dsn: str | None) -> None:
        self.server_pid = server_pid
        self.conn = None
        if dsn and Path("/proc/self/stat").exists():
            import psycopg

            self.conn = psycopg.connect(dsn, autocommit=True)

    def sample(self) -> dict[str, object]:
        workers = {kid: _cpu_s(kid) for kid in _children(self.server_pid)}
        app = _cpu_s(self.server_pid, reaped=True) + sum(workers.values())
        backends: dict[int, float] = {}
        if self.conn is not None:
            pids = self.conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            ).fetchall()
            backends = {pid: _cpu_s(pid) for (pid,) in pids}
        usage = os.times()
        return {
            "app": app,
            "workers": workers,
            "db": backends,
            "client": usage.user + usage.system,
        }

    @staticmethod
    def worker_shares(before: dict[str, object], after: dict[str, object]) -> list[float]:
        """Each living worker's share of the workers' CPU time between two samples, the
        busiest first: how evenly the work was spread (a worker forked in between counts
        from its start)."""
        w_before, w_after = before["workers"], after["workers"]
        assert isinstance(w_before, dict) and isinstance(w_after, dict)
        spent = [max(0.0, s - w_before.get(pid, 0.0)) for pid, s in w_after.items()]
        total = sum(spent)
        return sorted((s / total for s in spent), reverse=True) if total else []

    @staticmethod
    def spent(before: dict[str, object], after: dict[str, object]) -> dict[str, float]:
        """CPU seconds between two samples; a backend counts from its first sample on (or from
        its start), one gone by the second sample not at all."""
        db_before, db_after = before["db"], after["db"]
        assert isinstance(db_before, dict) and isinstance(db_after, dict)
        db = sum(s - db_before.get(pid, 0.0) for pid, s in db_after.items())
        return {
            "app": float(after["app"]) - float(before["app"]),  # type: ignore[arg-type]
            "db": db,
            "client": float(after["client"]) - float(before["client"]),  # type: ignore[arg-type]
        }

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


# --------------------------------------------------------------------------------------------
# How fast the shared machine runs Python just now (the probe)
# --------------------------------------------------------------------------------------------

_PROBE_KEYS = 60_000
_PROBE_LOOKUPS = 20_000
_probe_data: tuple[dict[str, int], list[str]] = ({}, [])


def probe_work() -> int:
    """A fixed piece of Python: 20,000 look-ups, in a fixed shuffled order, in a dict of 60,000
    string keys (some MB, more than a core's own caches hold, as a list request's objects are).
    The same work every call (its sum says so); built once per process."""
    table, order = _probe_data
    if not order:
        rng = random.Random(104)
        keys = [f"k{rng.randrange(10**9)}" for _ in range(_PROBE_KEYS)]
        table.update((k, i) for i, k in enumerate(keys))
        order.extend(rng.sample(keys, _PROBE_LOOKUPS))
    total = 0
    for key in order:
        total += table[key]
    return total


PROBE_FLAG = "--probe-loop"  # argv of the probe's own process (main runs probe_loop)


def probe_loop(interval: float = 0.25) -> int:
    """Print "<time.time()> <CPU ms of probe_work>" every `interval` seconds until stopped. CPU
    time, not wall time: a higher figure means the same instructions took longer to run (other
    processes in the caches and on the cores), not that the probe waited for a core. About 6 ms
    of CPU a quarter second: a few percent of one core, alike for floor and scenario runs."""
    probe_work()  # built outside the timing
    while True:
        now = time.time()
        t0 = time.thread_time()
        probe_work()
        print(f"{now:.3f} {(time.thread_time() - t0) * 1000:.3f}", flush=True)
        time.sleep(interval)


def probe_between(samples: list[tuple[float, float]], t0: float, t1: float) -> float:
    """The median probe figure of the samples taken from t0 to t1 (0.0: none taken)."""
    values = [ms for t, ms in samples if t0 <= t <= t1]
    return statistics.median(values) if values else 0.0


class Probe:
    """probe_loop in a process of its own, its lines collected by a thread of this one."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, float]] = []
        self.proc = subprocess.Popen(
            [sys.executable, __file__, PROBE_FLAG],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            t, ms = line.split()
            self.samples.append((float(t), float(ms)))

    def between(self, t0: float, t1: float) -> float:
        return probe_between(list(self.samples), t0, t1)

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


# --------------------------------------------------------------------------------------------
# Which worker serves which connection
# --------------------------------------------------------------------------------------------


def tcp_peers(table: str, server_port: int) -> dict[int, int]:
    """Socket inode -> client port of the connections to `server_port`, from the text of
    /proc/net/tcp (local and remote address as hex "IP:PORT", inode in the tenth column)."""
    peers = {}
    for line in table.splitlines()[1:]:
        f = line.split()
        if len(f) < 10:
            continue
        local_port = int(f[1].rsplit(":", 1)[1], 16)
        # Not the listening socket (state 0A), which every worker holds.
        if local_port == server_port and f[3] != "0A" and f[9] != "0":
            peers[int(f[9])] = int(f[2].rsplit(":", 1)[1], 16)
    return peers


def _socket_inodes(pid: int) -> set[int]:
    inodes = set()
    with contextlib.suppress(OSError):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(int(target[8:-1]))
    return inodes


def connection_owners(master: int, server_port: int, client_ports: list[int]) -> list[int]:
    """The pid of the gunicorn worker holding each client connection (0 when not found: no
    /proc, or the connection is gone)."""
    try:
        table = Path("/proc/net/tcp").read_text()
    except OSError:
        return [0] * len(client_ports)
    peers = tcp_peers(table, server_port)
    owner_of_port: dict[int, int] = {}
    for pid in _children(master) if master else []:
        for inode in _socket_inodes(pid):
            if inode in peers:
                owner_of_port[peers[inode]] = pid
    return [owner_of_port.get(cp, 0) if cp else 0 for cp in client_ports]


def shares(fractions: list[float]) -> str:
    """Shares as whole percentages joined by "/", e.g. "62/38"."""
    return "/".join(f"{f * 100:.0f}" for f in fractions) or "-"


def worker_split(run_owners: list[int], by_client: list[list[float]]) -> list[tuple[int, int]]:
    """(connections, timed requests) per worker that held at least one connection, the busiest
    first: how evenly the keep-alive connections of one run were spread. Empty when a
    connection's worker is not known (no /proc, or the server closed it after each request:
    then no connection stays on one worker)."""
    if not run_owners or 0 in run_owners:
        return []
    per: dict[int, list[int]] = {}
    for pid, lat in zip(run_owners, by_client, strict=True):
        c = per.setdefault(pid, [0, 0])
        c[0] += 1
        c[1] += len(lat)
    return sorted(((c, n) for c, n in per.values()), reverse=True)


# --------------------------------------------------------------------------------------------
# Percentiles, rounds and the pooled figure
# --------------------------------------------------------------------------------------------


def p95(values: list[float]) -> float:
    """The 95th percentile, interpolated between the samples (method "inclusive")."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[94]


@dataclass
class RatioSummary:
    """List p95 over floor p95 at one concurrency: per round (each round its own connections,
    floor then list), and pooled over all rounds (the p95 of all list samples over the p95 of
    all floor samples): the figure the issue asks for, resting on every sample of the run."""

    per_round: list[float]
    pooled: float
    floor_n: int
    list_n: int

    @property
    def spread(self) -> tuple[float, float, float]:
        """Lowest, median and highest of the per-round ratios."""
        return min(self.per_round), statistics.median(self.per_round), max(self.per_round)


def ratio_summary(floor_rounds: list[list[float]], list_rounds: list[list[float]]) -> RatioSummary:
    """The ratios of rounds measured pairwise (round i of the floor with round i of the list)."""
    if len(floor_rounds) != len(list_rounds) or not floor_rounds:
        raise ValueError("one floor round per list round, at least one")
    per_round = [p95(lr) / p95(fr) for fr, lr in zip(floor_rounds, list_rounds, strict=True)]
    floor_all = [v for r in floor_rounds for v in r]
    list_all = [v for r in list_rounds for v in r]
    return RatioSummary(per_round, p95(list_all) / p95(floor_all), len(floor_all), len(list_all))


# --------------------------------------------------------------------------------------------
# Load generator
# --------------------------------------------------------------------------------------------


@dataclass
class Scenario:
    key: str
    label: str
    path: str
    token: str = ""


@dataclass
class Run:
    scenario: Scenario
    clients: int
    latencies_ms: list[float] = field(default_factory=list)
    wall_s: float = 0.0
    errors: int = 0
    reconnects: int = 0
    count: int | None = None  # "count" of the listed cases, from a warm-up response
    cpu_ms: dict[str, float] = field(default_factory=dict)  # per timed request: app, db, client
    round: int = 1
    # Per client connection: the gunicorn worker (pid) that served it (0: not known) and its
    # timed latencies. Keep-alive connections stay on the worker that accepted them.
    owners: list[int] = field(default_factory=list)
    by_client: list[list[float]] = field(default_factory=list)
    worker_cpu: list[float] = field(default_factory=list)  # shares of the workers' CPU time
    probe_ms: float = 0.0  # the probe's median CPU ms during the run (0.0: no sample)

    @property
    def median(self) -> float:
        return statistics.median(self.latencies_ms)

    @property
    def p95(self) -> float:
        return p95(self.latencies_ms)

    @property
    def rps(self) -> float:
        return len(self.latencies_ms) / self.wall_s if self.wall_s else 0.0


def measure(
    port: int,
    sc: Scenario,
    clients: int,
    requests: int,
    max_seconds: float,
    warmup: int,
    cpu: CpuSampler | None = None,
    server_pid: int = 0,
) -> Run:
    """`requests` timed requests shared by `clients` threads, each on its own keep-alive
    connection that has already served `warmup` untimed requests; with `cpu`, the CPU time per
    timed request of the server, its database backends and the clients."""
    run = Run(sc, clients)
    headers = {"Accept": "application/json", "Accept-Language": "en"}
    if sc.token:
        headers["Authorization"] = f"Token {sc.token}"
    lock = threading.Lock()
    issued = 0
    before: dict[str, object] = {}
    # Sampled when every client has warmed up and before any timed request starts.
    ports = [0] * clients
    run.by_client = [[] for _ in range(clients)]

    def started() -> None:
        # Before the CPU sample: the look-up is not part of the timed work.
        run.owners = connection_owners(server_pid, port, ports)
        before.update(cpu.sample() if cpu else {})

    go = threading.Barrier(clients + 1, action=started)
    deadline = [float("inf")]
    stop = threading.Event()  # set when the run is abandoned (error, Ctrl+C, SIGTERM)

    def one(conn: http.client.HTTPConnection) -> tuple[int, bytes]:
        try:
            return request(conn, sc.path, headers)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            conn.close()  # the server dropped an idle keep-alive connection: once more
            with lock:
                run.reconnects += 1
            return request(conn, sc.path, headers)

    def client(i: int) -> None:
        nonlocal issued
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            for _ in range(warmup):
                status, body = one(conn)
                if status != 200:
                    raise RuntimeError(f"{sc.path}: HTTP {status} {body[:200]!r}")
                if run.count is None and body.startswith(b"{"):
                    run.count = json.loads(body).get("count")
            if conn.sock is not None:
                ports[i] = conn.sock.getsockname()[1]
        finally:
            go.wait()
        try:
            while True:
                with lock:
                    if stop.is_set() or issued >= requests or time.perf_counter() > deadline[0]:
                        return
                    issued += 1
                t0 = time.perf_counter()
                status, _body = one(conn)
                dt = (time.perf_counter() - t0) * 1000
                with lock:
                    if status == 200:
                        run.latencies_ms.append(dt)
                        run.by_client[i].append(dt)
                    else:
                        run.errors += 1
        finally:
            conn.close()

    pool = ThreadPoolExecutor(max_workers=clients)
    try:
        futures = [pool.submit(client, i) for i in range(clients)]
        go.wait()
        t0 = time.perf_counter()
        deadline[0] = t0 + max_seconds
        for f in futures:
            f.result()
        run.wall_s = time.perf_counter() - t0
        after = cpu.sample() if cpu else {}
    except BaseException:
        stop.set()  # the clients finish the request in flight and return
        go.abort()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    if run.errors or not run.latencies_ms:
        raise RuntimeError(f"{sc.label} at {clients} clients: {run.errors} failed requests")
    if cpu is not None:
        spent = CpuSampler.spent(before, after)
        run.cpu_ms = {k: s * 1000 / len(run.latencies_ms) for k, s in spent.items()}
        run.worker_cpu = CpuSampler.worker_shares(before, after)
    return run


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", type=int, default=100_000, help="synthetic cases (default 100000)")
    p.add_argument(
        "--db", choices=("both", "postgres", "sqlite"), default="both",
        help="which databases, each in its own process (default both)",
    )  # fmt: skip
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument(
        "--dsn",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DSN),
        help="PostgreSQL URL of the bench database (default $BENCH_DATABASE_URL or %(default)s)",
    )
    p.add_argument(
        "--sqlite-path", default=DEFAULT_SQLITE, help="SQLite bench file (default %(default)s)"
    )
    p.add_argument("--reuse", action="store_true", help="reuse an existing, loaded bench database")
    p.add_argument(
        "--requests", type=int, default=300, help="timed requests per scenario and concurrency"
    )
    p.add_argument(
        "--max-seconds", type=float, default=120, help="time bound per scenario and concurrency"
    )
    p.add_argument(
        "--clients", default="1,16", help="concurrency levels, comma-separated (default 1,16)"
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="gunicorn workers (default: as `samen serve` on this machine, conf/gunicorn.py)",
    )
    p.add_argument(
        "--threads",
        type=int,
        default=None,
        help="threads per gunicorn worker (default: as `samen serve`, conf/gunicorn.py)",
    )
    p.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="rounds of floor then scenarios against the same server, each on fresh "
        "connections (default 5); the table pools them",
    )
    p.add_argument(
        "--only",
        default="",
        help="scenarios to time, comma-separated keys (floor,list,cursor50,page50,labour; "
        "default all); the floor is always timed, for the ratio",
    )
    p.add_argument(
        "--production",
        action="store_true",
        help="serve as `samen serve` does: src/samen/conf/gunicorn.py and the shared database "
        "cache (throttle counts in PostgreSQL); default: plain gunicorn, per-process cache",
    )
    return p.parse_args()


def cursor_path(port: int, token: str, pages: int) -> str:
    """The list's page after `pages` pages, by following the cursors as a client does."""
    headers = {"Accept": "application/json", "Authorization": f"Token {token}"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    path = "/api/v1/cases/"
    try:
        for _ in range(pages):
            status, body = request(conn, path, headers)
            following = json.loads(body).get("next") if status == 200 else None
            if not following:
                raise RuntimeError(f"{path}: no next page (HTTP {status})")
            parts = urlsplit(following)
            path = f"{parts.path}?{parts.query}"
    finally:
        conn.close()
    return path


def measure_database(args: argparse.Namespace, url: str) -> dict[str, object]:
    """Build (or reuse) one bench database, serve it and time every scenario; the result for
    the parent process."""
    clients = [int(c) for c in args.clients.split(",")]
    env = bench_env(url)
    t = time.perf_counter()
    n_cases = build(url, env, args.cases, reuse=args.reuse)
    build_s = time.perf_counter() - t

    from samen.demo.builder import DEMO_PASSWORD

    runs: list[Run] = []
    load_before = os.getloadavg()[0]
    # The API throttle counts every call (its cost is part of the figures) but never refuses
    # one: the benchmark measures serving, not the rate limit.
    env["SAMEN_API_RATE_USER"] = env["SAMEN_API_RATE_ADDRESS"] = "100000000/minute"
    if args.production:
        env["SAMEN_CACHE"] = "database"
        samen = str(ROOT / ".venv" / "bin" / "samen")
        subprocess.run([samen, "createcachetable"], env=env, check=True)
    with (
        gunicorn(env, workers=args.workers, threads=args.threads, production=args.production) as (
            port,
            server_pid,
        ),
        # From before the first run to after the last; stopped before gunicorn (ADR 0104).
        contextlib.closing(Probe()) as probe,
    ):
        cpu = CpuSampler(server_pid, None if url.startswith("sqlite:") else url)
        registrar = token_for(port, "demo-registrar", DEMO_PASSWORD)
        coordinator = token_for(port, "demo-coordinator", DEMO_PASSWORD)
        deep = cursor_path(port, registrar, 49)
        scenarios = [
            Scenario("floor", "GET /healthz (floor)", "/healthz"),
            Scenario("list", "cases, registrar, first page", "/api/v1/cases/", registrar),
            Scenario("cursor50", "cases, registrar, page 50 by cursor", deep, registrar),
            Scenario("page50", "cases, registrar, ?page=50 (counted)", "/api/v1/cases/?page=50",
                     registrar),
            Scenario("labour", "cases?form=labour, coordinator VR09", "/api/v1/cases/?form=labour",
                     coordinator),
        ]  # fmt: skip
        if args.only:
            keep = {"floor", *args.only.split(",")}
            scenarios = [sc for sc in scenarios if sc.key in keep]
        # Rounds: floor then the scenarios, again and again against the same server, each run
        # on fresh connections. Keep-alive connections stay on the worker that accepted them for
        # the whole run, so one run measures one draw of how they were spread; the rounds draw
        # again, and the pooled figure rests on all of them.
        for rnd in range(1, args.rounds + 1):
            for sc in scenarios:
                for c in clients:
                    t0 = time.time()
                    run = measure(
                        port, sc, c, args.requests, args.max_seconds, warmup=3 if c > 1 else 10,
                        cpu=cpu, server_pid=server_pid,
                    )  # fmt: skip
                    run.probe_ms = probe.between(t0, time.time())
                    run.round = rnd
                    runs.append(run)
                    split = worker_split(run.owners, run.by_client)
                    log(
                        f"r{rnd} {sc.label:<38} c={c:<3} n={len(run.latencies_ms):<4} "
                        f"median {run.median:7.1f} ms  p95 {run.p95:7.1f} ms  "
                        f"{run.rps:6.1f} req/s  cpu/req app {run.cpu_ms['app']:.2f} "
                        f"db {run.cpu_ms['db']:.2f} client {run.cpu_ms['client']:.2f} ms  "
                        f"conns/worker {'/'.join(str(k) for k, _ in split) or '-'}  "
                        f"cpu/worker {shares(run.worker_cpu)}  probe {run.probe_ms:.1f} ms"
                    )
        cpu.close()
    return {
        "cases": n_cases,
        "build_s": build_s,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        "runs": [
            {
                "key": r.scenario.key,
                "label": r.scenario.label,
                "clients": r.clients,
                "round": r.round,
                "n": len(r.latencies_ms),
                "median": r.median,
                "p95": r.p95,
                "rps": r.rps,
                "wall_s": r.wall_s,
                "count": r.count,
                "cpu_ms": r.cpu_ms,
                "latencies_ms": [round(v, 3) for v in r.latencies_ms],
                "split": worker_split(r.owners, r.by_client),
                "worker_cpu": r.worker_cpu,
                "probe_ms": r.probe_ms,
            }
            for r in runs
        ],
    }


def pooled_rows(runs: list[dict]) -> list[dict]:
    """One row per scenario and concurrency over all rounds: every sample in the median and
    p95, requests over the summed wall time, CPU per request weighted by each round's count."""
    groups: dict[tuple[str, int], list[dict]] = {}
    for r in runs:
        groups.setdefault((r["key"], r["clients"]), []).append(r)
    rows = []
    for group in groups.values():
        lat = [v for r in group for v in r["latencies_ms"]]
        n = len(lat)
        wall = sum(r["wall_s"] for r in group)
        cpu = {
            part: sum(r["cpu_ms"].get(part, 0.0) * r["n"] for r in group) / n
            for part in group[0]["cpu_ms"]
        }
        rows.append(
            {
                **{k: group[0][k] for k in ("key", "label", "clients", "count")},
                "n": n,
                "rounds": len(group),
                "median": statistics.median(lat),
                "p95": p95(lat),
                "rps": n / wall if wall else 0.0,
                "cpu_ms": cpu,
            }
        )
    return rows


def print_rounds(db: str, runs: list[dict], figures: dict[str, str]) -> None:
    """Per round and concurrency: floor and scenario p95, req/s, their ratio and how the
    connections were spread over the workers; then each ratio's spread and pooled figure."""
    by = {(r["key"], r["clients"], r["round"]): r for r in runs}
    keys = list(dict.fromkeys(r["key"] for r in runs if r["key"] != "floor"))
    levels = sorted({r["clients"] for r in runs})
    rounds = sorted({r["round"] for r in runs})
    print(
        "\nper round (fresh connections each; per gunicorn worker, busiest first: the "
        "keep-alive connections it held, its share of the workers' CPU time)"
    )
    head = (
        f"{'scenario':<10} {'clients':>7} {'round':>5} {'floor p95':>9} {'floor r/s':>9} "
        f"{'p95':>8} {'req/s':>7} {'ratio':>6}  conns/worker floor; scenario  cpu % per worker"
        "  probe ms"
    )
    print(head)
    print("-" * len(head))
    for key in keys:
        for c in levels:
            pairs = [(by.get(("floor", c, i)), by.get((key, c, i))) for i in rounds]
            pairs = [(f, r) for f, r in pairs if f and r]
            if not pairs:
                continue
            for f, r in pairs:
                spread = "/".join(str(k) for k, _ in f["split"]) or "-"
                spread += "; " + ("/".join(str(k) for k, _ in r["split"]) or "-")
                spread += f"  {shares(f['worker_cpu'])}; {shares(r['worker_cpu'])}"
                spread += f"  {f.get('probe_ms', 0.0):.1f}; {r.get('probe_ms', 0.0):.1f}"
                print(
                    f"{key:<10} {c:>7} {r['round']:>5} {f['p95']:>9.1f} {f['rps']:>9.1f} "
                    f"{r['p95']:>8.1f} {r['rps']:>7.1f} {r['p95'] / f['p95']:>5.1f}x  {spread}"
                )
            summary = ratio_summary(
                [f["latencies_ms"] for f, _ in pairs], [r["latencies_ms"] for _, r in pairs]
            )
            lo, mid, hi = summary.spread
            print(
                f"{key:<10} {c:>7} {'all':>5}  p95/floor p95 pooled {summary.pooled:.2f}x "
                f"(n {summary.list_n} / {summary.floor_n}); rounds {lo:.2f}-{hi:.2f}x, "
                f"median {mid:.2f}x"
            )
            prefix = f"{db}_" + ("" if key == "list" else f"{key}_") + f"c{c}_p95_floor_ratio"
            figures[f"{prefix}_pooled"] = f"{summary.pooled:.2f}"
            figures[f"{prefix}_rounds"] = ",".join(f"{v:.2f}" for v in summary.per_round)
            figures[f"{prefix}_min"] = f"{lo:.2f}"
            figures[f"{prefix}_max"] = f"{hi:.2f}"


def probe_spread(runs: list[dict]) -> tuple[float, float, float]:
    """Lowest, median and highest of the runs' probe figures (each the median of its own
    samples), floor and scenarios alike: how much the machine's speed moved during the run."""
    values = [r["probe_ms"] for r in runs if r.get("probe_ms")]
    if not values:
        return 0.0, 0.0, 0.0
    return min(values), statistics.median(values), max(values)


def serve_defaults() -> dict[str, int]:
    """Workers and threads `samen serve` would run here: conf/gunicorn.py's own values (from
    SAMEN_WORKERS / SAMEN_THREADS when set, else its defaults for this machine)."""
    import runpy

    conf = runpy.run_path(str(CONF))
    return {"workers": int(conf["workers"]), "threads": int(conf["threads"])}


def main() -> int:
    if sys.argv[1:] == [PROBE_FLAG]:
        return probe_loop()
    args = parse_args()
    defaults = serve_defaults()
    args.workers = args.workers or defaults["workers"]
    args.threads = args.threads or defaults["threads"]
    if not 1 <= args.workers <= 9 or args.rounds < 1:
        raise SystemExit("--workers must be 1 to 9, --rounds at least 1")
    require_loopback(args.dsn)
    # SIGTERM ends the run through the finally clauses, so gunicorn is stopped as well.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.child:
        url = f"sqlite:///{args.sqlite_path}" if args.db == "sqlite" else args.dsn
        return child_result(measure_database(args, url))

    t_start = time.perf_counter()
    passed = [a for a in sys.argv[1:] if a not in ("--db", "both", "postgres", "sqlite")]
    if "--db" in sys.argv:  # drop the value that followed --db, whichever it was
        i = sys.argv.index("--db")
        passed = sys.argv[1:i] + sys.argv[i + 2 :]
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = {db: run_child(__file__, db, passed) for db in dbs}
    total_s = time.perf_counter() - t_start
    rev = source_revision()
    print()
    print(
        f"Samen case-list API ({rev}), gunicorn {args.workers} gthread workers x "
        f"{args.threads} threads, {os.cpu_count()} CPUs, client and server on one host"
    )
    figures: dict[str, str] = {}
    for db, res in results.items():
        before, after = res["load_before"], res["load_after"]
        busy = max(before, after) > (os.cpu_count() or 1)
        print(
            f"\n{db}: {res['cases']:,} synthetic cases; 1-minute load average {before:.1f} "
            f"before and {after:.1f} after" + (": other processes competed" if busy else "")
        )
        # Each scenario beside the floor measured in the same run at the same concurrency: the
        # ratio is what the endpoint adds, whatever else the shared machine was doing. The rows
        # pool every round; the ratio is that of the pooled p95s.
        rows = pooled_rows(res["runs"])
        floor = {r["clients"]: r for r in rows if r["key"] == "floor"}
        head = f"{'scenario':<38} {'clients':>7} {'n':>5} {'median ms':>10} {'p95 ms':>9}"
        head += f" {'p95/floor':>9} {'req/s':>8} {'count':>8}"
        head += f" {'cpu ms/req: app':>15} {'db':>5} {'client':>6}"
        print(head)
        print("-" * len(head))
        for r in rows:
            count = "" if r["count"] is None else f"{r['count']:,}"
            base = floor.get(r["clients"])
            ratio = f"{r['p95'] / base['p95']:.1f}x" if base and base["p95"] else ""
            cpu = r["cpu_ms"]
            print(
                f"{r['label']:<38} {r['clients']:>7} {r['n']:>5} {r['median']:>10.1f} "
                f"{r['p95']:>9.1f} {ratio:>9} {r['rps']:>8.1f} {count:>8}"
                f" {cpu['app']:>15.2f} {cpu['db']:>5.2f} {cpu['client']:>6.2f}"
            )
            prefix = f"{db}_" + ("" if r["key"] == "list" else f"{r['key']}_")
            figures[f"{prefix}c{r['clients']}_median_ms"] = f"{r['median']:.1f}"
            figures[f"{prefix}c{r['clients']}_p95_ms"] = f"{r['p95']:.1f}"
            figures[f"{prefix}c{r['clients']}_n"] = str(r["n"])
            figures[f"{prefix}c{r['clients']}_rps"] = f"{r['rps']:.1f}"
            for part, ms in cpu.items():
                figures[f"{prefix}c{r['clients']}_cpu_{part}_ms"] = f"{ms:.2f}"
            if base and r["key"] != "floor":
                figures[f"{prefix}c{r['clients']}_p95_floor_ratio"] = (
                    f"{r['p95'] / base['p95']:.1f}"
                )
        print_rounds(db, res["runs"], figures)
        lo, mid, hi = probe_spread(res["runs"])
        print(
            f"probe (CPU ms of the same Python, four times a second during each run; higher: "
            f"the machine ran Python slower): runs' medians {mid:.1f}, {lo:.1f}-{hi:.1f}"
        )
        figures[f"{db}_probe_ms"] = f"{mid:.1f}"
        figures[f"{db}_probe_ms_min"] = f"{lo:.1f}"
        figures[f"{db}_probe_ms_max"] = f"{hi:.1f}"
        figures[f"{db}_cases"] = str(res["cases"])
        figures[f"{db}_loadavg_before"] = f"{before:.1f}"
        figures[f"{db}_loadavg_after"] = f"{after:.1f}"
        figures[f"{db}_build_s"] = f"{res['build_s']:.0f}"
    print(f"\ntotal {total_s:.0f} s")
    figures["rev"] = rev
    figures["workers"] = str(args.workers)
    figures["threads"] = str(args.threads)
    figures["production"] = "1" if args.production else "0"
    figures["rounds"] = str(args.rounds)
    figures["requests"] = str(args.requests)
    figures["total_s"] = f"{total_s:.0f}"
    print("RESULT " + " ".join(f"{k}={v}" for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
