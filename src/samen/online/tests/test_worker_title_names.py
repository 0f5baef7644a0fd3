"""The compiled ``_tokens.title_names`` (ADR 0118) against ``_title_names``, its definition:
the same result, or the same exception, for generated and boundary titles (those of
``test_title_persona_lean``), the titles of both generators' ads, and random titles of the
characters whose classes the definition's patterns and string methods tell apart."""

import random

import pytest

from samen.online.engine import extract as extract_module
from samen.online.engine.extract import _TITLE_TABLES, _title_names
from samen.online.tests.corpora import three_corpora
from samen.online.tests.test_title_persona_lean import _titles

_tokens = pytest.importorskip("samen.online.engine._tokens")


def compiled(title: str):
    return _tokens.title_names(title, _TITLE_TABLES)


def definition(title: str):
    return _title_names.__wrapped__(title)


def _outcome(function, title):
    try:
        return function(title)
    except Exception as error:  # the same exception is part of the definition
        return type(error)


# Characters at the edges of the classes: _CAP's ranges ([A-ZÀ-ÖØ-ÞЀ-Я], [a-zß-öø-ÿа-џ]) and
# their neighbours, \w against \W ("_", marks, other scripts' letters), \d (decimals of other
# scripts) against str.isdigit (superscripts) and neither (fractions), \s of several kinds,
# characters whose lower case is longer ("İ") or that are title case ("ǅ"), and emoji.
_EDGE_CHARS = (
    "AZaz@[`{ÀÖ×ØÞßö÷øÿĀāЀЯаџѐѠѡ"
    "İıǅǆΣσςẞﬁ"
    "_\u0301\u200d"
    "0123456789٠٣۹०３²³¹½Ⅻ"
    " \t\n\u00a0\u2003\u3000"
    ",(-):!.💋🔥"
    "AnnaSophieZaraMaria"
)


def _random_titles(count: int, seed: int) -> list[str]:
    sample = random.Random(seed)
    words = sorted(_TITLE_TABLES[1])[:40] + sorted(_TITLE_TABLES[2])[:40]
    titles = []
    for _ in range(count):
        parts = []
        for _ in range(sample.randint(1, 8)):
            kind = sample.random()
            if kind < 0.4:
                parts.append("".join(sample.choices(_EDGE_CHARS, k=sample.randint(1, 6))))
            elif kind < 0.6:
                word = sample.choice(words)
                parts.append(sample.choice((word, word.capitalize(), word.upper())))
            elif kind < 0.8:
                # A name of 1 to 17 lower-case letters after a capital, then a separator and
                # an age: the persona pattern's own shape, and just outside it.
                parts.append(
                    sample.choice("AЯÀÞЀaß")
                    + "".join(sample.choices("aßöøÿаџ", k=sample.randint(0, 17)))
                    + sample.choice(("", " ", "  ", "\t", "\u3000"))
                    + sample.choice(",(-:")
                    + sample.choice(("", " ", "\n"))
                    + sample.choice(("1", "6", "7", "0"))
                    + sample.choice(("8", "٣", "²", "", "x", "_"))
                    + sample.choice(("", ")", "9", "a", " ", "_"))
                )
            else:
                parts.append(str(sample.choice((5, 17, 18, 42, 69, 70, 123))))
            parts.append(sample.choice(("", " ", " ", ", ", " - ", "_", "\n")))
        titles.append("".join(parts))
    return titles


def test_title_names_on_generated_and_boundary_titles():
    titles = _titles()
    assert [_outcome(compiled, t) for t in titles] == [_outcome(definition, t) for t in titles]


def test_title_names_on_both_generators_titles():
    titles = [ad.get("title") or "" for ad in three_corpora(3000, seed=118)]
    found = [_outcome(compiled, t) for t in titles]
    assert found == [_outcome(definition, t) for t in titles]
    # The corpora reach the pattern's answer, title_persona's with and without an age, and None.
    assert {type(r) for r in found} == {tuple, type(None)}
    assert any(isinstance(r, tuple) and r[1] == -1 for r in found)
    assert any(isinstance(r, tuple) and r[1] >= 0 for r in found)


def test_title_names_on_random_titles_of_edge_characters():
    titles = _random_titles(40000, seed=18)
    found = [_outcome(compiled, t) for t in titles]
    expected = [_outcome(definition, t) for t in titles]
    assert found == expected
    assert {type(r) for r in expected} == {tuple, type(None)}
    # The persona pattern itself answers for some: an age that title_persona would not read.
    assert any(
        isinstance(r, tuple) and extract_module._TITLE_PERSONA_RE.match(t)
        for t, r in zip(titles, expected, strict=True)
    )


@pytest.mark.parametrize(
    "title",
    [
        "Anna (21)",
        "Abcdefghijklmnop (21)",  # 15 letters after the capital: the pattern's longest name
        "Abcdefghijklmnopq (21)",  # 16: not the pattern; title_persona's longest is 15 too
        "Ab (21)",
        "A (21)",
        "__Anna (21)",  # "_" is a word character: \W* stops there
        "💋 Anna ,  21",
        "Anna (2١)",  # a decimal of another script is \d; int() reads it
        "Anna (2²)",  # a superscript is not \d
        "Anna (21_",  # "_" after the age: no word boundary
        "Anna (21x",
        "Anna 000000000018",  # more digits than the fast reading: int() reads 18
        "Anna " + "1" * 5000,  # int() refuses: ValueError, as the definition raises
        "ANNA in Breda",
        "İstanbul girl 21",
        "ǅenana 22",
        "ǅENANA",
        "x" * 40 + " Anna",
        " ".join(["Anna"] * 40),  # more tokens than the first buffer holds
        "a b c d e f g h i j k l m n o p q r s t u v w x y z a b c d e f g h Zoë in Breda",
    ],
)
def test_title_names_on_boundaries(title):
    assert _outcome(compiled, title) == _outcome(definition, title)


def test_worker_and_extract_use_the_compiled_persona():
    # extract() and worker_extract() read the title through the compiled call when it is built.
    assert extract_module._persona is extract_module._title_names_compiled
    assert extract_module.extract("Anna (21)", "").names == ["Anna"]


def test_a_name_is_one_object_for_its_text():
    # Repeated names travel to the coordinator as memo references (ADR 0113, 0118).
    first = compiled("Anna (21)")
    assert first is not None
    for title in ("NEW: sweet Anna", "ANNA", "anna 69", "Anna, 33"):
        found = compiled("".join(title))
        assert found is not None and found[0] == "Anna" and found[0] is first[0]
