"""ADR 0106's exact pre-checks in the compiled contact scan give what its definition gives.

``_tokens.contact_matches`` tries a labelled handle or an address only in the window before a
separator where its first part can end (a site of 2 to 9 letters, a user part of 1 to 41 user
characters, then only whitespace up to the separator), and the phone pattern only when some
ASCII digit follows seven characters of its class. The texts here put separators behind sites,
user parts and whitespace of each length around those bounds, and phones at their shortest,
and are compared with ``extract._contact_matches_py``; each boundary is shown to be met."""

import random

import pytest

from samen.online.engine import extract as extract_module

_tokens = pytest.importorskip("samen.online.engine._tokens")

_SITES = ["telegram", "tg", "snapchat", "snap", "sc", "instagram", "insta", "ig", "onlyfans", "of"]
_SPACES = ["", " ", "  ", "\t", "\n", "\u00a0", "\u2003", " \u3000 "]
_SEPARATORS = [":", "@", ": @", "[at]", "(at)", "[", "(", "@@", "::"]
_FILL = ["", "x", "é", "ж", "😀", ".", "-", "_", "+", "a.b", "ξ", "anna", "7"]
# Characters of the phone pattern's class (and some not), for runs before a digit.
_PHONE_CLASS = ["0", "1", "o", "l", " ", "-", ".", "(", ")", "/", "*", "·", "•", "~", "|", "😀"]
_NOT_PHONE = ["a", "x", "é", "ж", ",", "+"]


def _user(rng: random.Random) -> str:
    # User parts around the longest (41 characters), of user characters of each kind.
    length = rng.choice([1, 2, 5, 39, 40, 41, 42, 43, rng.randrange(1, 50)])
    return rng.choice("abz09") + "".join(rng.choice("ab9._+-éж") for _ in range(length - 1))


def _handle_or_address(rng: random.Random) -> str:
    first = rng.choice(
        [rng.choice(_SITES), "x" + rng.choice(_SITES), rng.choice(_SITES) + "s", _user(rng)]
    )
    tail = rng.choice(["anna", "an", "a.b_c", "example", "example.nl", "mail.com", "ex . com"])
    return first + rng.choice(_SPACES) + rng.choice(_SEPARATORS) + rng.choice(_SPACES) + tail


def _phone(rng: random.Random) -> str:
    start = rng.choice(["+", "0", "o6", "o 6", "o.-6", "x0", "a+"])
    run = rng.choice([5, 6, 7, 8, 9, 12, 44, 45, 46])
    body = "".join(rng.choice(_PHONE_CLASS) for _ in range(run))
    if rng.random() < 0.3:
        cut = rng.randrange(len(body) + 1)
        body = body[:cut] + rng.choice(_NOT_PHONE) + body[cut:]
    return start + body + rng.choice(["", "1", "9", "x", " "])


def _texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randrange(1, 7)):
            roll = rng.random()
            if roll < 0.45:
                parts.append(_handle_or_address(rng))
            elif roll < 0.75:
                parts.append(_phone(rng))
            else:
                parts.append(rng.choice(_FILL) * rng.randrange(1, 4))
            parts.append(rng.choice(_SPACES + _FILL))
        texts.append("".join(parts))
    return texts


TEXTS = _texts(12000, 106)
WORD_GATES = (extract_module._LABEL, extract_module._PHONE, 0x3F)


def test_the_windowed_contact_scan_is_its_definition():
    assert _tokens.contact_matches is extract_module._contact_matches
    differences = [
        (text, gates)
        for text in TEXTS
        for gates in WORD_GATES
        if _tokens.contact_matches(text, gates) != extract_module._contact_matches_py(text, gates)
    ]
    assert differences == []


def test_the_texts_meet_every_bound_of_the_windows():
    """A window one character short (a site of 9 letters, a user part of 41, whitespace before
    the separator, a phone of 8 class characters) would lose matches these texts hold."""
    matches = [m for text in TEXTS for m in extract_module._contact_matches_py(text, 0x3F)]
    labelled = [m for m in matches if m[0] == 1]
    addresses = [m for m in matches if m[0] == 4]
    phones = [m[1] for m in matches if m[0] == 5]
    assert any(site == "instagram" for _, site, _ in labelled)
    assert any(len(site) == 2 for _, site, _ in labelled)
    assert any(len(user) == 41 for _, user, _, _ in addresses)
    assert any(len(user) == 1 for _, user, _, _ in addresses)
    assert any(len(phone) == 9 for phone in phones)
    spaced = [
        text
        for text in TEXTS
        if any(f"{site}{space}:" in text for site in _SITES for space in _SPACES[1:])
    ]
    assert any(m[0] == 1 for text in spaced for m in extract_module._contact_matches_py(text, 0x3F))
