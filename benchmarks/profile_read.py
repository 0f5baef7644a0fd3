"""Where the time of one case-list read goes, in-process, on an existing bench database.

Profiles N calls (default 200) of the API case list's selector (`case_search_after`, first page,
25 rows) as demo-registrar (every case) on the database `benchmarks/api_read.py` built and kept
(run that first; nothing here writes but audit entries). Prints the median wall time, the
queries per call with their summed time, and the functions with the most own time (cProfile).

Run:  .venv/bin/python benchmarks/profile_read.py [--dsn URL] [-n 200] [--actor demo-registrar]
      [--top 25] [--sort tottime|cumulative]
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import os
import pstats
import statistics
import sys
import time

from benchlib import bench_env, django_setup, require_loopback

DEFAULT_DSN = "postgres://samen:samen-ci@127.0.0.1:5432/samen_bench"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dsn", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DSN))
    p.add_argument("-n", type=int, default=200)
    p.add_argument("--actor", default="demo-registrar")
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--sort", default="tottime", choices=("tottime", "cumulative"))
    p.add_argument("--form", default="", help="filter on an exploitation form code")
    args = p.parse_args()
    if args.dsn.startswith("postgres"):
        require_loopback(args.dsn)
    django_setup(bench_env(args.dsn))

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from samen.cases.selectors import CaseFilters, case_search_after
    from samen.core.actor import actor_for_membership
    from samen.organisations.models import Membership

    m = Membership.objects.select_related("user", "organisation__municipality__region").get(
        user__username=args.actor
    )
    base = actor_for_membership(m, origin="bench:127.0.0.1")
    filters = CaseFilters(form=args.form)

    def once() -> None:
        case_search_after(actor=dataclasses.replace(base, memo={}), filters=filters)

    for _ in range(10):
        once()
    with CaptureQueriesContext(connection) as q:
        once()
    times = []
    prof = cProfile.Profile()
    for _ in range(args.n):
        t = time.perf_counter()
        prof.enable()
        once()
        prof.disable()
        times.append((time.perf_counter() - t) * 1000)
    print(
        f"{args.actor}, case_search_after first page: median {statistics.median(times):.2f} ms "
        f"over {args.n} calls; 1-minute load average {os.getloadavg()[0]:.1f}"
    )
    print(f"{len(q.captured_queries)} queries per call:")
    for item in q.captured_queries:
        print(f"  {float(item['time']) * 1000:7.2f} ms  {item['sql'][:160]}")
    pstats.Stats(prof, stream=sys.stdout).sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
