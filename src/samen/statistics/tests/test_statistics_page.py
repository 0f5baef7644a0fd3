from datetime import UTC, datetime

from samen.statistics import tables


def test_small_counts_never_appear_on_the_page(web_for, record):
    for _ in range(3):
        record(forms=["labour"])
    for _ in range(12):
        record(forms=["sexual"])
    page = web_for("demo-registrar").get("/statistiek/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "statistics-chart" in html and "1372" in html  # the published 2019 series
    release = tables.year_form_release(
        [
            {
                "opened_at": __import__("django.utils.timezone", fromlist=["now"]).now(),
                "forms": ["labour"],
            }
        ]
        * 3
    )
    assert all(
        c.suppressed or c.value == 0 or c.value >= 10 for t in release.tables for c in t.cells
    )


def test_csv_download_marks_suppressed_cells(web_for, record, settings):
    settings.SAMEN_STATISTICS_PERIODS = {"provisional": True}
    for _ in range(3):
        record(forms=["labour"])
    year = __import__("datetime").date.today().year
    url = f"/statistiek/?period={year}&format=csv"
    body = web_for("demo-programme").get(url).content.decode()
    assert "verborgen" in body and ";3;" not in body


def test_only_statistics_roles_see_the_page(web_for):
    assert web_for("demo-coordinator").get("/statistiek/").status_code == 403


def test_a_reader_without_the_victims_table_gets_the_page_and_its_downloads(web_for, record):
    """A reader whose register grants no exploitation data (the IND in issue #20) gets a release
    without the victims by year and form, which the national chart and the default CSV are drawn
    from: the page leaves out what is absent, never a 500."""
    from samen.core.models import ProcessingRule

    ProcessingRule.objects.filter(
        organisation_type="ministry", purpose__code="statistics", category__code="exploitation"
    ).delete()
    for _ in range(12):
        record(forms=["sexual"])
    web = web_for("demo-programme")
    page = web.get("/statistiek/")
    assert page.status_code == 200
    assert "statistics-chart" not in page.content.decode()
    for fmt in ("csv", "xlsx", "zip"):
        assert web.get(f"/statistiek/?format={fmt}").status_code == 200
    assert web.get("/statistiek/?format=csv&table=year-form").status_code == 404


def test_a_case_opened_after_midnight_on_new_years_day_counts_in_that_year():
    """00:30 on 1 January 2027 in Amsterdam is 23:30 UTC on 31 December 2026."""
    opened = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    release = tables.year_form_release([{"opened_at": opened, "forms": ["labour"]}] * 12)
    assert release.tables[0].dimensions[0].categories == ("2027",)
    assert release.tables[0].value(("2027", "labour")) == 12
