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

Forms of exploitation: a table counts a person once, under their first form in the order of
the chain's reporting (``tables.main_form``); the export lists every form of a case in HTCDS
words, and one HTCDS word can stand for several forms (criminal exploitation is ``Other``).
So the attacker's count of a table form is a range: the records whose forms can only mean
it, up to those whose forms may. Where only a sum of forms is exact (criminal + other), the
published cells are added up as the attacker would.

The victim status against the identification outcomes (paths by year started and outcome
group): a status stands for the outcomes ``status_outcomes`` derives from the path's rules,
an empty one also for a case without a path, so the attacker's count of an outcome cell, or
of any sum of a year's outcome cells, is again a range: the records whose status can only
mean one of them, up to those whose status may. Every such sum is compared (hidden when one
of its cells is), the year's total over the outcomes too (records with a decided status
surely have a path). The export's year (case opened) stands in for the year the path
started, as above. Where the status is not released, who decided tells decided from not.
Under the rules shipped every decided status can be in every outcome, so only the totals
are bounded from both sides, and on the demo and the benchmark registers nothing is found;
a definition whose statuses pin an outcome would be caught (tests).

What the export does not hold cannot be set against the tables: it has no region and no
reporting organisation (``NOT_IN_EXPORT``), and its other columns are either compared here
(``COMPARED``) or cut no published table (``NO_TABLE``). A test keeps that list equal to the
export's columns, so a column added to the export needs a decision here first.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date

from samen.statistics.archive import release_from_archive
from samen.statistics.disclosure import TOTAL, CountTable, ProtectedRelease
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
#: The table dimensions an export column is set against ("form": the forms column; "status"
#: and "decided_by": the identification outcomes).
COMPARED = ("year", "gender", "nationality", "age", "form", "status", "decided_by")
#: Table dimensions the export holds nothing of: they are not compared, and may not be added
#: to the export without comparing them here.
NOT_IN_EXPORT = ("region", "reporter")
#: Export columns no published table is cut by: nothing is published by case status. (The
#: victim status is set against the identification outcomes: see the module's text.)
NO_TABLE = ("case_status",)
#: The published table of identification outcomes, and its category dimension.
OUTCOME_TABLE, OUTCOME = "identification", "outcome"
#: Forms sharing an HTCDS word whose sum the attacker can still count exactly.
FORM_PAIRS: tuple[frozenset[str], ...] = (frozenset({"criminal", "other"}),)


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
    #: The table forms the cell counts (one, or a pair whose sum is exact); None: all.
    forms: frozenset[str] | None = None
    #: For the identification outcomes: the outcome groups the cell (or sum) counts.
    outcomes: frozenset[str] | None = None


def published_views(first_year: int, last_year: int, columns: dict[str, str]) -> list[View]:
    """Every cell of every archived release of these years that an export's figures can be
    set against: per year and over the release's years, by form of exploitation and in total
    over the forms, the year's figures and those by gender, nationality group, age band and
    minor or adult; and the sums of the ``FORM_PAIRS`` the export cannot tell apart.
    ``columns``: the export's names of ``year``, ``gender``, ``nationality`` and ``age``."""
    views: list[View] = []
    start, end = date(first_year, 1, 1), date(last_year, 12, 31)
    publications = Publication.objects.filter(period_start__lte=end, period_end__gte=start)
    for publication in publications:
        release = release_from_archive(publication.archive)
        label = f"the published tables of {publication.period_code or publication.pk}"
        views += release_views(release, label, first_year, last_year, columns)
    return views


def release_views(
    release: ProtectedRelease, label: str, first_year: int, last_year: int, columns: dict[str, str]
) -> list[View]:
    """The cells of one release an export of ``first_year``..``last_year`` can be set against
    (see ``published_views``): also those of a release not yet archived, which must be set
    against the exports already handed out before it leaves (``htcds.exports_against``)."""
    views: list[View] = []
    for table in release.source_tables:
        names = table.dimension_names
        if set(names) == {"year", OUTCOME}:
            views += _outcome_views(table, release, label, first_year, last_year)
            continue
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
        pairs: dict[tuple, list[tuple[str, int, bool]]] = {}
        for coordinates, count in table.cells():
            where = dict(zip(names, coordinates, strict=True))
            # A total over the years is the export's count over the same years summed.
            years = frozenset(all_years if where["year"] is TOTAL else (where["year"],))
            if not all(first_year <= int(y) <= last_year for y in years):
                continue
            hidden = table.canonical_key(coordinates) in release.suppressed_keys
            form = where["form"]
            forms = None if form is TOTAL else frozenset({str(form)})
            value = where.get(other) if other else TOTAL
            group: tuple[str | None, int, str | None] = (None, 0, None)
            if value is not TOTAL:
                assert reading is not None and other is not None
                level, mapping = reading
                group = (columns[other], level, mapping[str(value)])
            views.append(View(label, years, group[0], group[1], group[2], count, hidden, forms))
            if forms is not None:
                pairs.setdefault((years, group), []).append((str(form), count, hidden))
        for (years, group), cells in pairs.items():
            for pair in FORM_PAIRS:
                parts = [c for c in cells if c[0] in pair]
                if len(parts) == len(pair):
                    count = sum(c[1] for c in parts)
                    hidden = any(c[2] for c in parts)
                    column, level, named = group
                    views.append(View(label, years, column, level, named, count, hidden, pair))
    return views


def _outcome_views(
    table: CountTable, release: ProtectedRelease, label: str, first_year: int, last_year: int
) -> list[View]:
    """Each cell of the outcomes table, its totals, and every sum of two or more outcomes of
    one year (or of the years summed): the attacker adds up whichever the status bounds."""
    names = table.dimension_names
    outcomes = tuple(str(c) for c in table.dimensions[names.index(OUTCOME)].categories)
    all_years = table.dimensions[names.index("year")].categories
    views: list[View] = []
    rows: dict[frozenset[str], dict[str, tuple[int, bool]]] = {}
    for coordinates, count in table.cells():
        where = dict(zip(names, coordinates, strict=True))
        years = frozenset(all_years if where["year"] is TOTAL else (where["year"],))
        if not all(first_year <= int(y) <= last_year for y in years):
            continue
        hidden = table.canonical_key(coordinates) in release.suppressed_keys
        one = str(where[OUTCOME])
        counted = frozenset(outcomes) if where[OUTCOME] is TOTAL else frozenset({one})
        views.append(View(label, years, None, 0, None, count, hidden, outcomes=counted))
        if where[OUTCOME] is not TOTAL:
            rows.setdefault(years, {})[one] = (count, hidden)
    for years, cells in rows.items():
        for size in range(2, len(cells)):
            for chosen in itertools.combinations(sorted(cells), size):
                count = sum(cells[o][0] for o in chosen)
                hidden = any(cells[o][1] for o in chosen)
                views.append(View(label, years, None, 0, None, count, hidden,
                                  outcomes=frozenset(chosen)))  # fmt: skip
    return views


def possible_forms(
    words: Collection[str], meanings: Mapping[str, Collection[str]], order: tuple[str, ...]
) -> frozenset[str]:
    """The table forms a record with these HTCDS ``words`` may be counted under: each word
    stands for one of its ``meanings`` (form codes), and the table takes the first of the
    chosen codes in ``order``, else ``other``."""
    rank = {form: i for i, form in enumerate(order)}
    options = [meanings.get(word, ("other",)) for word in words] or [("other",)]
    out = set()
    for choice in itertools.product(*options):
        ranked = [code for code in choice if code in rank]
        out.add(min(ranked, key=rank.__getitem__) if ranked else "other")
    return frozenset(out)


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
    views: list[View],
    *,
    year: str,
    lift: Callable[[str, str, int, int], str],
    k: int,
    forms: tuple[str, Callable[[str], frozenset[str]]] | None = None,
    outcomes: Callable[[Mapping[str, int], Mapping[str, str]], frozenset[str]] | None = None,
) -> Callable[[Release], Finding | None]:
    """A check of a candidate export against ``views``: the first difference of 1..k-1 or
    hidden cell given away, or None. ``lift(column, value, from, to)`` coarsens a value.
    ``forms``: the export's forms column and the table forms a value of it may stand for;
    without it (or with the column not released) the views by form are not compared.
    ``outcomes(levels, record)``: the outcome groups (or ``status_outcomes.NO_PATH``) a
    record of the export at these levels may be in; without it the outcome views are not
    compared."""

    def check(release: Release) -> Finding | None:
        at = {name: i for i, name in enumerate(release.columns)}
        by_form = forms is not None and release.levels.get(forms[0]) == 0
        # Per year, the records by the outcomes they may be in (a handful of kinds).
        by_outcomes: Counter[tuple[str, frozenset[str]]] = Counter()
        if outcomes is not None:
            for key, n in release.groups.items():
                record = dict(zip(release.columns, key, strict=True))
                by_outcomes[key[at[year]], outcomes(release.levels, record)] += n
        for view in views:
            if view.outcomes is not None:
                if outcomes is None:
                    continue
                surely = maybe = 0
                for (in_year, possible), n in by_outcomes.items():
                    if in_year in view.years:
                        surely += n if possible <= view.outcomes else 0
                        maybe += n if possible & view.outcomes else 0
                what = "-".join(sorted(view.years)) + ", " + " + ".join(sorted(view.outcomes))
                if finding := _judge(view, what, surely, maybe, k, release):
                    return finding
                continue
            if view.column is not None:
                level = release.levels[view.column]
                if level > view.level:
                    continue  # the export does not break the group down this far
            if view.forms is not None and not by_form:
                continue
            surely = maybe = 0
            for key, n in release.groups.items():
                if key[at[year]] not in view.years:
                    continue
                if view.column is not None:
                    own = key[at[view.column]]
                    if lift(view.column, own, level, view.level) != view.value:
                        continue
                if view.forms is None:
                    surely += n
                    maybe += n
                    continue
                assert forms is not None
                possible = forms[1](key[at[forms[0]]])
                surely += n if possible <= view.forms else 0
                maybe += n if possible & view.forms else 0
            what = "-".join(sorted(view.years)) + (f", {view.value}" if view.value else "")
            if view.forms is not None:
                what += ", " + " + ".join(sorted(view.forms))
            if finding := _judge(view, what, surely, maybe, k, release):
                return finding
        return None

    return check


def _judge(
    view: View, what: str, surely: int, maybe: int, k: int, release: Release
) -> Finding | None:
    """The export counts ``surely`` to ``maybe`` records in the view's group."""
    if view.hidden and view.count and surely == maybe == view.count:
        return Finding(f"{view.label} (a hidden cell: {what})", 0, release.levels)
    # The people between the table and the export: view.count - maybe up to
    # view.count - surely of them; a small group if every possibility is one.
    low, high = view.count - maybe, view.count - surely
    if not view.hidden and (0 < low <= high < k or -k < low <= high < 0):
        return Finding(f"{view.label} ({what})", low, release.levels)
    return None
