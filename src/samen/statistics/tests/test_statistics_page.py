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
    assert "suppressed" in body and ",3," not in body


def test_only_statistics_roles_see_the_page(web_for):
    assert web_for("demo-coordinator").get("/statistiek/").status_code == 403
