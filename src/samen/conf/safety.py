"""What production refuses to start without (samen.conf.production), apart so it can be tested."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

KEYS = ("SAMEN_FIELD_KEY", "SAMEN_PSEUDONYM_KEY", "SAMEN_AUDIT_KEY")


def _valid_key(value: str) -> bool:
    try:
        return len(base64.b64decode(value, validate=True)) == 32
    except (binascii.Error, ValueError):
        return False


def missing_production_settings(env: Mapping[str, str], database_engine: str) -> list[str]:
    """Every missing or unfit item, by the name of its variable; empty when production may start.
    Values are never named in the messages, only variables."""
    missing = []
    secret = env.get("SAMEN_SECRET_KEY", "")
    if len(secret) < 50:
        missing.append("SAMEN_SECRET_KEY (at least 50 random characters)")
    for name in KEYS:
        if not env.get(name):
            missing.append(f"{name} (base64 of 32 random bytes)")
        elif not _valid_key(env[name]):
            missing.append(f"{name} (not base64 of 32 bytes)")
    if not env.get("SAMEN_ALLOWED_HOSTS", "").strip():
        missing.append("SAMEN_ALLOWED_HOSTS (the host names Samen answers to)")
    if "postgresql" not in database_engine:
        missing.append("DATABASE_URL (a postgres:// URL: production runs on PostgreSQL)")
    if env.get("SAMEN_DEBUG", "0").strip().lower() in {"1", "true", "yes"}:
        missing.append("SAMEN_DEBUG unset (debug pages are never on in production)")
    return missing
