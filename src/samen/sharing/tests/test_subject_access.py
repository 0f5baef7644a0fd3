"""The subject-access report (GDPR art. 15) shows the data held, its recipients, purposes, legal
bases and retention, and every use, in words: no code names on the Dutch page or in its PDF."""

import html
import io
import re
from datetime import date

import pytest

from samen.cases.services import note_add
from samen.core.models import DataCategory, Purpose
from samen.core.register import FIELD_CATEGORIES
from samen.organisations.models import Organisation, OrganisationType, Role
from samen.sharing.services import share_create
from samen.sharing.tests.canary import marker, seed_person
from samen.shelter.services import NeedsInput, referral_create
from samen.signalling.services import PersonInput

# Lower-case words joined by dots or underscores: how identifiers look (signal.create,
# identity.date_of_birth, care_coordination); Dutch prose has none.
CODE_NAME = re.compile(r"\b[a-z]+(?:[._][a-z]+)+\b")


def _visible(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _code_names() -> set[str]:
    from samen.core.models import AuditEntry

    codes = set(AuditEntry.objects.values_list("action", flat=True))
    codes |= set(Purpose.objects.values_list("code", flat=True))
    codes |= {c for c in DataCategory.objects.values_list("code", flat=True) if "_" in c}
    codes |= set(FIELD_CATEGORIES) | set(Role.values)
    return {c for c in codes if "_" in c or "." in c}


def _assert_no_code_names(text: str) -> None:
    assert CODE_NAME.findall(text) == []
    assert [c for c in _code_names() if c in text] == []


@pytest.fixture
def person_with_history(record, actor_for, world):
    marks = {k: marker(k) for k in ("name", "contact", "notes", "setting", "care_note", "share")}
    person = PersonInput(
        name=marks["name"], date_of_birth=date(1990, 4, 1), nationality="RO",
        contact=marks["contact"], gender="female",
    )  # fmt: skip
    case = record(person=person, notes=marks["notes"], setting=marks["setting"][:60]).case
    marks["setting"] = marks["setting"][:60]
    coordinator = actor_for("demo-coordinator")
    note_add(actor=coordinator, case=case, text=marks["care_note"])
    police = Organisation.objects.filter(
        type=OrganisationType.POLICE, municipality__region_id=case.region_id
    ).first()
    share_create(
        actor=coordinator, case=case, recipient=police, purpose="investigation",
        categories=["identity"], reason=marks["share"],
    )  # fmt: skip
    referral_create(
        actor=coordinator, case=case, data=NeedsInput(addiction=True, care=["psychiatric"])
    )
    return case, marks, police


def test_the_report_shows_the_data_held_its_recipients_purposes_and_retention(
    web_for, person_with_history
):
    case, marks, police = person_with_history
    web_for("demo-coordinator").get(f"/zaken/{case.number}/")
    page = web_for("demo-privacy").get(f"/privacy/inzage/{case.number}/")
    assert page.status_code == 200
    text = _visible(page.content.decode())
    for name, value in marks.items():
        assert value in text, name
    for label in (
        "Naam", "Geboortedatum", "Contactgegevens", "Vrije tekst en notities", "Gezondheid",
        "Actieve verslaving", "Psychiatrische zorg", "Zorgaantekening", "Opvangverwijzingen",
        "Ontvangers", police.name, "Opsporing", "Coördinatie van zorg", "Wmo 2015",
        "Bewaartermijn", "zolang een zaak open is", "Zaak: ingezien", "demo-coordinator",
        "De zaken zelf", "Alles van de zaken verwijderd",
    ):  # fmt: skip
        assert label in text, label
    _assert_no_code_names(text)


def test_the_pdf_holds_the_same_in_words(web_for, person_with_history):
    case, marks, _police = person_with_history
    web_for("demo-coordinator").get(f"/zaken/{case.number}/")
    response = web_for("demo-privacy").get(f"/privacy/inzage/{case.number}/?format=pdf")
    if response.status_code == 503:
        pytest.skip("no Pango on this machine")
    assert response.content.startswith(b"%PDF")
    text = " ".join(_pdf_text(response.content).split())
    for name in ("name", "contact", "care_note", "share"):
        assert marks[name] in text.replace(" ", "") or marks[name] in text, name
    assert "Gezondheid" in text and "Zaak: ingezien" in text
    _assert_no_code_names(text)


def test_the_report_covers_every_category_of_a_person_with_several_cases(web_for, world):
    canary = seed_person("inzage", closed=[None, None])
    number = canary.cases[0].number
    text = _visible(web_for("demo-privacy").get(f"/privacy/inzage/{number}/").content.decode())
    free_text = [
        "identity:name", "contact:contact", "free_text:0.signal.notes",
        "free_text:1.signal.setting", "free_text:0.note.care", "criminal:1.note.investigation",
        "free_text:0.share.reason", "free_text:1.emergency.reason",
    ]  # fmt: skip
    for key in free_text:
        assert canary.markers[key] in text, key
    assert canary.cases[1].number in text
    for label in ("Identificatietraject", "Plaatsingen in de opvang", "Gegevens van minderjarigen"):
        assert label in text, label


def test_the_report_is_in_english_for_an_english_reader(web_for, person_with_history):
    case, marks, _police = person_with_history
    page = web_for("demo-privacy").get(f"/privacy/inzage/{case.number}/", HTTP_ACCEPT_LANGUAGE="en")
    text = _visible(page.content.decode())
    for label in ("Data held", "Name", "Contact details", "Health", "Recipients", "Retention"):
        assert label in text, label
    assert "Gezondheid" not in text and marks["name"] in text
