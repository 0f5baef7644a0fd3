"""CPU of an API call's token check and throttle count, old and new alternating in one process.

ADR 0074: a token this process checked before is answered from memory, checked by the auth and
register version tokens, with the throttle's count in the same statement. This times, for one
case-list request of demo-registrar on PostgreSQL with the throttle counting in the database
(SAMEN_API_THROTTLE=database, prepared statements as in production): the authenticator's
`authenticate` plus the user throttle's `allow_request`, as DRF's dispatch runs them, inside the
request's signals. "old" is another tree's samen.accounts.tokens and samen.api.throttling (--old,
e.g. an export of main), loaded beside this tree's under other names; "new" is this tree's.
Batches of --batch calls alternate old/new for --rounds rounds; per call: the thread's CPU
(time.thread_time) and the serving PostgreSQL backend's CPU (/proc/<pid>/schedstat, ns).

Run:  .venv/bin/python benchmarks/token_throttle.py --old /tmp/old-tree [--setup]
      [--dsn postgres://samen:samen-ci@127.0.0.1:5432/samen_tokthrottle_bench_tokens]
      (--setup (re)creates the database: migrations and the demo world without signals;
      --profile: cProfile of 2,000 new calls and the CPU of their pieces instead of the A/B)
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path

from benchlib import bench_env, django_setup, log, recreate_postgres, require_loopback

DEFAULT_DSN = "postgres://samen:samen-ci@127.0.0.1:5432/samen_tokthrottle_bench_tokens"


def _load(name: str, path: Path):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[name] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def _backend_ns(pid: int) -> int:
    with open(f"/proc/{pid}/schedstat") as f:
        return int(f.read().split()[0])


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--old", required=True, help="the old tree (its src/samen is loaded)")
    p.add_argument("--dsn", default=DEFAULT_DSN)
    p.add_argument("--setup", action="store_true")
    p.add_argument("--batch", type=int, default=200)
    p.add_argument("--rounds", type=int, default=6)
    p.add_argument("--profile", action="store_true", help="profile the new arm and time its pieces")
    args = p.parse_args()
    require_loopback(args.dsn)
    if args.setup:
        recreate_postgres(args.dsn)
    env = bench_env(args.dsn)
    env.update({"SAMEN_API_THROTTLE": "database", "SAMEN_API_RATE_USER": "100000000/minute"})
    os.environ.update(env)
    django_setup(env)

    from django.core.management import call_command
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connection
    from rest_framework.test import APIRequestFactory

    from samen.accounts import tokens as new_tokens
    from samen.api import throttling as new_throttling
    from samen.cases.api import CaseListView

    if args.setup:
        call_command("migrate", verbosity=0)
        from samen.demo.builder import build_demo_world

        build_demo_world(seed=1, signals=0)
    old_src = Path(args.old) / "src" / "samen"
    old_tokens = _load("old_tokens", old_src / "accounts" / "tokens.py")
    old_throttling = _load("old_throttling", old_src / "api" / "throttling.py")

    from samen.conftest import api_token_for

    key = api_token_for("demo-registrar")
    factory = APIRequestFactory()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with connection.cursor() as c:
        c.execute("SELECT pg_backend_pid()")
        (backend,) = c.fetchone()

    def call(tokens_module, throttling_module) -> float:  # type: ignore[no-untyped-def]
        django_request = factory.get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Token {key}")
        view = CaseListView()
        request_started.send(sender=None)
        try:
            drf_request = view.initialize_request(django_request)
            view.request = drf_request
            start = time.thread_time()
            user, auth = tokens_module.ApiTokenAuthentication().authenticate(drf_request)
            drf_request.user, drf_request.auth = user, auth
            allowed = throttling_module.UserRateThrottle().allow_request(drf_request, view)
            spent = time.thread_time() - start
        finally:
            request_finished.send(sender=None)
        assert allowed
        return spent

    arms = {"old": (old_tokens, old_throttling), "new": (new_tokens, new_throttling)}
    for arm in arms.values():  # warm: templates compiled, statements prepared, token known
        for _ in range(20):
            call(*arm)
    if args.profile:  # a profile of the new arm and its pieces instead of the A/B
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.enable()
        for _ in range(2000):
            call(*arms["new"])
        profile.disable()
        pstats.Stats(profile).sort_stats("cumtime").print_stats("samen|rest_framework", 40)
        import timeit

        template = new_tokens._template()
        known = new_tokens._KNOWN[key.split(".")[0]]
        n = 5000
        each = timeit.timeit(lambda: new_tokens._instance(template, known.row), number=n) / n
        log(f"building the token's instances from its row: {each * 1e6:.1f} us")
        from samen.core import statements, throttle

        seen_sql = new_tokens._seen_sql("postgresql")
        pieces = {
            "SELECT 1": lambda: statements.execute("SELECT 1", []),
            "versions": lambda: statements.execute(seen_sql, []),
            "versions+count": lambda: throttle.throttle_hit_if(
                key="k", period=1, seen_sql=seen_sql, expected=known.versions
            ),
            "get_throttles": lambda: CaseListView().get_throttles(),
            "sha256": lambda: new_tokens._hash("x" * 43),
        }
        for name, f in pieces.items():
            t0 = time.thread_time()
            for _ in range(n):
                f()
            log(f"{name}: {(time.thread_time() - t0) / n * 1e6:.1f} us CPU")
        return 0
    app: dict[str, list[float]] = {name: [] for name in arms}
    pg: dict[str, list[float]] = {name: [] for name in arms}
    for r in range(args.rounds):
        for name, arm in arms.items():
            b0 = _backend_ns(backend)
            spent = [call(*arm) for _ in range(args.batch)]
            pg[name].append((_backend_ns(backend) - b0) / 1e6 / args.batch)
            app[name].append(statistics.median(spent) * 1e3)
        log(
            f"round {r + 1}: "
            + "; ".join(f"{n} app {app[n][-1]:.3f} ms, PostgreSQL {pg[n][-1]:.3f} ms" for n in arms)
            + f"; load {os.getloadavg()[0]:.1f}"
        )
    for name in arms:
        log(
            f"{name}: app CPU per call (median of each batch) "
            f"{min(app[name]):.3f}-{max(app[name]):.3f} ms, PostgreSQL backend CPU per call "
            f"{min(pg[name]):.3f}-{max(pg[name]):.3f} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
