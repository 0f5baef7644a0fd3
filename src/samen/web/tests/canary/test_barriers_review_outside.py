"""The barrier attacker (issue #24, "partners see and update only their own barriers"), written
from outside the barriers app: its expectations come from the issue and ADR 0024, not from the
app's selectors.

Every URL of the barriers, knowledge and review apps is taken from the URLconf and filled with
real ids (the planted barriers, every other raised barrier, and ids that do not exist), then
fetched by each role; every response (body and headers, PDFs unpacked) is searched for the
markers planted in barrier A (Utrecht) and barrier B (Groningen). A role outside a barrier must
see none of its markers, must get for it exactly what it gets for an id that does not exist,
and must change nothing by posting to it; each refusal is audited.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from samen.barriers.models import BarrierModel, ProgressNote, RaisedBarrier
from samen.core.actor import actor_for_membership
from samen.core.models import AuditEntry
from samen.organisations.models import Membership
from samen.review.models import ReviewComment, ReviewItem
from samen.signalling.models import SignalList
from samen.signalling.services import PersonInput, SignalInput, signal_record
from samen.web.tests.canary.attacker import response_text, sign_in, squash
from samen.web.tests.canary.barrier_world import (
    COORD_A2,
    REGION_A,
    REGION_B,
    THIRD_MEMBER,
    BarrierWorld,
    build_barrier_world,
)

# Once (ADR 0029): an HTTP crawl whose queries the other suites already run on both engines.
pytestmark = [pytest.mark.django_db, pytest.mark.once]

APPS = ("barriers", "knowledge", "review")
ANONYMOUS = "(anonymous)"
# Who must read which planted barrier, from the issue and ADR 0024: the owner and the partners
# named on it; the programme team reads every barrier (programme monitoring, ADR 0024).
INSIDERS = {
    "demo-coordinator": {"A"},  # owner of A
    "demo-investigator": {"A"},  # the Utrecht police, named on A
    "demo-coordinator-noord": {"B"},  # owner of B
    "demo-programme": {"A", "B"},  # reads every barrier, owns none
}
# Everyone else, one of each relation: an organisation of region A not named on A (shelter,
# social team) or named on another barrier of A (hotel), a second care coordinator of region A
# at another organisation, national services (the registrar, with the statistics grant; the
# IND), the review group, the privacy officer, the functional admin, and nobody signed in.
OUTSIDERS = (
    "demo-shelter",
    "demo-professional",
    "demo-hotel",
    COORD_A2,
    "demo-registrar",
    "demo-ind",
    "demo-review",
    "demo-privacy",
    "demo-admin",
    ANONYMOUS,
)
# Organisations the register grants exploitation data for statistics, acting through a role
# that may make statistics (ADR 0024): the signals column of the map is theirs only.
STATISTICS = {"demo-registrar", "demo-programme"}
CHOICE = re.compile(
    r"<(option|label)[^>]*>\s*CANARY-barrier-\w-(?:municipality|partner)\s*</(?:option|label)>"
)
CSRF = re.compile(r"""name=["']csrfmiddlewaretoken["'][^>]*>""")


@pytest.fixture(scope="module")
def bworld(django_db_setup, django_db_blocker):
    """The world, built once per module, in a transaction rolled back at the end; each test runs
    in a savepoint inside it, so the writes tried below are undone after each test."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_barrier_world()
        transaction.set_rollback(True)


def client_for(user: str) -> Client:
    return Client(raise_request_exception=False) if user == ANONYMOUS else sign_in(user)


def _values(world: BarrierWorld) -> dict[tuple[str, str, str], list[str]]:
    """Values for every (app, url name, parameter): real ids and their neighbours, and ids,
    codes and slugs that do not exist."""
    # The planted barriers, their neighbours (the demo's own barriers, or nothing), 0 and an id
    # far past the last.
    last = RaisedBarrier.objects.order_by("-pk").first().pk
    near = {n for pk in world.raised.values() for n in (pk - 1, pk, pk + 1)}
    raised_ids = sorted({*near, 0, last + 1, last + 1000})
    items = sorted(ReviewItem.objects.values_list("pk", flat=True))
    comments = sorted(ReviewComment.objects.values_list("pk", flat=True))
    forms = sorted(BarrierModel.objects.filter(is_current=True).values_list("form", flat=True))
    lists = sorted(SignalList.objects.filter(is_current=True).values_list("code", flat=True))
    return {
        ("barriers", "*", "pk"): [str(i) for i in raised_ids],
        ("barriers", "*", "form"): [*forms, "nothing-such"],
        ("barriers", "map", "region"): [REGION_A, REGION_B, "XX99"],
        ("review", "*", "pk"): [str(i) for i in sorted({*items, items[-1] + 1})],
        ("review", "answer", "pk"): [str(i) for i in sorted({*comments, comments[-1] + 1})],
        ("knowledge", "*", "code"): [*lists, "nothing-such"],
        ("knowledge", "card-pdf", "language"): ["nl", "en", "de"],
        # The card PDFs hold signal lists (reference data, no barrier and no review) and take
        # about a second each to render: one list, and one that does not exist. The download
        # canary (test_downloads.py) reads every card.
        ("knowledge", "card-pdf", "code"): [lists[0], "nothing-such"],
    }


def app_urls(world: BarrierWorld) -> list[str]:
    """Every URL pattern of the three apps, from the URLconf, with every value for each of its
    parameters. A pattern with a parameter the table above does not know fails the test: a new
    URL must be attacked too."""
    values = _values(world)
    urls: list[str] = []
    for namespace, pattern in _patterns(get_resolver()):
        names = list(pattern.pattern.converters)
        choices = []
        for name in names:
            found = values.get((namespace, pattern.name, name)) or values.get(
                (namespace, "*", name)
            )
            assert found, f"no attack values for {namespace}:{pattern.name} {name}"
            choices.append(found)
        for combo in itertools.product(*choices):
            kwargs = dict(zip(names, combo, strict=True))
            urls.append(reverse(f"{namespace}:{pattern.name}", kwargs=kwargs))
    assert {u.split("/")[1] for u in urls} == {"barrieres", "kennis", "spiegelgroep"}, urls[:3]
    return [*urls, "/kennis/?q=CANARY", "/kennis/?q=training", "/programma/", "/"]


def _patterns(resolver: URLResolver, namespace: str = ""):
    """(namespace, pattern) of every URL pattern under the three apps' namespaces."""
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p, p.namespace if p.namespace in APPS else namespace)
        elif namespace:
            yield namespace, p


@dataclass
class Response:
    url: str
    status: int
    text: str  # squashed body and headers
    body: str  # raw body


def fetch(client: Client, url: str, data: dict | None = None) -> Response:
    response = client.post(url, data or {}) if data is not None else client.get(url)
    _, text = response_text(response)
    # A raise form lists the region's municipalities and organisations to choose from: reference
    # data, not a barrier. A choice whose whole text is a planted name is taken out.
    text = CHOICE.sub("<choice>", text)
    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    return Response(url, response.status_code, squash(text + "\n" + headers), text)


# The card PDFs are the same for every signed-in role and take a while to render: the first role
# of a run reads them (the first insider, demo-coordinator).
_pdfs_read: set[str] = set()


def read_all(user: str, world: BarrierWorld) -> list[Response]:
    client = client_for(user)
    out = []
    for url in app_urls(world):
        if url.endswith(".pdf"):
            if url in _pdfs_read:
                continue
            _pdfs_read.add(url)
        out.append(fetch(client, url))
    return out


def _found(responses: list[Response], markers: list[str]) -> list[str]:
    needles = [squash(m) for m in markers]
    return sorted({r.url for r in responses if any(n in r.text for n in needles)})


@pytest.mark.parametrize("user", [*sorted(INSIDERS), *OUTSIDERS])
def test_a_role_reads_exactly_the_barriers_it_owns_or_partners(bworld, user):
    responses = read_all(user, bworld)
    errors = [f"{r.url}: {r.status}" for r in responses if r.status >= 500]
    assert not errors, errors
    problems = []
    for tag, markers in bworld.markers.items():
        hits = _found(responses, markers)
        if tag in INSIDERS.get(user, set()):
            # The control: an insider finds every marker, so a clean outsider means something.
            missing = [m for m in markers if not _found(responses, [m])]
            if missing:
                problems.append(f"{tag}: {missing} shown nowhere to an insider")
        elif hits:
            problems.append(f"{tag} leaks on {hits[:6]}")
    assert not problems, f"{user} ({len(responses)} responses):\n  " + "\n  ".join(problems)


def _shape(response: Response, pk: int) -> tuple[int, str]:
    """A response with the id asked for taken out: what a refusal must share with absence."""
    body = CSRF.sub("", response.body).replace(f"/{pk}/", "/N/")
    return response.status, body


def _refusals(user: str) -> int:
    return AuditEntry.objects.filter(actor_username=user).exclude(result="ok").count()


@pytest.mark.parametrize("user", [u for u in OUTSIDERS if u != ANONYMOUS] + ["demo-coordinator"])
def test_a_refusal_looks_like_absence_changes_nothing_and_is_audited(bworld, user):
    """Reading and writing a barrier the role is outside of answers exactly as an id that does
    not exist; the barrier's state and notes stay as they were; each refusal leaves an entry."""
    tag = "B" if user == "demo-coordinator" else "A"
    pk = bworld.raised[tag]
    missing = RaisedBarrier.objects.order_by("-pk").first().pk + 1000
    client = client_for(user)
    before = RaisedBarrier.objects.get(pk=pk)
    notes = ProgressNote.objects.filter(raised_id=pk).count()
    write = {
        "on": timezone.localdate().isoformat(),
        "state": "evaluated",
        "text": f"CANARY-attack-{user}",
    }
    for path, data in (
        ("/barrieres/opgeworpen/{}/", None),
        ("/barrieres/opgeworpen/{}/voortgang/", None),
        ("/barrieres/opgeworpen/{}/voortgang/", write),
    ):
        audited = _refusals(user)
        refused = fetch(client, path.format(pk), data)
        # A GET of the write URL is refused for its method (405), not for the barrier.
        if refused.status != 405:
            assert _refusals(user) > audited, f"refusal of {path} by {user} not audited"
        absent = fetch(client, path.format(missing), data)
        assert _shape(refused, pk) == _shape(absent, missing), (
            f"{user}: {path} for barrier {tag} differs from a missing id "
            f"({refused.status} against {absent.status})"
        )
    after = RaisedBarrier.objects.get(pk=pk)
    assert (after.state, after.updated_at) == (before.state, before.updated_at)
    assert ProgressNote.objects.filter(raised_id=pk).count() == notes
    assert not ProgressNote.objects.filter(text__startswith="CANARY-attack").exists()


def test_the_named_partner_updates_the_barrier_the_control(bworld):
    """The control of the test above: the same write by the partner named on A does land."""
    pk = bworld.raised["A"]
    client = client_for("demo-investigator")
    response = client.post(
        f"/barrieres/opgeworpen/{pk}/voortgang/",
        {"on": timezone.localdate().isoformat(), "state": "evaluated", "text": "Geëvalueerd."},
    )
    assert response.status_code == 302
    assert RaisedBarrier.objects.get(pk=pk).state == "evaluated"


def _raise_data(world: BarrierWorld, municipality: int | str, partners: list[int]) -> dict:
    barrier = RaisedBarrier.objects.get(pk=world.raised["A"]).barrier_id
    return {
        "barrier": barrier,
        "municipality": municipality,
        "partners": partners,
        "state": "active",
        "note": "CANARY-attack-raise",
    }


def test_another_region_cannot_raise_a_barrier_in_region_a(bworld):
    """The coordinator of region B posts region A's municipality and partners: refused as a
    field error, nothing raised in A, and the page names none of A's markers."""
    a = RaisedBarrier.objects.get(pk=bworld.raised["A"])
    count = RaisedBarrier.objects.filter(region__code=REGION_A).count()
    response = fetch(
        client_for("demo-coordinator-noord"),
        "/barrieres/criminal/opwerpen/",
        _raise_data(bworld, a.municipality_id, list(a.partners.values_list("pk", flat=True))),
    )
    assert response.status == 400
    assert RaisedBarrier.objects.filter(region__code=REGION_A).count() == count
    assert not _found([response], bworld.markers["A"])


def test_raising_a_barrier_another_organisation_raised_does_not_reveal_it(bworld):
    """A second care coordinator of region A, at another organisation, raises the barrier that
    A's owner raised for the same municipality. It cannot see A, so the answer must be the one
    it gets for a barrier nobody raised: its own barrier is raised, and A stays A."""
    a = RaisedBarrier.objects.get(pk=bworld.raised["A"])
    client = client_for(COORD_A2)
    police = a.partners.filter(memberships__user__username="demo-investigator").get()
    response = fetch(
        client, "/barrieres/criminal/opwerpen/", _raise_data(bworld, a.municipality_id, [police.pk])
    )
    assert not _found([response], bworld.markers["A"])
    assert "alopgeworpen" not in response.text and "alreadybeenraised" not in response.text, (
        "the refusal tells a coordinator that someone else raised this barrier here"
    )
    assert response.status == 302, response.status
    own = RaisedBarrier.objects.filter(owner__memberships__user__username=COORD_A2)
    assert own.count() == 1
    assert RaisedBarrier.objects.get(pk=a.pk).owner_id == a.owner_id
    # Its own barrier, and not A, is what it reads now.
    page = fetch(client, f"/barrieres/opgeworpen/{own.get().pk}/")
    assert page.status == 200 and not _found([page], ["CANARY-barrier-A-progress"])


# --- the map's counts -------------------------------------------------------------------------

SIGNALS_CELL = re.compile(r'data-testid="signals">(.*?)</td>', re.S)


def _counts(body: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip() for c in SIGNALS_CELL.findall(body)]


@pytest.mark.parametrize(
    "user", [*sorted(STATISTICS), "demo-coordinator", "demo-review", "demo-privacy"]
)
def test_map_counts_pass_disclosure_control_and_only_reach_statistics_roles(bworld, user):
    client = client_for(user)
    published: dict[tuple[str, str], int] = {}
    for model in BarrierModel.objects.filter(is_current=True):
        page = fetch(client, f"/barrieres/{model.form}/regio/{REGION_A}/")
        assert page.status == 200
        counts = _counts(page.body)
        if user not in STATISTICS:
            assert not counts, f"{user} reads signal counts on the {model.form} map"
            continue
        steps = list(model.steps.order_by("order"))
        assert len(counts) == len(steps), counts
        for step, shown in zip(steps, counts, strict=True):
            assert shown == "x" or shown.isdigit(), shown
            if shown.isdigit():
                assert int(shown) == 0 or int(shown) >= 10, f"{model.form}/{step.code}: {shown}"
                published[(model.form, step.code)] = int(shown)
    if user not in STATISTICS:
        return
    assert published, "the planted signals give the map counts to publish"
    # Linked tables: a step whose indicators are a subset of another step's counts a subset of
    # its signals, so the difference of the two published counts is a group of its own.
    indicators = {
        (m.form, s.code): set(s.indicator_codes)
        for m in BarrierModel.objects.filter(is_current=True)
        for s in m.steps.all()
    }
    small = [
        f"{a} {published[a]} within {b} {published[b]}"
        for a, b in itertools.permutations(published, 2)
        if indicators[a] and indicators[a] < indicators[b] and 0 < published[b] - published[a] < 10
    ]
    assert not small, f"differences of published counts single out fewer than 10: {small}"


def test_the_map_counts_do_not_move_when_a_signal_is_recorded_today(bworld):
    """Two reads a day apart must not single out the signals of that day: the counts rest on a
    fixed period (whole calendar years), as the statistics module's releases do."""
    client = client_for("demo-registrar")
    forms = sorted(BarrierModel.objects.filter(is_current=True).values_list("form", flat=True))

    def read() -> list[list[str]]:
        return [_counts(fetch(client, f"/barrieres/{f}/regio/{REGION_A}/").body) for f in forms]

    before = read()
    assert any(c.isdigit() and int(c) >= 10 for row in before for c in row), before
    signal_record(
        actor=actor_for_membership(
            Membership.objects.get(user__username="demo-professional"), origin="test:canary"
        ),
        data=SignalInput(
            signal_list="general",
            indicators=["general.documents_money.no_documents"],
            observed_on=timezone.localdate(),
            municipality="GM0344",
            forms=["criminal"],
            person=PersonInput(),
        ),
        synthetic=True,
    )
    assert read() == before


# --- the review group's anonymity -------------------------------------------------------------
#
# What is protected (ADR 0024, the form's label "Hide my name from the other members"): beside a
# comment whose author hid the name, no other member, no other role and no download shows the
# author's name, username, e-mail or organisation, in text or attributes. What is not: the
# programme team sees the author (it answers the group, by design); the privacy officer's audit
# trail names who wrote comment n (accountability); the functional admin sees who is in the
# group (it manages accounts) but no comment. With one or two members the group itself singles
# the author out; the world below has three.

REVIEW_READERS = (
    "demo-review",
    THIRD_MEMBER,
    "demo-admin",
    "demo-privacy",
    "demo-registrar",
    "demo-coordinator",
    ANONYMOUS,
)
ADMIN_SKIP = ("logout", "delete", "password", "/add/")


def _admin_pages(client: Client, limit: int = 40) -> list[Response]:
    """The functional admin's site, every changelist and change page it links to (bounded)."""
    queue, seen, out = ["/admin/"], set(), []
    while queue and len(out) < limit:
        url = queue.pop(0)
        if url in seen or any(s in url for s in ADMIN_SKIP):
            continue
        seen.add(url)
        page = fetch(client, url)
        out.append(page)
        if page.status == 200:
            queue += [u for u in re.findall(r'href="(/admin/[^"#?]*)"', page.body) if u not in seen]
    return out


def review_reads(user: str, world: BarrierWorld) -> list[Response]:
    client = client_for(user)
    urls = [u for u in app_urls(world) if u.startswith("/spiegelgroep/")]
    urls += ["/programma/", "/privacy/audit/", "/privacy/audit/?format=csv"]
    out = [fetch(client, u) for u in urls]
    if user == "demo-review":
        out.append(fetch(client, "/programma/?format=pdf"))  # the overview as a download, once
    return out + (_admin_pages(client) if user == "demo-admin" else [fetch(client, "/admin/")])


@pytest.mark.parametrize("user", REVIEW_READERS)
def test_no_one_reads_the_hidden_author_beside_the_hidden_comment(bworld, user):
    responses = review_reads(user, bworld)
    errors = [f"{r.url}: {r.status}" for r in responses if r.status >= 500]
    assert not errors, errors
    hidden = squash(bworld.hidden_text)
    identity = [squash(i) for i in bworld.author_identity]
    beside = [r.url for r in responses if hidden in r.text and any(i in r.text for i in identity)]
    assert not beside, f"{user} reads the hidden author beside the comment on {beside}"
    if user == "demo-admin":
        # The control: the admin's crawl reached the accounts, where the author is listed.
        assert any(any(i in r.text for i in identity) for r in responses), "admin crawl too short"
    if user != "demo-privacy":
        trail = [r for r in responses if r.url.startswith("/privacy/audit/")]
        assert all(r.status != 200 for r in trail), "the audit trail is the privacy officer's"
    if user in ("demo-review", THIRD_MEMBER):
        # The control: a member reads the comments, and the name where the author showed it.
        assert any(hidden in r.text for r in responses)
        named = fetch(client_for(user), f"/spiegelgroep/{bworld.items['named']}/")
        assert squash("CANARY-anon-first") in named.text
    else:
        assert not any(hidden in r.text for r in responses), f"{user} reads the review"
        # Closed alike for an item that exists and one that does not.
        by_url = {r.url: r.status for r in responses}
        missing = ReviewItem.objects.order_by("-pk").first().pk + 1
        statuses = {by_url[f"/spiegelgroep/{pk}/"] for pk in [*bworld.items.values(), missing]}
        assert len(statuses) == 1, statuses


def test_the_programme_team_reads_the_author_by_design(bworld):
    """ADR 0024: the programme team answers the group and sees who wrote a comment. Recorded
    here so that a change of that rule is a decision, not an accident."""
    page = fetch(client_for("demo-programme"), f"/spiegelgroep/{bworld.items['hidden']}/")
    assert squash("CANARY-anon-first") in page.text


def _without_ids(body: str, world: BarrierWorld, tag: str) -> str:
    body = CSRF.sub("", body)
    body = body.replace(f"/{world.items[tag]}/", "/ITEM/").replace(f"Canary review {tag}", "T")
    return body.replace(f"/{world.comments[tag]}/", "/COMMENT/")


@pytest.mark.parametrize("user", ["demo-review", "demo-programme"])
def test_a_member_cannot_tell_two_hidden_authors_apart(bworld, user):
    """Two items alike, each with the same comment, one by the hidden author and one by the
    third member, both hiding the name: to the other member the pages are the same, byte for
    byte once the items' own ids are taken out (no user id, attribute or order tells them
    apart). The programme team is the control: to it they differ."""
    client = client_for(user)
    hidden = fetch(client, f"/spiegelgroep/{bworld.items['hidden']}/")
    twin = fetch(client, f"/spiegelgroep/{bworld.items['twin']}/")
    same = _without_ids(hidden.body, bworld, "hidden") == _without_ids(twin.body, bworld, "twin")
    assert same is (user == "demo-review")
