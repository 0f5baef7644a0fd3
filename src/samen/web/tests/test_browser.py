"""The UI's key paths in a real browser: Debian's chromium, headless, driven by Playwright.

Fixtures (chromium, demo world, fresh contexts, sign-in) live in this folder's conftest.py.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from samen.signalling import triage
from samen.signalling.models import Indicator, Signal

pytestmark = pytest.mark.browser

CASE_NUMBER = re.compile(r"MH-\d{4}-\d{6}")
RECEIPT = re.compile(r"S-[0-9A-Z]{5}-[0-9A-Z]{5}")
UTRECHT = "GM0344"  # safety region VR09, where demo-professional and demo-coordinator work
# A medium, a high and a medium sign: one strong sign in an unclear picture, so "consult".
TICKED = [
    "hospitality.checkin.third_party_booking",
    "hospitality.control.dependent",
    "hospitality.control.watched",
]


def record_hospitality_signal(page, observed_on: date) -> str:
    """Fill in and submit the hospitality list as the signed-in user; returns the case number."""
    page.goto("/signalen/nieuw/")
    page.locator("a[href$='/signalen/nieuw/hospitality/']").click()
    expect(page).to_have_url(re.compile(r"/signalen/nieuw/hospitality/$"))
    for code in TICKED:
        page.locator(f"input[type=checkbox][name='ind_{code}']").check()
    page.locator("input[name=observed_on]").fill(observed_on.isoformat())
    page.locator("select[name=municipality]").select_option(UTRECHT)
    page.locator("input[name=setting]").fill("hotelreceptie")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    # A one-way door (issue #12): the signal page names its receipt, never its case.
    expect(page).to_have_url(re.compile(r"/signalen/ontvangstbewijs/S-[0-9A-Z-]+/$"))
    receipt = RECEIPT.search(page.locator("h1").inner_text())
    assert receipt, "the signal page names its receipt"
    assert not CASE_NUMBER.search(page.locator("main").inner_text())
    return Signal.objects.get(receipt=receipt.group(0)).case.number


def case_numbers_listed(page) -> list[str]:
    return page.get_by_test_id("case-table").locator("tbody th[scope=row] a").all_inner_texts()


def test_professional_records_signal_sees_advice_and_finds_the_signal_not_the_case(
    new_page, sign_in, artifact_dir
):
    page = new_page()
    sign_in(page, "demo-professional")
    number = record_hospitality_signal(page, date.today() - timedelta(days=1))

    expected = triage.advise(
        [
            triage.TickedIndicator(i.code, i.severity, i.acute, i.concerns_minor)
            for i in Indicator.objects.filter(code__in=TICKED, signal_list__is_current=True)
        ],
        person_is_minor=False,
    )
    assert expected.advice == "consult"
    advice = page.get_by_test_id("advice")
    expect(advice).to_be_visible()
    expect(advice).to_have_class(re.compile(r"\badvice--consult\b"))
    reasons = advice.locator("ul > li")
    expect(reasons).to_have_count(len(expected.reasons))
    for text in expected.reason_texts("nl"):
        expect(advice).to_contain_text(text)
    expect(advice.locator("ol > li").first).to_be_visible()  # next steps
    expect(page.locator("main .messages")).to_contain_text("S-")  # the receipt
    expect(page.locator("main .messages")).not_to_contain_text(number)
    page.screenshot(path=str(artifact_dir / "advice.png"), full_page=True)

    # The professional reaches the signal they recorded, never the case it joined.
    page.locator("nav a[href='/signalen/']").click()
    expect(page).to_have_url(re.compile(r"/signalen/$"))
    receipt = Signal.objects.filter(case__number=number).latest("id").receipt
    newest = page.locator("main table tbody tr").first  # newest first
    expect(newest).to_contain_text(receipt)
    expect(newest).not_to_contain_text(number)
    page.locator("nav a[href='/zaken/']").click()
    expect(page).to_have_url(re.compile(r"/zaken/$"))
    assert number not in case_numbers_listed(page)
    response = page.goto(f"/zaken/{number}/")
    assert response is not None and response.status == 404


def test_region_coordinator_sees_new_case_and_other_region_does_not(new_page, sign_in):
    professional = new_page()
    sign_in(professional, "demo-professional")
    number = record_hospitality_signal(professional, date.today())

    coordinator = new_page()
    sign_in(coordinator, "demo-coordinator")
    coordinator.goto("/zaken/")
    assert number in case_numbers_listed(coordinator)
    coordinator.get_by_test_id("case-table").get_by_role("link", name=number, exact=True).click()
    expect(coordinator).to_have_url(re.compile(rf"/zaken/{number}/$"))
    expect(coordinator.locator("h1")).to_contain_text(number)
    expect(coordinator.locator("main")).to_contain_text("Utrecht")

    other = new_page()
    sign_in(other, "demo-coordinator-noord")
    other.goto("/zaken/")
    expect(other.get_by_test_id("case-table")).to_be_visible()
    assert number not in case_numbers_listed(other)
    other.goto(f"/zaken/?number={number}")
    assert case_numbers_listed(other) == []
    response = other.goto(f"/zaken/{number}/")
    assert response is not None and response.status == 404
    expect(other.locator("main")).not_to_contain_text(number)


def test_language_is_dutch_by_default_and_switches_to_english_and_back(new_page, sign_in):
    # A browser asking for a language Samen does not offer gets the default, Dutch.
    page = new_page(locale="fr-FR")
    sign_in(page, "demo-professional")
    page.goto("/signalen/nieuw/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "nl")
    expect(page.locator("main")).to_contain_text("Signalenkaart hotels en horeca")

    page.get_by_test_id("lang-en").click()
    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/signalen/nieuw/$"))  # stays on the same page
    expect(page.locator("main")).to_contain_text("Signal list hotels and hospitality")

    page.reload()  # the choice sticks
    expect(html).to_have_attribute("lang", "en")

    page.get_by_test_id("lang-nl").click()
    expect(html).to_have_attribute("lang", "nl")
    expect(page.get_by_test_id("lang-en")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Signalenkaart hotels en horeca")


def test_signal_without_indicators_shows_field_errors_and_saves_nothing(new_page, sign_in):
    page = new_page()
    sign_in(page, "demo-professional")
    before = Signal.objects.count()
    page.goto("/signalen/nieuw/hospitality/")
    page.locator("input[name=observed_on]").fill(date.today().isoformat())
    page.locator("select[name=municipality]").select_option(UTRECHT)
    page.locator("textarea[name=notes]").fill("Niets aangevinkt.")
    with page.expect_navigation() as navigation:
        page.locator("main form button[type=submit]").click()
    assert navigation.value.status == 400
    expect(page).to_have_url(re.compile(r"/signalen/nieuw/hospitality/$"))
    summary = page.get_by_role("alert")
    expect(summary).to_be_visible()
    expect(summary.locator("li")).to_contain_text(re.compile("indicator", re.IGNORECASE))
    expect(page.get_by_test_id("advice")).to_have_count(0)
    # What was filled in is kept, so the user only has to tick an indicator.
    expect(page.locator("select[name=municipality]")).to_have_value(UTRECHT)
    expect(page.locator("textarea[name=notes]")).to_have_value("Niets aangevinkt.")
    assert Signal.objects.count() == before


def focused_element(page) -> dict[str, object]:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {tag: el.tagName, href: el.getAttribute("href"),
                    left: el.getBoundingClientRect().left};
        }"""
    )


def test_skip_link_is_first_tab_stop_and_moves_focus_to_main(new_page, sign_in):
    page = new_page()
    sign_in(page, "demo-professional")
    page.goto("/zaken/")
    page.keyboard.press("Tab")
    focused = focused_element(page)
    assert focused["tag"] == "A" and str(focused["href"]).endswith("#main"), focused
    assert focused["left"] >= 0, "the skip link comes into view when it has focus"
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


def test_skip_link_is_first_tab_stop_on_login_page(new_page):
    page = new_page()
    page.goto("/account/login/")
    page.keyboard.press("Tab")
    focused = focused_element(page)
    assert str(focused["href"]).endswith("#main"), focused
