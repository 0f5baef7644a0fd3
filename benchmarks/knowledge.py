"""Search over the knowledge base and the barrier map page, on the demo (issue #24).

What it does, per database (each in its own child process):
  1. A fresh bench database, migrated, with the full demo world `build_demo_world(seed=1,
     signals=--signals)`: programme register, barriers raised in Utrecht and Groningen, the
     review demo, the signal lists as cards.
  2. Search: `samen.knowledge.selectors.resource_search` for a fixed set of Dutch queries,
     -n rounds each (PostgreSQL: full-text search with the Dutch dictionary over the GIN index;
     SQLite: the substring fallback). Floor: a primary-key read of one knowledge record.
  3. Barrier map: GET /barrieres/criminal/regio/VR09/ through Django's test client (the whole
     request: middleware, session, policy, selectors, template) as demo-registrar (with the
     signal counts through the statistics grant and disclosure control) and as
     demo-coordinator (barriers only). Floor: GET /healthz through the same client.

Prints a table and a last line `RESULT key=value ...` (medians in ms).

Run:  .venv/bin/python benchmarks/knowledge.py [--db sqlite|postgres|both] [-n 50] [--signals 400]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from benchlib import child_database, child_result, database_arguments, log, run_child

DEFAULT_DSN = "postgres://samen:samen-ci@127.0.0.1:5432/samen_bench_knowledge"
QUERIES = [
    "hotel",
    "uitbuiting jongeren",
    "trainingen",
    "loon werkgever",
    "minderjarige opvang",
    "e-learning",
    "advertentie telefoonnummer",
    "school verzuim",
]
MAP_URL = "/barrieres/criminal/regio/VR09/"


def ms(seconds: float) -> float:
    return seconds * 1000


def timed(fn, n: int) -> float:
    values = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        values.append(ms(time.perf_counter() - t))
    return statistics.median(values)


def measure(db: str, n: int, signals: int) -> dict[str, object]:
    from django.core.management import call_command
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from samen.accounts.models import User
    from samen.demo.builder import build_demo_world
    from samen.knowledge.models import Resource
    from samen.knowledge.selectors import resource_search
    from samen.signalling.models import Signal

    call_command("migrate", verbosity=0, interactive=False)
    t = time.perf_counter()
    build_demo_world(seed=1, signals=signals)
    log(f"[{db}] demo world in {time.perf_counter() - t:.0f} s")

    first = Resource.objects.order_by("pk").first().pk
    hits = {q: len(resource_search(query=q)) for q in QUERIES}
    for q in QUERIES:  # warm-up
        resource_search(query=q)
    search_values = []
    for _ in range(n):
        for q in QUERIES:
            t0 = time.perf_counter()
            resource_search(query=q)
            search_values.append(ms(time.perf_counter() - t0))
    search_floor = timed(lambda: Resource.objects.filter(pk=first).first(), n * len(QUERIES))

    pages: dict[str, float] = {}
    for username in ("demo-registrar", "demo-coordinator"):
        client = Client(HTTP_HOST="localhost")
        client.force_login(User.objects.get(username=username))
        # The registrar signs in with a second factor: mark the session as verified.
        device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
        if device:
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        response = client.get(MAP_URL)
        assert response.status_code == 200, (username, response.status_code)
        shown = b'data-testid="signals"' in response.content
        assert shown == (username == "demo-registrar"), username
        pages[username] = timed(lambda c=client: c.get(MAP_URL), n)
        pages[f"{username}_floor"] = timed(lambda c=client: c.get("/healthz"), n)
    return {
        "db": db,
        "search_median": statistics.median(search_values),
        "search_floor": search_floor,
        "hits": hits,
        "resources": Resource.objects.count(),
        "signals": Signal.objects.count(),
        "pages": pages,
    }


def child(db: str, dsn: str, n: int, signals: int, keep: bool) -> int:
    with child_database(db, dsn, keep=keep, prefix="samen-bench-knowledge-"):
        result = measure(db, n, signals)
    return child_result(result)


def parse_args() -> argparse.Namespace:
    p = database_arguments(__doc__, dsn_env="BENCH_KNOWLEDGE_DATABASE_URL", default_dsn=DEFAULT_DSN)
    p.add_argument("-n", type=int, default=50, help="timed rounds (default 50)")
    p.add_argument("--signals", type=int, default=400, help="demo signals (default 400)")
    return p.parse_args()


def main() -> int:
    args = parse_args()
    if args.child:
        return child(args.db, args.dsn, args.n, args.signals, args.keep)
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    extra = ["-n", str(args.n), "--signals", str(args.signals), "--dsn", args.dsn]
    results = [run_child(__file__, db, extra + (["--keep"] if args.keep else [])) for db in dbs]
    print()
    print(
        f"Knowledge search ({len(QUERIES)} queries x {args.n}) and barrier map page "
        f"({args.n} requests), {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
    )
    head = (
        f"{'database':<10} {'search med':>11} {'floor':>7} {'map registrar':>14} "
        f"{'map coordinator':>16} {'healthz floor':>14}"
    )
    print(head)
    print("-" * len(head))
    figures: dict[str, str] = {"n": str(args.n)}
    for r in results:
        p = r["pages"]
        print(
            f"{r['db']:<10} {r['search_median']:>11.2f} {r['search_floor']:>7.2f} "
            f"{p['demo-registrar']:>14.2f} {p['demo-coordinator']:>16.2f} "
            f"{p['demo-registrar_floor']:>14.2f}"
        )
        print(f"{'':<10} ({r['resources']} records, {r['signals']} signals; hits {r['hits']})")
        key = r["db"]
        figures[f"{key}_search_median_ms"] = f"{r['search_median']:.2f}"
        figures[f"{key}_search_floor_ms"] = f"{r['search_floor']:.2f}"
        figures[f"{key}_map_registrar_median_ms"] = f"{p['demo-registrar']:.2f}"
        figures[f"{key}_map_coordinator_median_ms"] = f"{p['demo-coordinator']:.2f}"
        figures[f"{key}_healthz_floor_ms"] = f"{p['demo-registrar_floor']:.2f}"
    print("RESULT " + " ".join(f"{k}={v}" for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
