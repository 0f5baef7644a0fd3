"""The path definition kept as versioned JSON files, synced into tables after every migrate.

Same rules as the signal lists: a published version is immutable (a changed file with the same
version number is refused), a new version becomes current, and a path keeps the version it started
on, so a change of rules never rewrites a case's history.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from samen.identification.machine import Machine

PATHS_DIR = Path(__file__).parent / "data" / "paths"


def read_definition_files(directory: Path | None = None) -> list[dict]:
    definitions = []
    for path in sorted((directory or PATHS_DIR).glob("*.json")):
        data = json.loads(path.read_bytes())
        # Over the canonical form, so re-indenting a file is not taken for a change of content.
        canonical = json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
        data["_checksum"] = hashlib.sha256(canonical).hexdigest()
        try:
            Machine.from_definition(data)
        except (KeyError, ValueError, TypeError) as exc:
            raise ValueError(f"{path.name}: {exc}") from exc
        definitions.append(data)
    # By version, not file name: the last one stored becomes current, so v3 must follow v2.
    return sorted(definitions, key=lambda d: (d["code"], int(d["version"])))


def path_definitions_sync(using: str = "default", directory: Path | None = None) -> int:
    """Store each definition version not stored yet, with its states and transitions as rows."""
    from django.db import transaction

    from samen.identification.models import PathDefinition, StateRow, TransitionRow

    created = 0
    with transaction.atomic(using=using):
        for data in read_definition_files(directory):
            existing = (
                PathDefinition.objects.using(using)
                .filter(code=data["code"], version=data["version"])
                .first()
            )
            if existing:
                if existing.checksum != data["_checksum"]:
                    raise ValueError(
                        f"path definition {data['code']} v{data['version']} changed without a "
                        "new version number"
                    )
                continue
            skip = ("states", "transitions", "_checksum")
            body = {k: v for k, v in data.items() if k not in skip}
            definition = PathDefinition.objects.using(using).create(
                code=data["code"],
                version=data["version"],
                checksum=data["_checksum"],
                body=body,
            )
            StateRow.objects.using(using).bulk_create(
                StateRow(definition=definition, code=s["code"], order=i, spec=s)
                for i, s in enumerate(data["states"])
            )
            TransitionRow.objects.using(using).bulk_create(
                TransitionRow(definition=definition, code=t["code"], order=i, spec=t)
                for i, t in enumerate(data["transitions"])
            )
            PathDefinition.objects.using(using).filter(code=definition.code).exclude(
                pk=definition.pk
            ).update(is_current=False)
            created += 1
    return created


def machine_of(definition: object) -> Machine:
    """Build the engine from the stored rows (memoised per definition row: rows never change)."""
    # By checksum, not id: a rolled-back test may hand the same id to different content.
    key = definition.checksum  # type: ignore[attr-defined]
    if key not in _cache:
        data = dict(definition.body)  # type: ignore[attr-defined]
        data["states"] = [s.spec for s in definition.states.order_by("order")]  # type: ignore[attr-defined]
        data["transitions"] = [t.spec for t in definition.transitions.order_by("order")]  # type: ignore[attr-defined]
        _cache[key] = Machine.from_definition(data)
    return _cache[key]


_cache: dict[str, Machine] = {}
