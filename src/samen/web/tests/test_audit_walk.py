"""The audit walker over every URL with parameters (issue #12, What to build 5): every detail
page, API detail endpoint and download that shows personal data writes an audit entry for every
demo user whose role may open it - when it opens, and when it is refused (a probe is a use too).

Parameters are filled from the canary world (test_canary.py): its four target cases, their
signals, receipts, shares and referrals, so every role meets a case it has a relation to and
cases it has none to. A parameterised URL that is neither classified here nor a form action
(answering 405 to GET) fails the walk, so a new page cannot skip its audit entry unnoticed.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import transaction
from django.test import Client

from samen.core import audit, policy
from samen.core.access import AUTHENTICATED, PUBLIC
from samen.web.tests.canary.attacker import sign_in
from samen.web.tests.canary.world import CanaryWorld, build_canary_world
from samen.web.tests.test_url_rules import APP_URLS, PERSONAL_PAGES, concrete, rule_of

pytestmark = [pytest.mark.django_db, pytest.mark.untraced]

# Every demo user, one or more per role (the canary's second hotel included).
USERS = (
    "demo-coordinator", "demo-coordinator-noord", "demo-hotel", "canary-hotel-noord",
    "demo-professional", "demo-investigator", "demo-registrar", "demo-shelter", "demo-programme",
    "demo-privacy", "demo-ind", "demo-nidos", "demo-admin", "demo-review", "demo-om",
)  # fmt: skip


def _numbers(world: CanaryWorld) -> list[str]:
    return [t.number for t in world.targets.values()]


def _signals(world: CanaryWorld) -> list[str]:
    return [str(pk) for pk in world.signal_ids]


def _receipts(world: CanaryWorld) -> list[str]:
    from samen.signalling.models import Signal

    return list(
        Signal.objects.filter(pk__in=world.signal_ids, receipt__isnull=False)
        .order_by("pk")
        .values_list("receipt", flat=True)
    )


def _referrals(world: CanaryWorld) -> list[str]:
    return [str(pk) for pk in world.referral_ids]


# Route (as the resolver spells it) -> the values of its one parameter, and the query strings
# it is opened with ("" is the page itself; the others are its downloads).
Filler = Callable[[CanaryWorld], list[str]]
SHOWS_PERSONAL_DATA: dict[str, tuple[Filler, tuple[str, ...]]] = {
    "zaken/<str:number>/": (_numbers, ("",)),
    "zaken/<str:number>/samenvoegen/": (_numbers, ("",)),
    "signalen/<int:pk>/": (_signals, ("",)),
    "signalen/ontvangstbewijs/<str:receipt>/": (_receipts, ("",)),
    "identificatie/zaken/<str:number>/": (_numbers, ("",)),
    "identificatie/zaken/<str:number>/commissie/": (_numbers, ("",)),
    "opvang/verwijzingen/<int:pk>/": (_referrals, ("",)),
    "privacy/inzage/<str:number>/": (_numbers, ("", "?format=pdf")),
    "api/v1/cases/<str:number>/": (_numbers, ("",)),
    "api/v1/signals/<int:pk>/": (_signals, ("",)),
    "api/v1/identification/cases/<str:number>/": (_numbers, ("",)),
    "api/v1/identification/cases/<str:number>/commission/": (_numbers, ("",)),
    "api/v1/identification/cases/<str:number>/commission/candidates/": (_numbers, ("",)),
    "api/v1/shelter/referrals/<int:pk>/matches/": (_referrals, ("",)),
}
# Parameterised pages that answer GET but show no personal data: reference data, the
# programme, aggregates, the register, and forms that show only what the caller typed in.
SHOWS_NONE = {
    "api/v1/organisations/<int:pk>/", "api/v1/signal-lists/<slug:code>/",
    "api/v1/programme/action-lines/<int:number>/", "api/v1/programme/actions/<slug:code>/",
    "api/v1/programme/motions/<str:key>/", "api/v1/programme/commitments/<slug:code>/",
    "api/v1/programme/recommendations/<slug:code>/", "api/v1/programme/indicators/<slug:code>/",
    "api/v1/programme/letters/<int:pk>/updates/", "api/v1/statistics/tables/<slug:slug>/",
    "signalen/nieuw/<slug:code>/", "register/<int:pk>/", "programma/brieven/<int:pk>/",
    "programma/acties/<slug:code>/", "programma/moties/<str:key>/",
    "programma/toezeggingen/<slug:key>/", "programma/aanbevelingen/<slug:key>/",
    # The referral form of a case shows its number only (which the caller typed); whether the
    # caller may reach the case is checked first and a refusal is audited like any other.
    "opvang/verwijzen/<str:number>/",
    # Barrier models, raised barriers, cards and review items hold no personal data (#24).
    "barrieres/opgeworpen/<int:pk>/", "barrieres/<slug:form>/",
    "barrieres/<slug:form>/opwerpen/", "barrieres/<slug:form>/regio/<str:region>/",
    "kennis/kaart/<slug:code>/", "kennis/kaart/<slug:code>/<slug:language>.pdf",
    "spiegelgroep/<int:pk>/",
    # Starts a sign-in at an organisation's identity provider: a redirect, no data (#17).
    "account/oidc/<slug:provider_key>/",
}  # fmt: skip
# Parameterised pages whose personal data belongs to no case, so the case index above does not
# apply: the anonymous chat (a conversation is read by its assigned counsellor only, refusals
# audited: chat/tests/test_outside_attacker.py) and outreach contacts (outreach/tests/).
NO_CASE = {
    "chat/dienst/<int:pk>/", "chat/dienst/<int:pk>/stroom/", "chat/dienst/<int:pk>/oppakken/",
    "chat/dienst/<int:pk>/bericht/", "chat/dienst/<int:pk>/overdragen/",
    "chat/dienst/<int:pk>/veiligheid/", "chat/dienst/<int:pk>/sluiten/",
    "chat/dienst/<int:pk>/doorverwijzen/", "chat/meldingen/<int:pk>/gezien/",
    "outreach/<int:pk>/stap/",
    # the online analyst's scans, leads and notices: ads about no known person, reached only by
    # the analyst's own organisation, refusals audited (online/tests/test_screen.py)
    "online/scan/<int:pk>/", "online/scan/<int:pk>/leads.csv", "online/scan/<int:pk>/leads.xlsx",
    "online/lead/<int:pk>/", "online/lead/<int:pk>/markeren/", "online/lead/<int:pk>/doorsturen/",
    "online/lead/<int:pk>/melden/", "online/meldingen/<int:pk>/",
    "online/meldingen/<int:pk>/tekst/<slug:language>/",
}  # fmt: skip
# A role's work queues, one page each (#16): lists of cases, walked from the links each user's
# home offers by the queue test below.
QUEUE_ROUTES = {"werk/<slug:key>/"}


def _case_numbers(route: str, values: list[str]) -> dict[str, str]:
    """The case each filled value is about, for the subject index."""
    from samen.shelter.models import Referral
    from samen.signalling.models import Signal

    if "<str:number>" in route:
        return {v: v for v in values}
    if "ontvangstbewijs" in route:
        rows = Signal.objects.filter(receipt__in=values).values_list("receipt", "case__number")
    elif "signals" in route or "signalen" in route:
        rows = Signal.objects.filter(pk__in=values).values_list("pk", "case__number")
    else:
        rows = Referral.objects.filter(pk__in=values).values_list("pk", "case__number")
    return {str(k): n for k, n in rows}


PARAM_URLS = [(route, p) for route, p in APP_URLS if "<" in route]


@pytest.fixture(scope="module")
def canary_world(django_db_setup, django_db_blocker):
    """The canary world, once per module (and xdist worker), rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_canary_world()
        transaction.set_rollback(True)


_clients: dict[str, Client] = {}


def _client(username: str) -> Client:
    # One sign-in per user and test: the second factor refuses a code used twice, and each
    # test's sessions roll back with it.
    if username not in _clients:
        _clients[username] = sign_in(username)
    return _clients[username]


@pytest.fixture(autouse=True)
def _forget_clients():
    yield
    _clients.clear()


def _role(username: str) -> str:
    from samen.organisations.models import Membership

    m = Membership.objects.filter(user__username=username, is_active=True).order_by("id").first()
    return m.role if m else ""


def _may(username: str, rule: str) -> bool:
    return rule == AUTHENTICATED or _role(username) in policy.PERMISSIONS.get(rule, ())


def _last_seq() -> int:
    from samen.core.models import AuditEntry

    return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def test_every_parameterised_url_says_whether_it_shows_personal_data(canary_world):
    """Classified here, or a form action that answers 405 to GET (its POST is a service call,
    audited there)."""
    unclassified = []
    for route, pattern in PARAM_URLS:
        if route in SHOWS_PERSONAL_DATA or route in SHOWS_NONE or route in QUEUE_ROUTES:
            continue
        if route in NO_CASE:
            continue
        rule = rule_of(pattern.callback)
        user = next(u for u in USERS if _may(u, rule)) if rule != PUBLIC else USERS[0]
        status = _client(user).get(concrete(route)).status_code
        if status != 405:
            unclassified.append(f"{route} ({user}: {status})")
    assert not unclassified, (
        "classify these URLs in SHOWS_PERSONAL_DATA or SHOWS_NONE of test_audit_walk.py: "
        + ", ".join(unclassified)
    )
    stale = (set(SHOWS_PERSONAL_DATA) | SHOWS_NONE | QUEUE_ROUTES | NO_CASE) - {
        r for r, _ in PARAM_URLS
    }
    assert not stale, f"no longer URLs: {sorted(stale)}"


PERSONAL = [(route, p) for route, p in PARAM_URLS if route in SHOWS_PERSONAL_DATA]


@pytest.mark.parametrize("route,pattern", PERSONAL, ids=[r for r, _ in PERSONAL])
def test_every_detail_page_and_download_writes_an_audit_entry_for_every_role(
    canary_world, route, pattern
):
    from samen.core.models import AuditEntry

    rule = rule_of(pattern.callback)
    fill, variants = SHOWS_PERSONAL_DATA[route]
    values = fill(canary_world)
    assert values, f"the canary world has nothing to fill {route} with"
    users = [u for u in USERS if _may(u, rule)]
    assert users, route
    silent, opened = [], set()
    case_of = _case_numbers(route, values)
    for username in users:
        client = _client(username)
        for value in values:
            path = "/" + route.split("<")[0] + value + route.split(">", 1)[1]
            for query in variants:
                before = _last_seq()
                response = client.get(path + query)
                status = response.status_code
                assert status in (200, 403, 404), (path + query, username, status)
                if status == 200:
                    opened.add(query)
                written = AuditEntry.objects.filter(seq__gt=before, actor_username=username)
                ok = written.filter(result="ok")
                if status == 200 and not ok.exists():
                    silent.append(f"{username} opened {path}{query} unaudited")
                elif status == 200 and not audit.about_cases(ok, [case_of[value]]).exists():
                    # The subject-access report lists a person's uses by this index.
                    silent.append(f"{username} opened {path}{query}: entry not indexed to case")
                elif status != 200 and not written.exclude(result="ok").exists():
                    silent.append(f"{username} was refused {path}{query} unaudited")
    assert set(variants) <= opened, f"{route}: no demo user opened {set(variants) - opened}"
    assert not silent, "\n".join(silent)


LISTS = [(path, p) for path, p in PERSONAL_PAGES]


@pytest.mark.parametrize("path,pattern", LISTS, ids=[p for p, _ in LISTS])
def test_every_list_indexes_its_entry_to_every_case_it_shows(canary_world, path, pattern):
    """A list, queue or dashboard that shows a target case's number must index its entry to
    that case, or the person's subject-access report misses the use."""
    from samen.core.models import AuditEntry

    rule = rule_of(pattern.callback)
    numbers = _numbers(canary_world)
    unindexed, shown = [], 0
    for username in [u for u in USERS if _may(u, rule)]:
        before = _last_seq()
        response = _client(username).get(path)
        assert response.status_code == 200, (path, username, response.status_code)
        body = response.content.decode("utf-8", errors="replace")
        indexed = audit.cases_of(AuditEntry.objects.filter(seq__gt=before, actor_username=username))
        for number in numbers:
            if number in body:
                shown += 1
                if number not in indexed:
                    unindexed.append(f"{username} saw {number} on {path}, entry not indexed")
    assert not unindexed, "\n".join(unindexed)


def test_every_queue_page_indexes_its_entry_to_every_case_it_shows(canary_world):
    """Each queue page a user's home links to, opened as that user: a target case's number on
    it must be in the entries it wrote, like any list."""
    import re

    from samen.core.models import AuditEntry

    numbers = _numbers(canary_world)
    unindexed, opened = [], 0
    for username in USERS:
        client = _client(username)
        home = client.get("/").content.decode()
        for key in sorted(set(re.findall(r'href="/werk/([\w-]+)/"', home))):
            before = _last_seq()
            response = client.get(f"/werk/{key}/")
            assert response.status_code == 200, (username, key, response.status_code)
            opened += 1
            body = response.content.decode()
            indexed = audit.cases_of(
                AuditEntry.objects.filter(seq__gt=before, actor_username=username)
            )
            unindexed += [
                f"{username} saw {n} on /werk/{key}/, entry not indexed"
                for n in numbers
                if n in body and n not in indexed
            ]
    assert opened, "no home links to a queue page"
    assert not unindexed, "\n".join(unindexed)
