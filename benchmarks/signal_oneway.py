"""Does the time of recording a signal tell whether the person was known? (issue #12)

A signal is a one-way door: the signaller's response is the same for a known and an unknown
person, and linking runs the same statements as opening a case (samen.cases.services.case_link).
This measures what is left of a timing difference, on SQLite and PostgreSQL.

What it does, per database (each in its own child process):
  1. A fresh bench database, migrated, with the demo world `build_demo_world(seed=1,
     signals=0)` and K known persons (an open case each, signalled in another region).
  2. Times N pairs, interleaved and alternating which goes first, as demo-hotel:
       - service: `samen.signalling.services.signal_record` with name, date of birth and
         nationality of a known person (links) and of a new one (opens a case);
       - api: the same through POST /api/v1/signals/ (Django's test client, token auth), the
         whole request: middleware, serializer, service, audit, response.
  3. Checks that the API bodies are identical apart from the receipt.

Prints a table and `RESULT key=value ...`: medians and p95 per path, the median of the paired
difference known - unknown, and the Mann-Whitney U p-value (a small p would mean the two are
told apart by time alone).

Run:  .venv/bin/python benchmarks/signal_oneway.py [--db sqlite|postgres|both] [-n 300]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta

from benchlib import child_database, child_result, database_arguments, log, run_child

DEFAULT_DSN = "postgres://samen:samen-ci@127.0.0.1:5432/samen_bench_oneway"
KNOWN = 20


def ms(seconds: float) -> float:
    return seconds * 1000


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "p95": p95(values)}


def measure(db: str, n: int, warmup: int) -> dict[str, object]:
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient
    from scipy.stats import mannwhitneyu

    from samen.core.actor import actor_for_membership
    from samen.demo.builder import build_demo_world
    from samen.organisations.models import Membership
    from samen.signalling.models import Signal
    from samen.signalling.services import PersonInput, SignalInput, signal_record

    call_command("migrate", verbosity=0, interactive=False)
    build_demo_world(seed=1, signals=0)
    observed = date.today() - timedelta(days=1)

    def actor(username: str):
        m = Membership.objects.select_related("user", "organisation__municipality__region").get(
            user__username=username
        )
        return actor_for_membership(m, origin="bench:127.0.0.1")

    def data(person: PersonInput, municipality: str = "GM0344") -> SignalInput:
        return SignalInput(
            signal_list="hospitality",
            indicators=["hospitality.checkin.third_party_booking"],
            observed_on=observed,
            municipality=municipality,
            person=person,
        )

    def person(i: int, known: bool) -> PersonInput:
        name = f"Bekend Persoon {i % KNOWN}" if known else f"Nieuw Persoon {i}"
        born = date(1980, 1, 1) + timedelta(days=(i % KNOWN) if known else 100 + i % 7000)
        return PersonInput(name=name, date_of_birth=born, nationality="RO")

    elsewhere = actor("demo-field-vr01")
    for i in range(KNOWN):
        signal_record(actor=elsewhere, data=data(person(i, True), "GM0014"))
    log(f"[{db}] demo world with {KNOWN} known persons")

    hotel = actor("demo-hotel")
    token, _ = Token.objects.get_or_create(user=hotel.user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    def via_service(i: int, known: bool) -> float:
        t = time.perf_counter()
        signal_record(actor=hotel, data=data(person(i, known)))
        return ms(time.perf_counter() - t)

    bodies: dict[bool, str] = {}

    def via_api(i: int, known: bool) -> float:
        p = person(i, known)
        payload = {
            "signal_list": "hospitality",
            "indicators": ["hospitality.checkin.third_party_booking"],
            "observed_on": observed.isoformat(),
            "municipality": "GM0344",
            "person": {
                "name": p.name,
                "date_of_birth": p.date_of_birth.isoformat(),
                "nationality": p.nationality,
            },
        }
        t = time.perf_counter()
        response = client.post("/api/v1/signals/", payload, format="json")
        elapsed = ms(time.perf_counter() - t)
        assert response.status_code == 201, response.content
        receipt = response.json()["receipt"]
        bodies[known] = response.content.decode().replace(receipt, "<receipt>")
        return elapsed

    results: dict[str, object] = {"db": db}
    offset = 100_000
    for label, fn in (("service", via_service), ("api", via_api)):
        known_ms: list[float] = []
        new_ms: list[float] = []
        for i in range(-warmup, n):
            j = offset + i
            if i % 2:
                tk, tn = fn(j, True), fn(j, False)
            else:
                tn, tk = fn(j, False), fn(j, True)
            if i >= 0:
                known_ms.append(tk)
                new_ms.append(tn)
        offset += 10 * (n + warmup)
        diff = [k - u for k, u in zip(known_ms, new_ms, strict=True)]
        results[label] = {
            "known": summary(known_ms),
            "unknown": summary(new_ms),
            "diff_median": statistics.median(diff),
            "p_value": float(mannwhitneyu(known_ms, new_ms).pvalue),
        }
        log(f"[{db}] {label}: {n} pairs timed")
    if bodies[True] != bodies[False]:
        raise SystemExit("the API told a known person from an unknown one")
    results["linked"] = Signal.objects.filter(linked_to_existing=True).count()
    results["signals"] = Signal.objects.count()
    return results


def child(db: str, dsn: str, n: int, warmup: int, keep: bool) -> int:
    with child_database(db, dsn, keep=keep, prefix="samen-bench-oneway-"):
        result = measure(db, n, warmup)
    return child_result(result)


def parse_args() -> argparse.Namespace:
    p = database_arguments(__doc__, dsn_env="BENCH_ONEWAY_DATABASE_URL", default_dsn=DEFAULT_DSN)
    p.add_argument("-n", type=int, default=300, help="timed pairs per path (default 300)")
    p.add_argument("--warmup", type=int, default=20, help="untimed pairs first (default 20)")
    return p.parse_args()


def main() -> int:
    args = parse_args()
    if args.child:
        return child(args.db, args.dsn, args.n, args.warmup, args.keep)
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    extra = ["-n", str(args.n), "--warmup", str(args.warmup), "--dsn", args.dsn]
    results = [run_child(__file__, db, extra + (["--keep"] if args.keep else [])) for db in dbs]
    print()
    print(
        f"Recording a signal, known vs unknown person, {args.n} interleaved pairs, "
        f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
    )
    head = (
        f"{'database':<10} {'path':<8} {'known med':>10} {'p95':>7} {'new med':>9} {'p95':>7} "
        f"{'diff med':>9} {'MWU p':>7}"
    )
    print(head)
    print("-" * len(head))
    figures: dict[str, str] = {"n": str(args.n)}
    for r in results:
        for path in ("service", "api"):
            s = r[path]
            print(
                f"{r['db']:<10} {path:<8} {s['known']['median']:>10.2f} {s['known']['p95']:>7.2f} "
                f"{s['unknown']['median']:>9.2f} {s['unknown']['p95']:>7.2f} "
                f"{s['diff_median']:>+9.2f} {s['p_value']:>7.3f}"
            )
            key = f"{r['db']}_{path}"
            figures[f"{key}_known_median_ms"] = f"{s['known']['median']:.2f}"
            figures[f"{key}_unknown_median_ms"] = f"{s['unknown']['median']:.2f}"
            figures[f"{key}_diff_median_ms"] = f"{s['diff_median']:+.2f}"
            figures[f"{key}_mwu_p"] = f"{s['p_value']:.3f}"
        print(f"{'':<10} ({r['signals']} signals, {r['linked']} linked; API bodies identical)")
    print("RESULT " + " ".join(f"{k}={v}" for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
