"""Issue #24 in a real browser: a region raises a barrier, a professional finds the card from
the advice page, and an expert's comment on an advice text is answered and the text changed."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from samen.web.tests.test_browser import record_hospitality_signal

pytestmark = pytest.mark.browser


def test_the_region_raises_a_barrier_and_sees_it_on_the_map(new_page, sign_in):
    page = new_page()
    sign_in(page, "demo-coordinator")
    page.goto("/barrieres/criminal/regio/VR09/")
    expect(page.locator("h1")).to_contain_text("Barrièremodel criminele uitbuiting")
    page.get_by_test_id("raise-link").click()
    page.locator("select[name=barrier]").select_option(label="Geld: Afpakken bij de organisatoren")
    page.get_by_label(re.compile("Politie Team Mensenhandel")).check()
    page.locator("select[name=state]").select_option("active")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    cell = page.get_by_test_id("cell").filter(has_text="Afpakken bij de organisatoren")
    expect(cell).to_contain_text("actief")


def test_a_professional_finds_the_card_and_training_from_the_advice_page(new_page, sign_in):
    page = new_page()
    sign_in(page, "demo-hotel")
    record_hospitality_signal(page, date.today() - timedelta(days=1))
    fits = page.get_by_test_id("knowledge-fits")
    expect(fits).to_contain_text("Handreiking signaleren in hotels")
    fits.get_by_test_id("fits-card").click()
    expect(page.locator("h1")).to_contain_text("Signalenkaart hotels en horeca")
    downloads = page.get_by_test_id("card-downloads").locator("a")
    expect(downloads.first).to_have_attribute("href", "/kennis/kaart/hospitality/nl.pdf")
    expect(downloads.last).to_have_attribute("href", "/kennis/kaart/hospitality/en.pdf")


def test_an_experts_comment_on_an_advice_text_is_answered_and_the_text_changed(new_page, sign_in):
    member = new_page()
    sign_in(member, "demo-review")
    member.goto("/spiegelgroep/")
    member.get_by_role("link", name=re.compile("Overleg met een zorgcoördinator")).click()
    member.locator("textarea[name=text]").fill("Zeg dat je hulp kunt vragen zonder te melden.")
    member.get_by_label("Mijn naam niet tonen aan de andere leden").check()
    with member.expect_navigation():
        member.get_by_role("button", name="Reactie versturen").click()
    expect(member.get_by_test_id("comment").last).to_contain_text("hulp kunt vragen")

    staff = new_page()
    sign_in(staff, "demo-programme")
    staff.goto(member.url)
    form = staff.get_by_test_id("answer-form").last
    form.locator("textarea[name$=text]").fill("Overgenomen.")
    form.locator("input[name$=outcome][value=changed]").check()
    form.locator("textarea[name$=new_text_nl]").fill(
        "Overleg met de zorgcoördinator.\nJe kunt hulp vragen zonder te melden."
    )
    form.locator("textarea[name$=new_text_en]").fill(
        "Consult the care coordinator.\nYou can ask for help without reporting."
    )
    with staff.expect_navigation():
        form.get_by_role("button", name="Antwoord").click()
    expect(staff.get_by_test_id("current-text")).to_contain_text(
        "Je kunt hulp vragen zonder te melden."
    )
    expect(staff.get_by_test_id("answer").last).to_contain_text("Overgenomen.")
    staff.goto("/programma/")
    expect(staff.get_by_test_id("review-summary")).to_contain_text("versie 1 naar 2")
