"""The yearly table set from the register: counted per person, read through the policy for the
statistics purpose, protected together, and shown or downloaded without a small count."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation
from openpyxl import load_workbook

from samen.cases.models import Case
from samen.core.models import AuditEntry
from samen.identification.models import IdentificationPath, PathDefinition
from samen.signalling.models import Signal
from samen.signalling.services import PersonInput
from samen.statistics import publication, tables
from samen.statistics.disclosure import TOTAL, CountTable, Dimension, protect
from samen.statistics.periods import default_release_period, release_periods
from samen.statistics.selectors import Period, region_names, statistics_data


def _this_year() -> str:
    """The running year in Amsterdam when the test asks, not at import (the records are made
    now: a run that crosses New Year makes them in the next year)."""
    return str(timezone.localdate().year)


def up_to_today() -> Period:
    """Up to today: the records of these tests are made now, outside the default period.
    Asked at each call, not once at import: a run that crosses midnight in Amsterdam would
    otherwise count its records after the period's end."""
    today = timezone.localdate()
    return Period(date(today.year - 4, 1, 1), today)


def _query() -> str:
    """The records of these tests are made now: the running year, as a provisional period."""
    return f"period={_this_year()}"


@pytest.fixture(autouse=True)
def _provisional_year(settings):
    settings.SAMEN_STATISTICS_PERIODS = {"provisional": True}


def default_period():
    return default_release_period().period


def _person(n: int) -> PersonInput:
    return PersonInput(
        name=f"Synthetic Person {n}", date_of_birth=date(1990, 1, 1 + n % 27), nationality="NL"
    )


def _data(actor_for, period: Period | None = None, **kwargs):
    actor = actor_for("demo-registrar", "statistics")
    return statistics_data(actor=actor, period=period or up_to_today(), **kwargs)


def _unprotected(data) -> dict[str, CountTable]:
    return {t.name: t for t in tables.build_tables(data, region_names())}


def _move_signal(outcome, when: datetime) -> None:
    Signal.objects.filter(pk=outcome.signal.pk).update(created_at=when)


def test_a_person_signalled_twice_in_a_year_counts_once(actor_for, record):
    first = record(forms=["labour"], person=_person(1))
    second = record(forms=["labour"], person=_person(1))
    assert second.linked and second.case == first.case  # the same person, two signals
    # And a second case of the same person, opened anew after the first was closed.
    Case.objects.filter(pk=first.case.pk).update(status="closed")
    third = record(forms=["sexual"], person=_person(1))
    assert third.case != first.case and third.case.person_id == first.case.person_id
    record(forms=["labour"], person=_person(2))
    counted = _unprotected(_data(actor_for))[tables.TABLE]
    assert counted.value([_this_year(), TOTAL]) == 2
    # The person's first signal of the year decides the form: labour, not sexual.
    assert counted.value([_this_year(), "labour"]) == 2
    assert counted.value([_this_year(), "sexual"]) == 0


def test_a_person_signalled_in_two_years_counts_once_in_each(actor_for, record):
    first = record(forms=["labour"], person=_person(3))
    record(forms=["labour"], person=_person(3))
    last_year = timezone.now().replace(year=timezone.localdate().year - 1, month=6, day=15)
    _move_signal(first, last_year)
    counted = _unprotected(_data(actor_for))[tables.TABLE]
    assert counted.value([str(timezone.localdate().year - 1), TOTAL]) == 1
    assert counted.value([_this_year(), TOTAL]) == 1
    assert counted.value([TOTAL, TOTAL]) == 2  # person-years, as the yearly reports count


def test_the_linked_tables_share_their_margins(actor_for, record):
    for _ in range(4):
        record(forms=["sexual"], person=PersonInput(gender="female", age_band="12-17"))
    record(forms=["labour"], person=PersonInput(gender="male", age_band="30-49"))
    counted = _unprotected(_data(actor_for))
    by_band = counted["Registered possible victims by year, form and age band"]
    by_class = counted["Registered possible victims by year, form and minor or adult"]
    by_region = counted["Registered possible victims by year and safety region"]
    assert by_class.value([_this_year(), "sexual", "minor"]) == 4
    assert by_band.value([_this_year(), "sexual", "12-17"]) == 4
    assert by_class.value([_this_year(), "labour", "adult"]) == 1
    assert by_region.value(["VR09", _this_year()]) == 5
    for table in counted.values():
        if not table.scope:
            assert table.grand_total == 5


def test_default_period_is_the_last_five_complete_years(settings):
    settings.SAMEN_STATISTICS_PERIODS = {}
    periods = release_periods(date(2026, 11, 28))
    period = periods[0].period
    assert (period.start, period.end) == (date(2021, 1, 1), date(2025, 12, 31))
    assert [p.code for p in periods] == ["2021-2025", "2025", "2024", "2023", "2022", "2021"]
    settings.SAMEN_STATISTICS_PERIODS = {"provisional": True, "years": 3}
    periods = release_periods(date(2026, 11, 28))
    assert [p.code for p in periods] == ["2023-2025", "2025", "2024", "2023", "2026"]
    assert periods[-1].provisional and not periods[0].provisional


@pytest.mark.parametrize(
    ("configured", "message"),
    [
        ({"quarters": True}, "quarters are not offered"),
        ({"half_years": "1"}, "half_years are not offered"),
        ({"years": 0}, "years must be"),
        ({"months": True}, "unknown key 'months'"),
    ],
)
def test_a_period_configuration_that_cannot_be_released_safely_is_refused(
    settings, configured, message
):
    """Quarters and half-years are not offered: a person counts once per calendar year, so a
    part of a year and its year could be subtracted without the audit seeing it. The site
    says so at start-up (a system check) and every page refuses rather than guessing."""
    from django.core.exceptions import ImproperlyConfigured

    from samen.statistics.apps import check_release_periods

    settings.SAMEN_STATISTICS_PERIODS = configured
    with pytest.raises(ImproperlyConfigured, match=message):
        release_periods(date(2026, 11, 28))
    (error,) = check_release_periods()
    assert error.id == "samen_statistics.E001" and message in error.msg


def test_the_period_setting_is_read_from_the_environment(settings):
    settings.SAMEN_STATISTICS_PERIODS = {"years": "2", "provisional": "0"}
    assert [p.code for p in release_periods(date(2026, 11, 28))] == ["2024-2025", "2025", "2024"]


def test_period_limits_the_counts(actor_for, record):
    outcome = record(forms=["labour"])
    _move_signal(outcome, timezone.now() - timedelta(days=3 * 365))
    record(forms=["labour"])
    today = timezone.localdate()
    data = _data(actor_for, Period(today - timedelta(days=30), today))
    assert _unprotected(data)[tables.TABLE].grand_total == 1


def test_only_the_statistics_purpose_reads_and_each_request_is_audited_once(actor_for, record):
    record(forms=["labour"])
    with pytest.raises(PermissionDenied):
        statistics_data(actor=actor_for("demo-registrar", "national_registration"),
                        period=default_period())  # fmt: skip
    with pytest.raises(PermissionDenied):
        statistics_data(actor=actor_for("demo-coordinator", "statistics"), period=default_period())
    before = AuditEntry.objects.filter(action="statistics.export", result="ok").count()
    data = _data(actor_for)
    entries = AuditEntry.objects.filter(action="statistics.export", result="ok")
    assert entries.count() == before + 1
    entry = entries.order_by("-id").first()
    assert entry.purpose == "statistics"
    assert not any(f.startswith("identity") for f in entry.fields)
    assert data.previous is not None  # last year's release comes along for differencing
    # Aggregates only: no row of the data names a person or a case.
    flat = {str(v) for row in data.victims for v in row}
    assert not any(c.number in flat for c in Case.objects.all())


def test_identification_outcomes_and_placements_are_counted_per_person(actor_for, record):
    from samen.shelter.demo import build_shelter_directory
    from samen.shelter.models import Place, Placement, Referral

    outcome = record(forms=["labour"])
    case = outcome.case
    now = timezone.now()
    year = str(timezone.localtime(now).year)  # the records' year, though midnight may pass
    definition = PathDefinition.objects.filter(is_current=True).first()
    IdentificationPath.objects.create(
        case=case, definition=definition, state="b83_granted", started_at=now
    )
    build_shelter_directory(seed=1, providers_per_region=1)
    place = Place.objects.first()
    referral = Referral.objects.create(
        case=case, organisation=case.responsible_organisation, created_at=now - timedelta(days=5)
    )
    Placement.objects.create(referral=referral, place=place, started_at=now)
    counted = _unprotected(_data(actor_for))
    outcomes = counted["Identification outcomes by year"]
    assert outcomes.value([year, "permit_granted"]) == 1
    waiting = counted["Shelter placements by year and waiting time"]
    assert waiting.value([year, "2-7"]) == 1
    placed = counted["Shelter placements by year and type of place"]
    assert placed.value([year, place.type]) == 1


def test_year_on_year_change_only_from_published_cells():
    dims = [Dimension("year", ("2023", "2024"), complete=False), Dimension("form", ("a", "b", "c"))]
    counts = {("2023", "a"): 52, ("2024", "a"): 79, ("2023", "b"): 3, ("2024", "b"): 40,
              ("2023", "c"): 20, ("2024", "c"): 25}  # fmt: skip
    table = CountTable("t", dims, counts)
    protected = protect([table]).table("t")
    changes = {(c.category, c.year): c for c in tables.year_on_year(protected)}
    assert changes[("a", "2024")].change == 27  # both published: 52 -> 79
    assert changes[("b", "2024")].previous is None  # 3 is suppressed
    assert changes[("b", "2024")].change is None and changes[("b", "2024")].percent is None
    for change in changes.values():
        if change.previous is None or change.current is None:
            assert change.change is None and change.percent is None


def test_year_on_year_percentage_like_the_report():
    dims = [Dimension("year", ("2023", "2024"), complete=False), Dimension("age", ("m", "a"))]
    table = CountTable("t", dims, {("2023", "m"): 52, ("2024", "m"): 79, ("2023", "a"): 892,
                                   ("2024", "a"): 865})  # fmt: skip
    changes = {(c.category, c.year): c for c in tables.year_on_year(protect([table]).table("t"),
                                                                    "age")}  # fmt: skip
    assert changes[("m", "2024")].change == 27
    assert changes[("m", "2024")].percent == pytest.approx(51.9)


def _mixed_register(record, n_big: int = 12) -> None:
    for _ in range(n_big):
        record(forms=["sexual"], person=PersonInput(gender="female", age_band="23-29"))
    for _ in range(3):
        record(forms=["labour"], person=PersonInput(gender="male", age_band="12-17"))


def test_page_shows_every_table_with_chart_and_explained_suppressions(web_for, record):
    _mixed_register(record)
    with translation.override("en"):
        page = web_for("demo-registrar").get(f"/statistiek/?{_query()}", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    for spec in tables.SPECS:
        assert f'data-testid="table-{spec.slug}"' in html
        assert f'id="chart-{spec.slug}-title"' in html  # an SVG chart beside each table
    assert 'data-suppression="hidden"' in html and "<sup>" not in html
    assert 'data-testid="suppression-legend"' in html
    assert "format=zip" in html and "format=xlsx" in html


def test_free_dates_and_unknown_periods_are_refused_with_the_field_named(web_for, api_for):
    client = web_for("demo-registrar")
    for query in ("start=2024-05-01&end=2024-12-30", "end=2024-12-30", "period=2024-05"):
        page = client.get(f"/statistiek/?{query}")
        assert page.status_code == 400, query
        assert "form-errors" in page.content.decode()
    for query, field in (("start=2024-01-01", "start"), ("period=1999", "period")):
        bad = api_for("demo-registrar").get(f"/api/v1/statistics/tables/?{query}")
        assert bad.status_code == 400 and field in bad.json()["fields"], bad.json()


# Files are read by people, in their language (issue #16): the value column is "Waarde" in
# Dutch and "Value" in English; Dutch CSV has ";" and a byte-order mark.
VALUE_HEADERS = ("Waarde", "Value")


def _value_header(header: list[object]) -> str:
    return next(str(h) for h in header if h in VALUE_HEADERS)


def _csv_rows(text: str) -> list[dict[str, str]]:
    text = text.removeprefix("\ufeff")
    delimiter = ";" if text.split("\n", 1)[0].count(";") else ","
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


def _values(rows: list[dict[str, str]]) -> list[str]:
    column = _value_header(list(rows[0]))
    return [r[column] for r in rows]


def _assert_no_small_counts(values: list[object]) -> None:
    for value in values:
        if value in ("x", None, ""):
            continue
        number = int(value)
        assert number == 0 or number >= 10, number


def test_csv_and_xlsx_carry_only_published_figures(web_for, record):
    _mixed_register(record)
    client = web_for("demo-programme")
    body = client.get(f"/statistiek/?{_query()}&format=csv&table=year-form-gender").content.decode()
    rows = _csv_rows(body)
    assert {"Jaar", "Uitbuitingsvorm", "Geslacht", "Waarde", "Toelichting"} <= set(rows[0])
    assert not any(
        "onderdrukking" in h.lower() or "regel" in h.lower() for h in rows[0]
    )  # one mark
    _assert_no_small_counts(_values(rows))
    assert any(v == "x" for v in _values(rows))
    response = client.get(f"/statistiek/?{_query()}&format=xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    assert {spec.slug[:31] for spec in tables.SPECS} | {"toelichting"} == set(workbook.sheetnames)
    for spec in tables.SPECS:
        sheet = workbook[spec.slug[:31]]
        header = [c.value for c in next(sheet.iter_rows(max_row=1))]
        column = header.index(_value_header(header))
        rows = sheet.iter_rows(min_row=2, values_only=True)
        _assert_no_small_counts([row[column] for row in rows])


def test_publication_bundle_holds_tables_charts_and_methods_without_small_counts(web_for, record):
    _mixed_register(record)
    response = web_for("demo-registrar").get(f"/statistiek/?{_query()}&format=zip")
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    for lang in ("nl", "en"):
        assert f"methods-{lang}.txt" in names and f"samen-statistics-{lang}.xlsx" in names
        for spec in tables.SPECS:
            assert f"tables-{lang}/{spec.slug}.csv" in names
            svg = archive.read(f"charts-{lang}/{spec.slug}.svg").decode()
            assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and "<title" in svg
    for name in names:
        if name.endswith(".csv"):
            rows = _csv_rows(archive.read(name).decode())
            _assert_no_small_counts(_values(rows))
        if name.endswith(".xlsx"):
            workbook = load_workbook(io.BytesIO(archive.read(name)))
            for sheet in workbook.worksheets:
                if sheet.title in ("methods", "toelichting"):  # the methods note, en / nl
                    continue
                header = [c.value for c in next(sheet.iter_rows(max_row=1))]
                column = header.index(_value_header(header))
                _assert_no_small_counts(
                    [row[column] for row in sheet.iter_rows(min_row=2, values_only=True)]
                )
    english = archive.read("methods-en.txt").decode()
    dutch = archive.read("methods-nl.txt").decode()
    for rule in ("Threshold", "Secondary suppression", "Rounding", "Zeros", "Differencing",
                 "k-anonymity"):  # fmt: skip
        assert rule in english
    for rule in ("Drempel", "Secundaire onderdrukking", "Afronding", "Nullen", "Verschillen",
                 "k-anonimiteit"):  # fmt: skip
        assert rule in dutch


def test_bundle_of_the_engine_output_directly_has_no_small_counts():
    """The same check without the web layer, on a table full of small counts."""
    dims = [Dimension("year", ("2023", "2024"), complete=False), Dimension("form", tables.FORMS)]
    counts = {("2023", f): n for f, n in zip(tables.FORMS, (3, 25, 7, 14), strict=True)}
    counts.update({("2024", f): n for f, n in zip(tables.FORMS, (1, 30, 12, 9), strict=True)})
    release = protect([CountTable(tables.TABLE, dims, counts)])
    archive = zipfile.ZipFile(io.BytesIO(publication.bundle_zip(release, {})))
    for name in archive.namelist():
        if name.endswith(".csv"):
            rows = _csv_rows(archive.read(name).decode())
            _assert_no_small_counts(_values(rows))
            assert any(v == "x" for v in _values(rows))


def test_api_returns_the_protected_tables(api_for, record):
    _mixed_register(record)
    response = api_for("demo-registrar").get(f"/api/v1/statistics/tables/?{_query()}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert {t["slug"] for t in body["tables"]} == {s.slug for s in tables.SPECS}
    cells = [c for t in body["tables"] for c in t["cells"]]
    _assert_no_small_counts([c["value"] for c in cells])
    hidden = [c for c in cells if c["value"] is None]
    assert hidden and all(c["suppression"]["mark"] == "x" for c in hidden)
    assert all(set(c["suppression"]) == {"mark", "explanation"} for c in hidden)
    one = api_for("demo-registrar").get(f"/api/v1/statistics/tables/year-form-gender/?{_query()}")
    assert one.status_code == 200 and one.json()["slug"] == "year-form-gender"


def test_api_rejects_bad_input_and_other_roles(api_for):
    bad = api_for("demo-registrar").get("/api/v1/statistics/tables/?start=not-a-date")
    assert bad.status_code == 400 and "start" in bad.json()["fields"]
    assert api_for("demo-registrar").get("/api/v1/statistics/tables/nope/").status_code == 404
    assert api_for("demo-coordinator").get("/api/v1/statistics/tables/").status_code == 403
    assert api_for(None).get("/api/v1/statistics/tables/").status_code in (401, 403)


def test_api_schema_lists_the_statistics_endpoints(client, db):
    schema = client.get("/api/schema/?format=json").json()
    assert "/api/v1/statistics/tables/" in schema["paths"]
    assert "/api/v1/statistics/tables/{slug}/" in schema["paths"]


def test_whole_years_are_counted_once_for_both_releases(actor_for, record):
    last_year = timezone.localdate().year - 1
    first = record(forms=["labour"], person=_person(5))
    _move_signal(first, timezone.now().replace(year=last_year, month=3, day=1))
    second = record(forms=["labour"], person=_person(6))
    _move_signal(second, timezone.now().replace(year=last_year - 1, month=3, day=1))
    period = Period(date(last_year - 4, 1, 1), date(last_year, 12, 31))
    data = _data(actor_for, period)
    separately = _data(actor_for, period, with_previous=False)
    earlier = _data(actor_for, period.year_earlier(), with_previous=False)
    assert sorted(data.victims) == sorted(separately.victims)
    assert sorted(data.previous.victims) == sorted(earlier.victims)
    assert _unprotected(data)[tables.TABLE].grand_total == 2
    assert _unprotected(data.previous)[tables.TABLE].grand_total == 1


def test_demo_page_shows_the_yearly_tables_with_suppressions_explained(db, client):
    """Done when: the demo's statistics page shows the yearly tables, suppressed cells marked
    and explained, and the publication bundle downloads."""
    import re

    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from samen.accounts.models import User
    from samen.demo.builder import build_demo_world

    build_demo_world(seed=1, signals=200)
    user = User.objects.get(username="demo-registrar")
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    with translation.override("en"):
        page = client.get("/statistiek/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    section = html[html.index('data-testid="table-year-form"') :]
    section = section[: section.index("</section>")]
    published = [int(n) for n in re.findall(r"<td>(\d+)</td>", section)]
    assert any(n >= 10 for n in published) and all(n == 0 or n >= 10 for n in published)
    assert 'data-suppression="hidden"' in html and "Hidden: either fewer people" in html
    for spec in tables.SPECS:  # identification and shelter tables have figures too
        assert f'data-testid="table-{spec.slug}"' in html
    bundle = client.get("/statistiek/?format=zip")
    assert bundle.status_code == 200 and zipfile.ZipFile(io.BytesIO(bundle.content)).namelist()


def test_the_released_table_set_holds_against_an_independent_attacker():
    """The app's own linked tables (with the minor/adult hierarchy) on a small random register:
    no hidden cell can be narrowed below a range of 1 from everything published together."""
    import itertools as it
    import random

    from samen.statistics.selectors import StatisticsData

    from .disclosure_helpers import attacker_intervals, narrowest

    rng = random.Random(8)
    period = Period(date(2023, 1, 1), date(2024, 12, 31))
    victims = [
        (rng.choice([2023, 2024]), rng.choice([0, 0, 1, 1, 2, 3]),
         rng.choice(["12-17", "18-22", "23-29", "30-49", "30-49", "unknown"]),
         rng.choice(["female", "female", "male"]), rng.choice(["NL", "EU", "non_EU"]),
         rng.choice(["police", "social_team", "care_coordination"]), rng.choice(["VR01", "VR02"]),
         1)
        for _ in range(260)
    ]  # fmt: skip
    identification = [(2023, "report_made", 12), (2023, "under_assessment", 4), (2024, "closed", 9)]
    placements = [(2023, "cosm", "2-7", 11), (2024, "cosm", "31+", 3), (2024, "cosm", "0-1", 14)]
    data = StatisticsData(period, victims, identification, placements,
                          frozenset({"exploitation", "demographics", "location"}))  # fmt: skip
    release = tables.protect_set(data, {"VR01": "Een", "VR02": "Twee"})
    assert release.safe and release.counts()["primary"] > 0
    extra = []
    for year, form in it.product(["2023", "2024", None], [*tables.FORMS, None]):
        fixed = {("year", year)} if year else set()
        fixed |= {("form", form)} if form else set()
        for parent, children in ((tables.MINOR, tables.MINOR_BANDS),
                                 (tables.ADULT, tables.ADULT_BANDS)):  # fmt: skip
            extra.append(
                (frozenset(fixed | {("age", parent)}),
                 [frozenset(fixed | {("age", child)}) for child in children])
            )  # fmt: skip
    assert narrowest(attacker_intervals([release], extra)) >= 1 - 1e-6
