#!/usr/bin/env python3
"""Known vulnerabilities of the pinned packages, checked offline against a copy of an OSV
advisory database (for example github.com/pypa/advisory-database), for machines where pip-audit
cannot reach its vulnerability service.

    python scripts/audit_offline.py ADVISORY_DIR LOCKFILE...

ADVISORY_DIR holds OSV entries as YAML or JSON files, at any depth (the PyPA database keeps
them under vulns/<package>/). Each lock file is read for `name==version` pins (uv/pip-compile
output). A pin is affected by an entry that is not withdrawn and whose PyPI package is the pin's
when its version is in the entry's `versions` list or inside one of its ECOSYSTEM ranges
(events introduced / fixed / last_affected, compared with packaging.version). Prints each
finding with the entry's id, aliases and the version that fixes it, then a summary line; exits 1
on any finding, 2 when the arguments are wrong, 0 otherwise. Reads no network.
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from packaging.version import InvalidVersion, Version

PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*==\s*([^\s;\\#]+)")
ECOSYSTEM = "PyPI"
NO_FIX = "no fixed version"


def normalise(name: str) -> str:
    """PEP 503: the lock's and the database's spellings of one package compare equal."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _version(text: object) -> Version | None:
    try:
        return Version(str(text))
    except InvalidVersion:
        return None


@dataclass(frozen=True)
class Finding:
    package: str
    version: str
    id: str
    aliases: tuple[str, ...]
    fixed: str  # the lowest fixing version above the pin, or NO_FIX


def pins(lockfile: Path) -> dict[str, str]:
    """name -> version of every `name==version` line of a lock file."""
    found: dict[str, str] = {}
    for line in lockfile.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            found[normalise(match.group(1))] = match.group(2)
    return found


def _entries(directory: Path) -> Iterator[dict]:
    for path in sorted(directory.rglob("*")):
        if path.suffix in {".yaml", ".yml"}:
            # A safe loader (the C one where built): the files are data from outside.
            entry = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506
        elif path.suffix == ".json":
            entry = json.loads(path.read_text(encoding="utf-8"))
        else:
            continue
        if isinstance(entry, dict) and entry.get("id"):
            yield entry


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def advisories(directory: Path) -> tuple[int, dict[str, list[tuple[dict, dict]]]]:
    """How many entries were read, and per package the (entry, affected) pairs that name it;
    withdrawn entries are read but never matched."""
    read = 0
    by_package: dict[str, list[tuple[dict, dict]]] = defaultdict(list)
    for entry in _entries(directory):
        read += 1
        if entry.get("withdrawn"):
            continue
        for affected in entry.get("affected") or []:
            package = affected.get("package") or {}
            if package.get("ecosystem") == ECOSYSTEM and package.get("name"):
                by_package[normalise(package["name"])].append((entry, affected))
    return read, by_package


_ORDER = {"introduced": 0, "last_affected": 1, "fixed": 2, "limit": 3}


def _events(events: Iterable[dict]) -> list[tuple[Version, str]] | None:
    """The range's events as (version, kind), sorted; None when one cannot be read (the range
    is then not judged: its entry's `versions` list still is)."""
    parsed = []
    for event in events:
        for kind, value in event.items():
            if kind not in _ORDER:
                continue
            version = (
                Version("0") if kind == "introduced" and str(value) == "0" else _version(value)
            )
            if version is None:
                return None
            parsed.append((version, kind))
    return sorted(parsed, key=lambda e: (e[0], _ORDER[e[1]]))


def in_range(version: Version, events: list[tuple[Version, str]]) -> bool:
    """OSV's rule for an ECOSYSTEM range: affected from an `introduced` up to (not including) a
    `fixed`, or up to and including a `last_affected`."""
    affected = False
    for at, kind in events:
        if kind == "introduced":
            if version < at:
                break
            affected = True
        elif kind == "fixed":
            if version < at:
                break
            affected = False
        elif kind == "last_affected":
            if version <= at:
                break
            affected = False
    return affected


def _fixes(version: Version, events: list[tuple[Version, str]]) -> list[Version]:
    return [at for at, kind in events if kind == "fixed" and at > version]


def check(package: str, pinned: str, matches: list[tuple[dict, dict]]) -> list[Finding]:
    version = _version(pinned)
    if version is None:
        return []
    findings: dict[str, Finding] = {}
    for entry, affected in matches:
        hit = any(_version(v) == version for v in affected.get("versions") or [])
        fixes: list[Version] = []
        for rng in affected.get("ranges") or []:
            if rng.get("type") != "ECOSYSTEM":
                continue
            events = _events(rng.get("events") or [])
            if events is None:
                continue
            if in_range(version, events):
                hit = True
            fixes += _fixes(version, events)
        if hit:
            findings[entry["id"]] = Finding(
                package=package,
                version=pinned,
                id=entry["id"],
                aliases=tuple(entry.get("aliases") or ()),
                fixed=str(min(fixes)) if fixes else NO_FIX,
            )
    return list(findings.values())


def main(argv: list[str]) -> int:
    if len(argv) < 2 or not Path(argv[0]).is_dir():
        print(__doc__.strip().splitlines()[3], file=sys.stderr)
        return 2
    read, by_package = advisories(Path(argv[0]))
    if not read:
        print(f"audit_offline: no OSV entries under {argv[0]}", file=sys.stderr)
        return 2
    checked: set[tuple[str, str]] = set()
    found: set[tuple[str, str, str]] = set()
    for lockfile in map(Path, argv[1:]):
        for package, version in sorted(pins(lockfile).items()):
            checked.add((package, version))
            for finding in check(package, version, by_package.get(package, [])):
                found.add((finding.package, finding.version, finding.id))
                aliases = f" ({', '.join(finding.aliases)})" if finding.aliases else ""
                print(
                    f"{lockfile}: {finding.package}=={finding.version} {finding.id}{aliases}: "
                    f"fixed in {finding.fixed}"
                )
    print(
        f"audit_offline: {read} advisories read, {len(checked)} pinned packages checked, "
        f"{len(found)} known vulnerabilities"
    )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
