"""The canary over every download and PDF (issue #12, item 9: "every web page, API endpoint,
download and PDF"). Each demo user crawls what it can reach (the canary's users in
test_canary.py's crawl, walk.py, ADR 0054); every CSV, XLSX, ZIP and PDF it gets is unpacked
(attacker.body_text: openpyxl, pypdf, zipfile) and searched for the planted markers. Every
download is classified below by hand: one that is not classified fails, and so does a
classified one that nobody reaches any more (then the classification is stale, or the page
that offered it lost its link).

Only HTTP responses are read; the classification, like expected.py, is written from the issue and
DOMAIN.md, not from the code that builds the files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.db import transaction

from samen.web.tests.canary import attacker, expected, walk
from samen.web.tests.canary.attacker import Crawl, Page, squash
from samen.web.tests.canary.world import CanaryWorld, build_canary_world

# Once per CI run: the files are rendered from the same selectors test_canary.py crawls on both
# engines; what is checked here is the files' content, which the engine does not change.
pytestmark = [pytest.mark.django_db, pytest.mark.once]

DOWNLOAD_TYPES = ("text/csv", "application/pdf", "application/zip")
NONE = "none"  # no personal data: no marker of any case, not even a case number
SUBJECT = "subject"  # one person's data, for the privacy officer only (GDPR art. 15)
AUDIT = "audit"  # who did what to which case: case numbers, but no value of any person


@dataclass(frozen=True)
class Download:
    kind: str
    # A demo user that must reach it, so the classification cannot go stale ("" where the
    # demo world offers no link to it, like the progress since an earlier letter).
    reached_by: str
    why: str


# Download key (see `download_key`) -> what it may hold and who must reach it.
DOWNLOADS: dict[str, Download] = {
    "/register/?format=csv": Download(NONE, "demo-privacy", "the register of processing"),
    "/register/?format=pdf": Download(NONE, "demo-programme", "the register of processing"),
    "/programma/?format=pdf": Download(NONE, "demo-programme", "the programme's progress"),
    "/programma/?format=pdf&since": Download(NONE, "", "progress since a letter"),
    "/statistiek/?format=csv&period&table": Download(
        NONE, "demo-registrar", "aggregates under disclosure control, one table"
    ),
    "/statistiek/?format=xlsx&period": Download(NONE, "demo-registrar", "all tables"),
    "/statistiek/?format=zip&period": Download(NONE, "demo-registrar", "the publication bundle"),
    "/opvang/dashboard.csv": Download(NONE, "demo-shelter", "shelter capacity figures"),
    "/opvang/dashboard.csv?region": Download(NONE, "demo-shelter", "one region's capacity"),
    "/privacy/inzage/<number>/?format=pdf": Download(
        SUBJECT, "demo-privacy", "the subject-access report of one person"
    ),
    "/privacy/audit/?format=csv": Download(AUDIT, "demo-privacy", "the audit trail's entries"),
    # A signal list as a printable card, in Dutch and in English: no case, no person.
    "/kennis/kaart/<card>/nl.pdf": Download(NONE, "demo-professional", "a signal card"),
    "/kennis/kaart/<card>/en.pdf": Download(NONE, "demo-professional", "a signal card"),
}
# Query parameters whose value makes another kind of file; the others only choose rows.
FORMAT_KEYS = ("format",)
CASE_NUMBER = re.compile(r"MH-\d{4}-\d{6}")


def download_key(url: str) -> str:
    parts = urlsplit(url)
    path = CASE_NUMBER.sub("<number>", parts.path)
    path = re.sub(r"^/kennis/kaart/[^/]+/", "/kennis/kaart/<card>/", path)
    path = re.sub(r"/\d+(?=/|$)", "/<id>", path)
    query = sorted(
        f"{k}={v}" if k in FORMAT_KEYS else k for k, v in parse_qsl(parts.query, True) if k
    )
    return path + ("?" + "&".join(query) if query else "")


def is_download(page: Page) -> bool:
    return page.content_type in DOWNLOAD_TYPES or "spreadsheetml" in page.content_type


@pytest.fixture(scope="module")
def canary_world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_canary_world()
        transaction.set_rollback(True)


def _crawl(world: CanaryWorld, user: str, monkeypatch) -> Crawl:
    """The attacker's crawl without the API's detail operations (no file there), two pages per
    shape; the slow register and programme PDFs read only by the user that must reach them."""
    monkeypatch.setattr(attacker, "PER_PATTERN", 2)
    slow = {u for u in attacker.ONCE if DOWNLOADS[download_key(u)].reached_by != user}
    monkeypatch.setattr(attacker, "_read_once", slow)
    seeds = [f"/privacy/inzage/{t.number}/" for t in world.targets.values()]
    seeds += [f"/privacy/inzage/{t.number}/?format=pdf" for t in world.targets.values()]
    return attacker.crawl(user, seeds=seeds, api_fill={})


def _judge_download(world: CanaryWorld, user: str, page: Page, spec: Download) -> list[str]:
    problems = []
    subject = next(
        (c for c, t in world.targets.items() if t.number in page.url), None
    )  # the case a SUBJECT file is about
    for case in expected.CASES:
        for kind in expected.KINDS:
            needles = walk.needles(world, case, kind)
            if not needles or not any(n in page.text for n in needles):
                continue
            if spec.kind == NONE or case != subject or kind == "unclassified":
                problems.append(f"{page.url}: {case}/{kind} marker in a {spec.kind} download")
        number = squash(world.targets[case].number)
        if spec.kind == NONE and number in page.text:
            problems.append(f"{page.url}: case number of {case} in a download without persons")
    return problems


def download_problems(world: CanaryWorld, result: Crawl) -> list[str]:
    """Every download of a crawl classified, holding only its markers; and every download the
    user must reach, reached."""
    user = result.username
    problems = []
    reached = set()
    for page in (p for p in result.pages if is_download(p) and p.status == 200):
        key = download_key(page.url)
        spec = DOWNLOADS.get(key)
        if spec is None:
            problems.append(f"unclassified download {key} ({page.url}): add it to DOWNLOADS")
            continue
        reached.add(key)
        if spec.kind == SUBJECT and user != "demo-privacy":
            problems.append(f"{page.url}: a person's subject-access report opened by {user}")
        problems += _judge_download(world, user, page, spec)
    must = {k for k, spec in DOWNLOADS.items() if spec.reached_by == user}
    problems += [f"{user} no longer reaches {k}" for k in sorted(must - reached)]
    return problems


# The canary's users are judged on test_canary.py's crawl (one crawl per user, ADR 0054); the
# administrator, whom the canary does not judge, is walked here.
WALKED_HERE = ("demo-admin",)


@pytest.mark.parametrize("user", WALKED_HERE)
def test_every_download_a_user_reaches_is_classified_and_holds_only_its_markers(
    canary_world, user, monkeypatch
):
    result = _crawl(canary_world, user, monkeypatch)
    downloads = [p for p in result.pages if is_download(p) and p.status == 200]
    problems = list(result.errors) + download_problems(canary_world, result)
    assert not problems, f"{user} ({len(downloads)} downloads read):\n  " + "\n  ".join(problems)


def test_the_readers_of_the_slow_documents_are_the_users_that_must_reach_them():
    """walk.py reads the slow PDFs only in one user's crawl: the one DOWNLOADS says must reach
    them, or the 'no longer reaches' check above would fail for the wrong reason."""
    for url, reader in walk.SLOW_READER.items():
        assert DOWNLOADS[download_key(url)].reached_by == reader, url
    assert set(walk.SLOW_READER) == set(attacker.ONCE)


def test_the_publication_bundle_posted_holds_no_personal_data(canary_world):
    """The one download answered to a POST (publishing a release), which a GET crawl misses."""
    client = attacker.sign_in("demo-registrar")
    page = client.get("/statistiek/").content.decode()
    period = re.search(r"period=([\w-]+)", page)
    assert period, "the statistics page links its downloads with a period"
    response = client.post("/statistiek/publiceren/", {"period": period.group(1)})
    content_type, text = attacker.response_text(response)
    assert (response.status_code, content_type) == (200, "application/zip")
    bundle = Page("/statistiek/publiceren/", 200, content_type, squash(text))
    spec = Download(NONE, "demo-registrar", "the publication bundle")
    assert not _judge_download(canary_world, "demo-registrar", bundle, spec)


def test_the_subject_access_pdf_holds_the_subjects_data(canary_world, monkeypatch):
    """The control for the SUBJECT kind: the report of U1 is read as a PDF and does hold U1's
    identity, so a green run of the test above means the PDFs were really searched."""
    number = canary_world.targets["U1"].number
    response = attacker.sign_in("demo-privacy").get(f"/privacy/inzage/{number}/?format=pdf")
    content_type, text = attacker.response_text(response)
    assert (response.status_code, content_type) == (200, "application/pdf")
    assert any(n in squash(text) for n in walk.needles(canary_world, "U1", "identity"))
