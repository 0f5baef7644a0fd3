"""Fixtures for the browser tests: Debian's chromium through Playwright against a live server.

The browser is started once per module; every test gets a fresh database (transactional; the
reference data comes back through post_migrate after every flush), a fresh demo world and fresh
browser contexts, so no test depends on another.
"""

from __future__ import annotations

import os
from binascii import unhexlify
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django_otp.oath import TOTP

from samen.demo.builder import DEMO_PASSWORD, DemoSummary, build_demo_world, demo_totp_key

CHROMIUM = os.environ.get("SAMEN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[4] / "test-artifacts"
TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """One headless chromium for the module; never downloads a browser."""
    if not Path(CHROMIUM).exists():
        reason = (
            f"chromium not found at {CHROMIUM} (install Debian's chromium or set SAMEN_CHROMIUM)"
        )
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's sync API marks an event loop as running in the test thread between its calls.
    # Django then (1) refuses ORM calls from this thread, although they are synchronous all the
    # same: allowed here; and (2) looks connections up per async context instead of per thread, so
    # the test thread would open new connections that differ from the one the live server shares
    # (for SQLite in memory: another, empty database). Hand the context the connections the
    # thread already has.
    thread_connections = {alias: connections[alias] for alias in connections}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as p:
            for alias, connection in thread_connections.items():
                connections[alias] = connection
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()


@pytest.fixture
def live_demo_world(chromium: object, transactional_db: None, live_server) -> DemoSummary:
    """The synthetic demo world behind the live server."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    return build_demo_world(seed=1, signals=20)


@pytest.fixture
def new_page(
    chromium, live_demo_world: DemoSummary, live_server
) -> Iterator[Callable[..., object]]:
    """Open a page in a fresh browser context (own cookies, so own session) per call."""
    contexts = []

    def make(locale: str = "nl-NL"):
        context = chromium.new_context(
            base_url=live_server.url, locale=locale, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def sign_in() -> Callable[[object, str], None]:
    """Sign in through the login form, by the inputs' names (labels may not be translated)."""

    def do(page, username: str) -> None:
        page.goto("/account/login/")
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=password]").fill(DEMO_PASSWORD)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        assert "/account/login/" not in page.url, f"login failed for {username}"
        if "/account/2fa/" in page.url:  # roles that see identity: the second factor
            code = f"{TOTP(unhexlify(demo_totp_key(username))).token():06d}"
            page.locator("input[name=code]").fill(code)
            with page.expect_navigation():
                page.locator("main form button[type=submit]").click()
            assert "/account/2fa/" not in page.url, f"second factor failed for {username}"

    return do


@pytest.fixture
def artifact_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
