"""The identification commission in a real browser, without JavaScript on our side: the
coordinator opens it from the case page (a refused choice comes back with the field named and
the boxes still ticked), the members assess and the chair decides.

Fixtures (chromium, demo world, fresh contexts, sign-in) live in this folder's conftest.py.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from samen.identification.models import IdentificationPath
from samen.organisations.models import Membership

pytestmark = pytest.mark.browser


def seat(username: str) -> str:
    return str(Membership.objects.get(user__username=username).pk)


def test_the_commission_is_opened_assessed_and_decided_from_the_case_page(new_page, sign_in):
    number = IdentificationPath.objects.get(unaccompanied=False, state="signalled").case.number
    coordinator = new_page(locale="en-GB")
    sign_in(coordinator, "demo-coordinator")
    coordinator.goto(f"/zaken/{number}/")
    with coordinator.expect_navigation():
        coordinator.get_by_test_id("commission-open-link").click()
    form = coordinator.get_by_test_id("commission-open-form")
    police = form.locator(f"input[name=members][value='{seat('demo-investigator')}']")
    police.check()
    form.locator("select[name=chair]").select_option(seat("demo-coordinator"))
    with coordinator.expect_navigation():
        coordinator.get_by_test_id("commission-open").click()
    expect(coordinator.locator("#form-errors")).to_be_visible()
    expect(police).to_be_checked()  # the choice is kept
    form.locator(f"input[name=members][value='{seat('demo-coordinator')}']").check()
    form.locator("select[name=chair]").select_option(seat("demo-registrar"))
    with coordinator.expect_navigation():
        coordinator.get_by_test_id("commission-open").click()
    assert coordinator.url.endswith(f"/zaken/{number}/")
    expect(coordinator.get_by_test_id("ident-commission")).to_be_visible()

    pages = {"demo-coordinator": coordinator}
    for username in ("demo-investigator", "demo-registrar"):
        pages[username] = new_page(locale="en-GB")
        sign_in(pages[username], username)
    for page in pages.values():
        page.goto(f"/zaken/{number}/")
        page.locator("#commission-assessment").select_option("identified")
        page.locator("form:has(#commission-assessment) input[value=credible_account]").check()
        with page.expect_navigation():
            page.get_by_test_id("commission-assess").click()
        expect(page.locator("main .messages .alert--success")).to_be_visible()

    chair = pages["demo-registrar"]
    chair.locator("#commission-outcome").select_option("identified")
    chair.locator("form:has(#commission-outcome) input[value=corroborated]").check()
    chair.locator("#commission-text").fill("Synthetic reasons.")
    with chair.expect_navigation():
        chair.get_by_test_id("commission-decide").click()
    expect(chair.get_by_test_id("commission-outcome")).to_be_visible()
    # The victim status in words (the HTCDS code stays in the export, issue #14).
    expect(chair.get_by_test_id("ident-victim-status")).to_contain_text(
        re.compile(r"Victim of trafficking \(identified\)|Slachtoffer van mensenhandel")
    )
