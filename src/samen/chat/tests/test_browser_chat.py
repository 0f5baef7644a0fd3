"""Issue #23 in a real browser: a person and a counsellor in two browser contexts."""

from __future__ import annotations

import re
import time
from urllib.request import urlopen

import pytest
from playwright.sync_api import expect

from samen.chat.models import Conversation
from samen.signalling.models import Signal

pytestmark = pytest.mark.browser
EXIT = "https://exit.invalid/"


@pytest.fixture(autouse=True)
def _fast_streams(settings, live_demo_world, live_server):
    settings.CHAT_STREAM_SECONDS = 5
    settings.CHAT_POLL_SECONDS = 0.5
    settings.CHAT_QUICK_EXIT_URL = EXIT
    # The live server's first request imports every app's pages (seconds on a busy machine):
    # taken here, outside the browser's timeouts.
    urlopen(live_server.url + "/chat/", timeout=120).read()  # noqa: S310  (http, the live server)


def test_a_person_and_a_counsellor_chat_and_the_person_consents_to_a_signal(new_page, sign_in):
    person = new_page()
    person.goto("/chat/")
    expect(person.get_by_test_id("statement")).to_contain_text("drie dagen")
    person.get_by_test_id("start").click()
    person.locator("#chat-body").fill("Ik word vastgehouden")
    person.get_by_test_id("send").click()

    counsellor = new_page()
    sign_in(counsellor, "demo-counsellor")
    counsellor.goto("/chat/dienst/")
    with counsellor.expect_navigation():
        counsellor.get_by_test_id("take").first.click()
    log = counsellor.get_by_test_id("chat-log")
    expect(log).to_contain_text("Ik word vastgehouden")
    counsellor.locator("#chat-body").fill("Ik ben er. Ben je veilig?")
    counsellor.get_by_test_id("send").click()
    expect(person.get_by_test_id("chat-log")).to_contain_text("Ik ben er. Ben je veilig?")
    expect(person.locator("#chat-status")).to_contain_text("hulpverlener")

    counsellor.locator("main summary").click()
    counsellor.locator("input[value='general.control.not_free']").check()
    counsellor.locator("select[name=municipality]").select_option("GM0344")
    counsellor.locator("textarea[name=notes]").fill("Wil hulp in Utrecht")
    with counsellor.expect_navigation():
        counsellor.get_by_test_id("propose").click()
    consent = person.get_by_test_id("consent")
    expect(consent).to_contain_text("Wil hulp in Utrecht")
    assert not Signal.objects.filter(setting__contains="chat").exists()
    consent.get_by_test_id("consent-yes").click()
    expect(person.get_by_test_id("chat-log")).to_contain_text(re.compile(r"S-\w{5}-\w{5}"))
    reference = re.search(r"S-\w{5}-\w{5}", person.get_by_test_id("chat-log").inner_text())
    assert Signal.objects.filter(receipt=reference.group(0)).exists()
    expect(consent).to_be_hidden()


def test_quick_exit_leaves_the_page_and_ends_the_chat(new_page):
    person = new_page()
    person.context.route(EXIT + "**", lambda route: route.fulfill(body="weer"))
    person.goto("/chat/")
    person.get_by_test_id("start").click()
    expect(person.locator("#chat-status")).to_be_visible()
    person.get_by_test_id("quick-exit").click()
    person.wait_for_url(EXIT)
    expect(person.locator("body")).to_have_text("weer")
    # The page ends the chat with a keepalive request sent as it leaves; on a busy machine its
    # answer, which drops the cookie, can land after the exit page: wait for it, bounded.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and (
        [c for c in person.context.cookies() if c["name"] == "samen_chat"]
        or Conversation.objects.get().status != "closed"
    ):
        person.wait_for_timeout(100)
    assert not [c for c in person.context.cookies() if c["name"] == "samen_chat"]
    assert Conversation.objects.get().status == "closed"
