"""Time the yearly statistics over 1,000,000 synthetic cases in PostgreSQL, and the disclosure
engine on a table of 10,000 cells.

What it does, end to end:
  1. (Re)creates the PostgreSQL database `samen_stats_bench`, migrates it and builds the demo
     world without signals (organisations in every region, one user per role) and the shelter
     directory.
  2. Loads --cases synthetic cases (default 1,000,000) in SQL only (INSERT ... SELECT over
     generate_series): about 0.9 persons per case (some persons have two cases), one form of
     exploitation per case (15% a second), one signal per case and for 10% a second signal
     later the same year (so counting per person differs from counting per signal), an
     identification path for 20% and a referral with a placement for 5%. All flagged
     is_synthetic; no identity rows at all.
  3. Times the full yearly table set as the statistics page makes it: the selector's
     aggregation in SQL (GROUP BY over person-years, for the five-year period and the same
     period a year earlier), then the disclosure engine over all tables released together.
  4. Times the disclosure engine on one table of 10,000 interior cells (year x form x age group
     x gender x nationality group x region, 5 x 4 x 5 x 2 x 5 x 10) with all 64 kinds of
     margins (35,640 cells), at two scales: the benchmark's (200,000 persons a year, as the
     1,000,000 cases) and the national one (about 900 persons a year, so most cells are small
     and half the table is suppressed: the hard case).
  5. Issue #13: times a corrected five-year release protected against 10 archived releases
     of overlapping periods; the statistics page for one year on its first delivery and then
     served from the cache (median of 5); and the national-scale cube again with the page's
     rules (floor 1, protection interval 2 / 10%, integer check).
     Each cube runs in a child process given --cube-budget seconds (default 600); past it the
     figure is reported as `not-finished` with the budget as its time, so the run completes.
     The floor is measured in the same run: the cube's linear system, primary suppression and
     line rule without any audit, and one LP over the hidden cells that leaves (the unit of the
     audit's cost). Only releases proven safe are archived, as the module does.
  6. Prints the figures and a last line `RESULT key=value ...`.

Run:  .venv/bin/python benchmarks/statistics.py [--cases 1000000] [--reuse] [--dsn URL]
      [--engine-per-year 200000,900] [--cube-budget 600]
      (the entry point that runs this file)
      (DSN default: $BENCH_DATABASE_URL or postgres://samen:samen-ci@127.0.0.1:5432/
      samen_stats_bench; only a database whose name contains "bench" is ever dropped)
"""

# ruff: noqa: S608  (the SQL is built from model table names and ids this script read itself)
from __future__ import annotations

import argparse
import os
import time
from datetime import date

import numpy as np
from benchlib import (
    bench_env,
    db_name,
    django_setup,
    log,
    maintenance_dsn,
    require_bench_name,
    require_loopback,
)

DEFAULT_DSN = "postgres://samen:samen-ci@127.0.0.1:5432/samen_stats_bench"
FIRST_YEAR = 2020
YEARS = 5


def prepare_database(dsn: str, *, reuse: bool) -> bool:
    import psycopg
    from psycopg import sql

    name = db_name(dsn)
    require_bench_name(name)
    with psycopg.connect(maintenance_dsn(dsn), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reuse:
            log(f"reusing database {name}")
            return False
        if exists:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        log(f"created database {name}")
    return True


def _weighted(column: str, weights: dict[str, float]) -> str:
    """SQL CASE picking a key of ``weights`` from a uniform random ``column`` in [0, 1)."""
    total = sum(weights.values())
    edge = 0.0
    parts = []
    for value, weight in list(weights.items())[:-1]:
        edge += weight / total
        parts.append(f"WHEN {column} < {edge:.6f} THEN '{value}'")
    return f"(CASE {' '.join(parts)} ELSE '{list(weights)[-1]}' END)"


GENDERS = {"female": 55, "male": 38, "other": 1, "unknown": 6}
BANDS = {"0-11": 2, "12-17": 8, "18-22": 22, "23-29": 24, "30-49": 30, "50+": 6, "unknown": 8}
NATIONALITIES = {"NL": 35, "EU": 35, "non_EU": 20, "unknown": 10}
FORMS = {"sexual": 42, "labour": 30, "criminal": 18, "forced_begging": 3, "forced_marriage": 2,
         "organ_removal": 0.5, "other": 4.5}  # fmt: skip
STATES = {"under_assessment": 20, "indication_established": 15, "indication_not_established": 10,
          "reflection_accepted": 10, "report_made": 15, "b83_granted": 12, "b83_refused": 5,
          "other_route": 8, "closed": 5}  # fmt: skip


def load(dsn: str, n: int, *, seed: int | None = None) -> None:
    """The synthetic register, in SQL only: nothing per row passes through Python. With
    ``seed``, PostgreSQL's random() is seeded first (setseed, same connection), so the same
    seed on a fresh database gives the same register (the persons' uuid refs aside)."""
    import psycopg

    from samen.cases.models import Case, ExploitationForm, Person
    from samen.identification.models import IdentificationPath, PathDefinition
    from samen.organisations.models import Membership, Municipality, Organisation
    from samen.shelter.models import Place, Placement, Referral
    from samen.signalling.models import Signal, SignalList

    persons = int(n * 0.9)
    municipalities = list(Municipality.objects.values_list("id", flat=True))
    organisations = list(Organisation.objects.values_list("id", flat=True))
    member = Membership.objects.order_by("id").first()
    signal_list = SignalList.objects.filter(is_current=True).order_by("id").first()
    definition = PathDefinition.objects.filter(is_current=True).first()
    places = list(Place.objects.values_list("id", flat=True))
    forms = dict(ExploitationForm.objects.values_list("code", "id"))
    assert member and signal_list and definition and places and municipalities
    start = f"{FIRST_YEAR}-01-01 00:00:00+01"
    span = f"{YEARS * 365} days"

    def array(ids: list[int]) -> str:
        return "ARRAY[" + ",".join(str(i) for i in ids) + "]::bigint[]"

    statements = [
        (
            "persons",
            f"""INSERT INTO {Person._meta.db_table} (ref, gender, age_band, is_minor,
            age_is_estimate, nationality_group, is_synthetic, created_at)
            SELECT gen_random_uuid(), {_weighted("r1", GENDERS)}, b, b IN ('0-11', '12-17'),
                   true, {_weighted("r3", NATIONALITIES)}, true, now()
            FROM (SELECT random() r1, {_weighted("random()", BANDS)} b, random() r3
                  FROM generate_series(1, {persons})) s""",
        ),
        (
            "cases",
            f"""INSERT INTO {Case._meta.db_table} (number, person_id, status,
            responsible_organisation_id, municipality_id, region_id, opened_at, updated_at,
            is_synthetic)
            SELECT 'SB-' || lpad(g::text, 8, '0'), p0 + (g::bigint * 7919) % {persons},
                   'in_progress', o, m.id, m.region_id, t, t, true
            FROM (SELECT g, (SELECT min(id) FROM {Person._meta.db_table}) p0,
                         ({array(municipalities)})[1 + floor(random() * {len(municipalities)})::int]
                         AS mid,
                         ({array(organisations)})[1 + floor(random() * {len(organisations)})::int]
                         AS o,
                         timestamptz '{start}' + random() * interval '{span}' AS t
                  FROM generate_series(1, {n}) g) s
            JOIN {Municipality._meta.db_table} m ON m.id = s.mid""",
        ),
        (
            "forms",
            f"""INSERT INTO {Case.forms.through._meta.db_table} (case_id, exploitationform_id)
            SELECT id, f FROM (
              SELECT id, (CASE {" ".join(f"WHEN code = '{c}' THEN {i}" for c, i in forms.items())}
                          END) f
              FROM (SELECT id, {_weighted("r", FORMS)} code
                    FROM (SELECT id, random() r FROM {Case._meta.db_table}) r) s) t
            UNION
            SELECT id, {forms["labour"]} FROM {Case._meta.db_table} WHERE random() < 0.15""",
        ),
        (
            "signals",
            f"""INSERT INTO {Signal._meta.db_table} (case_id, signal_list_id, recorded_by_id,
            organisation_id, municipality_id, region_id, observed_on, setting, advice,
            advice_reasons, linked_to_existing, created_at, is_synthetic, identity_new)
            SELECT c.id, {signal_list.pk}, {member.user_id},
                   ({array(organisations)})[1 + floor(random() * {len(organisations)})::int],
                   c.municipality_id, c.region_id, c.opened_at::date, '', 'report',
                   '[]'::jsonb, false,
                   c.opened_at, true, '[]'::jsonb
            FROM {Case._meta.db_table} c
            UNION ALL
            SELECT c.id, {signal_list.pk}, {member.user_id},
                   ({array(organisations)})[1 + floor(random() * {len(organisations)})::int],
                   c.municipality_id, c.region_id, c.opened_at::date, '', 'report',
                   '[]'::jsonb, true,
                   LEAST(c.opened_at + interval '20 days',
                         date_trunc('year', c.opened_at) + interval '1 year - 1 hour'), true,
                   '[]'::jsonb
            FROM {Case._meta.db_table} c WHERE random() < 0.10""",
        ),
        (
            "identification",
            f"""INSERT INTO {IdentificationPath._meta.db_table} (case_id, definition_id, state,
            age_assessment, presumed_minor, dublin_claimant, htcds_status, htcds_decision_org,
            started_at, updated_at)
            SELECT id, {definition.pk}, {_weighted("random()", STATES)}, 'estimated', false,
                   false, '', '', opened_at + interval '3 days', opened_at + interval '3 days'
            FROM {Case._meta.db_table} WHERE random() < 0.20""",
        ),
        (
            "referrals",
            f"""INSERT INTO {Referral._meta.db_table} (case_id, organisation_id, created_at,
            needs, urgency, status)
            SELECT id, responsible_organisation_id, opened_at + interval '1 day', '{{}}'::jsonb,
                   'normal', 'placed'
            FROM {Case._meta.db_table} WHERE random() < 0.05""",
        ),
        (
            "placements",
            f"""INSERT INTO {Placement._meta.db_table} (referral_id, place_id, started_at,
            outflow)
            SELECT id, ({array(places)})[1 + floor(random() * {len(places)})::int],
                   created_at + random() * interval '45 days', ''
            FROM {Referral._meta.db_table}""",
        ),
    ]
    with psycopg.connect(dsn, autocommit=True) as conn:
        if seed is not None:
            # A parallel plan would draw random() in worker processes, outside the seed.
            conn.execute("SET max_parallel_workers_per_gather = 0")
            conn.execute("SELECT setseed(%s)", [(seed % 2000) / 1000 - 1])
        for label, sql in statements:
            t = time.perf_counter()
            rows = conn.execute(sql).rowcount  # type: ignore[arg-type]
            log(f"  {label}: {rows:,} rows in {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        log(f"  VACUUM ANALYZE in {time.perf_counter() - t:.1f} s")


def build(dsn: str, n: int, *, reuse: bool, seed: int | None = None) -> None:
    created = prepare_database(dsn, reuse=reuse)
    django_setup(bench_env(dsn))
    from django.core.management import call_command

    from samen.cases.models import Case
    from samen.demo.builder import build_demo_world
    from samen.shelter.demo import build_shelter_directory

    if not created and Case.objects.count() >= n:
        log(f"database already holds {Case.objects.count():,} cases")
        return
    t = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    build_demo_world(seed=1, signals=0)
    build_shelter_directory(seed=1)
    log(f"migrated, demo world and shelter directory in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    load(dsn, n, seed=seed)
    log(f"loaded {n:,} cases in {time.perf_counter() - t:.1f} s")


def time_table_set() -> tuple[float, float, int, str]:
    """The statistics page's work for the last five calendar years: SQL, then the engine."""
    from samen.core.actor import actor_for_membership
    from samen.organisations.models import Membership
    from samen.statistics import tables
    from samen.statistics.selectors import Period, region_names, statistics_data

    member = Membership.objects.select_related("user", "organisation").get(
        user__username="demo-registrar"
    )
    actor = actor_for_membership(member, origin="bench", purpose="statistics")
    period = Period(date(FIRST_YEAR, 1, 1), date(FIRST_YEAR + YEARS - 1, 12, 31))
    t = time.perf_counter()
    data = statistics_data(actor=actor, period=period)
    sql_seconds = time.perf_counter() - t
    persons = sum(row[-1] for row in data.victims)
    t = time.perf_counter()
    release = tables.protect_set(data, region_names())
    engine_seconds = time.perf_counter() - t
    counts = release.counts()
    log(
        f"table set {period.start}..{period.end}: {persons:,} person-years, "
        f"{len(release.tables)} tables, {counts['cells']:,} cells, {counts['primary']} primary + "
        f"{counts['secondary']} secondary suppressed, audit {'ok' if release.safe else 'NOT OK'}"
    )
    log(f"  aggregation in SQL (period + a year earlier): {sql_seconds:.2f} s")
    log(f"  disclosure control of the set (and of last year's): {engine_seconds:.2f} s")
    return sql_seconds, engine_seconds, persons, "ok" if release.safe else "not-ok"


def time_against_archive(*, attack: bool = False) -> tuple[float, int, str, str]:
    """The audit of a new release against 10 archived releases of overlapping periods (issue
    #13): ten releases of the benchmark's register are protected one after the other (the
    five-year period, each year, and four other spans), then a corrected five-year release
    (one person in twenty moved to another form in the last year) against all ten."""
    from samen.core.actor import actor_for_membership
    from samen.organisations.models import Membership
    from samen.statistics import tables
    from samen.statistics.disclosure import protect
    from samen.statistics.selectors import Period, region_names, statistics_data
    from samen.statistics.services import disclosure_rules

    member = Membership.objects.select_related("user", "organisation").get(
        user__username="demo-registrar"
    )
    actor = actor_for_membership(member, origin="bench", purpose="statistics")
    last = FIRST_YEAR + YEARS - 1
    whole = Period(date(FIRST_YEAR, 1, 1), date(last, 12, 31))
    data = statistics_data(actor=actor, period=whole, with_previous=False)
    regions = list(region_names())
    rules = disclosure_rules()
    spans = [(FIRST_YEAR, last), *((y, y) for y in range(FIRST_YEAR, last + 1)),
             (FIRST_YEAR, last - 1), (FIRST_YEAR + 1, last), (FIRST_YEAR, FIRST_YEAR + 1),
             (FIRST_YEAR + 2, last)]  # fmt: skip
    archived = []
    for first, end in spans:
        period = Period(date(first, 1, 1), date(end, 12, 31))
        source = tables.build_tables(data.within(period), regions)
        release = protect(source, rules, previous=archived, hierarchies=tables.HIERARCHIES,
                          label=f"{first}-{end}")  # fmt: skip
        if release.safe:  # as the module: a release it cannot prove safe never leaves
            archived.append(release)
        else:
            log(f"  release {first}-{end} could not be proven safe and is not archived")
    moved = []
    for row in data.victims:
        if int(row[0]) == last and str(row[1]) == "0" and row[-1] >= 20:
            moved.append((*row[:-1], row[-1] - row[-1] // 20))
            moved.append((row[0], 1, *row[2:-1], row[-1] // 20))
        else:
            moved.append(row)
    from dataclasses import replace

    corrected = replace(data, victims=moved)
    source = tables.build_tables(corrected, regions)
    t = time.perf_counter()
    release = protect(source, rules, previous=archived, hierarchies=tables.HIERARCHIES,
                      label="corrected")  # fmt: skip
    seconds = time.perf_counter() - t
    log(
        f"a corrected five-year release against {len(archived)} archived releases: "
        f"audit {'ok' if release.safe else 'NOT OK'}, {seconds:.2f} s"
    )
    outside = "not-run"
    if release.safe and attack:
        t = time.perf_counter()
        findings = outside_attack(archived, release, spans)
        outside = "none" if not findings else f"{len(findings)}"
        log(
            f"  the outside attacker (tests/test_outside_attacker.py) on the delivered cells of "
            f"the {len(archived)} archived releases and the corrected one: "
            f"{len(findings)} findings in {time.perf_counter() - t:.0f} s"
            + "".join(f"\n    {f}" for f in findings[:5])
        )
    return seconds, len(archived), "ok" if release.safe else "not-ok", outside


def outside_attack(archived, corrected, spans) -> list[str]:
    """The tests' outside attacker, fed with the cells as the module delivers them (value, or
    none when hidden; one mark, no label) -- it imports nothing of the engine. The archived
    releases are the state before the correction, the corrected five-year release after."""
    from samen.statistics import tables
    from samen.statistics.tests import test_outside_attacker as outside

    def delivered(release, first: int, end: int):
        request = outside.Request(f"period={first}-{end}", date(first, 1, 1), date(end, 12, 31))
        out = outside.Release(request, request.start, request.end)
        for table in release.tables:
            slug = tables.SPEC_BY_NAME[table.name].slug
            for cell in table.cells:
                out.observations.append(
                    outside.Observation(slug, table.dimension_names, cell.labels, cell.value, "")
                )
        return out

    labels = {f"{first}-{end}": (first, end) for first, end in spans}
    before = [delivered(r, *labels[r.label]) for r in archived]
    first, end = labels[archived[0].label]
    return outside.attack({"before": before, "after": [delivered(corrected, first, end)]})


def time_cached_page() -> tuple[float, float]:
    """The statistics page as the registrar gets it: first delivery (count, protect against
    the archive, record), then served from the cache (median of 5)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from samen.accounts.models import User

    client = Client()
    user = User.objects.get(username="demo-registrar")
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    url = f"/statistiek/?period={FIRST_YEAR + YEARS - 1}"
    t = time.perf_counter()
    first = client.get(url, SERVER_NAME="localhost")
    first_seconds = time.perf_counter() - t
    assert first.status_code == 200, first.status_code
    timings = []
    for _ in range(5):
        t = time.perf_counter()
        again = client.get(url, SERVER_NAME="localhost")
        timings.append(time.perf_counter() - t)
        assert again.status_code == 200
    cached_ms = 1000 * sorted(timings)[2]
    log(f"page {url}: first delivery {first_seconds:.2f} s, from the cache {cached_ms:.0f} ms")
    return first_seconds, cached_ms


def time_engine_10k(
    per_year: int, *, module_rules: bool = False, budget: float | None = None
) -> tuple[float, str]:
    """The cube below, protected in a child process given ``budget`` seconds: past it the
    figure is reported as not finished (``seconds`` is then the budget), so the benchmark
    always completes."""
    if budget is None:
        return _engine_10k(per_year, module_rules=module_rules)
    import multiprocessing

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(
        target=lambda: queue.put(_engine_10k(per_year, module_rules=module_rules))
    )
    t = time.perf_counter()
    child.start()
    child.join(budget)
    if child.is_alive():
        child.kill()
        child.join()
        log(f"  the cube at {per_year} a year did not finish in {budget:.0f} s")
        return budget, "not-finished"
    seconds, audit = queue.get(timeout=5)
    log(f"  (wall time including the child process: {time.perf_counter() - t:.1f} s)")
    return seconds, audit


def cube_floor(per_year: int) -> tuple[float, float]:
    """The floor of the cube: building its linear system and the primary suppression and line
    rule (no audit), i.e. the work every method does before it proves anything; and one LP
    over the hidden cells the line rule leaves (the unit of the audit's cost)."""
    from scipy.optimize import linprog

    from samen.statistics.disclosure.audit import IntervalSolver
    from samen.statistics.disclosure.engine import _build, _Suppressor
    from samen.statistics.services import disclosure_rules

    table = _cube(per_year)
    rules = disclosure_rules()
    t = time.perf_counter()
    cpu = time.process_time()
    joint = _build([table], [], [])
    state = _Suppressor(joint, rules)
    state.primary()
    state.lines()
    floor_s = time.perf_counter() - t
    cpu = time.process_time() - cpu
    hidden = state.hidden.copy()
    solver = IntervalSolver(joint.system, rules.protection_margin)
    values = np.array([np.nan if v is None else v for v in joint.system.values], dtype=float)
    component = np.flatnonzero(hidden).tolist()
    matrix, b = solver._equations(component, hidden, values)
    objective = np.random.default_rng(1).choice([-1.0, 1.0], size=len(component))
    t = time.perf_counter()
    linprog(objective, A_eq=matrix, b_eq=b, bounds=(0, solver.cap), method="highs-ipm")
    lp_s = time.perf_counter() - t
    log(
        f"floor of the cube at {per_year} a year: system, primary and line rule {floor_s:.1f} s "
        f"({cpu:.1f} s of CPU); "
        f"one LP over its {len(component):,} hidden cells {lp_s:.1f} s"
    )
    return floor_s, lp_s


def _cube(per_year: int):
    from samen.statistics.disclosure import CountTable, Dimension

    rng = np.random.default_rng(11)
    names = {
        "year": tuple(str(FIRST_YEAR + i) for i in range(YEARS)),
        "form": ("sexual", "labour", "criminal", "other"),
        "age": ("0-17", "18-22", "23-29", "30-49", "50+"),
        "gender": ("female", "male"),
        "nationality": ("NL", "EU", "Europe other", "Africa", "Asia and other"),
        "region": tuple(f"R{i:02d}" for i in range(1, 11)),
    }
    shares = np.einsum(
        "a,b,c,d,e->abcde",
        np.array([0.45, 0.3, 0.2, 0.05]),
        np.array([0.1, 0.25, 0.28, 0.3, 0.07]),
        np.array([0.65, 0.35]),
        np.array([0.35, 0.25, 0.1, 0.18, 0.12]),
        rng.dirichlet(np.full(10, 8.0)),
    )
    interior = np.stack(
        [rng.multinomial(per_year, shares.reshape(-1)).reshape(shares.shape) for _ in range(5)]
    )
    dims = [Dimension(k, v, complete=(k != "year")) for k, v in names.items()]
    return CountTable("10k", dims, interior)


def _engine_10k(per_year: int, *, module_rules: bool = False) -> tuple[float, str]:
    """One table of 10,000 interior cells with all its margins, at the national scale."""
    from samen.statistics.disclosure import DisclosureRules, protect

    table = _cube(per_year)
    interior = table.interior
    rules = DisclosureRules()
    if module_rules:  # the statistics page's rules: floor 1, interval 2 / 10%, integer check
        from samen.statistics.services import disclosure_rules

        rules = disclosure_rules()
    t = time.perf_counter()
    cpu = time.process_time()
    release = protect([table], rules, label="10k")
    seconds = time.perf_counter() - t
    cpu = time.process_time() - cpu
    counts = release.counts()
    log(
        f"engine, one table of {interior.size:,} interior cells ({counts['cells']:,} with "
        f"margins), {table.grand_total:,} persons: {counts['primary']:,} primary + "
        f"{counts['secondary']:,} secondary suppressed, audit "
        f"{'ok' if release.safe else 'NOT OK'}, {seconds:.1f} s ({cpu:.1f} s of CPU)"
        + (" (the page's rules)" if module_rules else "")
    )
    return seconds, "ok" if release.safe else "not-ok"


def _finish(args: argparse.Namespace) -> None:
    log(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    if not args.keep:
        from django.db import connections

        connections.close_all()
        from benchlib import drop_postgres

        drop_postgres(args.dsn)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep a loaded database")
    parser.add_argument("--keep", action="store_true", help="do not drop the database after")
    parser.add_argument(
        "--engine-per-year",
        default="200000,900",
        help="persons a year in the 10,000-cell table, comma-separated scales",
    )
    parser.add_argument(
        "--cube-budget",
        type=float,
        default=600.0,
        help="seconds each 10,000-cell cube may take before it is reported as not finished",
    )
    parser.add_argument(
        "--attack",
        action="store_true",
        help="run the tests' outside attacker on the corrected release and the archive",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=None,
        help="seed PostgreSQL's random() before loading, so a register (and a failure) repeats",
    )
    parser.add_argument(
        "--tableset-only",
        action="store_true",
        help="build the register and protect the five-year table set only (no archive, page "
        "or cubes): for repeating its audit over many seeds",
    )
    parser.add_argument("--dsn", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DSN))
    args = parser.parse_args()
    require_loopback(args.dsn)
    require_bench_name(db_name(args.dsn))
    log(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    t = time.perf_counter()
    build(args.dsn, args.cases, reuse=args.reuse, seed=args.seed)
    load_seconds = time.perf_counter() - t
    sql_s, set_engine_s, persons, set_audit = time_table_set()
    if args.tableset_only:
        _finish(args)
        print(
            f"RESULT statistics cases={args.cases} seed={args.seed} person_years={persons} "
            f"tableset_engine_s={set_engine_s:.2f} tableset_audit={set_audit}"
        )
        return
    archive_s, archived, archive_audit, outside = time_against_archive(attack=args.attack)
    first_page_s, cached_page_ms = time_cached_page()
    budget = args.cube_budget
    engine = {
        int(n): time_engine_10k(int(n), budget=budget) for n in args.engine_per_year.split(",")
    }
    floor_s, floor_lp_s = cube_floor(900)
    national_s, national_audit = time_engine_10k(900, module_rules=True, budget=budget)
    _finish(args)
    print(
        f"RESULT statistics cases={args.cases} seed={args.seed} person_years={persons} "
        f"build_s={load_seconds:.1f} tableset_sql_s={sql_s:.2f} "
        f"tableset_engine_s={set_engine_s:.2f} tableset_total_s={sql_s + set_engine_s:.2f} "
        f"tableset_audit={set_audit} "
        f"against_{archived}_archived_s={archive_s:.2f} against_archive_audit={archive_audit} "
        f"against_archive_outside_attacker_findings={outside} "
        f"page_first_s={first_page_s:.2f} page_cached_ms={cached_page_ms:.0f} "
        f"national_cube_page_rules_s={national_s:.2f} national_cube_audit={national_audit} "
        f"national_cube_floor_s={floor_s:.2f} national_cube_one_lp_s={floor_lp_s:.2f} "
        f"cube_budget_s={budget:.0f} "
        + " ".join(
            f"engine_10k_cells_{n}_per_year_s={seconds:.2f} engine_10k_{n}_audit={audit}"
            for n, (seconds, audit) in engine.items()
        )
    )


if __name__ == "__main__":
    main()
