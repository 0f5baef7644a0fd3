"""The compiled ``_tokens.mobile_key`` (ADR 0118) against ``normalise_phone`` and
``_text_phone_key``, its definitions: where it answers, the same key; where the definition's
first rule (a Dutch mobile) answers, it answers too. On random phones written every way the
definition reads (letters as digits, "00" and "+", separators, other scripts' digits), the
phones of both generators' ads and the phones their texts hold."""

import random

import pytest

from samen.online.engine.extract import (
    _DUTCH_MOBILE_RE,
    _NON_DIGIT_RE,
    _contact_matches,
    _phone_letters_as_digits,
    _text_phone_key,
    normalise_phone,
)
from samen.online.tests.corpora import three_corpora

_tokens = pytest.importorskip("samen.online.engine._tokens")


def _first_rule_answers(raw: str) -> bool:
    digits = _NON_DIGIT_RE.sub("", _phone_letters_as_digits(raw))
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if "+" in digits[1:]:
        digits = digits[0] + digits[1:].replace("+", "")
    return _DUTCH_MOBILE_RE.match(digits) is not None


def _check(raws: list[str]) -> int:
    answered = 0
    for raw in raws:
        key = _tokens.mobile_key(raw)
        if key is not None:
            answered += 1
            assert key == f"tel:{normalise_phone(raw)}" == _text_phone_key(raw), raw
        else:
            assert not _first_rule_answers(raw), raw
    return answered


def _random_phones(count: int, seed: int) -> list[str]:
    sample = random.Random(seed)
    separators = ["", "", " ", "-", ".", "(", ")", "/", "  ", "+", "x", "🔥", "\u00a0"]
    digits = "0123456789" * 6 + "ol٣६０"
    phones = []
    for _ in range(count):
        start = sample.choice(
            ["0", "06", "+31", "+316", "0031", "00316", "o6", "+", "00", "+3", ""]
        )
        middle = [
            sample.choice("12345678") if sample.random() < 0.5 else sample.choice(digits)
            for _ in range(sample.choice((7, 7, 7, 6, 8, 9, 12, 16)))
        ]
        written = start
        for digit in middle:
            written += sample.choice(separators) + digit
        phones.append(written + sample.choice(["", "", " ", "1", "+", "l"]))
    return phones


def test_mobile_key_on_random_phones():
    phones = _random_phones(60000, seed=118)
    answered = _check(phones)
    # Both outcomes are reached often.
    assert 2000 < answered < len(phones) - 2000


def test_mobile_key_on_both_generators_phones():
    phones = []
    for ad in three_corpora(2000, seed=118):
        if ad.get("phone"):
            phones.append(ad["phone"])
        text = f"{ad.get('title') or ''}\n{ad.get('text') or ''}".lower()
        phones += [match[1] for match in _contact_matches(text, 32) if match[0] == 5]
    assert _check(phones) > 1000


@pytest.mark.parametrize(
    "raw",
    [
        "0612345678",
        "06123456789",  # one digit too many: not the first rule (a plan rule answers)
        "061234567",
        "+31612345678",
        "0031612345678",
        "003l6l2345678",
        "+31+6+1+2+3+4+5+6+7+8",  # more than 16 digits and signs: left to the definition
        "+31 6 1 2 3 4 5 6 7 8 +",
        "0672345678",  # 067: no mobile
        "0662345678",  # 066: a pager, the plan rule's
        "0612345٣78",
        "o6 l2 34 56 78",
        "+0031612345678",
        "0+031612345678",
        "",
        "+",
    ],
)
def test_mobile_key_on_boundaries(raw):
    _check([raw])
