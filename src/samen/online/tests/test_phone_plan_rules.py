"""The phone rules answered from the numbering plan (``extract._PLAN_RULES``, issue 18 item 4,
ADR 0065 addendum) give what phonenumbers gives: on every number the generators send to the
parser, and on a sweep of each rule's range with valid and invalid prefixes and every length the
parser tries. A wrong pattern, a missing prefix or a wrong length makes these tests fail."""

import random

import pytest

from samen.online.engine import extract as extract_module
from samen.online.engine.heldout import generate as heldout_ads
from samen.online.engine.synth import generate as synth_ads


def _fast(digits: str) -> str | None:
    return extract_module._parse_digits.__wrapped__(digits, "NL")


def _reference(digits: str) -> str | None:
    return extract_module._parse_digits_general(digits, "NL")


def _sweep(prefix: str, rng: random.Random) -> list[str]:
    """Every three digits after the prefix (four at the length a valid number has), for each
    length from too short to longer than a number, with random tails."""
    rule_length = extract_module._PLAN_RULES[prefix][1]
    cases = []
    for length in range(len(prefix) + 3, 17):
        head_digits = 4 if length == rule_length else 3
        for head in range(10**head_digits):
            body = f"{head:0{head_digits}d}"
            rest = length - len(prefix) - len(body)
            tail = "".join(rng.choice("0123456789") for _ in range(rest))
            cases.append((prefix + body + tail)[:length])
    return cases


@pytest.mark.parametrize("prefix", sorted(extract_module._PLAN_RULES))
def test_each_plan_rule_agrees_with_phonenumbers_across_its_range(prefix):
    rng = random.Random(prefix)
    cases = _sweep(prefix, rng)
    # The rule answers every case here (else the sweep would compare the parser with itself).
    assert all(
        extract_module._PLAN_RULES.get(c[:4]) or extract_module._PLAN_RULES.get(c[:2])
        for c in cases
    )
    wrong = [c for c in cases if _fast(c) != _reference(c)]
    assert not wrong, wrong[:10]
    # Both answers occur: the sweep reaches valid and invalid numbers of the rule's range.
    answers = {_reference(c) is None for c in cases}
    assert answers == {True, False}


def test_plan_rules_agree_with_phonenumbers_on_the_generators_numbers():
    seen: set[str] = set()
    real = extract_module._parse_digits

    def spy(digits, region):
        seen.add(digits)
        return real(digits, region)

    extract_module._parse_digits = spy
    try:
        for ad, _, _ in _take(synth_ads(3000, 5), 3000):
            extract_module.extract(ad["title"], ad["text"], phone=ad.get("phone") or "")
        for full, _, _ in _take(heldout_ads(3000, 5), 3000):
            extract_module.extract(full["title"], full["text"], phone=full.get("phone") or "")
    finally:
        extract_module._parse_digits = real
    ruled = [d for d in seen if d[:4] in extract_module._PLAN_RULES or d[:2] == "06"]
    assert len(ruled) > 100
    wrong = [d for d in ruled if _fast(d) != _reference(d)]
    assert not wrong, wrong[:10]


def _take(items, count):
    for n, item in enumerate(items):
        if n >= count:
            return
        yield item
