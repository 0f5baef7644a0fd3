"""A signal is a one-way door (issue #12, Why 1, What-to-build 2): the hotel records a signal
about a person the chain already knows and one about a person nobody knows; the two answers
must not differ (status, redirect, page text without CSRF tokens and receipt references, JSON
keys), and no page the hotel can fetch afterwards tells it that the known person exists."""

from __future__ import annotations

import difflib
import json
import re
from datetime import date, timedelta

import pytest

from samen.web.tests.canary.attacker import crawl, sign_in, squash
from samen.web.tests.canary.world import _actor

KNOWN = {"name": "CANARY-identity-K1 Ana Albu (demo)", "dob": "1984-06-21", "nat": "RO"}
UNKNOWN = {"name": "CANARY-identity-X9 Vera Vasile (demo)", "dob": "1991-02-07", "nat": "BG"}
CSRF = re.compile(r"""name=["']csrfmiddlewaretoken["'][^>]*>""")
# Receipt references (case and signal numbers, times) are digits; an answer may differ in them.
DIGITS = re.compile(r"\d+")
# The signaller's receipt is random letters and digits (S-7K3MQ-9XDA2): unique per signal, so it
# differs between any two answers; its shape is fixed, so its length tells nothing either.
RECEIPT = re.compile(r"S-[0-9A-Z]{5}-[0-9A-Z]{5}")


@pytest.fixture
def known_case(world):
    """A person the chain knows: an open case in another region, with identity."""
    from samen.signalling.models import SignalList
    from samen.signalling.services import PersonInput, SignalInput, signal_record

    general = SignalList.objects.get(code="general", is_current=True)

    person = PersonInput(
        name=KNOWN["name"],
        date_of_birth=date.fromisoformat(KNOWN["dob"]),
        nationality=KNOWN["nat"],
    )
    outcome = signal_record(
        actor=_actor("demo-field-vr01"),
        data=SignalInput(
            signal_list="general",
            indicators=[general.indicators.order_by("id").first().code],
            observed_on=date.today() - timedelta(days=20),
            municipality="GM0014",  # Groningen: the hotel's region does not matter
            notes="CANARY-free_text-K1 seen with a controller",
            person=person,
        ),
        synthetic=True,
    )
    return outcome.case.number


def _normal(text: str) -> str:
    return DIGITS.sub("N", RECEIPT.sub("S-RECEIPT", CSRF.sub("", text)))


def _diff(known: str, unknown: str) -> str:
    lines = difflib.unified_diff(
        unknown.splitlines(), known.splitlines(), "unknown person", "known person", n=0, lineterm=""
    )
    return "\n".join(list(lines)[:30])


def _indicator_field(client) -> str:
    html = client.get("/signalen/nieuw/hospitality/").content.decode()
    names = re.findall(r"""<input[^>]*type=["']checkbox["'][^>]*name=["'](ind_[^"']+)""", html)
    names += re.findall(r"""<input[^>]*name=["'](ind_[^"']+)["'][^>]*type=["']checkbox""", html)
    assert names, "the hospitality signal form has indicator checkboxes"
    return names[0]


def _web_signal(client, who: dict[str, str], indicator: str):
    return client.post(
        "/signalen/nieuw/hospitality/",
        {
            "observed_on": (date.today() - timedelta(days=1)).isoformat(),
            "municipality": "GM0344",
            "gender": "female",
            "age_band": "unknown",
            "name": who["name"],
            "date_of_birth": who["dob"],
            "nationality": who["nat"],
            indicator: "on",
        },
    )


def _api_signal(client, who: dict[str, str], indicator: str):
    return client.post(
        "/api/v1/signals/",
        {
            "signal_list": "hospitality",
            "indicators": [indicator.removeprefix("ind_")],
            "observed_on": (date.today() - timedelta(days=1)).isoformat(),
            "municipality": "GM0344",
            "person": {
                "gender": "female",
                "name": who["name"],
                "date_of_birth": who["dob"],
                "nationality": who["nat"],
            },
        },
        content_type="application/json",
    )


def _keys(value: object, prefix: str = "") -> set[str]:
    if isinstance(value, dict):
        keys = set()
        for k, v in value.items():
            keys |= {f"{prefix}{k}"} | _keys(v, f"{prefix}{k}.")
        return keys
    if isinstance(value, list):
        return set().union(*(_keys(v, prefix) for v in value)) if value else set()
    return set()


def test_web_signal_answers_the_same_for_a_known_and_an_unknown_person(known_case):
    hotel = sign_in("demo-hotel")
    indicator = _indicator_field(hotel)
    answers = []
    for who in (KNOWN, UNKNOWN):
        response = _web_signal(hotel, who, indicator)
        location = response.headers.get("Location", "")
        page = hotel.get(location) if response.status_code == 302 else response
        answers.append(
            (response.status_code, _normal(location), page.status_code, _normal(page.text))
        )
    (s1, loc1, ps1, text1), (s2, loc2, ps2, text2) = answers
    assert (s1, loc1, ps1) == (s2, loc2, ps2)
    assert text1 == text2, "the answer tells the hotel whether the person is known:\n" + _diff(
        text1, text2
    )


def test_api_signal_answers_the_same_for_a_known_and_an_unknown_person(known_case):
    hotel = sign_in("demo-hotel")
    indicator = _indicator_field(hotel)
    known = _api_signal(hotel, KNOWN, indicator)
    unknown = _api_signal(hotel, UNKNOWN, indicator)
    assert known.status_code == unknown.status_code
    body_known, body_unknown = json.loads(known.content), json.loads(unknown.content)
    assert _keys(body_known) == _keys(body_unknown)
    known_text = _normal(json.dumps(body_known, sort_keys=True, indent=1))
    unknown_text = _normal(json.dumps(body_unknown, sort_keys=True, indent=1))
    assert known_text == unknown_text, (
        "the API's answer tells the hotel whether the person is known:\n"
        + _diff(known_text, unknown_text)
    )


def test_no_later_page_tells_the_hotel_the_known_person_exists(known_case):
    hotel = sign_in("demo-hotel")
    _web_signal(hotel, KNOWN, _indicator_field(hotel))
    result = crawl(
        "demo-hotel",
        seeds=[f"/zaken/{known_case}/", f"/identificatie/zaken/{known_case}/"],
        api_fill={"number": [known_case], "id": [], "pk": []},
    )
    number = squash(known_case)
    told = sorted(
        {
            p.url
            for p in result.pages
            if "canary-free_text-k1" in p.text
            or (number in p.text and not (p.status >= 400 and number in squash(p.url)))
        }
    )
    assert not told, f"the hotel learns of the known person's case on {told[:5]}"
