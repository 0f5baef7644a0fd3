"""The canary test (issue #12, item 9): the demo world with a unique marker in every personal
field of a few target cases; each demo user fetches everything reachable by GET (pages, API,
downloads) and what comes back must hold exactly the markers its relation to each case grants.

The world is built once per module (per xdist worker) inside one transaction that is rolled
back at the end; each user's crawl is a test of its own, in a savepoint.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import transaction

from samen.web.tests.canary import expected, walk
from samen.web.tests.canary.attacker import MAX_PAGES, Crawl, Page, sign_in, squash
from samen.web.tests.canary.test_downloads import download_problems
from samen.web.tests.canary.test_plain_dutch import plain_dutch_problems
from samen.web.tests.canary.world import CanaryWorld, build_canary_world

# The mark makes pytest-django create the test database; the world itself lives in the module
# fixture's own transaction.
pytestmark = pytest.mark.django_db


@dataclass
class Finding:
    leaks: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


# The subject-access report is the subject's own data by design (issue item 7): the canary
# judges it for everyone but the privacy officer (test_downloads.py judges its PDF for all).
OWN_DATA_BY_DESIGN = {"demo-privacy": walk.subject_access}


def _judged_pages(world: CanaryWorld, result: Crawl) -> list[Page]:
    mine = OWN_DATA_BY_DESIGN.get(result.username)
    if mine is None:
        return result.pages
    left_out = set(mine(world))
    return [p for p in result.pages if p.url not in left_out]


def _judge(world: CanaryWorld, result: Crawl) -> Finding:
    user = result.username
    finding = Finding(errors=list(result.errors))
    pages = _judged_pages(world, result)
    for case in expected.CASES:
        grant, may = expected.expectation(user, case)
        for kind in expected.KINDS:
            needles = walk.needles(world, case, kind)
            if not needles or kind in may:
                continue
            hits = [p.url for p in pages if any(n in p.text for n in needles)]
            if kind in grant and not hits:
                finding.missing.append(f"{case}/{kind}: granted but shown nowhere")
            elif kind not in grant and hits:
                finding.leaks.append(f"{case}/{kind} leaks on {sorted(set(hits))[:5]}")
        if expected.no_relation(user, case) and user not in expected.SEES_CASE_NUMBERS:
            number = squash(world.targets[case].number)
            # A 404 page may echo the path it was asked for; that tells nothing.
            hits = [
                p.url
                for p in pages
                if number in p.text and not (p.status >= 400 and number in squash(p.url))
            ]
            if hits:
                finding.leaks.append(f"{case}/case number shown on {sorted(set(hits))[:5]}")
    return finding


def _exploitation_in_api(world: CanaryWorld, result: Crawl) -> list[str]:
    """Forms of exploitation are codes: on the API, a case read by someone whose relation does
    not cover exploitation must not carry them anywhere (case fields or timeline data)."""
    withheld = {
        ("demo-shelter", "U1"),  # demographics + location only (issue #4)
        ("demo-hotel", "U1"),
        ("demo-professional", "U2"),
        ("demo-ind", "U1"),  # it decides on residence, not on exploitation (expected.py)
        ("demo-privacy", "U1"),
    }
    leaks = []
    for case in expected.CASES:
        if (result.username, case) not in withheld and not expected.no_relation(
            result.username, case
        ):
            continue
        number = world.targets[case].number
        for page in result.pages:
            if page.content_type != "application/json" or number not in page.url:
                continue
            if _has_key(json.loads(page.raw or "null"), "forms"):
                leaks.append(f"{case}/exploitation forms in {page.url}")
            # That the police wrote an investigation note is criminal data too (issue #4).
            if "investigation" in page.text and (result.username, case) in NO_POLICE_WORK:
                leaks.append(f"{case}/an investigation (note) is named in {page.url}")
    return leaks


# Where an identification path stands tells what happened (issue #12: path steps and their
# values go through the field policy): the codes (API) and Dutch titles (pages) of the states and
# steps that say a report was made, or that the slightest indication was assessed.
REPORT_NAMES = ("report_made", "report_record", "aangifte of medewerking", "aangifte gedaan")
ASSESSMENT_NAMES = (
    "under_assessment", "assessment_start", "indication_established", "indication_establish",
    "assessment_decision", "geringste aanwijzing",
)  # fmt: skip
# (user, case) -> the names its pages of that case must not carry. The IND decides on residence:
# the reflection period and B8/3, not the assessment or the criminal case (expected.py).
WITHHELD_PATH_NAMES = {("demo-ind", "U1"): REPORT_NAMES + ASSESSMENT_NAMES}


def _path_states_named(world: CanaryWorld, result: Crawl) -> list[str]:
    leaks = []
    for (user, case), names in WITHHELD_PATH_NAMES.items():
        if user != result.username:
            continue
        number = squash(world.targets[case].number)
        for page in result.pages:
            if number not in squash(page.url):
                continue
            named = [n for n in names if squash(n) in page.text]
            if named:
                leaks.append(f"{case}/path states or steps {named} named on {page.url}")
    return leaks


# Relations that must not learn the police works the case (issue #4: the shelter "reads ...
# that the police added an investigation note").
NO_POLICE_WORK = frozenset({("demo-shelter", "U1"), ("demo-hotel", "U1")})


def _has_key(value: object, key: str) -> bool:
    if isinstance(value, dict):
        return key in value or any(_has_key(v, key) for v in value.values())
    if isinstance(value, list):
        return any(_has_key(v, key) for v in value)
    return False


@pytest.fixture(scope="module")
def canary_world(django_db_setup, django_db_blocker):
    """The world, built once per module (and per xdist worker), in a transaction rolled back
    at the end; each test runs in a savepoint inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_canary_world()
        transaction.set_rollback(True)


def _crawl_and_judge(world: CanaryWorld, user: str) -> tuple[Crawl, Finding]:
    result = walk.walk(world, user)
    if user == ATTACKER_CHECKED_ON:
        _WALKS[user] = result  # only this one: a crawl holds every page's text twice
    finding = _judge(world, result)
    finding.leaks += _exploitation_in_api(world, result)
    finding.leaks += _path_states_named(world, result)
    _dump(user, finding, result)
    return result, finding


def _dump(user: str, finding: Finding, result: Crawl) -> None:
    """CANARY_DUMP=dir writes every response's URL and every finding per user, for reading a
    failure."""
    path = os.environ.get("CANARY_DUMP")
    if not path:
        return
    out = {
        "findings": finding.__dict__,
        "pages": [f"{p.status} {p.seconds:.2f} {p.content_type} {p.url}" for p in result.pages],
    }
    Path(path).mkdir(parents=True, exist_ok=True)
    (Path(path) / f"{user}.json").write_text(json.dumps(out, indent=1), encoding="utf-8")


# The registrar's crawl, when this process made it: the attacker's own test reads it.
ATTACKER_CHECKED_ON = "demo-registrar"
_WALKS: dict[str, Crawl] = {}


@pytest.mark.untraced
@pytest.mark.parametrize("user", expected.USERS)
def test_user_sees_exactly_what_its_relation_grants(canary_world, user):
    """The canary's judgement, and on the same responses (one crawl per user, ADR 0054) plain
    Dutch (test_plain_dutch.py) and the downloads' classification (test_downloads.py): each
    crawled every page as every user on its own before."""
    result, finding = _crawl_and_judge(canary_world, user)
    problems = finding.errors + finding.leaks + finding.missing
    problems += [f"plain Dutch: {p}" for p in plain_dutch_problems(result)]
    problems += [f"downloads: {p}" for p in download_problems(canary_world, result)]
    assert not problems, f"{user} ({len(result.pages)} responses read):\n  " + "\n  ".join(problems)


def test_crawl_reads_pages_api_and_downloads(canary_world):
    """The attacker itself: it must have read HTML, JSON and at least one download, or a green
    run proves nothing (the registrar reaches the statistics downloads)."""
    result = _WALKS.get(ATTACKER_CHECKED_ON) or walk.walk(canary_world, ATTACKER_CHECKED_ON)
    assert len(result.pages) < MAX_PAGES, "the crawl hit its bound: pages were left unread"
    kinds = {p.content_type for p in result.pages}
    assert "text/html" in kinds
    assert "application/json" in kinds
    assert kinds & {"text/csv", "application/pdf", "application/zip"} or any(
        "spreadsheetml" in k for k in kinds
    ), kinds


def test_emergency_access_is_flagged_on_the_case(canary_world):
    number = canary_world.targets["G1"].number
    page = sign_in("demo-coordinator").get(f"/zaken/{number}/")
    assert page.status_code == 200, "the emergency access opens the case"
    assert "nood" in page.text.lower(), "the case page flags the emergency access (noodtoegang)"
