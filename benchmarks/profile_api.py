"""What one API request costs in-process, whole stack: queries, CPU time, wall time.

Sends N requests (default 200) per endpoint through Django's full stack (middleware, DRF
authentication, throttle, view, renderer) in this process, with Django's test client and an API
token, on the database `benchmarks/api_read.py` built and kept (run that first; nothing here
writes but audit entries and a token). Endpoints: /healthz (the floor), the case list as
demo-registrar (first page, 25 rows), one case page as demo-registrar, the list filtered on
labour exploitation as demo-coordinator. Prints per endpoint the queries of one request (each
statement Django sends, counted by a wrapper on the connection; on PostgreSQL the audit append
adds its BEGIN and COMMIT, which the driver sends and are not counted), the median wall time,
the median CPU time of this process per request and the mean CPU time per request of the
PostgreSQL backend serving it (read from /proc, where it can be read), then optionally the
functions with the most own time (cProfile, by CPU time).

Run:  .venv/bin/python benchmarks/profile_api.py [--dsn URL] [-n 200] [--production]
      [--profile list|case|labour] [--top 25] [--sort tottime|cumulative]
      [--show-sql]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

from benchlib import bench_env, django_setup, require_loopback

DEFAULT_DSN = "postgres://samen:samen-ci@127.0.0.1:5432/samen_bench"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dsn", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DSN))
    p.add_argument("-n", type=int, default=200)
    p.add_argument(
        "--production",
        action="store_true",
        help="the shared database cache, so the throttle counts in the database (as api_read)",
    )
    p.add_argument("--profile", default="", choices=("", "list", "case", "labour"))
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--sort", default="tottime", choices=("tottime", "cumulative"))
    p.add_argument("--show-sql", action="store_true", help="print each statement of a request")
    args = p.parse_args()
    if args.dsn.startswith("postgres"):
        require_loopback(args.dsn)
    env = bench_env(args.dsn)
    env["SAMEN_API_RATE_USER"] = env["SAMEN_API_RATE_ADDRESS"] = "100000000/minute"
    env["SAMEN_ALLOWED_HOSTS"] = "testserver"
    if args.production:
        env["SAMEN_CACHE"] = "database"
    django_setup(env)

    from django.db import connection
    from django.test import Client

    from samen.accounts.tokens import _new_token
    from samen.cases.models import Case
    from samen.organisations.models import Membership

    def token(username: str) -> str:
        m = Membership.objects.select_related("user").get(user__username=username)
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user=m.user, confirmed=True).first()
        return _new_token(user=m.user, membership=m, device=device)[1]

    registrar, coordinator = token("demo-registrar"), token("demo-coordinator")
    number = Case.objects.order_by("-opened_at", "-id").values_list("number", flat=True).first()
    endpoints = {
        "floor": ("/healthz", None),
        "list": ("/api/v1/cases/", registrar),
        "case": (f"/api/v1/cases/{number}/", registrar),
        "labour": ("/api/v1/cases/?form=labour", coordinator),
    }
    client = Client()

    def call(path: str, key: str | None) -> None:
        headers = {"Authorization": f"Token {key}"} if key else {}
        response = client.get(path, headers=headers, HTTP_ACCEPT="application/json")
        if response.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {response.status_code} {response.content[:200]!r}")

    statements: list[str] = []

    def counting(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        statements.append(sql)
        return execute(sql, params, many, context)

    print(
        f"{args.n} requests per endpoint, in-process; 1-minute load average "
        f"{os.getloadavg()[0]:.1f}; throttle: {'database' if args.production else 'memory'}"
    )
    print(
        f"{'endpoint':<8} {'queries':>7} {'wall median ms':>15} {'cpu median ms':>14} "
        f"{'db cpu ms':>10}"
    )
    backend = None
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("SELECT pg_backend_pid()")
            backend = c.fetchone()[0]

    def db_cpu_s() -> float:
        try:
            raw = Path(f"/proc/{backend}/stat").read_text()
        except (OSError, TypeError):
            return float("nan")
        f = raw[raw.rindex(")") + 2 :].split()
        return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")

    for name, (path, key) in endpoints.items():
        for _ in range(10):
            call(path, key)
        statements.clear()
        with connection.execute_wrapper(counting):
            call(path, key)
        queries = list(statements)
        walls, cpus = [], []
        db0 = db_cpu_s()
        for _ in range(args.n):
            w, c = time.perf_counter(), time.thread_time()
            call(path, key)
            cpus.append((time.thread_time() - c) * 1000)
            walls.append((time.perf_counter() - w) * 1000)
        db_ms = (db_cpu_s() - db0) * 1000 / args.n
        print(
            f"{name:<8} {len(queries):>7} {statistics.median(walls):>15.2f} "
            f"{statistics.median(cpus):>14.2f} {db_ms:>10.2f}"
        )
        if args.show_sql:
            for sql in queries:
                print(f"           {sql[:150]}")
    if args.profile:
        path, key = endpoints[args.profile]
        # CPU time of this thread, not wall time: waits for the database do not count.
        prof = cProfile.Profile(time.thread_time)
        prof.enable()
        for _ in range(args.n):
            call(path, key)
        prof.disable()
        pstats.Stats(prof, stream=sys.stdout).sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
