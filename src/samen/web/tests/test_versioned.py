"""Versioned data files: a new version is stored, a stored one left alone, a changed one refused."""

import json
from types import SimpleNamespace

import pytest

from samen import versioned


class Stored:
    """A model manager's `filter(...).first()` over rows kept in a list."""

    def __init__(self) -> None:
        self.rows: list[SimpleNamespace] = []

    def filter(self, **wanted: object) -> "Stored":
        found = Stored()
        found.rows = [r for r in self.rows if all(getattr(r, k) == v for k, v in wanted.items())]
        return found

    def first(self) -> SimpleNamespace | None:
        return self.rows[0] if self.rows else None


def _write(directory, name: str, data: dict, indent: int | None = None) -> None:
    (directory / name).write_text(json.dumps(data, indent=indent))


def test_a_new_version_is_stored_once_and_a_reindented_file_is_no_change(tmp_path):
    stored = Stored()

    def create(data: dict) -> None:
        row = SimpleNamespace(
            code=data["code"], version=data["version"], checksum=data["_checksum"]
        )
        stored.rows.append(row)

    def sync() -> int:
        files = versioned.read_files(tmp_path, lambda data, source: None)
        return versioned.sync_versions(stored, files, key="code", what="list", create=create)

    _write(tmp_path, "a.json", {"code": "a", "version": 1, "rules": [1, 2]})
    assert sync() == 1 and sync() == 0
    _write(tmp_path, "a.json", {"rules": [1, 2], "version": 1, "code": "a"}, indent=4)
    assert sync() == 0
    _write(tmp_path, "a.json", {"code": "a", "version": 1, "rules": [1, 3]})
    with pytest.raises(ValueError, match="list a v1 changed without a new version number"):
        sync()
    _write(tmp_path, "a.json", {"code": "a", "version": 2, "rules": [1, 3]})
    assert sync() == 1 and [r.version for r in stored.rows] == [1, 2]


def test_a_file_the_validator_refuses_is_not_read(tmp_path):
    _write(tmp_path, "bad.json", {"code": "b", "version": 1})

    def refuse(data: dict, source: str) -> None:
        raise ValueError(f"{source}: no rules")

    with pytest.raises(ValueError, match=r"bad\.json: no rules"):
        versioned.read_files(tmp_path, refuse)
