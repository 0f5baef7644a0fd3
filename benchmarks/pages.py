"""The slowest page of the demo as each role (issue #16, Measure).

What it does, end to end:
  1. Migrates a throwaway SQLite database in a temporary folder and builds the demo world as
     `make run` does (`seed_demo --seed 1`), with throwaway keys (benchlib.bench_env).
  2. Signs in each demo role in Django's test client (with its second factor, as a session that
     passed it) and walks its pages the way the browser suite's axe walk does
     (web/tests/test_accessibility.py): the application's routes without parameters that the
     role may open, then the pages they link to, one page per route.
  3. Times every page 5 times in process (server time, no network) and prints per role the
     slowest page's median, then the statistics page as the registrar: first request and the
     median of 5 more, served from its cache.
  4. Last line: `RESULT role=ms ... statistics_cold_ms=… statistics_cached_ms=…`.

Run:  .venv/bin/python benchmarks/pages.py [--signals 400] [--repeat 5]
"""

from __future__ import annotations

import argparse
import re
import statistics as stats
import tempfile
import time
from pathlib import Path

from benchlib import bench_env, django_setup, log

HREF = re.compile(r'href="(/[^"#?]*)"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=400, help="demo signals (as make run)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="samen-bench-pages-"))
    env = bench_env(f"sqlite:///{folder / 'pages.sqlite3'}")
    env["SAMEN_AUDIT_ANCHOR_FILE"] = str(folder / "audit-anchor.log")
    django_setup(env)

    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client
    from django.urls import Resolver404, resolve
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from samen.accounts.models import User
    from samen.core import policy
    from samen.core.access import AUTHENTICATED, PUBLIC
    from samen.demo.builder import build_demo_world
    from samen.web.tests.test_accessibility import (
        DOWNLOAD_MARKS,
        ROLE_USERS,
        SKIP_PREFIXES,
    )
    from samen.web.tests.test_url_rules import APP_URLS, concrete, rule_of

    settings.ALLOWED_HOSTS = ["testserver"]
    log(f"migrating and building the demo world in {folder}")
    call_command("migrate", verbosity=0)
    build_demo_world(seed=1, signals=args.signals)

    def route_of(path: str) -> str | None:
        try:
            return resolve(path).route
        except Resolver404:
            return None

    def client_for(username: str) -> Client:
        client = Client()
        user = User.objects.get(username=username)
        client.force_login(user)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device:
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        return client

    def timed(client: Client, path: str) -> tuple[int, float, str]:
        started = time.perf_counter()
        response = client.get(path)
        ms = (time.perf_counter() - started) * 1000
        if getattr(response, "streaming", False):
            # An event stream (the chat's) is open-ended: no page to time or to follow.
            response.close()
            return 204, ms, ""
        body = response.content.decode(errors="replace") if response.status_code == 200 else ""
        return response.status_code, ms, body

    results: dict[str, tuple[str, float]] = {}
    pages_timed = 0
    for role, username in ROLE_USERS.items():
        client = client_for(username)
        queue = [
            concrete(route)
            for route, pattern in APP_URLS
            if "<" not in route
            and not concrete(route).startswith(SKIP_PREFIXES)
            and (
                rule_of(pattern.callback) in (PUBLIC, AUTHENTICATED)
                or role in policy.PERMISSIONS.get(rule_of(pattern.callback), ())
            )
        ]
        seen: set[str] = set()
        slowest = ("", 0.0)
        while queue:
            path = queue.pop(0)
            route = route_of(path)
            if route is None or route in seen:
                continue
            seen.add(route)
            status, _, body = timed(client, path)  # the first request warms caches
            if status != 200 or "<html" not in body[:200]:
                continue
            median = stats.median(timed(client, path)[1] for _ in range(args.repeat))
            pages_timed += 1
            if median > slowest[1]:
                slowest = (path, median)
            for href in HREF.findall(body):
                download = any(mark in href for mark in DOWNLOAD_MARKS)
                if not href.startswith(SKIP_PREFIXES) and not download:
                    queue.append(href)
        results[role] = slowest
        log(f"{role:20s} slowest {slowest[1]:7.0f} ms  {slowest[0]}  ({len(seen)} routes)")

    registrar = client_for(ROLE_USERS["national_registrar"])
    cache.clear()  # the walk above filled it: the first request now computes the page
    cold = timed(registrar, "/statistiek/")[1]
    cached = stats.median(timed(registrar, "/statistiek/")[1] for _ in range(args.repeat))
    log(f"statistics page as registrar: first {cold:.0f} ms, cached median {cached:.0f} ms")
    print(
        "RESULT pages="
        + str(pages_timed)
        + " "
        + " ".join(f"{role}={ms:.0f}" for role, (_, ms) in results.items())
        + f" statistics_cold_ms={cold:.0f} statistics_cached_ms={cached:.0f}"
    )


if __name__ == "__main__":
    main()
