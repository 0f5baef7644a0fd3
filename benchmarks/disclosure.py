"""Time the disclosure control engine on realistic tables.

The data is a cube year x form of exploitation x age group x gender x nationality group x
region: 5 x 4 x 5 x 2 x 5 x 10 = 10,000 interior cells. Counts are drawn from independent
category shares with a few interactions, at two scales: the real one (the published national
totals 2020-2024, about 900 registered possible victims a year, so most cells are small) and
the synthetic one of the statistics benchmark (1,000,000 cases over the five years).

Two ways to publish it:
- ``release`` (default): what a yearly report publishes, year x form broken down by each other
  variable in turn (four three-way tables sharing the year x form margins), protected jointly.
- ``detailed``: year x form by every pair of the other variables, six four-way tables
  (2,900 interior cells, about 5,000 with margins) sharing many margins.
- ``cube``: the whole six-way cube with all 64 kinds of margins (about 107,000 cells). A stress
  test: with so many small cells the line rule leaves many cells recoverable through long
  chains of equations, and each audit round solves LPs over 10,000-25,000 hidden cells, so it
  takes tens of minutes.

Run: .venv/bin/python benchmarks/disclosure.py [--table all|release|detailed|cube]
         [--scale real|synthetic|both] [--verbose]
"""

from __future__ import annotations

import argparse
import itertools
import logging
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from samen.statistics.disclosure import (
    CountTable,
    Dimension,
    DisclosureRules,
    protect,
)

YEARS = ("2020", "2021", "2022", "2023", "2024")
FORMS = ("sexual", "labour", "criminal", "other")
AGES = ("0-11", "12-17", "18-22", "23-29", "30+")
GENDERS = ("female", "male")
NATIONALITIES = ("Dutch", "EU", "Europe other", "Africa", "Asia and other")
REGIONS = tuple(f"region {i:02d}" for i in range(1, 11))

SHARES = {
    "form": [0.45, 0.30, 0.20, 0.05],
    "age": [0.02, 0.10, 0.25, 0.28, 0.35],
    "gender": [0.7, 0.3],
    "nationality": [0.35, 0.25, 0.10, 0.18, 0.12],
    "region": [0.2, 0.12, 0.1, 0.1, 0.09, 0.09, 0.08, 0.08, 0.07, 0.07],
}


def make_table(per_year: list[int], seed: int) -> CountTable:
    rng = np.random.default_rng(seed)
    dimensions = [
        Dimension("year", YEARS, complete=False),
        Dimension("form", FORMS),
        Dimension("age_group", AGES),
        Dimension("gender", GENDERS),
        Dimension("nationality_group", NATIONALITIES),
        Dimension("region", REGIONS),
    ]
    shares = np.einsum(
        "a,b,c,d,e->abcde",
        *(np.array(SHARES[name]) for name in ("form", "age", "gender", "nationality", "region")),
    )
    # Interactions seen in the published figures: sexual exploitation mostly women, labour
    # exploitation mostly men and mostly EU/other European nationals.
    shares[0, :, 0] *= 1.8
    shares[1, :, 1] *= 2.5
    shares[1, :, :, 1:3] *= 2.0
    shares /= shares.sum()
    interior = np.stack(
        [rng.multinomial(n, shares.reshape(-1)).reshape(shares.shape) for n in per_year]
    )
    return CountTable(
        "victims by year x form x age x gender x nationality x region", dimensions, interior
    )


def release_tables(cube: CountTable) -> list[CountTable]:
    """Year x form x one other variable, for each of the other four."""
    interior = cube.interior
    year, form, *others = cube.dimensions
    tables = []
    for axis, other in enumerate(others, start=2):
        summed = tuple(a for a in range(2, interior.ndim) if a != axis)
        tables.append(
            CountTable(f"year x form x {other.name}", [year, form, other], interior.sum(summed))
        )
    return tables


def detailed_tables(cube: CountTable) -> list[CountTable]:
    """Year x form x two other variables: six four-way tables sharing many margins."""
    interior = cube.interior
    year, form, *others = cube.dimensions
    tables = []
    for (i, first), (j, second) in itertools.combinations(enumerate(others, start=2), 2):
        summed = tuple(a for a in range(2, interior.ndim) if a not in (i, j))
        name = f"year x form x {first.name} x {second.name}"
        tables.append(CountTable(name, [year, form, first, second], interior.sum(summed)))
    return tables


def run(scale: str, shape: str) -> tuple[float, str]:
    # Real scale: the published national totals for 2020-2024 (DOMAIN.md).
    per_year = [1013, 791, 814, 868, 944] if scale == "real" else [200_000] * 5
    cube = make_table(per_year, seed=7)
    if shape == "cube":
        tables = [cube]
    elif shape == "detailed":
        tables = detailed_tables(cube)
    else:
        tables = release_tables(cube)
    start = time.perf_counter()
    release = protect(tables, DisclosureRules(), label=f"benchmark {scale}")
    seconds = time.perf_counter() - start
    counts = release.counts()
    detail = (
        f"{shape} {scale}: {cube.grand_total} persons, {len(tables)} tables, "
        f"{counts['cells']} cells incl. margins, {counts['primary']} primary + "
        f"{counts['secondary']} secondary suppressed, audit "
        f"{'ok' if release.safe else 'NOT OK'} ({len(release.audit.intervals)} hidden cells), "
        f"{seconds:.1f} s"
    )
    print(detail, flush=True)
    return seconds, detail


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--table",
        choices=("all", "release", "detailed", "cube"),
        default="all",
        help="all = release and detailed (the cube only on request: it takes tens of minutes)",
    )
    parser.add_argument("--scale", choices=("real", "synthetic", "both"), default="both")
    parser.add_argument("--verbose", action="store_true", help="log each repair round")
    args = parser.parse_args()
    if args.verbose:
        logging.basicConfig(level=logging.INFO, format="%(relativeCreated)8.0f ms %(message)s")
    shapes = ["release", "detailed"] if args.table == "all" else [args.table]
    scales = ["real", "synthetic"] if args.scale == "both" else [args.scale]
    figures = " ".join(
        f"{shape}_{scale}_s={run(scale, shape)[0]:.2f}" for shape in shapes for scale in scales
    )
    print(f"RESULT disclosure {figures}")


if __name__ == "__main__":
    main()
