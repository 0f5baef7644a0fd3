"""Loading the field-encryption and pseudonym keys: from the environment, else the local key file.

`samen init_local_keys` writes a key file for a demo or development machine; production sets the
environment variables from its secret store.
"""

from __future__ import annotations

import base64
import os
import secrets
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

NAMES = ("SAMEN_FIELD_KEY", "SAMEN_PSEUDONYM_KEY", "SAMEN_AUDIT_KEY")


def _read_key_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if "=" in line and not line.lstrip().startswith("#"):
                name, _, value = line.partition("=")
                values[name.strip()] = value.strip()
    return values


def _decode(name: str, value: str) -> bytes:
    try:
        key = base64.b64decode(value, validate=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not valid base64") from exc
    if len(key) != 32:
        raise ImproperlyConfigured(f"{name} must be 32 bytes (base64 of 32 bytes)")
    return key


@cache
def key(name: str) -> bytes:
    configured = {
        "SAMEN_FIELD_KEY": settings.FIELD_KEY,
        "SAMEN_PSEUDONYM_KEY": settings.PSEUDONYM_KEY,
        "SAMEN_AUDIT_KEY": settings.AUDIT_KEY,
    }
    value = configured.get(name) or _read_key_file(Path(settings.KEY_FILE)).get(name)
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set. Set it in the environment (base64 of 32 random bytes) or run "
            "`samen init_local_keys` on a development machine."
        )
    return _decode(name, value)


def current_field_key_id() -> int:
    return int(getattr(settings, "FIELD_KEY_ID", 1))


@cache
def _retired_field_keys() -> dict[int, bytes]:
    """SAMEN_FIELD_KEYS_RETIRED: "id=base64,id=base64", the keys of earlier ids, kept for
    decrypting until `samen rotate_field_key` has re-encrypted every row."""
    keys: dict[int, bytes] = {}
    for pair in str(getattr(settings, "FIELD_KEYS_RETIRED", "")).split(","):
        if "=" in pair:
            key_id, _, value = pair.partition("=")
            keys[int(key_id)] = _decode(
                f"SAMEN_FIELD_KEYS_RETIRED[{key_id.strip()}]", value.strip()
            )
    return keys


def field_key(key_id: int) -> bytes:
    """The field key with this id: the current one, or a retired one still configured."""
    if key_id == current_field_key_id():
        return key("SAMEN_FIELD_KEY")
    retired = _retired_field_keys()
    if key_id not in retired:
        raise ImproperlyConfigured(
            f"field key {key_id} is neither current nor in SAMEN_FIELD_KEYS_RETIRED"
        )
    return retired[key_id]


def write_local_key_file(path: Path) -> list[str]:
    """Add fresh random keys for the names the file lacks; never replace a key (that would
    orphan the data it protects). Returns the names added."""
    present = _read_key_file(path)
    missing = [n for n in NAMES if n not in present]
    if not missing:
        return []
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = (
        []
        if path.exists()
        else ["# Local development keys for Samen. Never commit; never use in production."]
    )
    lines += [f"{n}={base64.b64encode(secrets.token_bytes(32)).decode()}" for n in missing]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a") as fh:
        fh.write("\n".join(lines) + "\n")
    key.cache_clear()
    return missing
