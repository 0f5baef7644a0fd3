"""Extraction: contacts in their obfuscated forms, persona, place, price, language, slots.

Every phone number here is in the fictional range +31 6 1234 xxxx."""

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from samen.online.engine.extract import detect_language, extract, normalise_phone

NUMBER = "+31612345678"


@pytest.mark.parametrize(
    "written",
    [
        "06-12345678",
        "06 12 34 56 78",
        "06.12.34.56.78",
        "+31 6 1234 5678",
        "0031612345678",
        "(06) 1234 5678",
        "06🔥12🔥34🔥56🔥78",
        "0️⃣6️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣8️⃣",
        "o6-l2345678",
        "nul zes een twee drie vier vijf zes zeven acht",
        "zero six one two three four five six seven eight",
        "cero seis uno dos tres cuatro cinco seis siete ocho",
        "нула шест едно две три четири пет шест седем осем",
        "wa.me/31612345678",
    ],
)
def test_obfuscated_phone_numbers_are_normalised_to_e164(written):
    found = extract("Hi", f"Call me on {written} tonight")
    assert found.contacts == [f"tel:{NUMBER}"]


def test_a_price_or_an_age_is_not_a_phone_number():
    found = extract("Anna (21)", "150 euro per uur, 24/7, 21 jaar")
    assert not [c for c in found.contacts if c.startswith("tel:")]


@given(st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_the_dutch_mobile_shortcut_agrees_with_phonenumbers(rest):
    number = phonenumbers.parse("06" + rest, "NL")
    expected = (
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if phonenumbers.is_valid_number(number)
        else None
    )
    assert normalise_phone("06" + rest) == expected


def test_emails_handles_and_urls_are_found():
    found = extract(
        "Lola",
        "Mail lola.x [at] example [dot] com or lola@example.org. Telegram: @lola_x, "
        "t.me/lola_y, insta: @lola.z, onlyfans.com/lola_of. See https://site.example/lola",
    )
    assert set(found.contacts) == {
        "email:lola.x@example.com",
        "email:lola@example.org",
        "telegram:lola_x",
        "telegram:lola_y",
        "instagram:lola.z",
        "onlyfans:lola_of",
    }
    assert found.urls == ["https://site.example/lola"]


def test_persona_age_price_and_city_are_read():
    found = extract(
        "Nieuw in Den Haag", "Hoi, ik ben Sanne, 22 jaar. Prijs 150 euro. Ook in The Hague"
    )
    assert found.names == ["Sanne"]
    assert found.age == 22
    assert found.price == 150.0
    assert found.cities == ["Den Haag"]


def test_title_persona_is_read():
    found = extract("Mia (19)", "new here")
    assert (found.names, found.age) == (["Mia"], 19)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hoi, ik ben nieuw in de stad en heb een mooie kamer voor jou", "nl"),
        ("Hi, I am new in town and I have a nice room for you", "en"),
        ("Cześć, jestem nowa w mieście i mam ładny pokój dla ciebie", "pl"),
        ("Bună, sunt nouă în oraș și am o cameră frumoasă pentru tine", "ro"),
        ("Здравей, аз съм нова в града и имам хубава стая за теб", "bg"),
        ("Hola, soy nueva en la ciudad y tengo una habitación para ti", "es"),
    ],
)
def test_language_is_detected_from_stopwords(text, language):
    assert extract("", text).language == language


def test_language_is_undetermined_without_evidence():
    assert detect_language({"xyz", "qqq"}, "xyz qqq") == "und"


def test_swapped_slots_give_the_same_normalised_text():
    template = "Hi, I am {name}, {age} years old, new in {city}. Call {phone}. Kisses, {name}."
    first = extract("", template.format(name="Anna", age=19, city="Utrecht", phone="06-12345001"))
    second = extract(
        "", template.format(name="Mia", age=23, city="Den Haag", phone="+31 6 1234 5002")
    )
    assert first.normalised == second.normalised
    assert "xnamex" in first.normalised and "xcityx" in first.normalised


def test_a_number_outside_the_numbering_plan_is_kept_as_a_key_and_flagged():
    from samen.online.engine.extract import phone_in_plan

    found = extract("", "Bel of app: 069-1234567, ook +31 6 9123 4568")
    assert found.contacts == ["tel:+31691234567", "tel:+31691234568"]
    assert not phone_in_plan("+31691234567") and phone_in_plan("+31612345678")


def test_a_single_spelled_out_digit_in_a_number_is_read():
    assert extract("", "Bel 0zes 12 34 56 78").contacts == ["tel:+31612345678"]
    assert extract("", "call 0six-1234 5678 now").contacts == ["tel:+31612345678"]
