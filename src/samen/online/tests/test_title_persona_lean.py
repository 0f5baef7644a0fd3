"""``_title_names`` and ``title_persona`` (one set look-up a token, ADR 0111) against their
definitions as they stood before, on generated and boundary titles: the same result, or the
same exception, for every title."""

import random

from samen.online.engine import extract as extract_module
from samen.online.engine.extract import (
    _AGE_UNIT_WORDS,
    _CITY_CANONICAL,
    _CITY_FIRST_WORDS,
    _CITY_PREPOSITIONS,
    _NOT_NAME_WORDS,
    _NOT_NAMES,
    _TITLE_PERSONA_RE,
    _TITLE_TOKEN_RE,
    _TITLE_WORDS,
)


def reference_title_persona(title: str) -> tuple[str, int] | None:
    """``title_persona`` before ADR 0111: four set look-ups a token."""
    tokens = _TITLE_TOKEN_RE.findall(title)
    for i, token in enumerate(tokens):
        low = token.lower()
        if (
            token.isdigit()
            or low in _TITLE_WORDS
            or low in _NOT_NAME_WORDS
            or low in _AGE_UNIT_WORDS
            or low in _CITY_CANONICAL
            or len(token) < 2
        ):
            continue
        if low in _CITY_PREPOSITIONS or low in _CITY_FIRST_WORDS or len(token) > 15:
            return None
        following = tokens[i + 1 : i + 3]
        age = -1
        # The one change since: a superscript digit is no age (it raised ValueError).
        if following and following[0].isdecimal() and 18 <= int(following[0]) <= 69:
            age = int(following[0])
        capital = token[0].isupper()
        city_after = (
            len(following) >= 2
            and following[0].lower() in _CITY_PREPOSITIONS
            and following[1].lower() in _CITY_FIRST_WORDS
        )
        marked = i > 0 and tokens[i - 1].lower() in _TITLE_WORDS
        if age >= 0 or (capital and (city_after or marked or len(tokens) == i + 1)):
            name = token.capitalize() if token.isupper() or not capital else token
            return (name, age) if name not in _NOT_NAMES else None
        return None
    return None


def reference_title_names(title: str) -> tuple[str, int] | None:
    """``_title_names`` before ADR 0111, without its cache."""
    match = _TITLE_PERSONA_RE.match(title)
    if match and match.group("name") not in _NOT_NAMES:
        return match.group("name"), int(match.group("age"))
    return reference_title_persona(title)


def _outcome(function, title):
    try:
        return function(title)
    except Exception as error:  # the same exception is part of the definition
        return type(error)


def _pieces() -> list[str]:
    """Words of every class the definition tells apart, each written three ways."""
    sample = random.Random(111)

    def some(words, n=12):
        return sample.sample(sorted(words), min(n, len(words)))

    words = (
        some(_TITLE_WORDS)
        + some(_NOT_NAME_WORDS)
        + some(_AGE_UNIT_WORDS)
        + some(_CITY_CANONICAL)
        + some(_CITY_PREPOSITIONS)
        + some(_CITY_FIRST_WORDS)
        + some(_CITY_FIRST_WORDS & set(_CITY_CANONICAL))  # a word in both: it is skipped
        + [n.lower() for n in some(_NOT_NAMES)]
        + ["anna", "sophie", "lucía", "мария", "łucja", "zoë", "ximena", "o", "x", "ab"]
        + ["abcdefghijklmno", "abcdefghijklmnop", "ñandúñandúñandú", "ñandúñandúñandúx"]
    )
    written = []
    for word in words:
        written += [word, word.capitalize(), word.upper()]
    return [*written, "17", "18", "19", "42", "69", "70", "5", "123", "018", "²", "½", "x²"]


_SEPARATORS = [" ", " ", " ", ", ", " - ", " (", ") ", ": ", "!!! ", " 💋 ", "_", "", "\n", "/"]


def _titles() -> list[str]:
    sample = random.Random(18)
    pieces = _pieces()
    titles = [
        "",
        " ",
        "💋",
        "Anna",
        "anna",
        "ANNA",
        "Anna (17)",
        "Anna (18)",
        "Anna (69)",
        "Anna (70)",
        "Anna, 18",
        "anna 69",
        "anna 70",
        "Zara uit Breda",
        "Zara in Den Haag",
        "Zara in Den",
        "NEW: sweet Anna",
        "Anna - Breda",
        "Sophie ²",
        "Sophie ½ 21",
        "Abcdefghijklmno 21",
        "Abcdefghijklmnop 21",
        "Ła 19",
        "Мария, 23",
        "Anna_21",
        "Anna21",
    ]
    for _ in range(30000):
        parts = []
        for _ in range(sample.randint(1, 6)):
            parts += [sample.choice(pieces), sample.choice(_SEPARATORS)]
        titles.append("".join(parts[: sample.choice((-1, len(parts)))]))
    return titles


def test_title_persona_equals_its_definition():
    titles = _titles()
    found = [_outcome(extract_module.title_persona, t) for t in titles]
    expected = [_outcome(reference_title_persona, t) for t in titles]
    assert found == expected
    # The titles reach every outcome: a name with an age, one without, none; and no title
    # raises (a superscript digit after a name once did, and stopped the scan).
    assert {type(r) for r in expected} == {tuple, type(None)}
    assert extract_module.title_persona("Sophie ²") is None
    assert extract_module.title_persona("Sophie ² 21") is None
    assert any(isinstance(r, tuple) and r[1] == -1 for r in expected)
    assert any(isinstance(r, tuple) and r[1] == 18 for r in expected)
    assert any(isinstance(r, tuple) and r[1] == 69 for r in expected)


def test_title_names_equals_its_definition():
    titles = _titles()
    found = [_outcome(extract_module._title_names.__wrapped__, t) for t in titles]
    assert found == [_outcome(reference_title_names, t) for t in titles]
