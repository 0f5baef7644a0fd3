"""Walks every URL: each must declare an access rule, and signed-out callers must be turned away
from everything that is not public. A new page or endpoint without a rule fails here."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from samen.core import policy
from samen.core.access import AUTHENTICATED, PUBLIC, valid_rule
from samen.organisations.models import Role

SAMPLE = {
    "int": "1",
    "str": "MH-2026-000001",
    "slug": "general",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000000",
}


def walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p, namespace


def concrete(route: str) -> str:
    route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE[m.group(1) or "str"], route)
    route = route.lstrip("^").rstrip("$").replace("\\Z", "")
    return "/" + route


def rule_of(callback) -> str | None:
    for candidate in (
        callback,
        getattr(callback, "view_class", None),
        getattr(callback, "cls", None),
    ):
        rule = getattr(candidate, "access_rule", None)
        if rule:
            return rule
    return None


ALL = list(walk(get_resolver().url_patterns))
APP_URLS = [(route, p) for route, p, ns in ALL if ns != "admin"]
ADMIN_URLS = [(route, p) for route, p, ns in ALL if ns == "admin"]


def test_the_walk_finds_the_known_urls():
    routes = {concrete(r) for r, _ in APP_URLS}
    assert {"/healthz", "/api/v1/cases/", "/zaken/", "/signalen/nieuw/"} <= routes
    assert ADMIN_URLS


@pytest.mark.parametrize("route,pattern", APP_URLS, ids=[r for r, _ in APP_URLS])
def test_every_url_declares_a_known_access_rule(route, pattern):
    rule = rule_of(pattern.callback)
    assert rule is not None, (
        f"{route} has no access rule: decorate it with samen.core.access.access"
    )
    assert valid_rule(rule), f"{route}: unknown rule {rule!r}"


@pytest.mark.django_db
@pytest.mark.parametrize("route,pattern", APP_URLS, ids=[r for r, _ in APP_URLS])
def test_signed_out_callers_reach_only_public_urls(client, route, pattern):
    rule = rule_of(pattern.callback)
    if rule == PUBLIC:
        return
    response = client.get(concrete(route))
    if response.status_code == 405:
        response = client.post(concrete(route))
    assert response.status_code in (302, 401, 403), f"{route} answered {response.status_code}"
    if response.status_code == 302:
        assert response["Location"].startswith("/account/login/")


@pytest.mark.parametrize("route,pattern", APP_URLS, ids=[r for r, _ in APP_URLS])
def test_roles_without_the_permission_are_refused(route, pattern, web_for, api_for):
    rule = rule_of(pattern.callback)
    if rule in (PUBLIC, AUTHENTICATED):
        return
    lacking = [r for r in Role if r not in policy.PERMISSIONS[rule]]
    if not lacking:
        return
    username = {
        Role.SHELTER_STAFF: "demo-shelter",
        Role.PROGRAMME_STAFF: "demo-programme",
        Role.PRIVACY_OFFICER: "demo-privacy",
        Role.FUNCTIONAL_ADMIN: "demo-admin",
        Role.FIELD_PROFESSIONAL: "demo-professional",
        Role.CARE_COORDINATOR: "demo-coordinator",
        Role.INVESTIGATOR: "demo-investigator",
        Role.NATIONAL_REGISTRAR: "demo-registrar",
        Role.IND_OFFICER: "demo-ind",
        Role.GUARDIAN: "demo-nidos",
        Role.REVIEW_MEMBER: "demo-review",
        Role.PROSECUTOR: "demo-om",
        Role.COUNSELLOR: "demo-counsellor",
        Role.OUTREACH_WORKER: "demo-outreach",
        Role.CHAT_SUPERVISOR: "demo-supervisor",
        Role.ONLINE_ANALYST: "demo-analyst",
    }[lacking[0]]
    client = api_for(username) if route.startswith("api/") else web_for(username)
    assert client.get(concrete(route)).status_code == 403


@pytest.mark.django_db
def test_admin_urls_are_closed_to_signed_out_callers(client):
    for route, _ in ADMIN_URLS[:20]:
        path = concrete("admin/" + route) if not route.startswith("admin/") else concrete(route)
        assert client.get(path).status_code in (302, 404), path


# Every list, queue, dashboard and download (every page without a parameter in its path) is
# either one that shows personal data, and must then write an audit entry for every role that may
# open it, or one named here as showing none. A new page that is in neither set fails the walk.
SHOWS_PERSONAL_DATA = {
    # the home page: every role's own queues (issue #16)
    "/",
    "/signalen/", "/zaken/", "/delen/", "/privacy/audit/", "/privacy/delingen/",
    "/privacy/noodtoegang/", "/opvang/aanvragen/", "/opvang/toewijzing/", "/opvang/wachtlijst/",
    "/opvang/plaatsingen/", "/identificatie/termijnen/", "/identificatie/meldingen/",
    "/api/v1/signals/", "/api/v1/cases/", "/api/v1/shares/",
    "/api/v1/shelter/holds/", "/api/v1/shelter/waiting/",
    "/api/v1/shelter/allocation/", "/api/v1/identification/deadlines/",
    "/api/v1/identification/notifications/",
    # a shelter's standing refusals: why it declined a person's referral, indexed to the case
    "/opvang/afwijzingen/", "/api/v1/shelter/refusals/",
    # the chat's queue and its safety alerts (issue #23)
    "/chat/dienst/", "/chat/meldingen/", "/outreach/",
    # the online analyst's scans and open notices to platforms (issue #18)
    "/online/", "/online/meldingen/",
}  # fmt: skip
SHOWS_NONE = {
    # public and account pages, the register, the programme, aggregates (the home page's counts),
    # the directory, and forms and actions that answer only POST
    "/api/v1/emergency-access/", "/api/v1/shelter/referrals/",
    "/identificatie/meldingen/gelezen/",
    "/healthz", "/readyz", "/i18n/setlang/", "/account/login/", "/account/logout/",
    "/account/membership/",
    "/account/purpose/", "/account/2fa/", "/account/tokens/", "/api/v1/auth/tokens/",
    "/account/oidc/callback/", "/metrics",
    "/api/schema/", "/api/docs/", "/api/v1/me/",
    "/api/v1/auth/token/", "/api/v1/organisations/", "/api/v1/signal-lists/", "/api/v1/register/",
    "/api/v1/programme/action-lines/", "/api/v1/programme/actions/",
    "/api/v1/programme/motions/", "/api/v1/programme/commitments/",
    "/api/v1/programme/recommendations/", "/api/v1/programme/indicators/",
    "/api/v1/programme/letters/", "/api/v1/shelter/places/", "/api/v1/shelter/dashboard/",
    "/api/v1/shelter/allocation/confirm/", "/api/v1/shelter/directory/locations/",
    "/api/v1/shelter/directory/places/", "/api/v1/identification/notifications/read/",
    "/api/v1/statistics/tables/", "/signalen/nieuw/", "/noodtoegang/", "/register/", "/privacy/",
    "/programma/", "/programma/overzicht/opslaan/", "/programma/brieven/",
    "/programma/brieven/nieuw/", "/programma/indicatoren/", "/statistiek/",
    "/programma/moties/nieuw/", "/programma/toezeggingen/nieuw/", "/programma/aanbevelingen/nieuw/",
    "/statistiek/publiceren/", "/opvang/", "/opvang/dashboard/", "/opvang/dashboard.csv",
    "/opvang/toewijzing/bevestigen/", "/opvang/meldingen/", "/identificatie/doorlooptijden/",
    "/capaciteit/",  # simulated aggregates; small groups hidden by disclosure control
    "/toegankelijkheid/", "/favicon.ico",
    # barrier models, the knowledge base and the review group: no personal data (issue #24)
    "/barrieres/", "/kennis/", "/spiegelgroep/", "/spiegelgroep/nieuw/",
    # the anonymous chat: the person's own page and its actions; the queue's change stream and
    # the presence switch carry no content (issue #23)
    "/chat/", "/chat/start/", "/chat/bericht/", "/chat/stroom/", "/chat/weg/",
    "/chat/toestemming/", "/chat/dienst/stroom/", "/chat/dienst/beschikbaar/",
}  # fmt: skip
PAGES = [
    (concrete(route), p)
    for route, p in APP_URLS
    if "<" not in route and not route.startswith("api/v1/^")
]


def test_every_list_dashboard_and_download_says_whether_it_shows_personal_data():
    unclassified = sorted({path for path, _ in PAGES} - SHOWS_PERSONAL_DATA - SHOWS_NONE)
    assert not unclassified, (
        f"classify these pages in SHOWS_PERSONAL_DATA or SHOWS_NONE: {unclassified}"
    )
    assert {path for path, _ in PAGES} >= SHOWS_PERSONAL_DATA


def users_allowed(rule: str) -> list[str]:
    """One demo user per role that may open a page with this rule."""
    from samen.organisations.models import Membership

    roles = list(Role) if rule == AUTHENTICATED else sorted(policy.PERMISSIONS[rule])
    users = []
    for role in roles:
        m = Membership.objects.filter(role=role, user__username__startswith="demo-").first()
        if m is not None:
            users.append(m.user.username)
    return users


PERSONAL_PAGES = [(path, p) for path, p in PAGES if path in SHOWS_PERSONAL_DATA]


@pytest.mark.parametrize("path,pattern", PERSONAL_PAGES, ids=[p for p, _ in PERSONAL_PAGES])
def test_every_page_that_shows_personal_data_writes_an_audit_entry_for_every_role(
    path, pattern, web_for, api_for, record
):
    from samen.core.models import AuditEntry

    record()  # a signal and its case, so the lists have someone in them
    rule = rule_of(pattern.callback)
    users = users_allowed(rule)
    assert users, path
    for username in users:
        client = api_for(username) if path.startswith("/api/") else web_for(username)
        before = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        response = client.get(path)
        assert response.status_code == 200, (path, username, response.status_code)
        written = AuditEntry.objects.filter(seq__gt=before, actor_username=username)
        assert written.exists(), f"{path} as {username} shows personal data but wrote no entry"
