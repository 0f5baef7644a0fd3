"""Case data for statistics, read through the register for the statistics purpose."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Case as DbCase
from django.db.models import (
    DurationField,
    ExpressionWrapper,
    F,
    Min,
    OrderBy,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import ExtractYear, RowNumber
from django.utils import timezone

from samen.cases.models import Case
from samen.cases.selectors import case_summary
from samen.core import audit, policy
from samen.core.actor import Actor
from samen.core.policy import CaseAccess, Relation
from samen.identification.models import IdentificationPath
from samen.organisations.models import SafetyRegion
from samen.shelter.models import Placement
from samen.signalling.models import Signal
from samen.statistics.models import Publication

PURPOSE = "statistics"


def cases_for_statistics(*, actor: Actor) -> list[dict]:
    """Every case, each with only the fields the register grants for statistics (never identity);
    one audit entry (an export) naming the cases."""
    policy.require(actor, "statistics.export", object_type="case", object_id="*")
    if policy.purpose_of(actor) != PURPOSE:
        audit.record(actor, "statistics.export", object_type="case", object_id="*",
                     result="denied", purpose=policy.purpose_of(actor))  # fmt: skip
        raise PermissionDenied("statistics purpose required")
    categories = frozenset(policy.grants(actor))
    access = CaseAccess(Relation.STATISTICS, categories, policy.legal_basis(actor, categories))
    cases = list(
        Case.objects.select_related(
            "person", "municipality", "region", "responsible_organisation", "identification_path"
        )
        .prefetch_related("forms")
        .order_by("pk")
    )
    rows = [case_summary(c, access) for c in cases]
    audit.record(
        actor,
        "case.export",
        object_type="case",
        object_id="*",
        fields=sorted(
            {
                f
                for r in rows
                for f in r
                if f in {"gender", "age_band", "forms", "nationality_group", "municipality"}
            }
        ),
        purpose=PURPOSE,
        legal_basis=access.legal_basis,
        detail={"count": len(rows), "format": "htcds-2.0"},
    )
    return rows


def region_names() -> dict[str, str]:
    """Safety region codes and names: reference data, the categories of the region table."""
    return dict(SafetyRegion.objects.values_list("code", "name"))


# -- aggregated counts for the published tables -----------------------------------------------

#: Order in which a case's forms decide its one form in the tables (rank 0 first). The same
#: order as ``tables.FORMS``; anything else, or no form recorded, counts as "other".
FORM_RANKS = ("sexual", "labour", "criminal")
OTHER_FORM_RANK = len(FORM_RANKS)


@dataclass(frozen=True)
class Period:
    """A reporting period of whole days, ``start`` and ``end`` both included."""

    start: date
    end: date

    def bounds(self) -> tuple[datetime, datetime]:
        zone = timezone.get_default_timezone()
        return (
            datetime.combine(self.start, time.min, zone),
            datetime.combine(self.end + timedelta(days=1), time.min, zone),
        )

    @property
    def years(self) -> list[str]:
        return [str(y) for y in range(self.start.year, self.end.year + 1)]

    @property
    def whole_years(self) -> bool:
        return (self.start.month, self.start.day, self.end.month, self.end.day) == (1, 1, 12, 31)

    def year_earlier(self) -> Period:
        """The same period one year back: last year's release of it."""
        return Period(_year_back(self.start), _year_back(self.end))


def _year_back(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class StatisticsData:
    """Counts of persons per combination of categories, never a row per person. Each list holds
    (categories..., count) tuples; a list is empty when the register grants the statistics
    purpose none of its data categories."""

    period: Period
    #: (year, form rank, age band, gender, nationality group, reporter type, region code, n)
    victims: list[tuple]
    #: (year, path state, n)
    identification: list[tuple]
    #: (year, place type, waiting band, n)
    placements: list[tuple]
    categories: frozenset[str]
    #: The same counts for the period one year earlier, to protect against differencing.
    previous: StatisticsData | None = None

    def within(self, period: Period) -> StatisticsData:
        """The counts of the whole years of ``period`` (rows are per year, year first)."""
        years = {int(y) for y in period.years}

        def keep(rows: list[tuple]) -> list[tuple]:
            return [row for row in rows if int(row[0]) in years]

        return StatisticsData(period, keep(self.victims), keep(self.identification),
                              keep(self.placements), self.categories)  # fmt: skip


#: Waiting time from the referral to the start of the placement, in bands (upper bound, code).
WAIT_BANDS = ((timedelta(days=1), "0-1"), (timedelta(days=7), "2-7"), (timedelta(days=30), "8-30"))
WAIT_LONGEST = "31+"


def _grouped(
    queryset: QuerySet,
    dims: list[str],
    rank: str,
    *,
    form_of: tuple[str, QuerySet] | None = None,
) -> list[tuple]:
    """COUNT(*) GROUP BY ``dims`` over the rows of ``queryset`` whose window rank is 1: the ORM
    builds the per-person rows (portable time zones, joins), SQL does the counting.

    ``form_of`` = (case column, per-case form ranks): the form dimension ``s_form`` is then
    joined from the ranks after the rank filter, so it is looked up once per case in bulk
    rather than once per signal row."""
    quote = connection.ops.quote_name
    outer = {d: f"person_year.{quote(d)}" for d in dims}
    wanted = [d for d in dims if not (form_of and d == "s_form")]
    if form_of:
        wanted.append(form_of[0])
    inner, params = queryset.order_by().values(*wanted, rank).query.sql_with_params()
    join = ""
    if form_of:
        forms_sql, forms_params = form_of[1].query.sql_with_params()
        join = (
            f" LEFT JOIN ({forms_sql}) form_rank"
            f" ON form_rank.{quote('case_id')} = person_year.{quote(form_of[0])}"
        )
        params = (*params, *forms_params)
        outer["s_form"] = f"COALESCE(form_rank.{quote('s_rank')}, {OTHER_FORM_RANK})"
    columns = ", ".join(outer[d] for d in dims)
    sql = (
        f"SELECT {columns}, COUNT(*) FROM ({inner}) person_year{join} "  # noqa: S608 (ours)
        f"WHERE person_year.{quote(rank)} < 2 GROUP BY {columns}"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One sort of a million rows: in memory, not in temporary files.
            cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


def _first_per_person_year(person: str, year: str, *order: OrderBy) -> Window:
    # A person signalled (or placed) twice in a year counts once in that year: keep the first
    # row of each person and year, and take that row's categories.
    return Window(RowNumber(), partition_by=[F(person), F(year)], order_by=list(order))


def _victim_counts(period: Period, categories: frozenset[str]) -> list[tuple]:
    start, end = period.bounds()
    through = Case.forms.through
    rank = DbCase(
        *(When(exploitationform__code=code, then=Value(i)) for i, code in enumerate(FORM_RANKS)),
        default=Value(OTHER_FORM_RANK),
    )
    # The best-ranked form of each case, one row per case (joined after the rank filter).
    form_ranks = (
        through.objects.annotate(s_one=rank)
        .values("case_id")
        .annotate(s_rank=Min("s_one"))
        .values("case_id", "s_rank")
        .order_by()
    )
    shows = {
        "exploitation": {"s_case": F("case_id")},
        "demographics": {
            "s_age": F("case__person__age_band"),
            "s_gender": F("case__person__gender"),
            "s_nat": F("case__person__nationality_group"),
        },
        "location": {"s_region": F("case__region__code")},
    }
    if "exploitation" not in categories:
        shows["exploitation"] = {"s_form": Value("")}
    fields: dict[str, object] = {"s_year": ExtractYear("created_at")}
    # Withheld categories count as one "not shown" value, so totals stay whole.
    for category, expressions in shows.items():
        for name, expression in expressions.items():
            fields[name] = expression if category in categories or name == "s_form" else Value("")
    fields["s_reporter"] = F("organisation__type")
    queryset = (
        Signal.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(**fields)
        .annotate(s_person=F("case__person_id"))
        .annotate(s_rn=_first_per_person_year("s_person", "s_year", F("created_at").asc(),
                                              F("id").asc()))
    )  # fmt: skip
    dims = ["s_year", "s_form", "s_age", "s_gender", "s_nat", "s_reporter", "s_region"]
    if "exploitation" not in categories:
        return _grouped(queryset, dims, "s_rn")
    return _grouped(queryset, dims, "s_rn", form_of=("s_case", form_ranks))


def _identification_counts(period: Period) -> list[tuple]:
    start, end = period.bounds()
    queryset = (
        IdentificationPath.objects.filter(started_at__gte=start, started_at__lt=end)
        .annotate(s_year=ExtractYear("started_at"), s_state=F("state"))
        .annotate(s_person=F("case__person_id"))
        .annotate(s_rn=_first_per_person_year("s_person", "s_year", F("started_at").desc(),
                                              F("id").desc()))
    )  # fmt: skip
    return _grouped(queryset, ["s_year", "s_state"], "s_rn")


def _placement_counts(period: Period) -> list[tuple]:
    start, end = period.bounds()
    waited = ExpressionWrapper(
        F("started_at") - F("referral__created_at"), output_field=DurationField()
    )
    band = DbCase(
        *(When(s_waited__lte=limit, then=Value(code)) for limit, code in WAIT_BANDS),
        default=Value(WAIT_LONGEST),
    )
    queryset = (
        Placement.objects.filter(started_at__gte=start, started_at__lt=end)
        .annotate(s_year=ExtractYear("started_at"), s_type=F("place__type"), s_waited=waited)
        .annotate(s_wait=band, s_person=F("referral__case__person_id"))
        .annotate(s_rn=_first_per_person_year("s_person", "s_year", F("started_at").asc(),
                                              F("id").asc()))
    )  # fmt: skip
    return _grouped(queryset, ["s_year", "s_type", "s_wait"], "s_rn")


def _collect(period: Period, categories: frozenset[str]) -> StatisticsData:
    victims = _victim_counts(period, categories)
    # Identification outcomes and placements are facts about the exploitation of a person.
    followed = "exploitation" in categories
    identification = _identification_counts(period) if followed else []
    placements = _placement_counts(period) if followed else []
    return StatisticsData(period, victims, identification, placements, categories)


def statistics_data(*, actor: Actor, period: Period, with_previous: bool = True) -> StatisticsData:
    """Person counts for the yearly tables, aggregated in the database; never identity, never a
    row per person. With ``with_previous`` also the counts of the period one year earlier.
    Statistics purpose only; one audit entry for the request."""
    policy.require(actor, "statistics.export", object_type="statistics", object_id="*")
    if policy.purpose_of(actor) != PURPOSE:
        audit.record(actor, "statistics.export", object_type="statistics", object_id="*",
                     result="denied", purpose=policy.purpose_of(actor))  # fmt: skip
        raise PermissionDenied("statistics purpose required")
    categories = frozenset(policy.grants(actor)) - {"identity", "contact", "free_text"}
    earlier = period.year_earlier()
    if with_previous and period.whole_years:
        # Person-years do not depend on the period when it is made of whole years: count
        # the six years once and take both five-year periods from them.
        both = _collect(Period(earlier.start, period.end), categories)
        data = replace(both.within(period), previous=both.within(earlier))
    elif with_previous:
        data = replace(_collect(period, categories), previous=_collect(earlier, categories))
    else:
        data = _collect(period, categories)
    audit.record(
        actor,
        "statistics.export",
        object_type="statistics",
        object_id="*",
        fields=sorted(categories),
        purpose=PURPOSE,
        legal_basis=policy.legal_basis(actor, categories),
        detail={
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "persons": sum(row[-1] for row in data.victims),
            "format": "aggregate",
        },
    )
    return data


def publications_recent(*, limit: int = 10) -> list[Publication]:
    """The latest releases, newest first: aggregate counts only, so not an audited read."""
    return list(Publication.objects.select_related("published_by")[:limit])
