"""Job latency of the worker: from a job's deferral to its start (`samen worker`, PostgreSQL).

Creates the bench database (PostgreSQL `samen_jobs_bench`, dropped afterwards unless --keep),
migrates it, starts `samen worker` as a process, then defers --jobs mail jobs (for a message id
that does not exist, so each job runs the real task and finds nothing to send) spaced --every
seconds apart, as requests would, and waits until all have run. The latency of each job is the
time between its `deferred` and `started` events in Procrastinate's event table (the database's
clock for both). Prints median, p95 and max, and a last line `RESULT key=value ...`.

Only loopback traffic; throwaway keys.

Run:  .venv/bin/python benchmarks/job_latency.py [--jobs 200] [--every 0.05] [--dsn URL] [--keep]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import time

from benchlib import (
    ROOT,
    bench_env,
    django_setup,
    drop_postgres,
    log,
    recreate_postgres,
    require_loopback,
)

DEFAULT_DSN = "postgres://samen:samen-ci@127.0.0.1:5432/samen_jobs_bench"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--jobs", type=int, default=200)
    p.add_argument("--every", type=float, default=0.05, help="seconds between deferrals")
    p.add_argument("--dsn", default=os.environ.get("BENCH_JOBS_DATABASE_URL", DEFAULT_DSN))
    p.add_argument("--keep", action="store_true")
    args = p.parse_args()
    require_loopback(args.dsn)
    recreate_postgres(args.dsn)
    env = bench_env(args.dsn)
    samen = str(ROOT / ".venv" / "bin" / "samen")
    try:
        t = time.perf_counter()
        subprocess.run([samen, "migrate", "--no-input", "-v0"], env=env, check=True)
        log(f"migrated in {time.perf_counter() - t:.0f} s")
        worker = subprocess.Popen(
            [samen, "worker"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            return measure(args, env)
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=30)
    finally:
        if not args.keep:
            drop_postgres(args.dsn)


def measure(args: argparse.Namespace, env: dict[str, str]) -> int:
    django_setup(env)
    from django.db import connection
    from procrastinate.contrib.django.models import ProcrastinateJob

    from samen.jobs.tasks import send_mail_job

    time.sleep(3)  # the worker starts and runs the periodic jobs due at start
    ids = []
    for _ in range(args.jobs):
        ids.append(send_mail_job.defer(mail_id=0))
        time.sleep(args.every)
    deadline = time.monotonic() + 300
    while ProcrastinateJob.objects.filter(id__in=ids).exclude(status="succeeded").exists():
        if time.monotonic() > deadline:
            raise SystemExit("jobs did not finish within 5 minutes")
        time.sleep(0.5)
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT EXTRACT(EPOCH FROM s.at - d.at) * 1000
            FROM procrastinate_events d
            JOIN procrastinate_events s ON s.job_id = d.job_id AND s.type = 'started'
            WHERE d.type = 'deferred' AND d.job_id = ANY(%s)
            """,
            [ids],
        )
        ms = sorted(float(r[0]) for r in cur.fetchall())
    p95 = ms[max(0, round(0.95 * len(ms)) - 1)]
    median = statistics.median(ms)
    load = os.getloadavg()[0]
    print(f"jobs: {len(ms)}, one every {args.every * 1000:.0f} ms, load average {load:.1f}")
    print(f"deferred -> started: median {median:.1f} ms, p95 {p95:.1f} ms, max {ms[-1]:.1f} ms")
    print(f"RESULT jobs={len(ms)} median_ms={median:.1f} p95_ms={p95:.1f} max_ms={ms[-1]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
