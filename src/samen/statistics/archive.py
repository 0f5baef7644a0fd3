"""A published release as stored data, and back (plain Python, no Django).

The differencing check is only as good as the earlier release it compares with: readers hold
the tables as they were published, not as today's register would make them (late registrations
change old years). So a publication is archived with its true counts and its suppression
pattern, and the next release of the following period is protected against exactly that.
The true counts are stored for this check only and are never rendered.
"""

from __future__ import annotations

from typing import Any

from samen.statistics.disclosure import (
    TOTAL,
    CountTable,
    Dimension,
    DisclosureRules,
    ProtectedRelease,
    release_from_pattern,
)
from samen.statistics.disclosure.rules import RoundingMode, ZeroPolicy

FORMAT = 1


def _coordinates_out(coordinates: tuple) -> list[str | None]:
    return [None if c is TOTAL else c for c in coordinates]


def _coordinates_in(coordinates: list[str | None]) -> tuple:
    return tuple(TOTAL if c is None else c for c in coordinates)


def _table_out(table: CountTable) -> dict[str, Any]:
    interior = [
        [*coordinates, value]
        for coordinates, value in table.cells()
        if value and not any(c is TOTAL for c in coordinates)
    ]
    return {
        "name": table.name,
        "scope": dict(table.scope),
        "dimensions": [
            {"name": d.name, "categories": list(d.categories), "complete": d.complete}
            for d in table.dimensions
        ],
        "interior": interior,
    }


def _table_in(data: dict[str, Any]) -> CountTable:
    dimensions = [
        Dimension(d["name"], tuple(d["categories"]), d["complete"]) for d in data["dimensions"]
    ]
    counts = {tuple(row[:-1]): int(row[-1]) for row in data["interior"]}
    return CountTable(data["name"], dimensions, counts, scope=data["scope"])


def release_to_archive(release: ProtectedRelease) -> dict[str, Any]:
    rules = release.rules
    return {
        "format": FORMAT,
        "label": release.label,
        "rules": {
            "min_count": rules.min_count,
            "zero_policy": rules.zero_policy.value,
            "rounding_base": rules.rounding_base,
            "rounding_mode": rules.rounding_mode.value,
            "protection_margin": rules.protection_margin,
            "protection_relative": rules.protection_relative,
            "never_hide_zeros": rules.never_hide_zeros,
            "integer_audit": rules.integer_audit,
        },
        "tables": [_table_out(t) for t in release.source_tables],
        "suppressed": {
            table.name: [_coordinates_out(c.coordinates) for c in table.cells if c.value is None]
            for table in release.tables
        },
    }


def release_from_archive(data: dict[str, Any]) -> ProtectedRelease:
    if data.get("format") != FORMAT:
        raise ValueError(f"unknown archive format {data.get('format')!r}")
    r = data["rules"]
    rules = DisclosureRules(
        min_count=r["min_count"],
        zero_policy=ZeroPolicy(r["zero_policy"]),
        rounding_base=r["rounding_base"],
        rounding_mode=RoundingMode(r["rounding_mode"]),
        protection_margin=r["protection_margin"],
        protection_relative=r.get("protection_relative", 0.0),
        never_hide_zeros=r.get("never_hide_zeros", False),
        integer_audit=r.get("integer_audit", False),
    )
    suppressed = {
        name: [_coordinates_in(c) for c in cells] for name, cells in data["suppressed"].items()
    }
    return release_from_pattern(
        [_table_in(t) for t in data["tables"]], suppressed, rules, label=data["label"]
    )
