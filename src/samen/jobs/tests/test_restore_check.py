"""A backup restores into a fresh PostgreSQL database and its audit chain verifies there; a
backup that lacks entries the checkpoint file has seen does not pass."""

from __future__ import annotations

import subprocess

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from samen.jobs.management.commands.restore_check import _dsn


def _dump(path) -> None:
    from django.conf import settings

    db = settings.DATABASES["default"]
    subprocess.run(  # noqa: S603
        ["pg_dump", "-Fc", "-f", str(path), _dsn(db, db["NAME"])],  # noqa: S607
        check=True,
        capture_output=True,
    )


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_dump_restores_and_verifies_and_a_stale_one_is_refused(
    record, tmp_path, capsys, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump and pg_restore need PostgreSQL")
    # The verifying child runs with the deployment's settings module; the test settings would
    # give it a checkpoint file of its own.
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "samen.conf.base")
    record()
    dump = tmp_path / "samen.dump"
    _dump(dump)
    call_command("restore_check", str(dump))
    assert "Audit trail intact" in capsys.readouterr().out

    # Entries written after the backup reached the checkpoint file: the old backup lacks them.
    record()
    with pytest.raises(CommandError, match="did NOT verify"):
        call_command("restore_check", str(dump))
