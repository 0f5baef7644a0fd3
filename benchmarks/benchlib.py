"""Helpers shared by the benchmark scripts in this folder.

The scripts run as `python benchmarks/<script>.py`, so this folder is on sys.path and they import
this module as `benchlib`. Importing it puts src/ on sys.path, so `samen` imports without being
installed.

What is here: the log line, the environment for Django with throwaway keys, PostgreSQL bench
databases (created, dropped; only when the name contains "bench"), Django set-up, and the
parent/child plumbing of the scripts that measure each database in its own process.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

CHILD_TAG = "CHILD-JSON "
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {msg}", flush=True)


# --------------------------------------------------------------------------------------------
# Environment and database
# --------------------------------------------------------------------------------------------


def bench_env(database_url: str) -> dict[str, str]:
    """The environment for Django in this process and in child processes (gunicorn, the samen
    command): the bench database, throwaway keys for this run only, src/ on PYTHONPATH."""
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "samen.conf.base",
            "SAMEN_SECRET_KEY": secrets.token_urlsafe(50),
            "SAMEN_DEBUG": "0",
            "SAMEN_LOG_LEVEL": "WARNING",
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH", "")) if p
            ),
        }
    )
    for name in ("SAMEN_FIELD_KEY", "SAMEN_PSEUDONYM_KEY", "SAMEN_AUDIT_KEY"):
        env[name] = base64.b64encode(secrets.token_bytes(32)).decode()
    # The bench chain's checkpoints go with the bench database, never to var/.
    anchor_dir = Path(tempfile.mkdtemp(prefix="samen-bench-anchor-"))
    env["SAMEN_AUDIT_ANCHOR_FILE"] = str(anchor_dir / "audit-anchor.log")
    return env


def django_setup(env: dict[str, str]) -> None:
    """Set up Django in this process with the settings of `env` (see bench_env)."""
    for key, value in env.items():
        if key == "DATABASE_URL" or key.startswith(("SAMEN_", "DJANGO_")):
            os.environ[key] = value
    import django

    django.setup()


def require_loopback(dsn: str) -> None:
    if urlsplit(dsn).hostname not in LOOPBACK:
        raise SystemExit("the bench database must be on loopback")


def db_name(dsn: str) -> str:
    return urlsplit(dsn).path.lstrip("/")


def maintenance_dsn(dsn: str) -> str:
    return urlunsplit(urlsplit(dsn)._replace(path="/postgres"))


def require_bench_name(name: str) -> None:
    """The guard before any DROP DATABASE: only databases named for benchmarks."""
    if "bench" not in name:
        raise SystemExit(f"refusing to drop database {name!r}: its name lacks 'bench'")


def _pg_admin(dsn: str, statements: list[str]) -> None:
    """Run statements on the maintenance database, `{}` standing for the bench database."""
    import psycopg
    from psycopg import sql

    name = db_name(dsn)
    require_bench_name(name)
    with psycopg.connect(maintenance_dsn(dsn), autocommit=True) as conn:
        for stmt in statements:
            conn.execute(sql.SQL(stmt).format(sql.Identifier(name)))


def recreate_postgres(dsn: str) -> None:
    _pg_admin(dsn, ["DROP DATABASE IF EXISTS {} WITH (FORCE)", "CREATE DATABASE {}"])
    log(f"created PostgreSQL database {db_name(dsn)}")


def drop_postgres(dsn: str) -> None:
    _pg_admin(dsn, ["DROP DATABASE IF EXISTS {} WITH (FORCE)"])
    log(f"dropped PostgreSQL database {db_name(dsn)}")


# --------------------------------------------------------------------------------------------
# One child process per database
# --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def child_database(db: str, dsn: str, *, keep: bool, prefix: str) -> Iterator[None]:
    """A fresh bench database with Django set up on it, removed afterwards unless `keep`.
    db "sqlite": a new file in a temporary folder named with `prefix`; else PostgreSQL at `dsn`
    (on loopback), dropped first when it exists."""
    tmpdir = None
    if db == "sqlite":
        tmpdir = Path(tempfile.mkdtemp(prefix=prefix))
        url = f"sqlite:///{tmpdir / 'bench.sqlite3'}"
        log(f"[sqlite] fresh database {tmpdir / 'bench.sqlite3'}")
    else:
        require_loopback(dsn)
        recreate_postgres(dsn)
        url = dsn
    try:
        django_setup(bench_env(url))
        yield
    finally:
        if db == "postgres" and not keep:
            drop_postgres(dsn)
        if tmpdir and not keep:
            shutil.rmtree(tmpdir, ignore_errors=True)


def child_result(result: dict[str, object]) -> int:
    """Hand the child's result to the parent (see run_child)."""
    print(CHILD_TAG + json.dumps(result), flush=True)
    return 0


def run_child(script: str, db: str, args: list[str]) -> dict[str, object]:
    """Run `script --child --db <db> <args>`, pass its output through and return its result."""
    cmd = [sys.executable, str(Path(script).resolve()), "--child", "--db", db, *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    result = None
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith(CHILD_TAG):
            result = json.loads(line[len(CHILD_TAG) :])
        else:
            print(line, end="", flush=True)
    if proc.wait() != 0 or result is None:
        raise SystemExit(f"the {db} run failed (exit {proc.returncode})")
    return result


def database_arguments(doc: str, *, dsn_env: str, default_dsn: str) -> argparse.ArgumentParser:
    """The options every benchmark that runs on SQLite and PostgreSQL in child processes has;
    the script adds its own."""
    p = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    p.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument(
        "--dsn",
        default=os.environ.get(dsn_env, default_dsn),
        help="PostgreSQL URL of the bench database (default %(default)s)",
    )
    p.add_argument("--keep", action="store_true", help="keep the bench databases afterwards")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return p
