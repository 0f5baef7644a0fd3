"""Versioned data files: rules kept as JSON in the repository and synced into tables after every
migrate (signal lists, barrier models, identification path definitions).

The rules every such file follows, said once: a version is identified by its key fields and its
version number; its checksum is taken over the canonical form, so re-indenting a file is not a
change of content; a published version is immutable, because recorded work refers to it, so a
changed file with the same version number is refused; a version not stored yet is created.

Plain Python at import (no Django), so an engine's loader may use it; `sync_versions` works on
whatever model manager it is given.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any


def checksum(data: object) -> str:
    """SHA-256 over the canonical JSON form (sorted keys, no ASCII escaping)."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(canonical).hexdigest()


def read_files(directory: Path, validate: Callable[[dict, str], None]) -> list[dict]:
    """Every `*.json` in `directory`, by file name, each with its checksum as `_checksum`;
    `validate(data, file name)` raises ValueError for a file that may not be loaded."""
    found = []
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_bytes())
        data["_checksum"] = checksum(data)
        validate(data, path.name)
        found.append(data)
    return found


def sync_versions(
    manager: Any,
    files: Iterable[dict],
    *,
    key: str,
    what: str,
    create: Callable[[dict], object],
) -> int:
    """Create, with `create(data)`, each version in `files` that `manager` (a model's manager on
    the database to sync) does not hold yet; return how many. A stored version whose file
    changed raises ValueError naming `what` (e.g. "barrier model"). Call it inside a
    transaction: a refusal must leave nothing half-synced."""
    created = 0
    for data in files:
        existing = manager.filter(**{key: data[key]}, version=data["version"]).first()
        if existing is None:
            create(data)
            created += 1
        elif existing.checksum != data["_checksum"]:
            raise ValueError(
                f"{what} {data[key]} v{data['version']} changed without a new version number"
            )
    return created
