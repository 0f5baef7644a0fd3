"""scripts/audit_offline.py: the pinned packages against OSV entries we write here (the PyPA
database's shape), run as CI runs it: a process, its output and its exit status."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

SCRIPT = Path(__file__).resolve().parents[4] / "scripts" / "audit_offline.py"


def advisory(directory: Path, id: str, package: str, **affected: object) -> None:
    entry = {
        "id": id,
        "aliases": [f"CVE-{id}"],
        "affected": [{"package": {"ecosystem": "PyPI", "name": package}, **affected}],
    }
    if "withdrawn" in affected:
        entry["withdrawn"] = affected.pop("withdrawn")
    folder = directory / "vulns" / package
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{id}.yaml").write_text(yaml.safe_dump(entry))


def audit(directory: Path, tmp_path: Path, lock: str) -> tuple[int, list[str]]:
    lockfile = tmp_path / "lock.txt"
    lockfile.write_text(f"# uv pip compile\n{lock}")
    done = subprocess.run(  # noqa: S603  # our interpreter and our script
        [sys.executable, str(SCRIPT), str(directory), str(lockfile)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return done.returncode, done.stdout.splitlines()


@pytest.fixture
def database(tmp_path) -> Path:
    directory = tmp_path / "advisories"
    advisory(
        directory,
        "PYSEC-1",
        "Some_Package",
        ranges=[
            {
                "type": "ECOSYSTEM",
                "events": [
                    {"introduced": "0"},
                    {"fixed": "1.4.2"},
                    {"introduced": "2.0"},
                    {"fixed": "2.1.1"},
                ],
            }
        ],
    )
    # Affected up to and including 3.0.5; no release fixes it.
    advisory(
        directory,
        "PYSEC-2",
        "other",
        ranges=[
            {"type": "ECOSYSTEM", "events": [{"introduced": "3.0"}, {"last_affected": "3.0.5"}]}
        ],
    )
    advisory(directory, "PYSEC-3", "listed", versions=["0.9", "1.0"])
    advisory(
        directory,
        "PYSEC-4",
        "withdrawn-one",
        withdrawn="2024-01-01T00:00:00Z",
        ranges=[{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}],
    )
    return directory


def test_a_vulnerable_pin_is_reported_with_its_id_and_fixed_version_and_fails(database, tmp_path):
    status, out = audit(database, tmp_path, "some-package==2.0.3\n    # via samen\n")
    assert status == 1
    assert out[0].endswith("some-package==2.0.3 PYSEC-1 (CVE-PYSEC-1): fixed in 2.1.1")
    assert (
        out[-1]
        == "audit_offline: 4 advisories read, 1 pinned packages checked, 1 known vulnerabilities"
    )


def test_a_pin_at_or_above_the_fixed_version_passes(database, tmp_path):
    status, out = audit(database, tmp_path, "some-package==1.4.2\nsome.package==2.1.1\n")
    assert status == 0 and out[-1].endswith("0 known vulnerabilities")


def test_last_affected_is_inclusive_and_a_later_version_passes(database, tmp_path):
    status, out = audit(database, tmp_path, "other==3.0.5\n")
    assert status == 1 and out[0].endswith(
        "other==3.0.5 PYSEC-2 (CVE-PYSEC-2): fixed in no fixed version"
    )
    assert audit(database, tmp_path, "other==3.0.6\n")[0] == 0
    assert audit(database, tmp_path, "other==2.9\n")[0] == 0


def test_an_explicit_versions_list_matches_only_its_versions(database, tmp_path):
    assert audit(database, tmp_path, "listed==1.0.0\n")[0] == 1  # 1.0.0 is 1.0
    assert audit(database, tmp_path, "listed==1.1\n")[0] == 0


def test_a_withdrawn_entry_is_ignored(database, tmp_path):
    status, out = audit(database, tmp_path, "withdrawn-one==1.0\n")
    assert status == 0 and out == [
        "audit_offline: 4 advisories read, 1 pinned packages checked, 0 known vulnerabilities"
    ]


def test_a_directory_without_entries_is_an_error_not_a_pass(tmp_path):
    (tmp_path / "empty").mkdir()
    assert audit(tmp_path / "empty", tmp_path, "django==1.0\n")[0] == 2
