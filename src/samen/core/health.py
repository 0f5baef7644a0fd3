"""Liveness and readiness, for the orchestrator's probes (/healthz, /readyz)."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor


def readiness() -> dict[str, str]:
    """ "ok" per check, or why not; nothing about the database's vendor or version."""
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return {"database": "unavailable", "migrations": "unknown"}
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return {"database": "ok", "migrations": "pending" if plan else "ok"}
