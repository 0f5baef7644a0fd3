"""Under load: the server `make run` starts serves ten concurrent users without a single 5xx,
and a twenty-way race for the last bed ends in one hold and nineteen clear refusals.

A real server process on loopback, on the suite's database engine: for SQLite the test database
is copied to a file (what `make run` serves, WAL and all); for PostgreSQL the server uses the test
database itself. SAMEN_LOAD_SECONDS sets how long the ten users work (default 20)."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from samen.accounts.models import User
from samen.cases.models import Case
from samen.conftest import api_token_for, signal_input
from samen.demo.builder import build_demo_world
from samen.shelter import services as shelter
from samen.shelter.models import Hold, Location, Provider
from samen.shelter.services import NeedsInput
from samen.shelter.tests.conftest import make_place
from samen.signalling.models import Indicator
from samen.signalling.services import PersonInput, signal_record

LOAD_SECONDS = float(os.environ.get("SAMEN_LOAD_SECONDS", "20"))
CLIENTS = 10
RACERS = 20
READERS = ("demo-coordinator", "demo-registrar")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session_cookie(username: str) -> str:
    """A signed-in web session with the second factor passed, stored in the database the server
    reads (the server gets the same SECRET_KEY)."""
    client = Client()
    user = User.objects.get(username=username)
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    session = client.session
    if device:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def database_url(tmp_path: Path) -> str:
    if connection.vendor == "sqlite":
        target = tmp_path / "samen.sqlite3"
        copy = sqlite3.connect(target)
        connection.ensure_connection()
        connection.connection.backup(copy)
        copy.close()
        return f"sqlite:///{target}"
    s = connection.settings_dict
    return (
        f"postgres://{quote(s['USER'])}:{quote(s['PASSWORD'])}@{s['HOST'] or '127.0.0.1'}:"
        f"{s['PORT'] or 5432}/{s['NAME']}"
    )


@contextlib.contextmanager
def server(tmp_path: Path, url: str) -> Iterator[int]:
    """`samen runserver` as `make run` starts it, with the production settings module."""
    port = free_port()
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="samen.conf.base",
        DATABASE_URL=url,
        SAMEN_SECRET_KEY=settings.SECRET_KEY,
        SAMEN_VAR_DIR=str(tmp_path),
        SAMEN_AUDIT_ANCHOR_FILE=str(settings.AUDIT_ANCHOR_FILE),
        SAMEN_LOG_LEVEL="WARNING",
    )
    log = (tmp_path / "server.log").open("wb")
    samen = Path(sys.executable).parent / "samen"
    proc = subprocess.Popen(  # noqa: S603 (our own console command)
        [str(samen), "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError((tmp_path / "server.log").read_text(errors="replace"))
            time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def get(port: int, path: str, headers: dict[str, str] | None = None, body: object = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        headers = {"Accept-Language": "nl", **(headers or {})}
        if body is None:
            conn.request("GET", path, headers=headers)
        else:
            headers["Content-Type"] = "application/json"
            conn.request("POST", path, body=json.dumps(body).encode(), headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def racing_referrals(actor_for) -> tuple[int, list[int]]:
    """The last free bed and twenty referrals that all match it."""
    org = actor_for("demo-shelter").organisation
    provider, _ = Provider.objects.get_or_create(
        organisation=org, defaults={"name": "Veilig Onderdak Utrecht"}
    )
    location = Location.objects.create(
        provider=provider, name="Locatie Race", municipality=org.municipality
    )
    bed = make_place(location, "Laatste bed", forms=["sexual"], free=1)
    referrals = []
    for i in range(RACERS):
        person = PersonInput(gender="female", age_band="23-29", name=f"Racer {i}")
        case = signal_record(
            actor=actor_for("demo-professional"), data=signal_input(person=person)
        ).case
        referrals.append(
            shelter.referral_create(
                actor=actor_for("demo-coordinator"), case=case, data=NeedsInput()
            ).pk
        )
    return bed.pk, referrals


def server_connections(url: str) -> int:
    """The connections other sessions hold to the test database (0 on SQLite: no server)."""
    if url.startswith("sqlite"):
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def active_holds(url: str, place: int) -> int:
    table = Hold._meta.db_table
    if url.startswith("sqlite"):
        with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as db:
            return db.execute(
                f"SELECT COUNT(*) FROM {table} WHERE place_id = ? AND status = 'active'",
                [place],
            ).fetchone()[0]
    return Hold.objects.filter(place_id=place, status="active").count()


@pytest.mark.load
@pytest.mark.untraced
@pytest.mark.django_db(transaction=True)
def test_ten_users_and_a_race_for_the_last_bed_get_no_server_error(tmp_path, actor_for):
    build_demo_world(seed=1, signals=40)
    bed, referrals = racing_referrals(actor_for)
    cookies = {u: session_cookie(u) for u in READERS}
    coordinator = actor_for("demo-coordinator").organisation
    numbers = list(
        Case.objects.filter(responsible_organisation=coordinator).values_list("number", flat=True)
    )
    assert numbers
    tokens = {u: api_token_for(u) for u in ("demo-professional", "demo-coordinator")}
    payload = {
        "signal_list": "labour",
        "indicators": list(
            Indicator.objects.filter(signal_list__code="labour", signal_list__is_current=True)
            .order_by("code")
            .values_list("code", flat=True)[:2]
        ),
        "observed_on": signal_input().observed_on.isoformat(),
        "municipality": "GM0344",
        "forms": ["labour"],
        "person": {"gender": "male", "age_band": "23-29"},
    }
    url = database_url(tmp_path)

    with server(tmp_path, url) as port:
        statuses: Counter[tuple[str, int]] = Counter()
        odd: list[bytes] = []  # the first answers that were not a success, for the message
        lock = threading.Lock()
        stop = time.monotonic() + LOAD_SECONDS

        def user(i: int) -> None:
            rng = random.Random(i)
            # Half read as the region's coordinator, half as the national registrar (every case).
            web = {"Cookie": cookies["demo-coordinator" if i % 2 else "demo-registrar"]}
            api = {"Authorization": f"Token {tokens['demo-professional']}"}
            while time.monotonic() < stop:
                roll = rng.random()
                if roll < 0.4:
                    kind, (status, body) = "list", get(port, "/zaken/", web)
                elif roll < 0.85:
                    kind, (status, body) = "case", get(port, f"/zaken/{rng.choice(numbers)}/", web)
                else:
                    kind, (status, body) = "signal", get(port, "/api/v1/signals/", api, payload)
                with lock:
                    statuses[kind, status] += 1
                    if status >= 300 and len(odd) < 3:
                        odd.append(body[:300])

        threads = [threading.Thread(target=user, args=(i,)) for i in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        # Every request's connection is closed with it: none may pile up in the server (they
        # did, up to PostgreSQL's max_connections, when runserver kept persistent connections).
        left = server_connections(url)

        barrier = threading.Barrier(RACERS)
        race: Counter[int] = Counter()
        hold = {"Authorization": f"Token {tokens['demo-coordinator']}"}

        def racer(referral: int) -> None:
            barrier.wait()
            status = get(port, f"/api/v1/shelter/referrals/{referral}/holds/", hold, {"place": bed})
            with lock:
                race[status[0]] += 1

        threads = [threading.Thread(target=racer, args=(r,)) for r in referrals]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    served = sum(statuses.values())
    assert served >= CLIENTS, statuses
    assert left <= CLIENTS, f"{left} database connections left open by the server"

    # Not one server error, and nothing but success: every page is one the reader may see.
    assert {status for (_kind, status) in statuses} <= {200, 201}, (statuses, odd)
    assert {kind for (kind, _status) in statuses} == {"list", "case", "signal"}, statuses
    assert race == Counter({201: 1, 409: RACERS - 1}), race
    assert active_holds(url, bed) == 1
    # The audit trail written by all those requests at once is still one unbroken chain.
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="samen.conf.base", DATABASE_URL=url)
    env["SAMEN_AUDIT_ANCHOR_FILE"] = str(settings.AUDIT_ANCHOR_FILE)
    verify = subprocess.run(  # noqa: S603
        [str(Path(sys.executable).parent / "samen"), "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
