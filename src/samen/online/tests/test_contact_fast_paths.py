"""The contact step's fast paths give what the paths they replace give (issue 18 item 4, ADR 0065
addendum). The phone rules answered from the numbering plan (``extract._PLAN_RULES``) give what
phonenumbers gives: on every number the generators send to the parser, and on a sweep of each
rule's range with valid and invalid prefixes and every length the parser tries; a wrong
pattern, a missing prefix or a wrong length makes these tests fail. The e-mail scan that starts
near the first separator finds what the scan of the whole text finds."""

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


def _emails(lowered: str, start: int) -> list[tuple[int, int, tuple[str, ...]]]:
    return [
        (*m.span(), m.group("user", "domain", "tld"))
        for m in extract_module._EMAIL_RE.finditer(lowered, start)
    ]


def _email_texts() -> list[str]:
    """Texts where a wrong start would lose or change an address: user parts of the longest
    length and one longer, whitespace (also non-ASCII) before the separator, several separators,
    separators that start no address, addresses glued to a word, and the generators' ads."""
    rng = random.Random(11)
    users = ["a", "anna.b", "x" * 40, "y" * 41, "z" * 45, "m+1", "a-b_c", "9lives"]
    gaps = ["", " ", "   ", "\t\n ", "\u2003\u00a0", " " * 30, "\x1c"]
    seps = ["@", "[at]", "(at)"]
    tails = ["gmail.com", "mail . nl", "web[dot]de", "x(dot)info", "q.zz", "@b.com"]
    fillers = ["", "hi ", "bel me ", "@anna ", "tel: 06 ", "(at) ", "word", "é", ". "]
    texts = []
    for _ in range(4000):
        parts = []
        for _ in range(rng.randint(1, 3)):
            parts.append(rng.choice(fillers))
            parts += [rng.choice(users), rng.choice(gaps), rng.choice(seps)]
            parts += [rng.choice(gaps), rng.choice(tails), rng.choice(fillers)]
        texts.append("".join(parts))
    for ad, _, _ in _take(synth_ads(1500, 3), 1500):
        texts.append(f"{ad['title']}\n{ad['text']}".lower())
    for full, _, _ in _take(heldout_ads(1500, 3), 1500):
        texts.append(f"{full['title']}\n{full['text']}".lower())
    return texts


def _email_start(text: str) -> int:
    return extract_module._scan_start(
        text, extract_module._EMAIL_SEPARATORS, extract_module._EMAIL_USER_MAX
    )


def test_the_email_scan_from_near_the_first_separator_finds_every_address():
    texts = _email_texts()
    found = 0
    for text in texts:
        whole = _emails(text, 0)
        assert _emails(text, _email_start(text)) == whole, text
        found += bool(whole)
    # Addresses of the longest user part, after whitespace, are among those compared.
    assert found > 1000
    text = "hi " + "x" * 40 + "y  @ web.nl"
    assert _emails(text, _email_start(text))


def _labels(lowered: str, start: int) -> list[tuple[int, int, tuple[str, ...]]]:
    return [
        (*m.span(), m.group("site", "name"))
        for m in extract_module._HANDLE_LABEL_RE.finditer(lowered, start)
    ]


def _label_start(text: str) -> int:
    return extract_module._scan_start(
        text, extract_module._HANDLE_LABEL_SEPARATORS, extract_module._HANDLE_LABEL_LONGEST
    )


def test_the_labelled_handle_scan_from_near_the_first_separator_finds_every_handle():
    """Every site word (the longest too) before every separator form, after whitespace (also
    non-ASCII), glued to a word, with colons and at signs that start no handle before it."""
    rng = random.Random(12)
    sites = [*sorted(extract_module._HANDLE_LABEL_WORDS), "xinstagram", "telegramm", "igg"]
    gaps = ["", " ", "   ", "\t\n", "\u2003", " " * 25]
    seps = [":", "@", ": @", ":@", "::", " @ "]
    fillers = ["", "hi ", "20:00 ", "@anna ", "mail: ", "é", ". ", "of ", "tel:06 "]
    texts = []
    for _ in range(4000):
        parts = []
        for _ in range(rng.randint(1, 3)):
            parts += [rng.choice(fillers), rng.choice(sites), rng.choice(gaps)]
            parts += [rng.choice(seps), rng.choice(gaps), rng.choice(["anna.x", "ab", "z" * 40])]
            parts.append(rng.choice(fillers))
        texts.append("".join(parts))
    for ad, _, _ in _take(synth_ads(1500, 3), 1500):
        texts.append(f"{ad['title']}\n{ad['text']}".lower())
    for full, _, _ in _take(heldout_ads(1500, 3), 1500):
        texts.append(f"{full['title']}\n{full['text']}".lower())
    found = 0
    for text in texts:
        whole = _labels(text, 0)
        assert _labels(text, _label_start(text)) == whole, text
        found += bool(whole)
    assert found > 1000
    text = "hi instagram   : anna.x"
    assert _labels(text, _label_start(text))


def test_the_spelled_six_scan_from_the_first_zero_finds_every_number():
    """The spelled-out 6 of a Dutch mobile: from the first 0 on, as over the whole text."""
    rng = random.Random(13)
    sixes = sorted(extract_module._SIX_WORDS)
    fillers = ["", "bel ", "20:00 ", "0", "00 ", "+0", "a0", "tel ", "é", "06 "]
    texts = []
    for _ in range(3000):
        parts = []
        for _ in range(rng.randint(1, 3)):
            parts += [rng.choice(fillers), "0", rng.choice(["", " ", "  "]), rng.choice(sixes)]
            parts += [rng.choice(["", " ", "-"]), rng.choice(["12345678", "1234 5678", "1234"])]
            parts.append(rng.choice(fillers))
        texts.append("".join(parts))
    for ad, _, _ in _take(synth_ads(1500, 3), 1500):
        texts.append(f"{ad['title']}\n{ad['text']}".lower())
    found = 0
    for text in texts:
        # The whole-text scan, as the contact step did it before.
        whole = [
            f"tel:{phone}"
            for m in extract_module._SPELLED_SIX_RE.finditer(text)
            if (phone := extract_module.normalise_phone("06" + m.group("rest")))
        ]
        # The contact step with only the six words among the words: no other text phone rule
        # runs (WhatsApp links aside, left out), so its phones are the spelled-six ones.
        if "wa.me/" in text:
            continue
        found_here = extract_module.Extraction()
        extract_module._find_contacts(text, found_here, extract_module._SIX_WORDS)
        assert [c for c in found_here.contacts if c.startswith("tel:")] == whole, text
        found += bool(whole)
    assert found > 1000
