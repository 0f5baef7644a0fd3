"""Fixtures shared by the whole suite: a small synthetic world and ways to act in it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from samen.accounts.models import User
from samen.accounts.tokens import _new_token
from samen.core import register
from samen.core.actor import Actor, actor_for_membership
from samen.core.tests import approle, timeline
from samen.demo.builder import build_demo_world
from samen.organisations.models import Membership
from samen.signalling.services import PersonInput, SignalInput, signal_record

# Fixtures through which a test reaches a database. A test that asks for none of them (and has
# no django_db marker) cannot: pytest-django refuses its queries. Its outcome is the same on
# SQLite and PostgreSQL, so .ci/run's PostgreSQL pass leaves it out (ADR 0029).
DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
    }
)


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]):
    # Before the other implementations: the PostgreSQL pass's -m deselects by this marker.
    for item in items:
        if item.get_closest_marker("django_db") is not None:
            continue
        if DATABASE_FIXTURES.isdisjoint(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.engine_independent)
    result = yield
    # After them: pytest-django has put the tests in its order and -m has deselected.
    items[:] = heaviest_first(items)
    return result


# The modules whose tests take longest (CI's --durations, both passes), heaviest first. Each
# starts at the front of its pytest-django group (heaviest_first), so it begins while the other
# worker still has a queue to take from, and no long test starts last and ends a pass alone
# (ADR 0067). A module left off only runs where pytest put it.
HEAVY_MODULES = (
    "samen/web/tests/test_accessibility.py",
    "samen/statistics/tests/test_outside_attacker.py",
    "samen/web/tests/test_under_load.py",
    "samen/web/tests/canary/test_canary.py",
    "samen/web/tests/test_audit_walk.py",
    "samen/api/tests/test_fuzz.py",
    "samen/web/tests/canary/test_oracle.py",
)


def django_group(item: pytest.Item) -> int:
    """pytest-django's order (its pytest_collection_modifyitems): tests in a rolled-back
    transaction (0), then transactional ones, which flush the database (1), then those without
    a database (2). A copy: test_ordering.py proves it keeps pytest-django's order."""
    from django.test import TestCase, TransactionTestCase
    from pytest_django.fixtures import validate_django_db

    cls = getattr(item, "cls", None)
    if cls is not None and issubclass(cls, TransactionTestCase):
        return 0 if issubclass(cls, TestCase) else 1
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    transactional = False
    if marker is not None:
        transaction, reset_sequences, *_ = validate_django_db(marker)
        transactional = bool(transaction or reset_sequences)
    if transactional or "transactional_db" in fixtures or "live_server" in fixtures:
        return 1
    if marker is not None or "db" in fixtures:
        return 0
    return 2


def heavy_rank(item: pytest.Item) -> int:
    path = item.nodeid.split("::", 1)[0]
    for rank, module in enumerate(HEAVY_MODULES):
        if path.endswith(module):
            return rank
    return len(HEAVY_MODULES)


def heaviest_first(items: list[pytest.Item]) -> list[pytest.Item]:
    """The heavy modules' tests to the front of their pytest-django group, heaviest module
    first, each module's tests together and in their order; the rest keeps its order. A test
    never moves out of its group: a transactional test's flush empties the session's world,
    and every rolled-back test after it would build the world again."""
    groups = [django_group(item) for item in items]
    if groups != sorted(groups):  # not pytest-django's order (it changed?): leave it alone
        return items
    order = sorted(range(len(items)), key=lambda i: (groups[i], heavy_rank(items[i]), i))
    return [items[i] for i in order]


# The tests .ci/run's PostgreSQL pass leaves out: they run (and are measured for coverage) in
# the SQLite pass only. Keep in step with the -m expression of that pass.
ONCE_MARKERS = ("engine_independent", "browser", "once")


def runs_in_both_passes(item: pytest.Item) -> bool:
    return not any(item.get_closest_marker(name) for name in ONCE_MARKERS)


def traced(item: pytest.Item) -> bool:
    """Whether coverage traces this test (when coverage runs at all; ADR 0049, 0060).

    Not a test marked `untraced`: the heaviest walks (every page as every role through a
    browser, the audit walk, the canary's crawl per user), the outside attackers' linear
    programs and the load test's server process cost the tracer most and repeat pages other
    tests reach. SAMEN_COVERAGE_TRACE_UNTRACED=1 traces them after all, to measure what they add.
    Not, with SAMEN_COVERAGE_ONCE_ONLY set (.ci/run's SQLite pass), a test the PostgreSQL pass
    also runs: that pass traces it, and `make coverage-check` sums both passes."""
    if item.get_closest_marker("untraced") and not os.environ.get("SAMEN_COVERAGE_TRACE_UNTRACED"):
        return False
    return not (os.environ.get("SAMEN_COVERAGE_ONCE_ONLY") and runs_in_both_passes(item))


# SAMEN_TEST_TIMELINE=<folder>: each worker's tests with their times, and after the run how
# long one worker ran alone at the end and on what, printed by .ci/run (core/tests/timeline.py,
# ADR 0125).
_TIMELINE = timeline.Recorder()


def pytest_runtest_logstart(nodeid: str, location: object) -> None:
    if timeline.folder():
        _TIMELINE.start(nodeid)


def pytest_runtest_logfinish(nodeid: str, location: object) -> None:
    if timeline.folder():
        _TIMELINE.finish(nodeid)


def pytest_sessionfinish(session: pytest.Session) -> None:
    where = timeline.folder()
    if where is None:
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker or not session.config.pluginmanager.has_plugin("dsession"):
        _TIMELINE.write(where, worker or "main")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    """Pauses pytest-cov's tracer around a test coverage does not trace (`traced`): its setup,
    call and teardown, so the fixtures it builds cost no tracing either. (pytest-cov's own
    `no_cover` pauses the call only, and must not be combined with this: its resume would
    restart the tracer inside this pause.)"""
    plugin = item.config.pluginmanager.get_plugin("_cov")
    controller = getattr(plugin, "cov_controller", None)
    pause = controller is not None and not traced(item)
    if pause:
        controller.pause()
    try:
        yield
    finally:
        if pause:
            controller.resume()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """With SAMEN_TEST_DB_ROLE (PostgreSQL), the tests run as that role, which owns no table:
    see samen.core.tests.approle. The flush between transactional tests stays the owner's.

    The demo world (organisations and users, no signals) is built once per test database and
    committed, so each test's transaction starts from it instead of building it again (a
    quarter of a second per test on PostgreSQL). pytest-django runs the transactional tests
    last; their flush empties it, and `world` builds it again inside each later test.

    The flush after a transactional test puts the reference list of municipalities back as it
    was after migrating (`reference_back_on_flush`) before the post_migrate handlers run."""
    from django.test import TransactionTestCase

    with django_db_blocker.unblock():
        switched = approle.switch_on()
        for alias in _flushed_aliases():
            _REFERENCE[alias] = reference_rows(alias)
        _SESSION_WORLD.append(build_demo_world(seed=1, signals=0))
    flush_as_app = TransactionTestCase._fixture_teardown

    def flush_as_owner(self: TransactionTestCase) -> None:
        with approle.as_owner(), reference_back_on_flush():
            flush_as_app(self)

    TransactionTestCase._fixture_teardown = flush_as_owner
    try:
        yield
    finally:
        TransactionTestCase._fixture_teardown = flush_as_app
        if switched:
            with django_db_blocker.unblock():
                approle.switch_off()


def _flushed_aliases() -> list[str]:
    from django.db import connections

    return [c.alias for c in connections.all() if not c.settings_dict.get("TEST", {}).get("MIRROR")]


# The reference list (provinces, safety regions, municipalities) of each test database as
# migrating loaded it, in the order its foreign keys need, taken once per session.
_REFERENCE: dict[str, list[tuple[type, list[dict]]]] = {}


def reference_rows(using: str) -> list[tuple[type, list[dict]]]:
    from samen.organisations.models import Municipality, Province, SafetyRegion

    return [
        (model, list(model.objects.using(using).order_by("pk").values()))
        for model in (Province, SafetyRegion, Municipality)
    ]


def restore_reference(using: str) -> None:
    """The session's reference rows back into the flushed (empty) tables, in one statement a
    table, ids and all."""
    for model, rows in _REFERENCE.get(using, ()):
        manager = model.objects.using(using)
        if not manager.exists():
            manager.bulk_create([model(**row) for row in rows])


@contextmanager
def reference_back_on_flush() -> Iterator[None]:
    """Within the block, `flush` restores the reference list just before it emits post_migrate.

    Every flush between transactional tests emptied the reference tables and post_migrate then
    loaded the list again (organisations.reference.load_reference), one update_or_create per
    municipality: some 1,400 statements, about half of each transactional test's teardown on
    PostgreSQL. Restored first, the list is what load_reference finds, and it returns after
    comparing every municipality's code, name, region and province with the bundled file: the
    loader itself checks the restored rows, and loads the list as before where they differ. The
    other post_migrate handlers run as they did."""
    from django.core.management.commands import flush

    emit = flush.emit_post_migrate_signal

    def restore_then_emit(verbosity: int, interactive: bool, db: str, **kwargs: object) -> None:
        restore_reference(db)
        emit(verbosity, interactive, db, **kwargs)

    flush.emit_post_migrate_signal = restore_then_emit
    try:
        yield
    finally:
        flush.emit_post_migrate_signal = emit


_SESSION_WORLD: list = []

# How long a session of the test database may take to go once its client closed it (the server
# process ends after the client's goodbye, not with it).
SESSION_GONE_SECONDS = 5.0


def other_sessions() -> int:
    """Client sessions on the test database other than this thread's connection (autovacuum
    workers have no user; the application role sees another role's session, not its details)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND usename IS NOT NULL"
        )
        return cur.fetchone()[0]


@pytest.fixture(autouse=True)
def no_session_left_open(request, django_db_blocker):
    """A transactional test on PostgreSQL leaves no other connection to the test database open:
    the threads and processes it starts (racers, a job worker, a server) close theirs. One left
    open outlives the test, and at the end of the run the test database cannot be dropped
    ("being accessed by other users"), a warning pinned on whichever test ran last. This names
    the test that left it. Only transactional tests: a rolled-back test's data is invisible to
    any other connection, so none starts one. Checked before pytest-django's flush."""
    yield
    if django_group(request.node) != 1:
        return
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    import time

    with django_db_blocker.unblock():
        deadline = time.monotonic() + SESSION_GONE_SECONDS
        while (left := other_sessions()) and time.monotonic() < deadline:
            time.sleep(0.1)
    if left:
        pytest.fail(
            f"{left} other session(s) left open on the test database: a thread or process of "
            "this test kept its database connection (close it in the thread that opened it)",
            pytrace=False,
        )


@pytest.fixture(autouse=True)
def audit_anchor_file(settings, tmp_path):
    """Each test's audit chain starts empty, so its checkpoints go to a file of its own."""
    settings.AUDIT_ANCHOR_FILE = tmp_path / "audit-anchor.log"
    return settings.AUDIT_ANCHOR_FILE


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the site's default language: Django's LocaleMiddleware leaves a
    request's language active in the thread after the response, so a test that follows an
    English request in the same worker would otherwise read English where it expects Dutch."""
    translation.deactivate()


@pytest.fixture(autouse=True)
def no_request_version_left():
    """Each test starts outside a request as far as the register's version memo goes (ADR 0051):
    a request whose response is never closed (Django sends request_finished only then) leaves
    its memo in the worker's context, and the next test's look-ups answer from it instead of
    reading the token, so a write the memo does not follow (a queryset update) seems not to
    renew the version. Seen once in CI: test_list_form_ids after the list's fast-path tests."""
    register._request_ends()


@pytest.fixture
def world(db):
    """Organisations in every region and one user per role, without signals: the session's
    committed world, or built anew inside the test once a transactional test flushed it."""
    if _SESSION_WORLD and User.objects.filter(username="demo-coordinator").exists():
        return _SESSION_WORLD[0]
    return build_demo_world(seed=1, signals=0)


@pytest.fixture
def actor_for(world):
    def make(username: str, purpose: str = "") -> Actor:
        m = Membership.objects.select_related("user", "organisation__municipality__region").get(
            user__username=username
        )
        return actor_for_membership(m, origin="test", purpose=purpose)

    return make


def signal_input(**overrides: object) -> SignalInput:
    base = {
        "signal_list": "hospitality",
        "indicators": ["hospitality.checkin.third_party_booking"],
        "observed_on": date.today() - timedelta(days=1),
        "municipality": "GM0344",  # Utrecht, safety region VR09
        "person": PersonInput(),
    }
    base.update(overrides)
    return SignalInput(**base)


@pytest.fixture
def record(actor_for):
    """Record a signal as a demo user; returns the SignalOutcome."""

    def do(username: str = "demo-professional", **overrides: object):
        return signal_record(actor=actor_for(username), data=signal_input(**overrides))

    return do


def api_token_for(username: str) -> str:
    """A token for the user's first membership, issued as if the second factor was given: test
    setup standing in for an earlier sign-in, so it writes no audit entry of its own (the
    issuing itself is tested through the API in accounts/tests)."""
    user = User.objects.get(username=username)
    membership = Membership.objects.filter(user=user, is_active=True).order_by("id").first()
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return _new_token(user=user, membership=membership, device=device)[1]


@pytest.fixture
def api_for(world):
    def make(username: str | None) -> APIClient:
        client = APIClient()
        if username:
            client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(username)}")
        return client

    return make


def signed_in(client, username: str):
    """The client signed in as the user, past the second factor where the role has one (roles
    that see identity passed it in this session)."""
    user = User.objects.get(username=username)
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def web_for(world, client):
    def make(username: str):
        return signed_in(client, username)

    return make
