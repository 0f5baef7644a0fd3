"""The chain's yearly table set, counted per person, protected by the disclosure-control engine
before anyone sees it. Plain functions over the aggregated counts of the selectors.

The victims tables are released together as linked tables (year x form by one other variable
each, year x region) rather than one cross-table of every variable: readers get every
breakdown the yearly reports give, and the engine protects their shared margins jointly.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from samen.cases.models import AgeBand, Gender, NationalityGroup
from samen.shelter.models import PlaceType
from samen.statistics.disclosure import (
    TOTAL,
    CountTable,
    Dimension,
    DisclosureRules,
    Hierarchy,
    ProtectedRelease,
    ProtectedTable,
    ResultCell,
    protect,
)
from samen.statistics.selectors import FORM_RANKS, WAIT_BANDS, WAIT_LONGEST, StatisticsData

SERIES_FILE = Path(__file__).parent / "data" / "public_series.json"
FORMS = (*FORM_RANKS, "other")
TABLE = "Registered possible victims by year and form of exploitation"

FORM_LABELS = {
    "sexual": _("Sexual exploitation"),
    "labour": _("Labour exploitation"),
    "criminal": _("Criminal exploitation"),
    "other": _("Other or not recorded"),
}
AGE_BANDS = tuple(AgeBand.values)
MINOR, ADULT = "minor", "adult"
AGE_CLASSES = (MINOR, ADULT, AgeBand.UNKNOWN.value)
AGE_CLASS_LABELS = {MINOR: _("Minor"), ADULT: _("Adult"), "unknown": _("Age unknown")}
ADULT_BANDS = ("18-22", "23-29", "30-49", "50+")
MINOR_BANDS = ("0-11", "12-17")

#: Who reported: the type of the organisation that recorded a person's first signal of the
#: year, in the groups the yearly reports use.
REPORTER_GROUPS = {
    "field": ("social_team", "school", "hospitality", "asylum_reception", "youth_care",
              "health_care"),
    "care": ("municipality", "care_coordination", "shelter", "nidos", "veilig_thuis"),
    "enforcement": ("police", "kmar", "labour_inspectorate", "ind", "prosecution"),
    "national": ("comensha", "ministry", "rapporteur"),
}  # fmt: skip
REPORTER_LABELS = {
    "field": _("Professionals in the field"),
    "care": _("Care, shelter and municipalities"),
    "enforcement": _("Police, inspection and immigration"),
    "national": _("National bodies"),
}
_REPORTER_OF = {t: group for group, types in REPORTER_GROUPS.items() for t in types}

#: Identification path states grouped into the outcomes a yearly report shows.
OUTCOMES = {
    "assessing": ("signalled", "under_assessment"),
    "not_established": ("indication_not_established",),
    "established": (
        "indication_established", "reflection_offered", "reflection_accepted",
        "reflection_declined",
    ),
    "reported": ("report_made", "b83_applied"),
    "permit_granted": ("b83_granted",),
    "permit_refused": ("b83_refused",),
    "other_route": ("other_route",),
    "closed": ("closed",),
}  # fmt: skip
OUTCOME_LABELS = {
    "assessing": _("Being assessed"),
    "not_established": _("No indication established"),
    "established": _("Indication established (incl. reflection period)"),
    "reported": _("Report made"),
    "permit_granted": _("Residence permit granted"),
    "permit_refused": _("Residence permit refused"),
    "other_route": _("Other route"),
    "closed": _("Closed"),
}
_OUTCOME_OF = {s: outcome for outcome, states in OUTCOMES.items() for s in states}
WAITS = (*(code for _limit, code in WAIT_BANDS), WAIT_LONGEST)
WAIT_LABELS = {
    "0-1": _("Within a day"),
    "2-7": _("2 to 7 days"),
    "8-30": _("8 to 30 days"),
    "31+": _("More than 30 days"),
}

HIERARCHIES = (
    Hierarchy("age", MINOR_BANDS, parent=MINOR),
    Hierarchy("age", ADULT_BANDS, parent=ADULT),
)


@dataclass(frozen=True)
class TableSpec:
    """How one published table is made and shown."""

    slug: str
    name: str  # stable English name: the key in the release, the CSV and the API
    title: Promise
    dimensions: tuple[str, ...]
    #: Dimension shown across the columns on the page; the others make up the rows.
    column: str
    #: Dimension whose totals the chart beside the table shows.
    chart: str
    population: str = "victims"
    #: Data category the register must grant for this table (exploitation, demographics...).
    needs: tuple[str, ...] = ("exploitation",)


SPECS = (
    TableSpec("year-form", TABLE, _("By year and form of exploitation"), ("year", "form"),
              "form", "year"),
    TableSpec("year-form-age-class", "Registered possible victims by year, form and minor or "
              "adult", _("Minors and adults"), ("year", "form", "age"), "age", "age",
              needs=("exploitation", "demographics")),
    TableSpec("year-form-age-band", "Registered possible victims by year, form and age band",
              _("By age band"), ("year", "form", "age"), "age", "age",
              needs=("exploitation", "demographics")),
    TableSpec("year-form-gender", "Registered possible victims by year, form and gender",
              _("By gender"), ("year", "form", "gender"), "gender", "gender",
              needs=("exploitation", "demographics")),
    TableSpec("year-form-nationality", "Registered possible victims by year, form and "
              "nationality group", _("By nationality group"), ("year", "form", "nationality"),
              "nationality", "nationality", needs=("exploitation", "demographics")),
    TableSpec("year-form-reporter", "Registered possible victims by year, form and reporting "
              "organisation", _("By who reported"), ("year", "form", "reporter"), "reporter",
              "reporter"),
    TableSpec("year-region", "Registered possible victims by year and safety region",
              _("By safety region"), ("region", "year"), "year", "region",
              needs=("location",)),
    TableSpec("identification", "Identification outcomes by year",
              _("Identification outcomes"), ("year", "outcome"), "outcome", "outcome",
              population="identification"),
    TableSpec("placements", "Shelter placements by year and type of place",
              _("Shelter placements"), ("year", "place_type"), "place_type", "place_type",
              population="placements"),
    TableSpec("waiting", "Shelter placements by year and waiting time", _("Waiting times for "
              "a shelter place"), ("year", "wait"), "wait", "wait", population="placements"),
)  # fmt: skip
SPEC_BY_SLUG = {spec.slug: spec for spec in SPECS}
SPEC_BY_NAME = {spec.name: spec for spec in SPECS}


def public_series() -> dict[str, dict[str, int]]:
    data = json.loads(SERIES_FILE.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if isinstance(v, dict)}


def main_form(forms: list[str]) -> str:
    """One form per person for these tables: the first in the order of the chain's reporting."""
    for form in FORMS:
        if form in forms:
            return form
    return "other"


def age_class(band: str) -> str:
    if band in MINOR_BANDS:
        return MINOR
    if band in ADULT_BANDS:
        return ADULT
    return "unknown"


def reporter_group(organisation_type: str) -> str:
    return _REPORTER_OF.get(organisation_type, "national")


def outcome_of(state: str) -> str:
    return _OUTCOME_OF.get(state, "other_route")


def _dimensions(years: list[str], regions: Iterable[str]) -> dict[str, Dimension]:
    return {
        "year": Dimension("year", tuple(years), complete=False),
        "form": Dimension("form", FORMS),
        "gender": Dimension("gender", tuple(Gender.values)),
        "nationality": Dimension("nationality", tuple(NationalityGroup.values)),
        "reporter": Dimension("reporter", tuple(REPORTER_GROUPS)),
        "region": Dimension("region", tuple(regions)),
        "outcome": Dimension("outcome", tuple(OUTCOMES)),
        "place_type": Dimension("place_type", _place_types()),
        "wait": Dimension("wait", WAITS),
    }


def _place_types() -> tuple[str, ...]:
    return tuple(PlaceType.values)


def build_tables(data: StatisticsData, regions: Iterable[str]) -> list[CountTable]:
    """The count tables of a release, from the aggregated person counts."""
    years = data.period.years
    dims = _dimensions(years, regions)
    victims: Counter[tuple[str, ...]] = Counter()
    for year, form, band, gender, nationality, reporter, region, n in data.victims:
        form_code = FORMS[int(form)] if str(form).isdigit() else "other"
        key = (str(year), form_code, band or "unknown", gender or "unknown",
               nationality or "unknown", reporter_group(reporter), region or "")  # fmt: skip
        victims[key] += n
    names = ("year", "form", "age", "gender", "nationality", "reporter", "region")

    def marginal(wanted: tuple[str, ...], recode: Callable[[dict[str, str]], dict[str, str]]):
        counts: Counter[tuple[str, ...]] = Counter()
        for key, n in victims.items():
            row = recode(dict(zip(names, key, strict=True)))
            counts[tuple(row[d] for d in wanted)] += n
        return counts

    tables = []
    for spec in SPECS:
        if not set(spec.needs) <= data.categories:
            continue
        if spec.population == "victims":
            recode = _age_class_recode if spec.slug == "year-form-age-class" else _same
            counts: Counter = marginal(spec.dimensions, recode)
            scope: dict[str, str] = {}
        elif spec.population == "identification":
            counts = Counter()
            for year, state, n in data.identification:
                counts[(str(year), outcome_of(state))] += n
            scope = {"population": "identification"}
        else:
            index = 1 if spec.slug == "placements" else 2
            counts = Counter()
            for row in data.placements:
                counts[(str(row[0]), row[index])] += row[-1]
            scope = {"population": "placements"}
        if spec.slug == "year-form-age-class":
            age = Dimension("age", AGE_CLASSES)
        else:
            age = Dimension("age", AGE_BANDS)
        dimensions = [age if d == "age" else dims[d] for d in spec.dimensions]
        known = {c for d in dimensions for c in d.categories}
        # Codes outside the reference lists (a retired region code) must not drop people.
        counts = Counter({k: n for k, n in counts.items() if set(k) <= known})
        tables.append(CountTable(spec.name, dimensions, dict(counts), scope=scope))
    return tables


def _same(row: dict[str, str]) -> dict[str, str]:
    return row


def _age_class_recode(row: dict[str, str]) -> dict[str, str]:
    return {**row, "age": age_class(row["age"])}


def protect_set(
    data: StatisticsData,
    regions: Iterable[str],
    rules: DisclosureRules | None = None,
    *,
    previous: list[ProtectedRelease] | None = None,
) -> ProtectedRelease:
    """The release for ``data``'s period, protected against ``previous`` (the archived
    publication of the same period one year earlier) so this year's tables minus last year's
    reveal no hidden cell. Without an archive, when the counts of the earlier period come
    along, that release is remade first and the new one is protected against it."""
    regions = list(regions)
    rules = rules or DisclosureRules()
    if previous is None:
        previous = []
        if data.previous is not None:
            previous.append(protect_set(data.previous, regions, rules))
    period = data.period
    return protect(
        build_tables(data, regions),
        rules,
        previous=previous,
        hierarchies=HIERARCHIES,
        label=f"{period.start.isoformat()} – {period.end.isoformat()}",
    )


def _local_year(moment: datetime) -> str:
    return str(timezone.localtime(moment).year)


def year_form_release(rows: list[dict], *, min_count: int = 10) -> ProtectedRelease:
    """The year x form table alone from case rows (one per person already)."""
    # The year in Amsterdam: a case opened at 00:30 on New Year's Day is that year's, though
    # its UTC moment is still in the year before.
    years = sorted({_local_year(r["opened_at"]) for r in rows}) or ["—"]
    counts = Counter((_local_year(r["opened_at"]), main_form(r.get("forms", []))) for r in rows)
    table = CountTable(
        TABLE,
        [Dimension("year", tuple(years), complete=False), Dimension("form", FORMS)],
        {key: n for key, n in counts.items()},
    )
    return protect([table], DisclosureRules(min_count=min_count), label="year x form")


# -- derived figures, from published cells only ------------------------------------------------


@dataclass(frozen=True)
class Change:
    category: str
    year: str
    previous: int | None
    current: int | None
    #: None when either year's figure is suppressed (or the earlier one is zero, for the
    #: percentage): a change next to a suppressed cell would give it away.
    change: int | None
    percent: float | None


def year_on_year(table: ProtectedTable, by: str = "form") -> list[Change]:
    """Change between successive years, per category of ``by`` and in total, computed only from
    the published (possibly rounded) figures of a protected table."""
    names = table.dimension_names
    years = list(table.dimensions[names.index("year")].categories)
    by_dim = table.dimensions[names.index(by)]
    out = []
    for category in [*by_dim.categories, TOTAL]:
        for previous, current in itertools.pairwise(years):
            before = _cell(table, {"year": previous, by: category})
            after = _cell(table, {"year": current, by: category})
            change = percent = None
            if before.value is not None and after.value is not None:
                change = after.value - before.value
                if before.value:
                    percent = round(100 * change / before.value, 1)
            out.append(Change(str(category), current, before.value, after.value, change, percent))
    return out


def _cell(table: ProtectedTable, fixed: dict[str, object]) -> ResultCell:
    return table.cell([fixed.get(name, TOTAL) for name in table.dimension_names])
