"""A table set that could not be proven safe on a seeded benchmark register (issue #13).

`benchmarks/statistics.py --cases 20000 --seed 1 --tableset-only` made a five-year table set
whose audit failed: the count of 6 people of unknown age with sexual exploitation in the last
year was left the only hidden cell of its line (total, minors, adults, unknown), with "no
publishable cell left to hide it". The repair loop had published, one round after another,
secondaries that were pinned by what the release itself published at that moment, and struck
each off for good; the partners the exposed cell needed were among them (ADR 0039).

The year x form x age band table of that register reproduces it on its own (with the minors /
adults hierarchy): its counts are below, 2019 empty as in the benchmark (the register starts
in 2020), so the earlier release is 2019-2023 and the new one 2020-2024.
"""

from __future__ import annotations

import functools
from datetime import date

import numpy as np

from samen.statistics.disclosure import CountTable, Dimension, DisclosureRules, protect
from samen.statistics.tables import AGE_BANDS, FORMS, HIERARCHIES, SPEC_BY_SLUG
from samen.statistics.tests import test_outside_attacker as outside

#: year -> form (sexual, labour, criminal, other) -> age band (0-11 ... 50+, unknown).
SEED_1 = {
    2019: [[0] * 7] * 4,
    2020: [[35, 164, 488, 593, 386, 65, 6], [29, 132, 403, 459, 344, 44, 4],
           [9, 60, 169, 202, 129, 31, 3], [6, 33, 85, 111, 91, 13, 0]],
    2021: [[28, 158, 456, 518, 340, 54, 7], [31, 134, 369, 422, 318, 48, 4],
           [9, 65, 147, 193, 138, 20, 0], [7, 27, 100, 117, 74, 11, 1]],
    2022: [[28, 170, 442, 540, 356, 49, 4], [17, 132, 427, 481, 298, 39, 4],
           [15, 67, 161, 192, 145, 18, 3], [7, 33, 94, 105, 100, 9, 1]],
    2023: [[39, 157, 482, 583, 363, 60, 7], [16, 144, 346, 443, 274, 44, 7],
           [13, 65, 178, 216, 146, 19, 1], [6, 33, 90, 130, 68, 7, 1]],
    2024: [[33, 168, 451, 550, 337, 43, 6], [24, 113, 372, 452, 301, 52, 7],
           [10, 59, 193, 213, 123, 15, 2], [5, 33, 107, 123, 89, 12, 0]],
}  # fmt: skip
NAME = SPEC_BY_SLUG["year-form-age-band"].name


def _table(first: int, last: int) -> CountTable:
    years = [str(y) for y in range(first, last + 1)]
    counts = np.array([SEED_1[int(y)] for y in years])
    dims = [
        Dimension("year", tuple(years), complete=False),
        Dimension("form", FORMS),
        Dimension("age", AGE_BANDS),
    ]
    return CountTable(NAME, dims, counts)


@functools.cache
def _releases():
    rules = DisclosureRules()
    earlier = protect([_table(2019, 2023)], rules, hierarchies=HIERARCHIES, label="2019-2023")
    later = protect(
        [_table(2020, 2024)], rules, previous=[earlier], hierarchies=HIERARCHIES, label="2020-2024"
    )
    return earlier, later


def _delivered(release, first: int, last: int) -> outside.Release:
    """The cells as the module delivers them: a value, or nothing when hidden (one mark)."""
    request = outside.Request(f"period={first}-{last}", date(first, 1, 1), date(last, 12, 31))
    out = outside.Release(request, request.start, request.end)
    for table in release.tables:
        for cell in table.cells:
            out.observations.append(
                outside.Observation(
                    "year-form-age-band", table.dimension_names, cell.labels, cell.value, ""
                )
            )
    return out


def test_the_seeded_register_that_failed_its_audit_gets_a_release_proven_safe():
    earlier, later = _releases()
    assert earlier.safe, earlier.unresolved
    assert later.safe, later.unresolved
    # The cell the old repair loop left exposed is hidden and not alone in its line.
    hidden = {
        tuple(str(c) for c in cell.coordinates)
        for cell in later.table(NAME).cells
        if cell.value is None
    }
    assert ("2024", "sexual", "unknown") in hidden
    assert len([c for c in hidden if c[:2] == ("2024", "sexual")]) >= 2


def test_the_outside_attacker_recovers_nothing_from_the_two_releases():
    earlier, later = _releases()
    findings = outside.attack(
        {"register": [_delivered(earlier, 2019, 2023), _delivered(later, 2020, 2024)]}
    )
    assert not findings, findings[:5]
