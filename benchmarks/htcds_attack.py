"""The outside attack on the HTCDS export, on the database the environment names (the demo).

Runs `samen statistics export-htcds` as demo-registrar: once with the configured k, then asking
for k = 2, then once more, and attacks the files with the independent attacker of
src/samen/statistics/tests/test_htcds_attacker.py (which reads only the files): records joined
on a shared pseudonym, records in groups smaller than 10 within a file and after the join,
group differences of 1..9 between two files on any subset of columns, unique combinations
matched across files. It writes exports into the database's export record, like any export.

Then (issue #13) the victim status against the identification outcomes: every offered period
is released (archived), and an export of the last three years is checked; it prints what
each status can stand for under the path rules in use, the export's status counts per year,
how many outcome cells and sums were compared, and what the cross-check finds at the levels
the export left with and with the status released as registered.

Run:  SAMEN_VAR_DIR=/tmp/demo DATABASE_URL=sqlite:////tmp/demo/samen.sqlite3 \\
      .venv/bin/python benchmarks/htcds_attack.py
      .venv/bin/python benchmarks/htcds_attack.py --seed N [--cases 20000] [--possible]
      (a seeded register of benchmarks/statistics.py, in PostgreSQL samen_htcds_bench; the
      status figures only; --possible: paths past the slightest indication get the status
      PossibleVictimOfTrafficking first, as their step would have set it)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

import benchlib  # puts src/ on sys.path

K = 10


def status_figures(first: int, last: int, *, possible: bool = False) -> None:
    """The export's victim status set against the published identification outcomes. With
    ``possible``, first every path past the slightest indication gets the status its step
    would have set (the synthetic registers leave it empty)."""
    from collections import Counter as Tally

    from django.core.cache import cache

    from samen.core.actor import actor_for_membership
    from samen.organisations.models import Membership
    from samen.statistics import htcds
    from samen.statistics.crosscheck import checker, published_views
    from samen.statistics.kanon import Release
    from samen.statistics.periods import release_periods
    from samen.statistics.services import release_for
    from samen.statistics.status_outcomes import status_outcomes_in_use

    if possible:
        from samen.identification.models import IdentificationPath

        past = ["indication_established", "reflection_accepted", "report_made", "b83_granted",
                "b83_refused", "other_route"]  # fmt: skip
        changed = IdentificationPath.objects.filter(state__in=past).update(
            htcds_status="PossibleVictimOfTrafficking", htcds_decision_org="Police"
        )
        print(f"{changed} paths past the slightest indication now hold PossibleVictim...")
    member = Membership.objects.select_related("user", "organisation").get(
        user__username="demo-registrar"
    )
    actor = actor_for_membership(member, origin="bench", purpose="statistics")
    cache.clear()
    for period in release_periods():
        delivery = release_for(actor, period)
        print(f"released {period.code}: publication {delivery.publication.pk}")
    for status, outcomes in sorted(status_outcomes_in_use().items()):
        print(f"status {status or '(empty)'!r} can be in: {', '.join(sorted(outcomes))}")
    started = time.perf_counter()
    try:
        result = htcds.htcds_export_create(actor=actor, first_year=first, last_year=last)
    except htcds.HtcdsRefused as refused:
        print(f"export {first}-{last}: refused ({refused})")
        return
    record = result.record
    at = [c.name for c in htcds.QUASI].index(htcds.STATUS)
    by_status = Tally()
    for *values, n in record.groups:
        by_status[values[0], values[at] or "(empty)"] += n
    print(f"export {first}-{last}: {record.released} records in "
          f"{time.perf_counter() - started:.1f} s, levels {record.levels}")  # fmt: skip
    print("  records by year and status: " + ", ".join(
        f"{y} {s} {n}" for (y, s), n in sorted(by_status.items())))  # fmt: skip
    columns = {dimension: name for name, dimension in htcds.TABLE_DIMENSION.items()}
    views = [v for v in published_views(first, last, columns) if v.outcomes is not None]
    by_name = {c.name: c for c in htcds.QUASI}
    # The check against the outcomes alone (the forms and the rest are checked as before).
    check = checker(
        views,
        year=htcds.YEAR,
        lift=lambda name, value, start, end: by_name[name].lift(value, start, end),
        k=record.k,
        outcomes=htcds.record_outcomes(status_outcomes_in_use()),
    )
    groups = {tuple(str(v) for v in g[:-1]): int(g[-1]) for g in record.groups}
    names = tuple(record.columns)
    left = Release(names, dict(record.levels), groups, record.k, "export")
    print(f"  outcome cells and sums compared: {len(views)} "
          f"({sum(v.hidden for v in views)} with a hidden cell); status finding at the "
          f"export's levels: {check(left) or 'none'}")  # fmt: skip
    # The same records with every column as registered, small groups too.
    rows = [r for r in htcds.cases_for_statistics(actor=actor)
            if first <= htcds.registration_year(r["opened_at"]) <= last]  # fmt: skip
    statuses = htcds.victim_statuses([str(r["number"]) for r in rows])
    full = Tally(
        tuple(htcds.to_record(r, statuses.get(str(r["number"]), ("", ""))).values()) for r in rows
    )
    levels = {name: 0 for name in names}
    exact = Release(names, levels, dict(full), record.k, "as registered")
    print(f"  status finding with every record and column as registered (no k-anonymity): "
          f"{check(exact) or 'none'}")  # fmt: skip


def seeded(seed: int, cases: int, *, possible: bool = False) -> None:
    import statistics_tableset as bench

    dsn = os.environ.get("BENCH_DATABASE_URL", DSN)
    benchlib.require_loopback(dsn)
    benchlib.require_bench_name(benchlib.db_name(dsn))
    bench.build(dsn, cases, reuse=False, seed=seed)
    print(f"seeded register: seed {seed}, {cases} cases, years {bench.FIRST_YEAR}-"
          f"{bench.FIRST_YEAR + bench.YEARS - 1}")  # fmt: skip
    last = bench.FIRST_YEAR + bench.YEARS - 1
    status_figures(last - 2, last, possible=possible)
    benchlib.drop_postgres(dsn)


DSN = "postgres://samen:samen-ci@127.0.0.1:5432/samen_htcds_bench"


def main() -> None:
    if "--seed" in sys.argv:
        seed = int(sys.argv[sys.argv.index("--seed") + 1])
        cases = int(sys.argv[sys.argv.index("--cases") + 1]) if "--cases" in sys.argv else 20000
        seeded(seed, cases, possible="--possible" in sys.argv)
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samen.conf.base")
    import django

    django.setup()
    from django.core.management import CommandError, call_command

    from samen.statistics.tests import test_htcds_attacker as attacker

    out = Path(tempfile.mkdtemp(prefix="htcds-attack-"))

    def export(name: str, *extra: str) -> list[dict[str, str]] | None:
        started = time.perf_counter()
        try:
            rows = attacker.export(out, name, *extra)
        except CommandError as refused:
            print(f"{name}: refused ({refused}) in {time.perf_counter() - started:.1f} s")
            return None
        print(f"{name}: {len(rows)} records in {time.perf_counter() - started:.1f} s")
        return rows

    call_command("check")
    files = {"k10": export("k10"), "k2": export("k2", "--k", "2"), "again": export("again")}
    for name, rows in files.items():
        if rows:
            columns = attacker.quasi(rows)
            sizes = Counter(tuple(r[c] for c in columns) for r in rows)
            small = sum(n for n in sizes.values() if n < K)
            print(f"{name}: columns {columns}; smallest group {min(sizes.values())}, "
                  f"{small} records in groups below {K}")  # fmt: skip
    pairs = [("k10", "k2"), ("k10", "again")]
    for a_name, b_name in pairs:
        a, b = files[a_name], files[b_name]
        if not a or not b:
            continue
        id_a, id_b = attacker.identifiers(a), attacker.identifiers(b)
        by_id = {r[c]: r for r in b for c in id_b}
        joined = [
            {**{f"a.{c}": v for c, v in ra.items()}, **{f"b.{c}": v for c, v in rb.items()}}
            for ra in a
            for c in id_a
            if (rb := by_id.get(ra[c]))
        ]
        line = f"{a_name} x {b_name}: {len(joined)} records joined on a pseudonym"
        if joined:
            cols = [c for c in joined[0] if not any(c.endswith(i) for i in id_a + id_b)]
            sizes = Counter(tuple(r[c] for c in cols) for r in joined)
            small = sum(n for n in sizes.values() if n < K)
            line += f", {small} of them in groups below {K} (smallest {min(sizes.values())})"
        differences = attacker.differences_below_k(a, b)
        line += (
            f"; {len(differences)} group differences of 1..{K - 1} "
            f"(smallest {min((abs(d) for *_, d in differences), default='-')}); "
            f"{len(attacker.linkable(a, b))} linkable"
        )
        print(line)
    last = date.today().year - 1
    status_figures(last - 2, last)


if __name__ == "__main__":
    sys.exit(main())
