"""The accessibility statement and the favicon (issue #16, items 4 and 5)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

# The sections of the Dutch government's model statement, in each language.
STATEMENT_SECTIONS = {
    "nl": ("Toegankelijkheidsverklaring", "Nalevingsstatus", "Feedback en contactgegevens",
           "Handhavingsprocedure", "Nationale ombudsman", "WCAG"),
    "en": ("Accessibility statement", "Compliance status", "Feedback and contact",
           "Enforcement procedure", "Nationale ombudsman", "WCAG"),
}  # fmt: skip


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_accessibility_statement_is_public_in_the_standard_form(client, language):
    client.cookies["django_language"] = language
    response = client.get("/toegankelijkheid/")
    assert response.status_code == 200
    text = response.content.decode()
    assert f'lang="{language}"' in text
    missing = [s for s in STATEMENT_SECTIONS[language] if s not in text]
    assert not missing, missing


def test_every_page_links_the_accessibility_statement_from_its_footer(client, web_for):
    for page in (client.get("/account/login/"), web_for("demo-coordinator").get("/")):
        footer = page.content.decode().split("<footer", 1)[1]
        assert 'href="/toegankelijkheid/"' in footer


def test_the_favicon_is_a_redirect_to_the_static_icon_not_a_404_page(client):
    response = client.get("/favicon.ico")
    assert response.status_code in (301, 302)
    assert response["Location"].endswith("/static/samen/favicon.svg")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_accessibility_statement_names_the_operators_contact_address(
    client, settings, language
):
    settings.ACCESSIBILITY_CONTACT_EMAIL = "digitoegankelijk@beheer.example.nl"
    settings.OPERATOR_NAME = "Beheer Samen"
    client.cookies["django_language"] = language
    text = client.get("/toegankelijkheid/").content.decode()
    contact = text.split('data-testid="accessibility-contact"', 1)[1].split("</p>", 1)[0]
    assert 'href="mailto:digitoegankelijk@beheer.example.nl"' in contact
    assert "Beheer Samen" in contact


def test_the_accessibility_contact_has_a_demo_default(client):
    text = client.get("/toegankelijkheid/").content.decode()
    assert 'href="mailto:toegankelijkheid@samen.example.org"' in text
