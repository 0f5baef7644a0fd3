"""What the access policy and the audit write add to one case read, on SQLite and PostgreSQL.

What it does, per database (each in its own child process, since Django binds one database per
process):
  1. Creates a fresh bench database (SQLite: a new file under /tmp; PostgreSQL: the database
     `samen_bench_policy`, dropped first when it exists), migrates it and builds the synthetic
     demo world `build_demo_world(seed=1, signals=200)`. Throwaway keys are generated per run.
  2. Times, in-process, N calls (default 500) as demo-coordinator (scope: its safety region) of
       - guarded: `samen.cases.selectors.case_get(actor=..., number=...)`, the real read: policy
         check, policy-filtered query, case_access, the dict, one audit entry;
       - plain: the same read without policy and audit: the same case query with the same
         select_related, identity decrypted via `samen.cases.services.identity_read`, the same
         signals, notes and timeline, the same dict (checked equal to the guarded one);
     interleaved call by call over the coordinator's cases (alternating which goes first), each
     guarded call with a fresh Actor (empty memo), as every request gets.
  3. Times separately N calls of `audit.record(...)` with the arguments case_get passes, and of
     `policy.case_access(...)` (fresh Actor, so including its register look-up). record() is
     timed as configured (a signed checkpoint appended after every commit) and again with an
     fsync per checkpoint, a checkpoint every 100th entry, and none (the floor): the difference
     is what anchoring the chain outside the table costs.
  4. Checks the audit chain with `audit.verify()` afterwards (its end must be checkpointed),
     then drops the bench database.

  5. On PostgreSQL, plans the SELECT statements of one guarded and one plain read again with
     EXPLAIN (SUMMARY ON) and prints their planning time (server CPU per read that does not
     depend on the machine's load).

The parent prints one table over the databases and a last line `RESULT key=value ...`.
"added" is the median (and p95) of the per-call difference guarded - plain, paired per case.

Run:  .venv/bin/python benchmarks/policy_audit.py [--db sqlite|postgres|both] [-n 500]
      (PostgreSQL DSN default: $BENCH_POLICY_DATABASE_URL or
       postgres://samen:samen-ci@127.0.0.1:5432/samen_bench_policy)
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import statistics
import sys
import time
from collections.abc import Callable

from benchlib import child_database, child_result, database_arguments, log, run_child

DEFAULT_DSN = "postgres://samen:samen-ci@127.0.0.1:5432/samen_bench_policy"
ACTOR = "demo-coordinator"


# --------------------------------------------------------------------------------------------
# Measurement (child process, Django set up for one database)
# --------------------------------------------------------------------------------------------


def ms(seconds: float) -> float:
    return seconds * 1000.0


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[94]


def server_process(connection) -> Callable[[], float]:
    """CPU seconds so far of the PostgreSQL process serving `connection` (0 elsewhere)."""
    if connection.vendor != "postgresql":
        return lambda: 0.0
    connection.ensure_connection()
    stat = f"/proc/{connection.connection.info.backend_pid}/stat"
    tick = os.sysconf("SC_CLK_TCK")

    def cpu() -> float:
        try:
            with open(stat) as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / tick

    return cpu


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return ms(time.perf_counter() - t0)


def summary(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "median": statistics.median(values), "p95": p95(values)}


def plain_read(actor, number: str, access) -> dict[str, object]:
    """case_get without the policy and the audit: the same queries for the case and its parts
    and the same dict. `access` was computed beforehand (outside the timing)."""
    from samen.cases import services as case_services
    from samen.cases.models import Case
    from samen.cases.selectors import LIST_FIELDS, case_summary, notes_of_case, timeline
    from samen.core.register import FIELD_CATEGORIES
    from samen.signalling.selectors import signals_of_case

    case = (
        Case.objects.select_related("person", "municipality", "region", "responsible_organisation")
        .filter(number=number)
        .first()
    )
    data = case_summary(case, access)
    shown = [f for f in LIST_FIELDS if f in data]
    identity_fields = [f for f in FIELD_CATEGORIES if f.startswith("identity.")]
    if any(access.shows(f) for f in identity_fields):  # the coordinator sees all of a case
        identity = {
            k: v
            for k, v in case_services.identity_read(case.person).items()
            if access.shows(f"identity.{k}")
        }
        if identity:
            data["identity"] = identity
            shown += [f"identity.{k}" for k in identity]
    if access.shows("signals"):
        data["signals"] = signals_of_case(actor=actor, case=case, access=access)
    notes = notes_of_case(actor=actor, case=case, access=access)
    if notes:
        data["notes"] = notes
    data["timeline"] = timeline(actor=actor, case=case, access=access)
    return data


def planning_ms(connection, guarded, plain, repeat: int = 21) -> dict[str, float]:
    """PostgreSQL's planning time (median of `repeat`, ms) summed over the SELECT statements of
    one guarded and one plain read (the audit's append left out): server CPU that grows with
    the joins a query asks the planner to order, whatever the load. Empty on SQLite."""
    if connection.vendor != "postgresql":
        return {}

    def total(captured) -> float:
        found = 0.0
        for q in captured.captured_queries:
            if not q["sql"].lstrip().upper().startswith("SELECT") or "auditchainhead" in q["sql"]:
                continue
            times = []
            with connection.cursor() as cursor:
                for _ in range(repeat):
                    cursor.execute("EXPLAIN (SUMMARY ON) " + q["sql"])
                    text = "\n".join(str(row[0]) for row in cursor.fetchall())
                    times.append(float(re.search(r"Planning Time: ([\d.]+)", text).group(1)))
            found += statistics.median(times)
        return found

    return {"guarded": total(guarded), "plain": total(plain)}


def measure(db: str, n: int, warmup: int) -> dict[str, object]:
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from samen.cases import selectors as case_selectors
    from samen.cases.models import Case
    from samen.core import audit, policy
    from samen.core.actor import actor_for_membership
    from samen.core.models import AuditEntry
    from samen.demo.builder import build_demo_world
    from samen.organisations.models import Membership

    t = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    log(f"[{db}] migrated in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    world = build_demo_world(seed=1, signals=200)
    log(
        f"[{db}] demo world: {world.organisations} organisations, {world.users} users, "
        f"{world.signals} signals ({world.linked} linked) in {time.perf_counter() - t:.1f} s"
    )

    m = Membership.objects.select_related("user", "organisation__municipality__region").get(
        user__username=ACTOR
    )
    base = actor_for_membership(m, origin="bench:127.0.0.1")

    def fresh():  # a new request: same user, membership and purpose; empty memo
        return dataclasses.replace(base, memo={})

    region_id = m.organisation.municipality.region_id
    cases = list(
        Case.objects.filter(region_id=region_id).order_by("number").values_list("pk", "number")
    )
    if not cases:
        raise SystemExit(f"no cases in the region of {ACTOR}")
    access = policy.case_access(fresh(), [pk for pk, _ in cases])
    if len(access) != len(cases):
        raise SystemExit(f"{ACTOR} does not reach all cases of its region")
    access_of = {number: access[pk] for pk, number in cases}
    numbers = [number for _, number in cases]

    # Fairness: the baseline must produce exactly what case_get returns.
    for number in numbers:
        guarded = case_selectors.case_get(actor=fresh(), number=number)
        plain = plain_read(fresh(), number, access_of[number])
        if guarded != plain:
            diff = sorted(
                k for k in guarded.keys() | plain.keys() if guarded.get(k) != plain.get(k)
            )
            raise SystemExit(f"baseline differs from case_get for {number}: {diff}")
    with_identity = sum(
        1 for num in numbers if "identity" in plain_read(fresh(), num, access_of[num])
    )
    with CaptureQueriesContext(connection) as q_guarded:
        case_selectors.case_get(actor=fresh(), number=numbers[0])
    with CaptureQueriesContext(connection) as q_plain:
        plain_read(fresh(), numbers[0], access_of[numbers[0]])
    sample = case_selectors.case_get(actor=fresh(), number=numbers[0])
    shown = [f for f in case_selectors.LIST_FIELDS if f in sample]
    shown += [f"identity.{k}" for k in sample.get("identity", {})]
    shown += ["signals"] if "signals" in sample else []

    def record(number: str) -> None:
        acc = access_of[number]
        audit.record(
            base,
            "case.read",
            object_type="case",
            object_id=number,
            fields=shown,
            purpose=policy.purpose_of(base),
            legal_basis=policy.legal_basis(base, acc.categories),
            emergency=acc.emergency,
            detail={"relation": acc.relation.value},
        )

    planning = planning_ms(connection, q_guarded, q_plain)
    with CaptureQueriesContext(connection) as q_record:
        record(numbers[0])
    with CaptureQueriesContext(connection) as q_access:
        policy.case_access(fresh(), [cases[0][0]])

    log(
        f"[{db}] {len(numbers)} cases in the region of {ACTOR} ({with_identity} with identity); "
        f"warm-up {warmup}, then {n} timed calls each"
    )
    guarded_ms: list[float] = []
    plain_ms: list[float] = []
    added_ms: list[float] = []
    # CPU milliseconds per call: this process's, and its database server process's (Linux
    # /proc, counted in clock ticks: only their sum over many calls means anything).
    cpu_ms: dict[str, tuple[list[float], list[float]]] = {
        name: ([], []) for name in ("guarded", "plain", "audit_record")
    }
    backend = server_process(connection)

    def cpu_timed(fn: Callable[[], object]) -> tuple[float, tuple[float, float]]:
        server, client = backend(), time.process_time()
        wall = timed(fn)
        return wall, (ms(time.process_time() - client), ms(backend() - server))

    for i in range(-warmup, n):
        number = numbers[i % len(numbers)]
        acc = access_of[number]

        def g(number=number) -> None:
            case_selectors.case_get(actor=fresh(), number=number)

        def p(number=number, acc=acc) -> None:
            plain_read(fresh(), number, acc)

        if i % 2:
            (tg, cg), (tp, cp) = cpu_timed(g), cpu_timed(p)
        else:
            (tp, cp), (tg, cg) = cpu_timed(p), cpu_timed(g)
        if i >= 0:
            guarded_ms.append(tg)
            plain_ms.append(tp)
            added_ms.append(tg - tp)
            for name, (client, server) in (("guarded", cg), ("plain", cp)):
                cpu_ms[name][0].append(client)
                cpu_ms[name][1].append(server)

    record_ms: list[float] = []
    for i in range(-warmup, n):
        number = numbers[i % len(numbers)]
        dt, (client, server) = cpu_timed(lambda number=number: record(number))
        if i >= 0:
            record_ms.append(dt)
            cpu_ms["audit_record"][0].append(client)
            cpu_ms["audit_record"][1].append(server)

    # What the checkpoint after each commit costs: the same record() with checkpoints written
    # for every entry (the default, above), with an fsync each, every 100th entry, and none.
    from django.test.utils import override_settings

    anchor_variants = {
        "record_fsync": {"AUDIT_ANCHOR_EVERY": 1, "AUDIT_ANCHOR_FSYNC": True},
        "record_every_100": {"AUDIT_ANCHOR_EVERY": 100, "AUDIT_ANCHOR_FSYNC": False},
        "record_unanchored": {"AUDIT_ANCHOR_EVERY": 10**15, "AUDIT_ANCHOR_FSYNC": False},
    }
    variant_ms: dict[str, list[float]] = {}
    for name, overrides in anchor_variants.items():
        variant_ms[name] = []
        with override_settings(**overrides):
            for i in range(-warmup, n):
                number = numbers[i % len(numbers)]
                dt = timed(lambda number=number: record(number))
                if i >= 0:
                    variant_ms[name].append(dt)
    from samen.core import anchor

    anchor.checkpoint_head()  # as `samen audit checkpoint` does after unanchored entries
    checkpoints = sum(1 for _ in anchor.read())
    anchor_bytes = anchor.path().stat().st_size

    access_ms: list[float] = []
    for i in range(-warmup, n):
        pk = cases[i % len(cases)][0]
        dt = timed(lambda pk=pk: policy.case_access(fresh(), [pk]))
        if i >= 0:
            access_ms.append(dt)

    t = time.perf_counter()
    check = audit.verify()
    verify_s = time.perf_counter() - t
    if not check.ok:
        raise SystemExit(f"audit chain broken after the run: {check}")
    entries = AuditEntry.objects.count()
    if check.last_checkpoint is None or check.last_checkpoint.seq != check.checked:
        raise SystemExit(f"the last entry is not checkpointed: {check.last_checkpoint}")
    log(
        f"[{db}] audit chain intact: {check.checked} entries verified in {verify_s:.2f} s, "
        f"last checkpoint {check.last_checkpoint.seq}; {checkpoints} checkpoints, "
        f"{anchor_bytes / checkpoints:.0f} bytes each"
    )
    vendor = connection.vendor
    version = (
        connection.cursor().connection.info.server_version
        if vendor == "postgresql"
        else __import__("sqlite3").sqlite_version
    )
    connection.close()
    return {
        "db": db,
        "vendor_version": str(version),
        "cases": len(numbers),
        "with_identity": with_identity,
        "audit_entries": entries,
        "guarded": summary(guarded_ms),
        "plain": summary(plain_ms),
        "added": summary(added_ms),
        "audit_record": summary(record_ms),
        "cpu": {
            name: {"client_ms": statistics.mean(c), "server_ms": statistics.mean(sv)}
            for name, (c, sv) in cpu_ms.items()
        },
        "load": os.getloadavg()[0],
        "planning_ms": planning,
        "case_access": summary(access_ms),
        **{name: summary(values) for name, values in variant_ms.items()},
        "queries": {
            "guarded": len(q_guarded.captured_queries),
            "plain": len(q_plain.captured_queries),
            "audit_record": len(q_record.captured_queries),
            "case_access": len(q_access.captured_queries),
            **{name: len(q_record.captured_queries) for name in variant_ms},
        },
    }


def child(db: str, dsn: str, n: int, warmup: int, keep: bool) -> int:
    with child_database(db, dsn, keep=keep, prefix="samen-bench-policy-"):
        result = measure(db, n, warmup)
    return child_result(result)


# --------------------------------------------------------------------------------------------
# Parent: one child per database, one table
# --------------------------------------------------------------------------------------------


def child_args(args: argparse.Namespace) -> list[str]:
    """What a child gets on its command line after `--child --db <db>`."""
    extra = ["-n", str(args.n), "--warmup", str(args.warmup), "--dsn", args.dsn]
    return extra + (["--keep"] if args.keep else [])


def print_table(results: list[dict[str, object]], n: int) -> None:
    rows = [
        ("guarded", "case_get (policy + audit)"),
        ("plain", "same read, no policy/audit"),
        ("added", "added per read (paired diff)"),
        ("audit_record", "audit.record alone (checkpoint)"),
        ("record_fsync", "  checkpoint + fsync"),
        ("record_every_100", "  checkpoint every 100th"),
        ("record_unanchored", "  no checkpoint (floor)"),
        ("case_access", "policy.case_access alone"),
    ]
    print()
    print(
        f"Policy check + audit write per case read, in-process, {n} calls each, actor {ACTOR}, "
        f"{os.cpu_count()} CPUs, 1-minute load average {os.getloadavg()[0]:.1f}"
    )
    head = f"{'database':<20} {'operation':<32} {'median ms':>10} {'p95 ms':>9} {'queries':>8}"
    print(head)
    print("-" * len(head))
    for r in results:
        label = f"{r['db']} {r['vendor_version']}"
        for key, text in rows:
            s = r[key]
            if key == "added":
                q = r["queries"]["guarded"] - r["queries"]["plain"]
                queries = f"+{q}"
            else:
                queries = str(r["queries"][key])
            print(f"{label:<20} {text:<32} {s['median']:>10.2f} {s['p95']:>9.2f} {queries:>8}")
            label = ""
        cpu = r["cpu"]
        print(
            f"{'':<20} CPU per call (mean ms, this process + database server): case_get "
            f"{cpu['guarded']['client_ms']:.2f} + {cpu['guarded']['server_ms']:.2f}, plain "
            f"{cpu['plain']['client_ms']:.2f} + {cpu['plain']['server_ms']:.2f}, added "
            f"{cpu['guarded']['client_ms'] - cpu['plain']['client_ms']:.2f} + "
            f"{cpu['guarded']['server_ms'] - cpu['plain']['server_ms']:.2f}; audit.record "
            f"{cpu['audit_record']['client_ms']:.2f} + {cpu['audit_record']['server_ms']:.2f}; "
            f"load average at the end {r['load']:.1f}"
        )
        if r.get("planning_ms"):
            plan = r["planning_ms"]
            print(
                f"{'':<20} PostgreSQL planning per read (its SELECTs, median): case_get "
                f"{plan['guarded']:.2f} ms, plain {plan['plain']:.2f} ms"
            )
        print(
            f"{'':<20} ({r['cases']} cases of the coordinator's region, {r['with_identity']} "
            f"with identity; {r['audit_entries']} audit entries at the end, chain verified)"
        )


def parse_args() -> argparse.Namespace:
    p = database_arguments(__doc__, dsn_env="BENCH_POLICY_DATABASE_URL", default_dsn=DEFAULT_DSN)
    p.add_argument("-n", type=int, default=500, help="timed calls per operation (default 500)")
    p.add_argument("--warmup", type=int, default=30, help="untimed calls first (default 30)")
    return p.parse_args()


def main() -> int:
    args = parse_args()
    if args.child:
        return child(args.db, args.dsn, args.n, args.warmup, args.keep)
    t_start = time.perf_counter()
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = [run_child(__file__, db, child_args(args)) for db in dbs]
    print_table(results, args.n)
    figures: dict[str, str] = {"n": str(args.n)}
    for r in results:
        db = r["db"]
        figures[f"{db}_added_median_ms"] = f"{r['added']['median']:.2f}"
        figures[f"{db}_added_p95_ms"] = f"{r['added']['p95']:.2f}"
        figures[f"{db}_case_get_median_ms"] = f"{r['guarded']['median']:.2f}"
        figures[f"{db}_plain_median_ms"] = f"{r['plain']['median']:.2f}"
        figures[f"{db}_audit_record_median_ms"] = f"{r['audit_record']['median']:.2f}"
        figures[f"{db}_audit_record_p95_ms"] = f"{r['audit_record']['p95']:.2f}"
        for name in ("record_fsync", "record_every_100", "record_unanchored"):
            figures[f"{db}_{name}_median_ms"] = f"{r[name]['median']:.3f}"
        figures[f"{db}_checkpoint_cost_median_ms"] = (
            f"{r['audit_record']['median'] - r['record_unanchored']['median']:.3f}"
        )
        figures[f"{db}_case_access_median_ms"] = f"{r['case_access']['median']:.2f}"
        for name in ("guarded", "plain", "audit_record"):
            for side in ("client", "server"):
                figures[f"{db}_{name}_{side}_cpu_ms"] = f"{r['cpu'][name][f'{side}_ms']:.3f}"
        figures[f"{db}_extra_queries"] = str(r["queries"]["guarded"] - r["queries"]["plain"])
        for name, value in (r.get("planning_ms") or {}).items():
            figures[f"{db}_{name}_planning_ms"] = f"{value:.3f}"
    figures["total_s"] = f"{time.perf_counter() - t_start:.0f}"
    print("RESULT " + " ".join(f"{k}={v}" for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
