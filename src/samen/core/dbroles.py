"""PostgreSQL roles: the owner migrates, the application only appends to the audit trail.

The table owner can always DISABLE TRIGGER, TRUNCATE or drop a table, whatever triggers say. So
the application connects as a role that owns nothing (DATABASE_URL) and the schema is changed by
an owner role (SAMEN_DB_MIGRATION_URL, alias "owner"): `samen migrate --database owner`, then
`samen audit grant --database owner --to <application role>` after every migration.
"""

from __future__ import annotations

from typing import Any

from django.db import connections

from samen.core.models import AuditEntry, AuditSubject

# Tables the application may only read and append to.
APPEND_ONLY = (AuditEntry._meta.db_table, AuditSubject._meta.db_table)


def grant_statements(role: str) -> list[Any]:  # psycopg's sql.Composed
    from psycopg import sql  # PostgreSQL only; imported late so SQLite setups need no driver

    r = sql.Identifier(role)
    tables = sql.SQL(", ").join(sql.Identifier(t) for t in APPEND_ONLY)
    return [
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(r),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(
            r
        ),
        sql.SQL("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {}").format(r),
        sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON {} FROM {}").format(
            tables, r
        ),
    ]


def grant_application_role(role: str, using: str = "default") -> None:
    """Give the application role what it needs and no more on the audit tables. Run as owner."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        raise ValueError("database roles apply to PostgreSQL only")
    with connection.cursor() as cur:
        for statement in grant_statements(role):
            cur.execute(statement)
