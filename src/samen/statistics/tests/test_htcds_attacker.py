"""An outside attacker against the HTCDS export, written without the export's code.

It runs the management command as a statistician would and reads only the files it writes.
It knows nothing of samen.statistics.htcds or kanon: it finds the identifier column (a value
per row), takes every other column that varies as a quasi-identifier, parses age labels as
ranges, and joins two files on anything they share. Nothing it finds may isolate fewer than
K people (the documented default of SAMEN_HTCDS_K).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from datetime import date, datetime, time, timedelta
from itertools import combinations
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from samen.cases.models import Case
from samen.signalling.services import PersonInput
from samen.statistics.demo import add_statistics_volume
from samen.statistics.tests.attack_worlds import today, volume_persons, volume_seed

K = 10
AMS = ZoneInfo("Europe/Amsterdam")


def export(tmp_path: Path, name: str, *extra: str) -> list[dict[str, str]]:
    out = tmp_path / f"{name}.csv"
    call_command("statistics", "export-htcds", "--out", str(out), "--user", "demo-registrar",
                 *extra)  # fmt: skip
    with out.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def identifiers(rows: list[dict[str, str]]) -> list[str]:
    """Columns with a different value in every row: record identifiers, not categories."""
    return [c for c in rows[0] if len({r[c] for r in rows}) == len(rows)] if len(rows) > 1 else []


def quasi(*files: list[dict[str, str]]) -> list[str]:
    """Every column, except identifiers, that varies in any of the files."""
    ids = {c for rows in files for c in identifiers(rows)}
    columns = [c for c in files[0][0] if c not in ids]
    return [c for c in columns if any(len({r[c] for r in rows}) > 1 for rows in files)]


def span(label: str) -> tuple[int, int] | None:
    """An age label read as the range of years it holds, if it is one."""
    text = label.lower()
    if m := re.fullmatch(r"(\d+)\s*-\s*(\d+)( years)?", text):
        return int(m.group(1)), int(m.group(2))
    if m := re.fullmatch(r"(\d+)\s*(\+| years or older)", text):
        return int(m.group(1)), 200
    return {"minor": (0, 17), "adult": (18, 200)}.get(text)


def common_classes(values: set[str]) -> dict[str, str]:
    """Merge values whose ranges overlap (one file may hold coarser bands than the other):
    the finest classes both files can be counted in."""
    ranged = {v: s for v in values if (s := span(v))}
    parent = {v: v for v in values}

    def find(v: str) -> str:
        while parent[v] != v:
            v = parent[v]
        return v

    for a, b in combinations(sorted(ranged), 2):
        (a0, a1), (b0, b1) = ranged[a], ranged[b]
        if a0 <= b1 and b0 <= a1:
            parent[find(a)] = find(b)
    return {v: find(v) for v in values}


def in_common(a: list[dict[str, str]], b: list[dict[str, str]], columns: list[str]):
    """Both files in classes they share: a column empty in a whole file is not released, so
    it is dropped from both; overlapping ranges are merged; only years in both files count."""
    kept = [c for c in columns if any(r[c] for r in a) and any(r[c] for r in b)]
    years = [c for c in kept if all(re.fullmatch(r"\d{4}", r[c]) for r in a + b)]
    shared_years = {r[y] for r in a for y in years} & {r[y] for r in b for y in years}
    maps = {c: common_classes({r[c] for r in a + b}) for c in kept}

    def rows_of(rows: list[dict[str, str]]) -> list[tuple[str, ...]]:
        return [
            tuple(maps[c][r[c]] for c in kept)
            for r in rows
            if all(r[y] in shared_years for y in years)
        ]

    return kept, rows_of(a), rows_of(b)


def smallest_group(rows: list[dict[str, str]], columns: list[str]) -> int:
    return min(Counter(tuple(r[c] for c in columns) for r in rows).values())


def differences_below_k(a: list[dict[str, str]], b: list[dict[str, str]]) -> list[tuple]:
    """Every group, on every subset of the shared columns, whose count differs between the
    two files by 1 to K - 1: people added, removed or changed, fewer than K of them."""
    kept, left, right = in_common(a, b, quasi(a, b))
    found = []
    for size in range(len(kept) + 1):
        for subset in combinations(range(len(kept)), size):
            ca = Counter(tuple(key[i] for i in subset) for key in left)
            cb = Counter(tuple(key[i] for i in subset) for key in right)
            for group in ca.keys() | cb.keys():
                if 0 < abs(cb[group] - ca[group]) < K:
                    found.append(([kept[i] for i in subset], group, cb[group] - ca[group]))
    return found


def linkable(a: list[dict[str, str]], b: list[dict[str, str]]) -> list[tuple]:
    """Records one file links to the other: a shared identifier value, or a combination of
    shared classes that occurs once in each file."""
    shared_ids = {r[c] for r in a for c in identifiers(a)} & {
        r[c] for r in b for c in identifiers(b)
    }
    _, left, right = in_common(a, b, quasi(a, b))
    ca, cb = Counter(left), Counter(right)
    return sorted(shared_ids) + [g for g in ca if ca[g] == 1 and cb[g] == 1]


def assert_cannot_be_combined(a: list[dict[str, str]], b: list[dict[str, str]]) -> None:
    assert not linkable(a, b)
    assert not differences_below_k(a, b)
    for rows in (a, b):
        assert smallest_group(rows, quasi(rows)) >= K


@pytest.fixture
def register(world):
    """A register of a few hundred synthetic people over the last three years."""
    add_statistics_volume(seed=volume_seed(), persons=volume_persons(), years=3)


def test_a_lower_k_is_refused_and_the_two_files_cannot_be_joined(register, tmp_path):
    high = export(tmp_path, "k10", "--k", "10")
    try:
        low = export(tmp_path, "k2", "--k", "2")
    except CommandError as refused:
        assert "k = 2" in str(refused)
        low = export(tmp_path, "again")
    assert smallest_group(low, quasi(low)) >= K
    assert_cannot_be_combined(high, low)


def test_exports_a_month_apart_with_cases_added_between_cannot_be_combined(
    register, record, tmp_path
):
    last_year = today().year - 1

    def add(count: int, start: int) -> None:
        for i in range(start, start + count):
            number = record(
                forms=["labour"],
                person=PersonInput(gender="male", age_band="30-49", name=f"Synthetisch {i}"),
            ).case.number
            Case.objects.filter(number=number).update(
                opened_at=datetime.combine(date(last_year, 6, 1 + i), time(12), AMS)
            )

    files = [export(tmp_path, "november")]
    add(3, 0)  # fewer than k alike: they must not show
    files.append(export(tmp_path, "december"))
    add(9, 3)  # twelve alike by now: they may leave, as a group of twelve
    files.append(export(tmp_path, "january"))
    for a, b in combinations(files, 2):
        assert_cannot_be_combined(a, b)


def test_exports_of_overlapping_years_taken_at_different_times_cannot_be_combined(
    register, record, tmp_path
):
    this_year = today().year
    first = export(tmp_path, "earlier", "--years", f"{this_year - 3}-{this_year - 1}")
    for i in range(4):
        number = record(
            forms=["sexual"],
            person=PersonInput(gender="female", age_band="18-22", name=f"Synthetisch {i}"),
        ).case.number
        opened = datetime.combine(date(this_year - 2, 3, 1), time(12), AMS) + timedelta(days=i)
        Case.objects.filter(number=number).update(opened_at=opened)
    second = export(tmp_path, "later", "--years", f"{this_year - 2}-{this_year}")
    assert_cannot_be_combined(first, second)


def test_grouping_on_every_varying_column_finds_no_group_below_k(register, tmp_path):
    rows = export(tmp_path, "one")
    columns = quasi(rows)
    assert len(rows) >= K and columns
    for size in range(1, len(columns) + 1):
        for subset in combinations(columns, size):
            assert smallest_group(rows, list(subset)) >= K, subset
