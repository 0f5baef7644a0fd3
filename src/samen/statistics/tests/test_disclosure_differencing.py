"""Attacks that combine releases: a table and its earlier sub-table, this year's cumulative
figures minus last year's, and the same table published twice with different patterns."""

import numpy as np

from samen.statistics.disclosure import (
    TOTAL,
    CountTable,
    Dimension,
    DisclosureRules,
    Hierarchy,
    check_differencing,
    protect,
    release_from_pattern,
)

from .disclosure_helpers import attacker_intervals, identity, narrowest

FORM = Dimension("form", ("sexual", "labour", "criminal"))
GENDER = Dimension("gender", ("female", "male"))
AGE = Hierarchy("age_group", ("minor", "adult"))


def all_victims(sexual: int = 15) -> CountTable:
    return CountTable(
        "all victims",
        [FORM, GENDER],
        {("sexual", "female"): sexual - 2, ("sexual", "male"): 2 + 0,
         ("labour", "female"): 18, ("labour", "male"): 22,
         ("criminal", "female"): 25, ("criminal", "male"): 35},
    )  # fmt: skip


def minors() -> CountTable:
    return CountTable(
        "minor victims",
        [FORM],
        {("sexual",): 12, ("labour",): 10, ("criminal",): 25},
        scope={"age_group": "minor"},
    )


def test_a_table_minus_its_earlier_sub_table_is_caught() -> None:
    earlier = protect([minors()], label="minors 2024")
    assert earlier.safe  # nothing to hide in the sub-table on its own
    now = protect([all_victims()], label="all 2024")
    assert now.safe  # nor in the full table on its own ...
    report = check_differencing(now, earlier, hierarchies=[AGE])
    assert not report.ok  # ... but sexual 15 - minors 12 = 3 adults
    assert any("age_group=adult, form=sexual" in f and "= 3" in f for f in report.findings)


def test_protecting_against_the_earlier_sub_table() -> None:
    earlier = protect([minors()], label="minors 2024")
    now = protect([all_victims()], previous=[earlier], hierarchies=[AGE], label="all 2024")
    assert now.safe
    sexual_total = now.table("all victims").cell(("sexual", TOTAL))
    assert sexual_total.suppressed
    assert sexual_total.suppression.rule == "differencing"
    assert check_differencing(now, earlier, hierarchies=[AGE]).ok
    # Independent attacker with the same hierarchy: adults = all - minors, per form.
    extra = []
    table = all_victims()
    for form in FORM.categories:
        total = identity(table, (form, TOTAL))
        extra.append((total, [total | {("age_group", "minor")}, total | {("age_group", "adult")}]))
    intervals = attacker_intervals([now, earlier], extra)
    adults_sexual = frozenset({("form", "sexual"), ("age_group", "adult")})
    low, high, _ = intervals[adults_sexual]
    assert high - low >= 1


def test_this_years_cumulative_minus_last_years_is_caught_and_prevented() -> None:
    period = Hierarchy("period", ("2019-2023", "2024"), parent="2019-2024")
    last = CountTable(
        "cumulative",
        [FORM],
        {("sexual",): 510, ("labour",): 300, ("criminal",): 200},
        scope={"period": "2019-2023"},
    )
    this = CountTable(
        "cumulative",
        [FORM],
        {("sexual",): 515, ("labour",): 340, ("criminal",): 260},
        scope={"period": "2019-2024"},
    )
    last_release = protect([last], label="2023")
    naive = protect([this], label="2024")
    report = check_differencing(naive, last_release, hierarchies=[period])
    assert not report.ok
    assert any("form=sexual, period=2024" in f for f in report.findings)
    safe = protect([this], previous=[last_release], hierarchies=[period], label="2024")
    assert safe.safe
    assert check_differencing(safe, last_release, hierarchies=[period]).ok
    hidden = {c.coordinates for c in safe.table("cumulative").suppressed_cells}
    assert ("sexual",) in hidden and len(hidden) >= 2


def test_same_table_twice_with_different_patterns() -> None:
    rows = Dimension("region", ("r1", "r2", "r3"))
    columns = Dimension("form", ("c1", "c2", "c3"))
    values = [[3, 20, 30], [25, 35, 45], [15, 16, 17]]
    counts = {
        (r, c): values[i][j]
        for i, r in enumerate(rows.categories)
        for j, c in enumerate(columns.categories)
    }
    table = CountTable("t", [rows, columns], counts, scope={"year": "2023"})
    first = release_from_pattern(
        [table], {"t": [("r1", "c1"), ("r1", "c2"), ("r2", "c1"), ("r2", "c2")]}, label="first"
    )
    second = release_from_pattern(
        [table], {"t": [("r1", "c1"), ("r1", "c3"), ("r3", "c1"), ("r3", "c3")]}, label="second"
    )
    assert check_differencing(first, []).ok
    assert check_differencing(second, []).ok
    report = check_differencing(second, first)
    # What one release hides the other publishes: only the small cell is left hidden.
    assert [v.label for v in report.audit.violations] == ["form=c1, region=r1, year=2023"]
    assert narrowest(attacker_intervals([first, second])) < 1
    # Protecting the re-publication against the first release keeps the first pattern.
    again = protect([table], previous=[first])
    assert again.safe
    assert check_differencing(again, first).ok


def test_revised_counts_are_reported_when_the_difference_is_small() -> None:
    earlier = protect([all_victims(sexual=15)], label="2024 first")
    revised = protect([all_victims(sexual=18)], label="2024 revised")
    report = check_differencing(revised, earlier)
    assert any("form=sexual" in line and "difference of 3" in line for line in report.revisions)


def test_a_span_released_after_its_single_years_is_proven_safe() -> None:
    """Three years together, then each year, then the first two years together: the span's
    totals over years are (nearly) fixed by the single years already released, so they
    cannot keep 10% of their count. Only the sensitive cells need that interval; the rest
    must not be pinned. The old engine gave up on the span (it could not be released)."""
    rules = DisclosureRules(protection_margin=2, protection_relative=0.1, integer_audit=True)
    forms = Dimension("form", ("sexual", "labour", "criminal", "other"))
    ages = Dimension("age", ("0-17", "18-29", "30+"))
    years = ("2022", "2023", "2024")
    mean = np.array([300, 150, 40, 6])[None, :, None] * np.array([0.05, 0.5, 0.45])[None, None, :]
    counts = np.random.default_rng(0).poisson(mean, size=(3, 4, 3))

    def tables(span: tuple[str, ...]) -> list[CountTable]:
        year = Dimension("year", span, complete=False)
        rows = counts[[years.index(y) for y in span]]
        return [CountTable("year x form x age", [year, forms, ages], rows)]

    archived: list = []
    for span in (years, ("2022",), ("2023",), ("2024",), ("2022", "2023")):
        release = protect(tables(span), rules, previous=archived, label="-".join(span))
        assert release.safe, release.methods_note()
        archived.append(release)
    # Re-checked as a reader holding all five (the audit used for archived releases).
    assert check_differencing(archived[-1], archived[:-1]).ok


def test_a_new_version_of_a_period_hides_at_least_what_the_released_version_hid() -> None:
    """A correction that makes another cell the cheaper partner must not publish the partner
    the released version hid: next to everything released since, that is new information the
    archive was never checked against (the benchmark's corrected five-year release)."""
    from samen.statistics.disclosure import CountTable, Dimension, DisclosureRules, protect

    dims = [Dimension("a", ("a0", "a1")), Dimension("b", ("b0", "b1", "b2"))]
    rules = DisclosureRules(protection_margin=2, protection_relative=0.1)
    first = protect([CountTable("t", dims, np.array([[2, 24, 1], [20, 35, 33]]))], rules)
    hidden = {c.coordinates for c in first.table("t").cells if c.suppressed}
    assert {("a0", "b1"), ("a1", "b1")} <= hidden
    # 12 people of (a1, b0) were registered elsewhere: not a small difference, but the 8 left
    # are now a small count, and its cheapest partners are other cells than before.
    corrected = CountTable("t", dims, np.array([[2, 24, 1], [8, 35, 33]]))
    second = protect([corrected], rules, previous=[first])
    assert second.safe, second.methods_note()
    unchanged = {c.coordinates for c in corrected_cells(corrected, first)}
    still = {c.coordinates for c in second.table("t").cells if c.suppressed}
    assert (hidden & unchanged) <= still


def corrected_cells(table, release):
    """Cells whose count is the same in ``table`` as in ``release``'s source."""
    source = release.source_tables[0]
    same = {
        coordinates for coordinates, value in table.cells() if source.value(coordinates) == value
    }
    return [c for c in release.table(table.name).cells if c.coordinates in same]
