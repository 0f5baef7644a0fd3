"""The path definition kept as versioned JSON files, synced into tables after every migrate.

Same rules as the signal lists: a published version is immutable (a changed file with the same
version number is refused), a new version becomes current, and a path keeps the version it started
on, so a change of rules never rewrites a case's history.
"""

from __future__ import annotations

from pathlib import Path

from samen import versioned
from samen.identification.machine import Machine
from samen.identification.models import PathDefinition, StateRow, TransitionRow

PATHS_DIR = Path(__file__).parent / "data" / "paths"


def _validate(data: dict, source: str) -> None:
    try:
        Machine.from_definition(data)
    except (KeyError, ValueError, TypeError) as exc:
        raise ValueError(f"{source}: {exc}") from exc


def read_definition_files(directory: Path | None = None) -> list[dict]:
    definitions = versioned.read_files(directory or PATHS_DIR, _validate)
    # By version, not file name: the last one stored becomes current, so v3 must follow v2.
    return sorted(definitions, key=lambda d: (d["code"], int(d["version"])))


def path_definitions_sync(using: str = "default", directory: Path | None = None) -> int:
    """Store each definition version not stored yet, with its states and transitions as rows."""
    from django.db import transaction

    def create(data: dict) -> None:
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

    with transaction.atomic(using=using):
        return versioned.sync_versions(
            PathDefinition.objects.using(using),
            read_definition_files(directory),
            key="code",
            what="path definition",
            create=create,
        )


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
