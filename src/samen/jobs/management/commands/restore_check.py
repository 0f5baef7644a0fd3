"""Prove a backup: restore a pg_dump into a fresh PostgreSQL database and verify its audit chain.

The dump is restored with pg_restore (custom format, `pg_dump -Fc`) into a new database next to
the configured one, then `samen audit verify` runs against it in a child process with the same
keys and checkpoint file; the database is dropped afterwards (--keep to look inside).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


def _dsn(db: dict, name: str) -> str:
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return f"postgresql://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"


class Command(BaseCommand):
    help = (
        "Restore a pg_dump (-Fc) into a fresh database and run the audit verification on it; "
        "exit 1 unless the restored audit trail is intact. See docs/operations.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dump", type=Path)
        parser.add_argument("--keep", action="store_true", help="keep the restored database")

    def handle(self, *args: object, **options: object) -> None:
        db = settings.DATABASES.get("owner") or settings.DATABASES["default"]
        if "postgresql" not in db["ENGINE"]:
            raise CommandError("restore_check needs PostgreSQL (DATABASE_URL=postgres://...).")
        dump = Path(str(options["dump"]))
        if not dump.is_file() or not shutil.which("pg_restore"):
            raise CommandError("the dump file or pg_restore is missing")
        name = f"samen_restore_check_{secrets.token_hex(4)}"
        admin = _dsn(db, "postgres")
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            target = _dsn(db, name)
            restored = subprocess.run(  # noqa: S603 - fixed program, our own arguments
                ["pg_restore", "--no-owner", "--no-privileges", "-d", target, str(dump)],  # noqa: S607
                capture_output=True,
                text=True,
                check=False,
            )
            if restored.returncode != 0:
                raise CommandError(f"pg_restore failed: {restored.stderr.strip()[-500:]}")
            # The same keys and the same checkpoint file as this process: the restored chain must
            # reach the last checkpoint written outside the database.
            env = {
                **os.environ,
                "DATABASE_URL": target,
                "SAMEN_AUDIT_ANCHOR_FILE": str(settings.AUDIT_ANCHOR_FILE),
            }
            env.pop("SAMEN_DB_MIGRATION_URL", None)
            verify = subprocess.run(
                [sys.executable, "-m", "samen.manage", "audit", "verify"],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            self.stdout.write(verify.stdout.strip())
            if verify.returncode != 0:
                self.stderr.write(verify.stderr.strip())
                raise CommandError("the restored audit trail did NOT verify")
            self.stdout.write(f"Restore check passed: {dump.name} restored and verified.")
        finally:
            if not options["keep"]:
                _drop(admin, name)


def _drop(admin: str, name: str) -> None:
    """Drop the scratch database. FORCE ends the verifying child's sessions if any linger, but
    PostgreSQL refuses it when an autovacuum worker (owned by no role) is busy on the freshly
    restored tables; a plain DROP then stops that worker itself, so it is tried next."""
    with psycopg.connect(admin, autocommit=True) as conn:
        try:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except psycopg.errors.InsufficientPrivilege:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
