"""Production refuses to start without its secrets, hosts and PostgreSQL, and passes Django's
deployment checks with the documented settings."""

import base64
import os
import subprocess
import sys

from samen.conf.safety import missing_production_settings

KEY = base64.b64encode(b"k" * 32).decode()
COMPLETE = {
    "SAMEN_SECRET_KEY": "x7-Qp" * 12,
    "SAMEN_FIELD_KEY": KEY,
    "SAMEN_PSEUDONYM_KEY": KEY,
    "SAMEN_AUDIT_KEY": KEY,
    "SAMEN_ALLOWED_HOSTS": "samen.example.nl",
}
PG = "django.db.backends.postgresql"


def test_complete_production_settings_miss_nothing():
    assert missing_production_settings(COMPLETE, PG) == []


def test_each_missing_item_is_named_by_its_variable_never_by_value():
    env = {**COMPLETE, "SAMEN_AUDIT_KEY": "not-a-key", "SAMEN_DEBUG": "1"}
    del env["SAMEN_SECRET_KEY"], env["SAMEN_ALLOWED_HOSTS"]
    missing = missing_production_settings(env, "django.db.backends.sqlite3")
    text = " ".join(missing)
    for name in ("SAMEN_SECRET_KEY", "SAMEN_AUDIT_KEY", "SAMEN_ALLOWED_HOSTS", "DATABASE_URL"):
        assert name in text
    assert "SAMEN_DEBUG" in text
    assert "not-a-key" not in text and "SAMEN_FIELD_KEY" not in text


def _samen(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SAMEN_", "DATABASE_URL"))}
    return subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "samen.manage", *args],
        env={**base, "DJANGO_SETTINGS_MODULE": "samen.conf.production", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_and_names_what_is_missing():
    result = _samen({"DATABASE_URL": "sqlite:////tmp/x.sqlite3"}, "check")
    assert result.returncode != 0
    assert "SAMEN_SECRET_KEY" in result.stderr and "DATABASE_URL" in result.stderr
