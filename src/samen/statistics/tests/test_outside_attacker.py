"""An outside attacker, written without the disclosure engine (issue #13, test against what
you did not build).

It imports nothing of ``samen.statistics``: it is handed only what the module delivers to the
demo's programme staff and registrar -- the page, the CSV and XLSX downloads, the publication
bundle and the API -- and rebuilds the hidden cells itself with its own linear and integer
programs (SciPy/HiGHS) from the published figures and totals:

- every published figure is known; every total is the sum of its parts, across all tables and
  all releases of the same register state, and minors + adults are the sum of their age bands;
- counts are whole numbers; a cell labelled primary is 1..threshold-1 and one labelled
  secondary is 0 or at least the threshold (when the output labels them); an unlabelled hidden
  cell is at least 1 when the methods note says hidden cells are never zero, else at least 0;
- two periods of which one contains the other: the larger count is at least the smaller, and
  their difference is a group of people; the same population before and after a correction
  differs by the people the correction moved.

It fails when it pins a hidden cell to one value, or a difference between two releases to a
value from 1 to threshold-1. Scenarios: (a) all periods the page offers on the demo (five
years of synthetic register), (b) a correction of one record, (c) every pair of overlapping
periods, each pair on a fresh archive, (d) the labels and integer constraints (in all of them).
When the page offers no fixed periods (the code before issue #13 took any dates), the attacker
asks for the periods a reader would: each year, two overlapping five-year periods, and a year
minus its last day.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import csr_matrix

from samen.statistics.tests.attack_worlds import (
    today,
    volume_persons,
    volume_seed,
    world_day,
    world_seed,
)

# Once per CI run: the cost is the attacker's linear programs over the delivered files; the
# queries that build the tables run on both engines in test_statistics_tables.py.
pytestmark = [pytest.mark.django_db, pytest.mark.once, pytest.mark.untraced]

THRESHOLD = 10
#: An objective spanning this much over tables the outputs allow cannot lead to an integer
#: program (LP range floor-to-ceil at most 3 whole values) nor to a finding (range under 1).
SKIP_WIDTH = 6
#: Tables whose cells count other populations than the registered possible victims.
SCOPES = {"identification": "identification", "placements": "placements", "waiting": "placements"}
AGE_PARTS = {"minor": ("0-11", "12-17"), "adult": ("18-22", "23-29", "30-49", "50+")}


def last_year() -> int:
    """The last complete year where the product counts it (asked when used, not at import)."""
    return today().year - 1


# -- what the module hands out ---------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    query: str
    start: date
    end: date


@dataclass
class Observation:
    slug: str
    dims: tuple[str, ...]
    coords: tuple[str, ...]
    value: int | None
    label: str  # "primary", "secondary" or "" (one mark for all)


@dataclass
class Release:
    request: Request
    start: date
    end: date
    observations: list[Observation] = field(default_factory=list)
    never_zero: bool = False


def _login(client, username: str):
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from samen.accounts.models import User

    user = User.objects.get(username=username)
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def _api(username: str):
    from rest_framework.test import APIClient

    from samen.conftest import api_token_for

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(username)}")
    return client


def offered_periods(web) -> list[Request]:
    """The periods the page lets a reader choose; failing those, the ones a reader would try."""
    html = web.get("/statistiek/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    select = re.search(r'<select name="period".*?</select>', html, re.S)
    codes = re.findall(r'<option value="([^"]+)"', select.group(0)) if select else []
    requests = []
    for code in codes:
        years = [int(y) for y in code.split("-")]
        requests.append(Request(f"period={code}", date(years[0], 1, 1), date(years[-1], 12, 31)))
    if requests:
        return requests

    def free(start: date, end: date) -> Request:
        return Request(f"start={start.isoformat()}&end={end.isoformat()}", start, end)

    last = last_year()
    tries = [free(date(last - 4, 1, 1), date(last, 12, 31))]
    tries.append(free(date(last - 5, 1, 1), date(last - 1, 12, 31)))
    tries.extend(free(date(y, 1, 1), date(y, 12, 31)) for y in range(last, last - 5, -1))
    tries.append(free(date(last, 1, 1), date(last, 12, 30)))
    return tries


def _decoder(dims: tuple, coordinates: list[tuple], lang: str):
    """The files are in words (issue #16): the attacker reads them back to the API's codes with
    the labels the module publishes, so every output joins into one system of equations."""
    from samen.statistics.disclosure import TOTAL
    from samen.statistics.publication import category_label, dimension_label
    from samen.statistics.selectors import region_names

    regions = region_names()
    with translation.override(lang):
        heads = tuple(str(dimension_label(d)) for d in dims)
        back = [
            {
                str(category_label(d, TOTAL if c == "Total" else c, regions)): c
                for c in {co[i] for co in coordinates}
            }
            for i, d in enumerate(dims)
        ]
        value = str(_("Value"))
    return heads, back, value


def _readable_observations(slug: str, rows: list[dict], decoder) -> list[Observation]:
    heads, back, value = decoder
    out = []
    for r in rows:
        coords = tuple(back[i][str(r[h])] for i, h in enumerate(heads))
        raw = r[value]
        out.append(_observation(slug, _DIMS[slug], coords, {"value": raw, "suppression": ""}))
    return out


def _csv_observations(slug: str, text: str, decoder) -> list[Observation]:
    text = text.lstrip("\ufeff")
    delimiter = ";" if text.split("\n", 1)[0].count(";") else ","
    rows = list(csv.DictReader(io.StringIO(text), delimiter=delimiter))
    return _readable_observations(slug, rows, decoder) if rows else []


_DIMS: dict[str, tuple] = {}


def _observation(slug: str, dims: tuple, coords: tuple, row: dict) -> Observation:
    raw = row.get("value")
    value = None if raw in ("x", None, "") else int(raw)
    label = row.get("suppression") or ""
    return Observation(slug, dims, tuple(str(c) for c in coords), value, label)


def _never_zero(methods: str) -> bool:
    return "never 0" in methods or "nooit 0" in methods


def fetch(programme, registrar, web, request: Request) -> Release | None:
    """Everything both readers get for one period, in every format."""
    api = programme.get(f"/api/v1/statistics/tables/?{request.query}")
    if api.status_code != 200:
        return None
    body = api.json()
    # The period the module really released (the old code ignored what it did not know).
    dates = re.findall(r"\d{4}-\d{2}-\d{2}", body.get("label", ""))
    start, end = request.start, request.end
    if len(dates) == 2:
        start, end = date.fromisoformat(dates[0]), date.fromisoformat(dates[1])
    release = Release(request, start, end, never_zero=_never_zero(body.get("methods", "")))
    decoders = {}
    for table in body["tables"]:
        dims = tuple(d["name"] for d in table["dimensions"])
        _DIMS[table["slug"]] = dims
        coordinates = [tuple(str(c) for c in cell["coordinates"]) for cell in table["cells"]]
        for lang in ("nl", "en"):
            decoders[lang, table["slug"]] = _decoder(dims, coordinates, lang)
        for cell in table["cells"]:
            suppression = cell.get("suppression") or {}
            row = {"value": cell["value"], "suppression": suppression.get("kind", "")}
            release.observations.append(
                _observation(table["slug"], dims, tuple(cell["coordinates"]), row)
            )
        csv_body = web.get(f"/statistiek/?{request.query}&format=csv&table={table['slug']}")
        release.observations += _csv_observations(
            table["slug"], csv_body.content.decode(), decoders["nl", table["slug"]]
        )
    bundle = registrar.get(f"/statistiek/?{request.query}&format=zip")
    archive = zipfile.ZipFile(io.BytesIO(bundle.content))
    for name in archive.namelist():
        if name.startswith("tables-en/"):
            slug = name.removeprefix("tables-en/").removesuffix(".csv")
            release.observations += _csv_observations(
                slug, archive.read(name).decode(), decoders["en", slug]
            )
    release.never_zero |= _never_zero(archive.read("methods-en.txt").decode())
    workbook = load_workbook(
        io.BytesIO(registrar.get(f"/statistiek/?{request.query}&format=xlsx").content)
    )
    for sheet in workbook.worksheets:
        if sheet.title not in _DIMS:  # the methods note
            continue
        rows = list(sheet.iter_rows(values_only=True))
        header = [str(h) for h in rows[0]]
        records = [dict(zip(header, values, strict=True)) for values in rows[1:]]
        release.observations += _readable_observations(
            sheet.title, records, decoders["nl", sheet.title]
        )
    return release


# -- the attacker's own model ----------------------------------------------------------------


def _span(start: date, end: date, year: str) -> tuple[date, date]:
    y = int(year)
    return (max(start, date(y, 1, 1)), min(end, date(y, 12, 31)))


class Model:
    """Populations as variables, equations from the totals, bounds from the labels."""

    def __init__(self, skip_wide: bool = True) -> None:
        self.skip_wide = skip_wide  # see `intervals`
        self.index: dict[tuple, int] = {}
        self.known: dict[int, int] = {}
        self.labels: dict[int, set[str]] = defaultdict(set)
        self.hidden_somewhere: set[int] = set()
        self.never_zero = False
        self.equations: set[tuple[int, tuple[int, ...]]] = set()
        self.nested: list[tuple[int, int]] = []  # (larger, smaller)
        self.skipped = 0  # objectives whose LPs `intervals` skipped

    def var(self, key: tuple) -> int:
        if key not in self.index:
            self.index[key] = len(self.index)
        return self.index[key]

    def key(self, state: str, release: Release, o: Observation, coords: tuple) -> tuple:
        items = []
        span: tuple = ()
        for dim, coordinate in zip(o.dims, coords, strict=True):
            if dim == "year":
                if coordinate == "Total":
                    years = range(release.start.year, release.end.year + 1)
                    span = tuple(_span(release.start, release.end, str(y)) for y in years)
                else:
                    span = (_span(release.start, release.end, coordinate),)
            elif coordinate != "Total":  # every other breakdown covers everyone
                items.append((dim, coordinate))
        return (state, SCOPES.get(o.slug, "victims"), tuple(sorted(items)), span)

    def add(self, state: str, release: Release) -> None:
        self.never_zero |= release.never_zero
        by_table: dict[str, list[Observation]] = defaultdict(list)
        for o in release.observations:
            by_table[o.slug].append(o)
            var = self.var(self.key(state, release, o, o.coords))
            if o.value is None:
                self.hidden_somewhere.add(var)
                if o.label:
                    self.labels[var].add(o.label)
            else:
                assert self.known.get(var, o.value) == o.value, "two outputs disagree"
                self.known[var] = o.value
        for observations in by_table.values():
            sample = observations[0]
            categories = [
                sorted({o.coords[i] for o in observations} - {"Total"})
                for i in range(len(sample.dims))
            ]
            for o in observations:
                for i, coordinate in enumerate(o.coords):
                    if coordinate != "Total":
                        continue
                    total = self.var(self.key(state, release, o, o.coords))
                    parts = tuple(
                        self.var(
                            self.key(state, release, o, (*o.coords[:i], c, *o.coords[i + 1 :]))
                        )
                        for c in categories[i]
                    )
                    if len(parts) > 1 or parts != (total,):
                        self.equations.add((total, parts))

    def finish(self) -> None:
        """Minors and adults are the sum of their age bands; nested periods are ordered."""
        for key, var in list(self.index.items()):
            state, scope, items, span = key
            for dim, category in items:
                if dim == "age" and category in AGE_PARTS:
                    rest = tuple(i for i in items if i != (dim, category))
                    parts = tuple(
                        self.var((state, scope, tuple(sorted((*rest, ("age", band)))), span))
                        for band in AGE_PARTS[category]
                    )
                    self.equations.add((var, parts))
        by_rest: dict[tuple, list[tuple[tuple, int]]] = defaultdict(list)
        for (state, scope, items, span), var in self.index.items():
            if len(span) == 1:
                by_rest[(state, scope, items, span[0][0].year)].append((span[0], var))
        for spans in by_rest.values():
            for (a, va), (b, vb) in ((x, y) for x in spans for y in spans if x[1] != y[1]):
                if b[0] <= a[0] and a[1] <= b[1] and a != b:
                    self.nested.append((vb, va))

    # -- solving ---------------------------------------------------------------------------

    def _system(self):
        n = len(self.index)
        rows, cols, data = [], [], []
        for r, (total, parts) in enumerate(sorted(self.equations)):
            rows.append(r), cols.append(total), data.append(1.0)
            for p in parts:
                rows.append(r), cols.append(p), data.append(-1.0)
        eq = csr_matrix((data, (rows, cols)), shape=(len(self.equations), n))
        rows, cols, data = [], [], []
        for r, (big, small) in enumerate(self.nested):
            rows += [r, r]
            cols += [big, small]
            data += [1.0, -1.0]
        ineq = csr_matrix((data, (rows, cols)), shape=(len(self.nested), n))
        cap = 4.0 * max(self.known.values(), default=0) + 100
        lower = np.zeros(n)
        upper = np.full(n, cap)
        for var in range(n):
            if var in self.known:
                lower[var] = upper[var] = self.known[var]
            elif "primary" in self.labels[var]:
                lower[var], upper[var] = 1, THRESHOLD - 1
            elif var in self.hidden_somewhere and self.never_zero and not self.labels[var]:
                lower[var] = 1
        return eq, ineq, lower, upper

    def intervals(
        self, objectives: list[np.ndarray], skip_wide: bool = True
    ) -> list[tuple[float, float]]:
        """Range of each linear objective over whole-number tables the outputs allow: LP
        first, then integer programs (with the secondary label's 0-or-at-least-threshold)
        where the LP range is narrow.

        Every LP solution is a table the outputs allow. An objective that already spans
        SKIP_WIDTH (or, with secondary labels, more than twice the threshold) over the
        solutions found so far has an LP range at least that wide: no integer program would
        follow and no finding could (both need a range under 1, or narrow), so its two LPs are
        skipped and that span is returned. The findings are the same as with every LP solved
        (`skip_wide=False`; test_skipping_wide_objectives_finds_the_same)."""
        eq, ineq, lower, upper = self._system()
        n = len(lower)
        secondary = [v for v in range(n) if "secondary" in self.labels[v] and v not in self.known]
        wide = 2 * THRESHOLD + 1 if secondary else SKIP_WIDTH
        points = np.empty((64, n))  # the LP solutions so far, one a row: tables allowed
        found = 0
        out = []
        for c in objectives:
            if skip_wide and found:
                nonzero = np.flatnonzero(c)
                values = points[:found, nonzero] @ c[nonzero]
                if values.max() - values.min() >= wide:
                    self.skipped += 1
                    out.append((float(values.min()), float(values.max())))
                    continue
            lo, low_point = _lp(c, eq, ineq, lower, upper)
            hi, high_point = _lp(-c, eq, ineq, lower, upper)
            hi = -hi
            if found + 2 > len(points):
                points = np.vstack([points, np.empty_like(points)])
            points[found], points[found + 1] = low_point, high_point
            found += 2
            if math.floor(hi + 1e-6) - math.ceil(lo - 1e-6) <= 3 or (
                secondary and hi - lo < 2 * THRESHOLD
            ):
                lo = _ilp(c, eq, ineq, lower, upper, secondary)
                hi = -_ilp(-c, eq, ineq, lower, upper, secondary)
            out.append((lo, hi))
        return out


def _lp(c, eq, ineq, lower, upper) -> tuple[float, np.ndarray]:
    """The minimum of c and a table where it is reached."""
    result = linprog(
        c,
        A_eq=eq,
        b_eq=np.zeros(eq.shape[0]),
        A_ub=-ineq if ineq.shape[0] else None,
        b_ub=np.zeros(ineq.shape[0]) if ineq.shape[0] else None,
        bounds=np.column_stack([lower, upper]),
        method="highs",
    )
    assert result.status == 0, f"the attacker's model is infeasible: {result.message}"
    return float(result.fun), result.x


def _ilp(c, eq, ineq, lower, upper, secondary: list[int]) -> float:
    n = len(lower)
    k = len(secondary)
    # One binary per secondary cell: it is 0, or at least the threshold.
    cost = np.concatenate([c, np.zeros(k)])
    constraints = [LinearConstraint(_pad(eq, k), 0, 0)]
    if ineq.shape[0]:
        constraints.append(LinearConstraint(_pad(ineq, k), 0, np.inf))
    if k:
        big = upper[secondary]
        rows = np.arange(k)
        pick = csr_matrix((np.ones(k), (rows, secondary)), shape=(k, n))
        on = csr_matrix((np.ones(k), (rows, rows)), shape=(k, k))
        from scipy.sparse import hstack

        constraints.append(LinearConstraint(hstack([pick, -on.multiply(big[:, None])]), -np.inf, 0))
        constraints.append(LinearConstraint(hstack([pick, -THRESHOLD * on]), 0, np.inf))
    result = milp(
        cost,
        constraints=constraints,
        integrality=np.ones(n + k),
        bounds=Bounds(np.concatenate([lower, np.zeros(k)]), np.concatenate([upper, np.ones(k)])),
        options={"time_limit": 30},
    )
    assert result.x is not None, f"the attacker's integer model failed: {result.message}"
    # Proven optimum, or (time limit) the best bound: never claims more than it proved.
    return float(result.fun if result.status == 0 else result.mip_dual_bound)


def _pad(matrix, k: int):
    from scipy.sparse import hstack

    if not k:
        return matrix
    return hstack([matrix, csr_matrix((matrix.shape[0], k))])


def _unit(n: int, var: int, minus: int | None = None) -> np.ndarray:
    c = np.zeros(n)
    c[var] = 1.0
    if minus is not None:
        c[minus] -= 1.0
    return c


# -- the attack ------------------------------------------------------------------------------


def attack(states: dict[str, list[Release]], model: Model | None = None) -> list[str]:
    """What the attacker recovers: hidden cells pinned exactly, and differences between
    releases pinned to a small group."""
    model = model or Model()
    for state, releases in states.items():
        for release in releases:
            model.add(state, release)
    model.finish()
    n = len(model.index)
    names = {var: key for key, var in model.index.items()}
    findings: list[str] = []
    hidden = sorted(v for v in model.hidden_somewhere if v not in model.known)
    ranges = model.intervals([_unit(n, v) for v in hidden], model.skip_wide)
    for var, (lo, hi) in zip(hidden, ranges, strict=True):
        if hi - lo < 1 - 1e-6:
            findings.append(f"hidden cell recovered: {names[var]} = {lo:g}")
    # Differences: nested periods, and the same population before and after a correction.
    pairs = list(model.nested)
    state_names = list(states)
    for key, var in model.index.items():
        for other_state in state_names[1:]:
            if key[0] == state_names[0]:
                other = model.index.get((other_state, *key[1:]))
                if other is not None and (var in model.known or var in model.hidden_somewhere):
                    pairs.append((other, var))
    to_solve = []
    for big, small in pairs:
        if big in model.known and small in model.known:
            difference = model.known[big] - model.known[small]
            if 0 < abs(difference) < THRESHOLD:
                findings.append(
                    f"difference recovered: {names[big]} - {names[small]} = {difference}"
                )
        else:
            to_solve.append((big, small))
    objectives = [_unit(n, big, small) for big, small in to_solve]
    ranges = model.intervals(objectives, model.skip_wide)
    for (big, small), (lo, hi) in zip(to_solve, ranges, strict=True):
        if hi - lo < 1 - 1e-6 and 0 < abs(round(lo)) < THRESHOLD:
            findings.append(f"difference recovered: {names[big]} - {names[small]} = {lo:g}")
    return findings


# -- scenarios -------------------------------------------------------------------------------


@pytest.fixture(scope="class")
def demo_world(django_db_setup, django_db_blocker):
    """The demo world with 200 signals, built once for scenarios (a) to (d) (ADR 0067), in a
    transaction rolled back after the last of them (the class below). Each scenario runs in a
    savepoint inside it (pytest-django's `db`), so what one publishes or corrects is gone for
    the next: each still attacks its own releases from an empty archive, as when each built the
    world itself. Scenario (e) builds a world of its own, without it."""
    from samen.demo.builder import build_demo_world

    with django_db_blocker.unblock(), transaction.atomic():
        build_demo_world(seed=world_seed(), signals=200, today=world_day())
        yield _fingerprint()
        transaction.set_rollback(True)


def _fingerprint() -> tuple:
    """What the scenarios read and change: the cases with their forms (b corrects one), the
    signals, and the archive of releases (every scenario publishes)."""
    from samen.cases.models import Case
    from samen.signalling.models import Signal
    from samen.statistics.models import Publication

    forms = sorted(Case.objects.values_list("pk", "forms__code"), key=str)
    return forms, Signal.objects.count(), Publication.objects.count()


@pytest.fixture
def demo(demo_world, db, client):
    # Each scenario starts from the world as built, not from what an earlier one left.
    assert _fingerprint() == demo_world, "a scenario saw what an earlier one changed"
    cache.clear()
    web = _login(client, "demo-programme")
    return {"web": web, "programme": _api("demo-programme"), "registrar": _api("demo-registrar")}


def _registrar_web():
    from django.test import Client

    return _login(Client(), "demo-registrar")


class _Rollback(Exception):
    pass


def _collect(demo, requests: list[Request]) -> list[Release]:
    registrar = _registrar_web()
    releases = []
    for request in requests:
        release = fetch(demo["programme"], registrar, demo["web"], request)
        if release is not None:
            releases.append(release)
    return releases


def _overlap(a: Request, b: Request) -> bool:
    return a.start <= b.end and b.start <= a.end


class TestTheDemoWorldsReleases:
    """Scenarios (a) to (d), on one demo world (demo_world)."""

    def test_a_all_offered_periods_of_five_demo_years_give_nobody_away(self, demo):
        requests = offered_periods(demo["web"])
        releases = _collect(demo, requests)
        years, last = {r.start.year for r in releases}, last_year()
        assert len(releases) >= 6 and years >= set(range(last - 4, last + 1))
        findings = attack({"register": releases})
        assert not findings, f"{len(findings)} recovered, e.g. {findings[:5]}"

    def test_b_a_corrected_record_republished_gives_nobody_away(self, demo):
        from samen.cases.models import Case, ExploitationForm

        requests = offered_periods(demo["web"])
        before = _collect(demo, requests)
        # A correction of one record: a case in the last complete year gets another form.
        case = (
            Case.objects.filter(signals__created_at__year=last_year(), forms__code="sexual")
            .order_by("pk")
            .first()
        )
        assert case is not None
        case.forms.set(ExploitationForm.objects.filter(code="labour"))
        after = _collect(demo, requests)
        findings = attack({"before": before, "after": after})
        assert not findings, f"{len(findings)} recovered, e.g. {findings[:5]}"

    def test_c_every_pair_of_overlapping_periods_gives_nobody_away(self, demo):
        requests = offered_periods(demo["web"])
        # Each unordered pair once, the shorter period first: the longer one is then the release
        # that must be protected against an archive (the other order is scenario (a)'s).
        pairs = [
            (a, b) for i, a in enumerate(requests) for b in requests[i + 1 :] if _overlap(a, b)
        ]
        pairs = [(b, a) if (b.end - b.start) < (a.end - a.start) else (a, b) for a, b in pairs]
        assert pairs
        findings: list[str] = []
        for first, second in pairs:
            # Each pair on a fresh archive, as if nothing had been released before.
            try:
                with transaction.atomic():
                    cache.clear()
                    findings += attack({"register": _collect(demo, [first, second])})
                    raise _Rollback
            except _Rollback:
                pass
        cache.clear()
        assert not findings, f"{len(findings)} recovered, e.g. {findings[:5]}"

    def test_d_the_outputs_carry_no_label_that_narrows_a_hidden_cell(self, demo):
        requests = offered_periods(demo["web"])
        releases = _collect(demo, requests[:1])
        labels = {o.label for r in releases for o in r.observations if o.value is None}
        hidden = [o for r in releases for o in r.observations if o.value is None]
        assert hidden, "the demo's default period has hidden cells"
        # With labels the attacker bounds primaries to 1..9 and secondaries to 0 or >= 10; with
        # one mark it only knows what the methods note says (never 0). Either way, nothing pinned.
        findings = attack({"register": releases})
        assert labels == {""} and not findings, (labels, findings[:5])


def _synthetic_release(hide: set[tuple[str, str]], year: int = 2020) -> Release:
    """One table of regions x forms with its totals, the cells in `hide` suppressed."""
    counts = {("A", "x"): 31, ("A", "y"): 4, ("B", "x"): 12, ("B", "y"): 45, ("C", "x"): 7,
              ("C", "y"): 26, ("D", "x"): 18, ("D", "y"): 9}  # fmt: skip
    regions, forms = ["A", "B", "C", "D", "Total"], ["x", "y", "Total"]

    def value(r: str, f: str) -> int:
        return sum(v for (rr, ff), v in counts.items() if r in (rr, "Total") and f in (ff, "Total"))

    request = Request("synthetic", date(year, 1, 1), date(year, 12, 31))
    release = Release(request, request.start, request.end, never_zero=True)
    for r, f in itertools.product(regions, forms):
        shown = None if (r, f) in hide else value(r, f)
        release.observations.append(Observation("victims", ("region", "form"), (r, f), shown, ""))
    return release


def test_skipping_wide_objectives_finds_the_same():
    """`Model.intervals` skips the LPs of an objective already wide over the tables it found:
    the attack's findings are the same as with every LP solved, objectives are really skipped,
    and where they are not, the ranges are the very same. On a table with a cell pinned by its
    margins (a finding), cells hidden in a block (wide), and a correction between two states."""
    hide_before = {("A", "x"), ("A", "y"), ("B", "x"), ("B", "y"), ("C", "x"), ("D", "y")}
    hide_after = {("A", "x"), ("A", "y"), ("B", "x"), ("B", "y"), ("C", "y")}
    states = {"before": [_synthetic_release(hide_before)],
              "after": [_synthetic_release(hide_after)]}  # fmt: skip
    solved_all, skipping = Model(skip_wide=False), Model()
    every = attack(states, solved_all)
    assert every, "the synthetic table gives something away: the comparison needs findings"
    assert attack(states, skipping) == every
    assert skipping.skipped > 0 and solved_all.skipped == 0
    n = len(skipping.index)  # both models as attack() built and finished them
    objectives = [_unit(n, v) for v in sorted(skipping.hidden_somewhere - set(skipping.known))]
    before = Model.intervals(solved_all, objectives, skip_wide=False)
    after = Model.intervals(skipping, objectives)
    for (lo, hi), (lo2, hi2) in zip(before, after, strict=True):
        if (lo2, hi2) != (lo, hi):  # skipped: a span over found tables, inside the range
            assert lo - 1e-6 <= lo2 and hi2 <= hi + 1e-6 and hi2 - lo2 >= SKIP_WIDTH


# -- (e) the HTCDS export's victim status against the identification outcomes ---------------

#: The outcome groups of the table "Identification outcomes by year", as its labels and the
#: methods note describe them; a state not named counts as other route.
OUTCOME_OF = {
    "signalled": "assessing", "under_assessment": "assessing",
    "indication_not_established": "not_established",
    "indication_established": "established", "reflection_offered": "established",
    "reflection_accepted": "established", "reflection_declined": "established",
    "report_made": "reported", "b83_applied": "reported", "b83_granted": "permit_granted",
    "b83_refused": "permit_refused", "other_route": "other_route", "closed": "closed",
}  # fmt: skip
OUTCOME_GROUPS = frozenset(OUTCOME_OF.values())
NONE = "(no path)"
STATUS, DECIDED_BY, YEAR = (
    "vic_TraffickingStatus",
    "vic_TraffickingStatusDecisionMakingOrg",
    "samen_RegistrationYear",
)


def status_meanings(definitions: list[dict]) -> dict[str, set[str]]:
    """The attacker's own reading of the published path rules (the JSON): which outcome
    groups a path holding each victim status can be in. A step into a state with a status
    sets it if it ranks at least as high; the commission sets any of its outcomes whatever
    the state (moving the path where its step applies); nothing clears a status."""
    meanings: dict[str, set[str]] = {"": {NONE}}
    for body in definitions:
        states = {s["code"]: s.get("htcds_status", "") for s in body["states"]}
        rank = body.get("htcds_rank", {})
        steps = [(set(t["from"]), t["to"], t["code"]) for t in body["transitions"]]
        commission = body.get("commission", {})
        moves = {
            name: next(((src, to) for src, to, code in steps if code == step), None)
            for name, step in commission.get("moves_path", {}).items()
        }
        start = body.get("initial_state", body["states"][0]["code"])
        seen, todo = set(), [(start, "")]
        while todo:
            state, status = todo.pop()
            if (state, status) in seen:
                continue
            seen.add((state, status))
            for sources, to, _code in steps:
                if state in sources:
                    target = state if to == "@stay" else to
                    new = states[target]
                    keep = new and (not status or not rank or rank[new] >= rank.get(status, 0))
                    todo.append((target, new if keep else status))
            for name, decided in commission.get("outcomes", {}).items():
                move = moves.get(name)
                todo.append((move[1] if move and state in move[0] else state, decided))
        for state, status in seen:
            meanings.setdefault(status, set()).add(OUTCOME_OF.get(state, "other_route"))
    return meanings


def export_files(tmp_path, years: tuple[int, int]) -> tuple[list[dict[str, str]], str]:
    """The HTCDS CSV and its notes, as the registrar downloads them."""
    from django.core.management import call_command

    out = tmp_path / "htcds.csv"
    call_command("statistics", "export-htcds", "--out", str(out), "--user", "demo-registrar",
                 "--years", f"{years[0]}-{years[1]}")  # fmt: skip
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    notes = next(tmp_path.glob("htcds.csv*notes*")).read_text(encoding="utf-8")
    return rows, notes


def _released(notes: str, column: str) -> bool:
    line = next((line for line in notes.splitlines() if line.startswith(f"- {column}:")), "")
    return bool(line) and "not released" not in line


def status_attack(
    releases: list[Release], rows: list[dict[str, str]], notes: str, meanings: dict[str, set]
) -> tuple[list[tuple], dict[tuple, set[int]]]:
    """Every outcome cell and every sum of a year's outcome cells set against the export's
    count of the records whose status can (only) mean them: differences of 1..THRESHOLD-1
    with published figures, and estimates of hidden cells where the count is exact (each
    sum with one hidden cell gives one; they may disagree where the attacker's premise, one
    population, is wrong: the judge takes any that hits)."""
    anything = set(OUTCOME_GROUPS) | {NONE} | set().union(*meanings.values())
    decided = set().union(*(v for s, v in meanings.items() if s)) or anything

    def possible(row: dict[str, str]) -> frozenset[str]:
        if _released(notes, STATUS):
            return frozenset(meanings.get(row[STATUS], anything))
        if _released(notes, DECIDED_BY):
            return frozenset(decided if row[DECIDED_BY] else meanings.get("", anything))
        return frozenset(anything)

    kinds: dict[tuple[str, frozenset[str]], int] = defaultdict(int)
    for row in rows:
        kinds[row[YEAR], possible(row)] += 1
    differences: list[tuple] = []
    estimates: dict[tuple, set[int]] = defaultdict(set)
    for release in releases:
        years_of = [str(y) for y in range(release.start.year, release.end.year + 1)]
        cells: dict[tuple[str, ...], dict[str, int | None]] = defaultdict(dict)
        for o in release.observations:
            if o.slug != "identification":
                continue
            where = dict(zip(o.dims, o.coords, strict=True))
            years = tuple(years_of) if where["year"] == "Total" else (where["year"],)
            cells[years][where["outcome"]] = o.value
        for years, row in cells.items():
            parts = sorted(set(row) - {"Total"})
            for size in range(1, len(parts) + 1):
                for chosen in itertools.combinations(parts, size):
                    wanted = set(chosen)
                    surely = sum(n for (y, p), n in kinds.items() if y in years and p <= wanted)
                    maybe = sum(n for (y, p), n in kinds.items() if y in years and p & wanted)
                    hidden = [c for c in chosen if row[c] is None]
                    shown = sum(row[c] or 0 for c in chosen)
                    if len(hidden) == 1 and surely == maybe:
                        where = (release.start, release.end, years, hidden[0])
                        estimates[where].add(surely - shown)
                    elif not hidden:
                        low, high = shown - maybe, shown - surely
                        if 0 < low <= high < THRESHOLD or -THRESHOLD < low <= high < 0:
                            differences.append((years, chosen, shown, (surely, maybe)))
    return differences, estimates


def outcome_truth() -> dict[tuple, int]:
    """The judge's true counts of the outcome cells, from the archive (never the attacker's)."""
    from samen.statistics.archive import release_from_archive
    from samen.statistics.models import Publication

    true = {}
    for publication in Publication.objects.all():
        release = release_from_archive(publication.archive)
        for table in release.source_tables:
            names = table.dimension_names
            if set(names) != {"year", "outcome"}:
                continue
            all_years = tuple(str(y) for y in table.dimensions[names.index("year")].categories)
            for coordinates, value in table.cells():
                where = dict(zip(names, (str(c) for c in coordinates), strict=True))
                years = all_years if where["year"] == "Total" else (where["year"],)
                start, end = publication.period_start, publication.period_end
                true[(start, end, years, where["outcome"])] = value
    return true


def _pinned(estimates: dict[tuple, set[int]]) -> list[tuple]:
    true = outcome_truth()
    return [where for where, guesses in estimates.items() if true.get(where) in guesses - {0}]


@pytest.fixture
def register(world, client):
    """Three synthetic years, with the victim status the path's steps would have set: a path
    that got past the slightest indication holds PossibleVictimOfTrafficking."""
    from samen.identification.models import IdentificationPath
    from samen.statistics.demo import add_statistics_volume

    add_statistics_volume(seed=volume_seed(), persons=volume_persons(), years=3)
    past = ["indication_established", "reflection_accepted", "report_made", "b83_granted",
            "b83_refused", "other_route"]  # fmt: skip
    IdentificationPath.objects.filter(state__in=past).update(
        htcds_status="PossibleVictimOfTrafficking", htcds_decision_org="Police"
    )
    cache.clear()
    return {"web": _login(client, "demo-programme"), "programme": _api("demo-programme"),
            "registrar": _api("demo-registrar")}  # fmt: skip


def _published_rules() -> list[dict]:
    """The path rules the chain publishes (the definitions' JSON), as anyone can read them."""
    from samen.identification.models import PathDefinition

    current = PathDefinition.objects.filter(is_current=True)
    return [
        {**d.body, "states": [s.spec for s in d.states.order_by("order")],
         "transitions": [t.spec for t in d.transitions.order_by("order")]}
        for d in current
    ]  # fmt: skip


def test_e_the_export_victim_status_set_against_the_identification_outcomes_gives_nobody_away(
    register, tmp_path
):
    last = last_year()
    requests = [r for r in offered_periods(register["web"]) if r.start.year >= last - 2]
    releases = _collect(register, requests)
    assert any(o.slug == "identification" for r in releases for o in r.observations)
    rows, notes = export_files(tmp_path, (last - 2, last))
    assert {STATUS, DECIDED_BY, YEAR} <= set(rows[0])
    differences, estimates = status_attack(
        releases, rows, notes, status_meanings(_published_rules())
    )
    assert not differences, differences[:5]
    pinned = _pinned(estimates)
    assert not pinned, pinned[:5]


def test_e_a_status_that_pins_an_outcome_is_caught_by_the_attacker(register):
    """The attacker can fail: rules in which a granted permit is an actual victim and nothing
    leads away from it, and an export that counts those statuses exactly, give the hidden
    cell away."""
    last = last_year()
    requests = [r for r in offered_periods(register["web"]) if r.start.year >= last - 2]
    # One release with a hidden, non-zero outcome cell is enough: fetch them one at a time.
    found = None
    for request in requests:
        for r in _collect(register, [request]):
            true = outcome_truth()
            found = found or next(
                (
                    (r, o)
                    for o in r.observations
                    if o.slug == "identification" and o.value is None
                    and "Total" not in o.coords
                    and true[(r.start, r.end, (o.coords[0],), o.coords[1])]
                ),
                None,
            )  # fmt: skip
        if found:
            break
    assert found, "no release hides an outcome cell"
    release, cell = found
    year, outcome = cell.coords
    state = next(s for s, group in OUTCOME_OF.items() if group == outcome)
    rules = {"states": [{"code": "signalled"},
                        {"code": state, "htcds_status": "ActualVictimOfTrafficking"}],
             "transitions": [{"code": "go", "from": ["signalled"], "to": state}]}  # fmt: skip
    meanings = status_meanings([rules])
    assert meanings["ActualVictimOfTrafficking"] == {outcome}
    count = true[(release.start, release.end, (year,), outcome)]
    rows = [{YEAR: year, STATUS: "ActualVictimOfTrafficking", DECIDED_BY: "Police"}] * count
    notes = f"- {STATUS}: released as registered.\n"
    _differences, estimates = status_attack([release], rows, notes, meanings)
    assert _pinned(estimates), "the planted exact status was not set against the hidden cell"
