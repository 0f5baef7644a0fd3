"""Run the tests as the application's PostgreSQL role, which owns no table (issue #12, What to
build 5): SAMEN_TEST_DB_ROLE=samen_app makes every connection `SET ROLE samen_app` once the test
database is migrated (as the owner) and granted with `samen audit grant`'s statements. A test
that passes then proves the application needs no owner rights for what it tested.

Two things are the owner's and not the application's, and run as the owner for the length of
the block (`as_owner`): the flush between transactional tests (TRUNCATE needs ownership, and the
audit tables refuse it to the application on purpose) and the intruder in tamper tests, who by
definition has rights the application lacks.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections
from django.db.backends.signals import connection_created

ENV = "SAMEN_TEST_DB_ROLE"


def app_role() -> str:
    return os.environ.get(ENV, "").strip()


def _postgres(connection: object) -> bool:
    return getattr(connection, "vendor", "") == "postgresql"


def _set_role(connection: object, role: str) -> None:
    from psycopg import sql

    with connection.cursor() as cur:
        if role:
            cur.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(role)))
        else:
            cur.execute("RESET ROLE")


def _on_connect(sender: object, connection: object, **kwargs: object) -> None:
    # A connection to the "postgres" maintenance database (creating and dropping the test
    # database) stays the owner's.
    if _postgres(connection) and connection.settings_dict["NAME"] != "postgres":
        _set_role(connection, app_role())


def switch_on() -> bool:
    """Grant the role on the migrated test database and act as it from now on; False (nothing
    done) when the switch is off or the database is not PostgreSQL."""
    role = app_role()
    targets = [c for c in connections.all() if _postgres(c)]
    if not role or not targets:
        return False
    from samen.core.dbroles import grant_application_role

    for connection in targets:
        if connection.settings_dict.get("TEST", {}).get("MIRROR"):
            continue
        grant_application_role(role, using=connection.alias)
        _set_role(connection, role)
    connection_created.connect(_on_connect, dispatch_uid="samen-test-app-role")
    return True


def switch_off() -> None:
    connection_created.disconnect(dispatch_uid="samen-test-app-role")
    for connection in connections.all():
        if _postgres(connection) and connection.connection is not None:
            _set_role(connection, "")


@contextmanager
def as_owner() -> Iterator[None]:
    """The owner's rights for the block, then back to the application role (no-op when the
    switch is off). Not inside a transaction that may fail: the SET must be able to run."""
    role = app_role()
    if role:
        for connection in connections.all():
            if _postgres(connection):
                # A connection closed before the block (the parallel audit walk closes them
                # before it forks) would reopen inside it as the application role.
                connection.ensure_connection()
                _set_role(connection, "")
    try:
        yield
    finally:
        if role:
            for connection in connections.all():
                if _postgres(connection) and connection.connection is not None:
                    _set_role(connection, role)


def current_role() -> str:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT current_user")
        return cur.fetchone()[0]
