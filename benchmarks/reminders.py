"""What `samen send_reminders` costs when cron runs it every minute, on SQLite and PostgreSQL.

What it does, per database (each in its own child process, since Django binds one database per
process):
  1. Creates a fresh bench database (SQLite: a new file under /tmp; PostgreSQL: the database
     `samen_bench_reminders`, dropped first when it exists), migrates it and builds the synthetic
     demo world `build_demo_world(seed=1, signals=200)`. Throwaway keys are generated per run.
  2. Starts the identification path on every demo case (one assessment deadline each, through
     the service) and adds N open deadlines per case kind spread over -10..60 days from today,
     so that some are overdue, some due in 0, 7 or 14 days and most not yet due.
  3. Times the first run of `reminders_send` (sends every due stage once: notifications, e-mail
     to the locmem outbox, one audit entry), then R further runs on the same minute (nothing to
     send: the cost of an idle cron run), and counts the queries of an idle run.
  4. Checks that the repeated runs sent nothing and that each (deadline, stage) was sent once.

The parent prints one table over the databases and a last line `RESULT key=value ...`.

Run:  .venv/bin/python benchmarks/reminders.py [--db sqlite|postgres|both] [-n 2000] [-r 20]
      (PostgreSQL DSN default: $BENCH_REMINDERS_DATABASE_URL or
       postgres://samen:samen-ci@127.0.0.1:5432/samen_bench_reminders)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from benchlib import child_database, child_result, database_arguments, log, run_child

DEFAULT_DSN = "postgres://samen:samen-ci@127.0.0.1:5432/samen_bench_reminders"


def measure(db: str, n: int, repeats: int) -> dict[str, object]:
    import random
    from datetime import timedelta

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from samen.cases.models import Case
    from samen.core.actor import actor_for_membership
    from samen.demo.builder import build_demo_world
    from samen.identification import services
    from samen.identification.machine import local_date
    from samen.identification.models import Deadline, IdentificationPath, Notification, Reminder
    from samen.identification.reminders import reminders_send
    from samen.organisations.models import Membership

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    t = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    log(f"[{db}] migrated in {time.perf_counter() - t:.1f} s")
    build_demo_world(seed=1, signals=200)
    police = actor_for_membership(
        Membership.objects.get(user__username="demo-registrar"), origin="bench"
    )
    for case in Case.objects.filter(is_synthetic=True).order_by("pk"):
        if not IdentificationPath.objects.filter(case=case).exists():
            services.transition_take(actor=police, case=case, code="assessment_start")
    paths = list(IdentificationPath.objects.select_related("case__responsible_organisation"))
    today = local_date(timezone.now())
    rng = random.Random(1)
    # Path v4's terms too; the IND's own terms are on the IND's list, whoever opened them.
    from samen.organisations.models import Organisation, OrganisationType

    ind = Organisation.objects.filter(type=OrganisationType.IND).order_by("id").first()
    ind_kinds = {
        "reflection_end", "b83_decision", "permit_end", "departure", "permit_end_dismissal",
        "continued_residence_due", "continued_residence_decision",
    }  # fmt: skip
    kinds = sorted(ind_kinds)
    Deadline.objects.bulk_create(
        Deadline(
            path=(p := rng.choice(paths)),
            kind=(kind := rng.choice(kinds)),
            due_on=today + timedelta(days=rng.randint(-10, 60)),
            organisation=ind if ind and kind in ind_kinds else p.case.responsible_organisation,
        )
        for _ in range(n)
    )
    open_deadlines = Deadline.objects.filter(closed_at__isnull=True).count()
    log(f"[{db}] {len(paths)} paths, {open_deadlines} open deadlines")
    now = timezone.now()
    t = time.perf_counter()
    first = reminders_send(now=now)
    first_ms = (time.perf_counter() - t) * 1000
    idle: list[float] = []
    sent_again = 0
    for i in range(repeats):
        t = time.perf_counter()
        sent_again += reminders_send(now=now + timedelta(seconds=i + 1))
        idle.append((time.perf_counter() - t) * 1000)
    with CaptureQueriesContext(connection) as q_idle:
        sent_again += reminders_send(now=now + timedelta(seconds=repeats + 1))
    pairs = Reminder.objects.values_list("deadline_id", "stage")
    assert len(set(pairs)) == len(pairs) == first, "each (deadline, stage) sent once"
    assert sent_again == 0, "a repeated run sent nothing"
    from django.core import mail

    return {
        "db": db,
        "vendor_version": f"{connection.vendor} {connection.pg_version // 10000}"
        if connection.vendor == "postgresql"
        else f"sqlite {__import__('sqlite3').sqlite_version}",
        "open_deadlines": open_deadlines,
        "first_sent": first,
        "first_ms": first_ms,
        "notifications": Notification.objects.count(),
        "emails": len(getattr(mail, "outbox", [])),
        "idle_median_ms": statistics.median(idle),
        "idle_max_ms": max(idle),
        "idle_queries": len(q_idle.captured_queries),
    }


def child(db: str, dsn: str, n: int, repeats: int, keep: bool) -> int:
    with child_database(db, dsn, keep=keep, prefix="samen-bench-reminders-"):
        result = measure(db, n, repeats)
    return child_result(result)


def parse_args() -> argparse.Namespace:
    p = database_arguments(__doc__, dsn_env="BENCH_REMINDERS_DATABASE_URL", default_dsn=DEFAULT_DSN)
    p.add_argument("-n", type=int, default=2000, help="extra open deadlines (default 2000)")
    p.add_argument("-r", type=int, default=20, help="idle runs timed (default 20)")
    return p.parse_args()


def main() -> int:
    args = parse_args()
    if args.child:
        return child(args.db, args.dsn, args.n, args.r, args.keep)
    t_start = time.perf_counter()
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    extra = ["-n", str(args.n), "-r", str(args.r), "--dsn", args.dsn]
    results = [run_child(__file__, db, extra + (["--keep"] if args.keep else [])) for db in dbs]
    print()
    print(f"send_reminders, {os.cpu_count()} CPUs, 1-minute load average {os.getloadavg()[0]:.1f}")
    head = (
        f"{'database':<18} {'open':>6} {'sent 1st':>9} {'1st run ms':>11} "
        f"{'idle med ms':>12} {'idle max ms':>12} {'idle queries':>13}"
    )
    print(head)
    print("-" * len(head))
    figures: dict[str, str] = {"n": str(args.n)}
    for r in results:
        print(
            f"{r['vendor_version']:<18} {r['open_deadlines']:>6} {r['first_sent']:>9} "
            f"{r['first_ms']:>11.0f} {r['idle_median_ms']:>12.1f} {r['idle_max_ms']:>12.1f} "
            f"{r['idle_queries']:>13}"
        )
        db = r["db"]
        figures[f"{db}_open"] = str(r["open_deadlines"])
        figures[f"{db}_first_sent"] = str(r["first_sent"])
        figures[f"{db}_first_ms"] = f"{r['first_ms']:.0f}"
        figures[f"{db}_idle_median_ms"] = f"{r['idle_median_ms']:.1f}"
        figures[f"{db}_idle_queries"] = str(r["idle_queries"])
    figures["total_s"] = f"{time.perf_counter() - t_start:.0f}"
    print("RESULT " + " ".join(f"{k}={v}" for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
