"""Accessibility as a test (issue #16, item 6): every page of the URL walk, as each demo role, at
1280 and 390 px wide, passes axe-core's WCAG 2.1 A/AA rules, and no page is wider than a 390 px
phone screen.

The pages are the application's routes (test_url_rules.APP_URLS) that the role may open, plus the
routes its pages link to (so parameterised pages are filled with objects the role can see). One
page per route and role, and a page that is the same for every role once: the walk checks
templates, not data. One browser, one context per role;
each page is loaded once and checked at both widths. axe-core is vendored and pinned
(tests/vendor, scripts/update_axe.sh) and injected over the devtools protocol, so the pages' CSP
stays as it is.
"""

from __future__ import annotations

import os
import time
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError

from samen.core import policy
from samen.core.access import AUTHENTICATED, PUBLIC
from samen.demo.builder import build_demo_world
from samen.organisations.models import Organisation
from samen.web.tests.conftest import TIMEOUT_MS
from samen.web.tests.test_audit_walk import SHOWS_PERSONAL_DATA as AUDIT_PERSONAL_ROUTES
from samen.web.tests.test_url_rules import APP_URLS, concrete, rule_of
from samen.web.tests.test_url_rules import SHOWS_PERSONAL_DATA as PERSONAL_PATHS

pytestmark = [pytest.mark.browser, pytest.mark.once, pytest.mark.untraced]

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = (1280, 390)

# One demo user per role, editors of the shared pages first (programme, register, shelter);
# the sign-in page is walked signed out.
ROLE_USERS = {
    "programme_staff": "demo-programme",
    "privacy_officer": "demo-privacy",
    "shelter_staff": "demo-shelter",
    "national_registrar": "demo-registrar",
    "care_coordinator": "demo-coordinator",
    "investigator": "demo-investigator",
    "ind_officer": "demo-ind",
    "guardian": "demo-nidos",
    "field_professional": "demo-professional",
    "functional_admin": "demo-admin",
    "review_member": "demo-review",
    "prosecutor": "demo-om",
    "counsellor": "demo-counsellor",
    "chat_supervisor": "demo-supervisor",
    "outreach_worker": "demo-outreach",
    "online_analyst": "demo-analyst",
}
# The phone header (logo and the two folded menus) stays one row; it was 300 px and more.
HEADER_MAX_PX = 120
# Django's admin is walked as the functional administrator from these pages (its index, a list,
# a change form with an inline, an add form with autocompletes); its links are not followed.
ADMIN_SEEDS = (
    "/admin/",
    "/admin/organisations/organisation/",
    "/admin/organisations/organisation/{organisation}/change/",
    "/admin/organisations/membership/add/",
    "/admin/accounts/user/",
)
# Links the walk does not follow: actions, downloads, the API and Django's admin.
SKIP_PREFIXES = ("/api/", "/admin/", "/static/", "/account/logout", "/i18n/")
DOWNLOAD_MARKS = ("format=", ".csv", ".xlsx", ".pdf", ".zip", ".json", "download")


def _route(path: str) -> str | None:
    try:
        return resolve(path).route
    except Resolver404:
        return None


def _seeds(role: str) -> list[str]:
    """The role's pages without parameters, from the URL walk."""
    seeds = []
    for route, pattern in APP_URLS:
        if "<" in route or route.startswith(("api/", "i18n/")):
            continue
        rule = rule_of(pattern.callback)
        path = concrete(route)
        if path.startswith(SKIP_PREFIXES):
            continue
        if rule in (PUBLIC, AUTHENTICATED) or role in policy.PERMISSIONS.get(rule, ()):
            seeds.append(path)
    return seeds


def _followable(href: str, base: str) -> str | None:
    parts = urlsplit(href)
    if parts.netloc and parts.netloc != urlsplit(base).netloc:
        return None
    path = parts.path
    if not path.startswith("/") or path.startswith(SKIP_PREFIXES):
        return None
    if any(mark in href for mark in DOWNLOAD_MARKS):
        return None
    return path


def _check(page) -> tuple[list[str], int]:
    """axe's WCAG 2.1 A/AA violations on the loaded page, and its width beyond the viewport."""
    found = page.evaluate(
        "async (tags) => { const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']});"
        " return r.violations.map(v => v.id + ' (' + v.nodes.length + '): '"
        " + v.nodes.slice(0, 2).map(n => n.target.join(' ')).join(' | ')); }",
        WCAG_21_AA,
    )
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    return found, overflow


def _header_height(page) -> float:
    return page.evaluate(
        "(() => { const h = document.querySelector('header.page-header');"
        " return h ? h.getBoundingClientRect().height : 0; })()"
    )


def _shared_routes() -> set[str]:
    """Routes whose page is the same for every role that may open it (reference data, the
    register, the programme, aggregates): the first role that reaches one checks it. Pages with
    personal data show each role its own blocks and the dashboard differs per role: each role's
    walk checks those. The roles walk in ROLE_USERS order, editors of the shared pages first."""
    per_role = {""} | set(AUDIT_PERSONAL_ROUTES)
    per_role |= {route for route, _ in APP_URLS if concrete(route) in PERSONAL_PATHS}
    return {route for route, _ in APP_URLS} - per_role


def _walk(page, seeds: list[str], label: str, report: dict, done: set[str]) -> None:
    """Breadth first from the seeds; `done` holds the shared routes an earlier role checked."""
    seen_routes: set[str] = set(done)
    queue = deque(seeds)
    while queue:
        path = queue.popleft()
        route = _route(path)
        if route is None or route in seen_routes:
            continue
        seen_routes.add(route)
        if route in report["shared"]:
            done.add(route)
        try:
            response = page.goto(path)
        except PlaywrightError:  # a form action answering GET with an empty error: no page
            continue
        if response is None or response.status != 200:
            continue
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            if page.evaluate("typeof axe") == "undefined":
                page.evaluate(AXE)
            violations, overflow = _check(page)
            report["checked"] += 1
            if path.startswith("/admin/"):
                report["admin"].append(path)
            for v in violations:
                report["violations"].append(f"{label} {width}px {path}: {v}")
            if width == 390 and overflow > 0:
                report["too_wide"].append(f"{label} {path}: {overflow}px wider than 390")
            if width == 390 and (height := _header_height(page)) > HEADER_MAX_PX:
                report["tall_header"].append(f"{label} {path}: header {height:.0f}px at 390")
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        for href in page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)"):
            nxt = _followable(href, page.url)
            if nxt and _route(nxt) not in seen_routes:
                queue.append(nxt)


def test_every_page_as_every_role_passes_axe_and_fits_a_phone(
    chromium, transactional_db, live_server, sign_in
):
    """Zero WCAG 2.1 A/AA violations at 1280 and 390 px, and no page wider than 390 px."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    build_demo_world(seed=1, signals=20)
    organisation = Organisation.objects.order_by("pk").first().pk
    report: dict = {
        "checked": 0, "violations": [], "too_wide": [], "tall_header": [], "admin": [],
        "shared": _shared_routes(),
    }  # fmt: skip
    done: set[str] = set()
    started = time.monotonic()
    walks = [("signed-out", None)] + [(role, user) for role, user in ROLE_USERS.items()]
    for role, username in walks:
        context = chromium.new_context(
            base_url=live_server.url, locale="nl-NL", viewport={"width": WIDTHS[0], "height": 900}
        )
        context.set_default_timeout(TIMEOUT_MS)
        try:
            page = context.new_page()
            if username is None:
                _walk(page, ["/account/login/", "/toegankelijkheid/", "/chat/"], role, report, done)
            else:
                sign_in(page, username)
                seeds = _seeds(role)
                if role == "functional_admin":
                    seeds += [s.format(organisation=organisation) for s in ADMIN_SEEDS]
                _walk(page, seeds, role, report, done)
        finally:
            context.close()
    print(
        f"\naxe: {report['checked']} page checks (role x page x width) in "
        f"{time.monotonic() - started:.0f}s, {len(report['violations'])} violations, "
        f"{len(report['too_wide'])} pages wider than 390px, "
        f"{len(report['tall_header'])} with a header taller than {HEADER_MAX_PX}px at 390px, "
        f"{len(report['admin'])} admin page checks"
    )
    assert report["checked"] > 100, "the walk found too few pages"
    assert not report["violations"], "\n".join(report["violations"])
    assert not report["too_wide"], "\n".join(report["too_wide"])
    assert not report["tall_header"], "\n".join(report["tall_header"])
    assert len(report["admin"]) >= 2 * len(ADMIN_SEEDS), "the admin pages were not checked"
