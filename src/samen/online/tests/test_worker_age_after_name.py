"""The compiled age after an ad's first name (``_tokens.age_after_name``, ADR 0122) gives what
its definition ``extract._age_after_name_py`` (``str.find`` and ``_AGE_AFTER_NAME_RE``) gives:
on the names and texts of the three corpora, on random texts built around a name from the
characters the pattern tells apart (every kind of space, the three separators, ASCII and other
scripts' digits, lone surrogates, emoji), on empty and very long texts, and on boundaries. A
build that reads a class or the backtracking differently fails it (shown below)."""

import random

import pytest

from samen.online.engine.extract import _age_after_name_py, extract_with, scan_table
from samen.online.engine.indicators import load_indicators
from samen.online.tests.corpora import three_corpora

_tokens = pytest.importorskip("samen.online.engine._tokens")

TABLE = scan_table(load_indicators(None).triggers)
NAMES = ["Anna", "Mia", "Ана", "Zoë", "İlayda", "ﬁona", "a", "😀", "Anna Anna"]
# What the pattern tells apart: spaces of every kind (and characters that are not), the three
# separators, digits 0-9 and other scripts' decimals (and digits that are not decimals).
PIECES = [" ", "  ", "\t", "\n", "\u00a0", "\u2009", "\u3000", "\x1c", "\u200b", ",", "(", "-"]
PIECES += ["0", "1", "2", "6", "7", "9", "21", "66", "70", "16", "٣", "０", "²", "½", "x"]
PIECES += [")", "jaar", "\ud800", "😀", "", "Anna", "_", ".", "+"]


def _random_cases(count: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    cases = []
    for _ in range(count):
        name = rng.choice(NAMES)
        before = "".join(rng.choice(PIECES) for _ in range(rng.randrange(3)))
        after = "".join(rng.choice(PIECES) for _ in range(rng.randrange(7)))
        text = before + name + after
        if rng.random() < 0.1:
            text = text + name + "".join(rng.choice(PIECES) for _ in range(4))
        if rng.random() < 0.003:
            text = "x" * 100_000 + text
        cases.append((text, name if rng.random() < 0.95 else rng.choice(NAMES)))
    return cases


def _corpus_cases() -> list[tuple[str, str]]:
    cases = []
    for ad in three_corpora(300, seed=61):
        title, text = ad.get("title", ""), ad.get("text", "")
        found = extract_with(title, text, "", "", (), TABLE)
        for name in found.names:
            cases.append((text, name))
    return cases


BOUNDARIES = [
    ("", "Anna"),
    ("Anna", "Anna"),
    ("Anna 2", "Anna"),
    ("Anna 21", "Anna"),
    ("Anna 210", "Anna"),
    ("Anna 21٣", "Anna"),
    ("Anna,", "Anna"),
    ("Anna, ", "Anna"),
    ("Anna,21", "Anna"),
    ("Anna ,21", "Anna"),
    ("Anna , 21", "Anna"),
    ("Anna,,21", "Anna"),
    ("Anna21", "Anna"),
    ("Anna (21)", "Anna"),
    ("Anna -21", "Anna"),
    ("Anna 61 62", "Anna"),
    ("Anna 71", "Anna"),
    ("Anna 1²", "Anna"),
    ("Anna (2٣)", "Anna"),
    ("Anna\u00a021", "Anna"),
    ("x", ""),
    ("21", ""),
    (" 21", ""),
    ("Anna 21", "anna"),
]
CASES = BOUNDARIES + _corpus_cases() + _random_cases(40_000, 17)


def test_the_compiled_age_after_a_name_is_its_definition():
    for text, name in CASES:
        assert _tokens.age_after_name(text, name) == _age_after_name_py(text, name), (text, name)


def test_the_cases_tell_a_wrong_reading_from_a_right_one():
    """Readings a build could get wrong give other ages on these cases: \\s as ASCII spaces
    only, \\d as ASCII digits only, a separator taken as optional."""
    expected = [_age_after_name_py(text, name) for text, name in CASES]

    def ascii_space(text: str, name: str) -> int:
        spaces = {c for c in text if c.isspace() and not c.isascii()}
        return _age_after_name_py("".join("x" if c in spaces else c for c in text), name)

    def ascii_digits(text: str, name: str) -> int:
        return _age_after_name_py(
            "".join("x" if c.isdecimal() and not c.isascii() else c for c in text), name
        )

    def no_separator_needed(text: str, name: str) -> int:
        at = text.find(name)
        rest = text[at + len(name) :] if at >= 0 else ""
        two_digits = len(rest) >= 2 and rest[0] in "123456" and rest[1].isdecimal()
        if two_digits and (len(rest) == 2 or not rest[2].isdecimal()):
            return int(rest[:2])
        return _age_after_name_py(text, name)

    for wrong in (ascii_space, ascii_digits, no_separator_needed):
        assert [wrong(text, name) for text, name in CASES] != expected, wrong.__name__
    assert sum(age >= 0 for age in expected) > 1000
