"""An outside attacker on the capacity-planning page (issue #21, test against what you did not
build).

It imports nothing of ``samen.capacity`` or ``samen.statistics``: it signs in as programme
staff and reads only what HTTP hands out -- the page ``/capaciteit/``, its CSV and its XLSX --
for every year the form offers and for scenarios chosen to difference (growth of minors, of
all referrals, places added, first reception closed, fewer or more replications). The world
holds small groups on purpose: a canary minor alone in one safety region, two men in another,
and a year with only three referrals.

What it tries, and what fails the test:

- a count of 1 to 9 anywhere a count is shown (the observations behind an estimate, the
  referrals of the calibration year), on the page or in a download; the observed median wait
  and occupancy of a year whose total is hidden (they describe those few people);
- a hidden count derived exactly: a refusal rate is the posterior mean (1 + refused) /
  (10 + holds), so with the holds shown the refused holds follow; the XLSX carries full
  precision, the page one decimal;
- differencing between responses: a safety region hidden in one response of a year but shown
  in another (another scenario, another number of replications, page against download);
- a small group pinned by the simulation: with extra growth of minors the change in simulated
  referrals is that growth times the minors; the attacker estimates the minors from it and
  fails the test when the page's own interval pins a count below ten to within two persons.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from samen.cases.models import Case, ExploitationForm, Person
from samen.organisations.models import Municipality, Organisation, OrganisationType, SafetyRegion
from samen.shelter.models import Hold, HoldStatus, Placement, Referral

pytestmark = pytest.mark.once

AMS = ZoneInfo("Europe/Amsterdam")
Y = timezone.localdate().year - 1
THRESHOLD = 10
HIDDEN = "x"
# Scenarios a reader would compare with the baseline of the same year.
VARIANTS = [
    "",
    "&growth_minors=500",
    "&growth_minors=500&replications=50",
    "&growth_all=100",
    "&region=VR05&place_type=protected_minors&places=5",
    "&first_reception=0",
    "&replications=12",
]


# -- the canaries -------------------------------------------------------------------------------


def _referral(
    n: int, when: datetime, region: str, *, gender: str, minor: bool, place, refused: int = 0
) -> None:
    muni = Municipality.objects.filter(region__code=region).order_by("code").first()
    org = Organisation.objects.filter(type=OrganisationType.CARE_COORDINATION).first()
    person = Person.objects.create(
        gender=gender, age_band="12-17" if minor else "30-49", is_minor=minor, is_synthetic=True
    )
    case = Case.objects.create(
        number=f"K{n:05d}",
        person=person,
        responsible_organisation=org,
        municipality=muni,
        region=SafetyRegion.objects.get(code=region),
        opened_at=when,
        is_synthetic=True,
    )
    case.forms.add(ExploitationForm.objects.get(code="sexual"))
    referral = Referral.objects.create(case=case, organisation=org, created_at=when, status="ended")
    asked = when + timedelta(hours=20)
    for _ in range(refused):
        Hold.objects.create(
            referral=referral,
            place=place,
            created_at=asked - timedelta(hours=8),
            expires_at=asked,
            status=HoldStatus.DECLINED,
            decline_reason="no_fit",
            responded_at=asked - timedelta(hours=5),
        )
    hold = Hold.objects.create(
        referral=referral,
        place=place,
        created_at=asked,
        expires_at=asked + timedelta(hours=3),
        status=HoldStatus.ACCEPTED,
        responded_at=asked + timedelta(hours=4),
    )
    Placement.objects.create(
        referral=referral,
        place=place,
        hold=hold,
        started_at=when + timedelta(days=1),
        ended_at=when + timedelta(days=40),
    )


@pytest.fixture
def canaries(register):
    """A minor alone in VR05, two men in VR07 and a woman refused twice (the only refusals of
    adult women) in the last year; three referrals only in the year three years back."""
    at = datetime(register.year, 5, 3, 9, tzinfo=AMS)
    _referral(1, at, "VR05", gender="female", minor=True, place=register.places["minors"])
    for i in (2, 3):
        _referral(
            i,
            at + timedelta(days=i),
            "VR07",
            gender="male",
            minor=False,
            place=register.places["first"],
        )
    _referral(
        7, at, "VR09", gender="female", minor=False, place=register.places["women"], refused=2
    )
    early = datetime(register.year - 2, 6, 1, 9, tzinfo=AMS)
    for i in (4, 5, 6):
        _referral(
            i,
            early + timedelta(days=i),
            "VR09",
            gender="female",
            minor=False,
            place=register.places["women"],
        )
    return register


# -- what HTTP hands out ------------------------------------------------------------------------


class _Tables(HTMLParser):
    """The page's tables (by data-testid) as rows of cell texts, and its plain text."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.text: list[str] = []
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and (attrs.get("data-testid") or "").startswith("table-"):
            self._table = attrs["data-testid"][6:]
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        self.text.append(data)


def _number(text: str) -> float | None:
    """A Dutch (or English) number as the page prints it; None for hidden or empty."""
    text = text.strip()
    if text in ("", HIDDEN, "—"):
        return None
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def _csv_tables(body: bytes) -> list[list[list[str]]]:
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    tables, current = [], []
    for row in rows:
        if not row:
            if current:
                tables.append(current)
            current = []
        else:
            current.append(row)
    if current:
        tables.append(current)
    return tables


class Response:
    def __init__(self, year: int, query: str, html: _Tables, csv_tables, xlsx) -> None:
        self.year, self.query, self.html, self.csv, self.xlsx = year, query, html, csv_tables, xlsx


def fetch(web, year: int, variant: str, *, downloads: bool) -> Response:
    query = f"/capaciteit/?year={year}&replications=5{variant}"
    page = web.get(query)
    assert page.status_code == 200, (query, page.status_code)
    html = _Tables()
    html.feed(page.content.decode())
    csv_tables = xlsx = None
    if downloads:
        csv_tables = _csv_tables(web.get(query + "&format=csv").content)
        book = load_workbook(io.BytesIO(web.get(query + "&format=xlsx").content))
        xlsx = {s.title: [list(r) for r in s.iter_rows(values_only=True)] for s in book}
    return Response(year, query, html, csv_tables, xlsx)


# -- the attacks --------------------------------------------------------------------------------


def _counts_shown(r: Response) -> list[tuple[str, float]]:
    """Every count the response shows: the observations column of the calibration table (page,
    CSV, XLSX) and the sentence naming the referrals of the calibration year."""
    found = []
    table = r.html.tables.get("calibration", [])
    for row in table[1:]:
        found.append((f"page {row[0]}", _number(row[1])))
    if r.csv:
        for t in r.csv:
            if len(t) > 2 and len(t[1]) == 5 and t[0][0].startswith(("Kalibratie", "Calibration")):
                found += [(f"csv {row[0]}", _number(row[1])) for row in t[2:]]
    if r.xlsx and "calibration" in r.xlsx:
        for row in r.xlsx["calibration"][2:]:
            value = row[1] if isinstance(row[1], int | float) else None
            found.append((f"xlsx {row[0]}", value))
    text = " ".join(r.html.text)
    for n in re.findall(
        r"(\d+) (?:verwijzingen|referrals) in (?:het kalibratiejaar|the cal)", text
    ):
        found.append(("page sentence", float(n)))
    return [(where, v) for where, v in found if v is not None]


def _refused_derived(r: Response) -> list[tuple[str, float]]:
    """Refused holds recomputed from a refusal rate and the holds it rests on."""
    out = []
    rows = []
    if r.xlsx and "calibration" in r.xlsx:
        rows += [(row[0], row[1], row[2]) for row in r.xlsx["calibration"][2:]]
    for row in r.html.tables.get("calibration", [])[1:]:
        rows.append((row[0], _number(row[1]), _number(row[2])))
    for label, holds, rate in rows:
        is_rate = any(word in str(label) for word in ("%", "procent", "percent"))
        if is_rate and isinstance(holds, int | float) and isinstance(rate, int | float):
            out.append((str(label), rate / 100 * (10 + holds) - 1))
    return out


def _hidden_regions(r: Response) -> dict[str, bool]:
    rows = r.html.tables.get("regions", [])[1:]
    return {row[0]: row[1] == HIDDEN for row in rows}


def _arrivals_change(r: Response) -> tuple[float, float, float] | None:
    for row in r.html.tables.get("scenario", [])[1:]:
        if row[0].startswith(("Verwijzingen in het jaar", "Referrals in the year")):
            values = [_number(v) for v in row[7:10]]
            if None not in values:
                return tuple(values)  # type: ignore[return-value]
    return None


def attack(responses: list[Response], minors_growth: float) -> list[str]:
    findings = []
    for r in responses:
        for where, value in _counts_shown(r):
            if 1 <= value < THRESHOLD:
                findings.append(f"{r.query}: {where} shows the count {value:g}")
        for where, refused in _refused_derived(r):
            whole = round(refused)
            if abs(refused - whole) < 0.02 and 1 <= whole < THRESHOLD:
                findings.append(f"{r.query}: {where} gives {whole} refused holds")
        calibration = r.html.tables.get("calibration", [[], [""]])
        backtest = r.html.tables.get("backtest", [])[1:]
        if len(calibration) > 1 and calibration[1][1] == HIDDEN:
            shown = [row[0] for row in backtest if row[1] != HIDDEN or row[-1] != HIDDEN]
            if shown:
                findings.append(f"{r.query}: a year of a hidden total shows observed {shown}")
    by_year: dict[int, list[Response]] = {}
    for r in responses:
        by_year.setdefault(r.year, []).append(r)
    for year, group in by_year.items():
        patterns = {tuple(sorted(_hidden_regions(r).items())) for r in group}
        if len(patterns) > 1:
            findings.append(f"{year}: the hidden regions differ between responses: {patterns}")
        for r in group:
            if r.csv is None:
                continue
            names = ("Veiligheidsregio", "Safety region")
            csv_regions = next((t for t in r.csv if t[1][0] in names), None)
            if csv_regions is not None:
                hidden = {row[0]: row[1] == HIDDEN for row in csv_regions[2:]}
                if hidden != _hidden_regions(r):
                    findings.append(f"{r.query}: page and CSV hide different regions")
        for r in group:
            if "growth_minors" not in r.query:
                continue
            change = _arrivals_change(r)
            if change is None:
                continue
            mean, low, high = (v / minors_growth for v in change)
            # Pinned: the page's own 95% interval narrower than two persons (at 50
            # replications the code before gave 5.3-6.5 for five minors).
            if mean < THRESHOLD and high - low < 2:
                findings.append(f"{r.query}: minors pinned to {mean:.1f} ({low:.1f}-{high:.1f})")
    return findings


def test_the_planning_page_gives_no_small_group_away(canaries, web_for):
    web = web_for("demo-programme")
    responses = []
    for year in (Y, Y - 1, Y - 2):
        for variant in VARIANTS if year == Y else ("",):
            responses.append(fetch(web, year, variant, downloads=variant == ""))
    findings = attack(responses, minors_growth=5.0)
    assert not findings, "\n".join(findings)
