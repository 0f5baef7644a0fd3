"""An HTCDS export checked against the published yearly tables (issue #13 item 4).

The two count different things: the export one record per case by the year the case was
opened, the tables one person per year by the first signal of that year. But for most people
they coincide (one case, opened when first signalled), and a reader holding both will assume
they do. Taken as the same population, a figure the export allows (its records of one year,
gender, nationality group or age, summed) and the table's figure for the same group give:

- a *difference*: a published table count and the export's count for the same group that
  differ by 1 to k-1 single out the few people the export held back (the rare combinations,
  which is why they were held back) or counted elsewhere: across the tables of one year such
  differences describe those people;
- a *pinned cell*: a cell the tables hide whose true count equals the export's count for the
  same group is no longer hidden for that reader.

The export is recoded until neither occurs against any published release of its years (the
archive holds their true counts and what was hidden), or it is refused with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from samen.statistics.archive import release_from_archive
from samen.statistics.disclosure import TOTAL
from samen.statistics.kanon import Finding, Release
from samen.statistics.models import Publication

#: Export column, and how a table category reads in the export at level 0 (and level 1).
GENDER_VALUES = {"female": "Feminine", "male": "Masculine", "other": "NonConforming",
                 "unknown": "NonSpecifiedUnknown"}  # fmt: skip
NATIONALITY_VALUES = {"NL": "NL", "EU": "EU", "non_EU": "non-EU", "unknown": "unknown"}
AGE_BAND_VALUES = {"0-11": "0-11 years", "12-17": "12-17 years", "18-22": "18-22 years",
                   "23-29": "23-29 years", "30-49": "30-49 years", "50+": "50 years or older",
                   "unknown": "unknown"}  # fmt: skip
AGE_CLASS_VALUES = {"minor": "0-17 years", "adult": "18 years or older", "unknown": "unknown"}


@dataclass(frozen=True)
class View:
    """One cell of a published table, as a group of the export: ``year`` and, unless the
    cell is a total over it, one value of ``column`` at ``level``."""

    label: str
    years: frozenset[str]
    column: str | None
    level: int
    value: str | None
    count: int
    hidden: bool


def published_views(first_year: int, last_year: int, columns: dict[str, str]) -> list[View]:
    """Every cell of every archived release of these years that an export's figures can be
    set against: the year totals and, per year and over the release's years, the totals by
    gender, nationality group, age band and minor or adult (summed over the forms).
    ``columns``: the export's names of ``year``, ``gender``, ``nationality`` and ``age``."""
    views: list[View] = []
    start, end = date(first_year, 1, 1), date(last_year, 12, 31)
    publications = Publication.objects.filter(period_start__lte=end, period_end__gte=start)
    for publication in publications:
        release = release_from_archive(publication.archive)
        label = f"the published tables of {publication.period_code or publication.pk}"
        for table in release.source_tables:
            names = table.dimension_names
            if "year" not in names or "form" not in names:
                continue
            others = [n for n in names if n not in ("year", "form")]
            if len(others) > 1 or (others and others[0] not in ("gender", "nationality", "age")):
                continue
            other = others[0] if others else None
            categories = set(table.dimensions[names.index(other)].categories) if other else set()
            reading = _reading(other, categories)
            if other is not None and reading is None:
                continue
            all_years = table.dimensions[names.index("year")].categories
            for coordinates, count in table.cells():
                where = dict(zip(names, coordinates, strict=True))
                if where["form"] is not TOTAL:
                    continue
                # A total over the years is the export's count over the same years summed.
                years = frozenset(all_years if where["year"] is TOTAL else (where["year"],))
                if not all(first_year <= int(y) <= last_year for y in years):
                    continue
                hidden = table.canonical_key(coordinates) in release.suppressed_keys
                value = where.get(other) if other else TOTAL
                if value is TOTAL:
                    views.append(View(label, years, None, 0, None, count, hidden))
                    continue
                assert reading is not None and other is not None
                level, mapping = reading
                views.append(
                    View(label, years, columns[other], level, mapping[value], count, hidden)
                )
    return views


def _reading(other: str | None, categories: set[str]) -> tuple[int, dict[str, str]] | None:
    if other == "gender":
        return 0, GENDER_VALUES
    if other == "nationality":
        return 0, NATIONALITY_VALUES
    if other == "age" and categories <= set(AGE_BAND_VALUES):
        return 0, AGE_BAND_VALUES
    if other == "age" and categories <= set(AGE_CLASS_VALUES):
        return 1, AGE_CLASS_VALUES
    return None


def checker(
    views: list[View], *, year: str, lift: Callable[[str, str, int, int], str], k: int
) -> Callable[[Release], Finding | None]:
    """A check of a candidate export against ``views``: the first difference of 1..k-1 or
    hidden cell given away, or None. ``lift(column, value, from, to)`` coarsens a value."""

    def check(release: Release) -> Finding | None:
        at = {name: i for i, name in enumerate(release.columns)}
        for view in views:
            if view.column is not None:
                level = release.levels[view.column]
                if level > view.level:
                    continue  # the export does not break the group down this far
            count = 0
            for key, n in release.groups.items():
                if key[at[year]] not in view.years:
                    continue
                if view.column is not None:
                    own = key[at[view.column]]
                    if lift(view.column, own, level, view.level) != view.value:
                        continue
                count += n
            what = "-".join(sorted(view.years)) + (f", {view.value}" if view.value else "")
            if view.hidden and view.count and count == view.count:
                return Finding(f"{view.label} (a hidden cell: {what})", 0, release.levels)
            if not view.hidden and 0 < abs(view.count - count) < k:
                return Finding(f"{view.label} ({what})", view.count - count, release.levels)
        return None

    return check
