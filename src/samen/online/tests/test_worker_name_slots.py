"""The compiled slot rules' last step (every token equal to a lower-cased name becomes the name
slot) compares the name with each token by length, kind and bytes instead of a call of str's
comparison per token (ADR 0101). On tokens made to be near misses of the names in each kind
of str (one-, two- and four-byte characters), of the same length and differing in their first,
a middle or their last character, tokens equal to a name but other objects, longer than the
tokeniser's remembered words, and str subclasses, it changes the tokens ``_slot_rules_py`` (the
definition) changes. The inputs are shown to tell a comparison that reads only part of the
characters (a byte count without the kind) from the right one."""

import random

from samen.online.engine import _tokens
from samen.online.engine import extract as extract_module
from samen.online.engine.extract import _SLOT_TABLES, _slot_rules_py

NAMES = ["Anna", "Élodie", "Ǆemal", "Ана", "Ιωάννα", "𝔄nna", "𝔞𝔟", "Mia", "ßara", "Zoë"]
NAMES += ["A" * 45, "Ǆ" * 41 + "x", "𝔞" * 3]


class _Str(str):
    """A str subclass: the comparison falls back to str's own."""


def _near_misses(word: str) -> list[str]:
    """``word``, a copy of it that is another object, and words of its length that differ from
    it in one character (first, middle, last), by an ASCII letter or a character of its kind."""
    out = [word, "".join(list(word)), _Str(word)]
    widest = max(word, key=ord)
    for at in {0, len(word) // 2, len(word) - 1}:
        for other in ("x", chr(ord(widest) + 1)):
            if word[at] != other:
                out.append(word[:at] + other + word[at + 1 :])
    out += [word[:-1], word + "x", word.upper()]
    return out


def _ads() -> list[tuple[str, list[str], list[str]]]:
    """(original, tokens, names): the names given, as a title or greeting would give them."""
    rng = random.Random(101)
    pool = [token for name in NAMES for token in _near_misses(name.lower())]
    pool += ["xnumx", "xcityx", "ik", "ben", "😀", "", "a"]
    ads = []
    for _ in range(3000):
        tokens = [rng.choice(pool) for _ in range(rng.randrange(0, 30))]
        names = rng.sample(NAMES, rng.randrange(0, 3))
        ads.append((" ".join(tokens), tokens, names))
    for name in NAMES:
        tokens = _near_misses(name.lower())
        ads.append((" ".join(tokens), tokens, [name]))
    return ads


ADS = _ads()


def _run(rules) -> list[tuple]:
    results = []
    for original, tokens, names in ADS:
        lower, found = list(tokens), list(names)
        if rules is _slot_rules_py:
            cities = rules(original, lower, set(lower), found)
        else:
            cities = rules(original, lower, found, _SLOT_TABLES)
        # The type too: a token that is not replaced stays the object it was.
        results.append(([(type(t), t) for t in lower], found, cities))
    return results


def _raw(text: str) -> bytes:
    """The bytes CPython keeps for ``text``: one, two or four a character, by its widest."""
    widest = max(map(ord, text), default=0)
    if widest < 256:
        return text.encode("latin-1")
    return text.encode("utf-16-le") if widest < 65536 else text.encode("utf-32-le")


def test_the_compiled_name_slots_are_the_definitions():
    expected = _run(_slot_rules_py)
    assert _run(_tokens.slot_rules) == expected
    slot = extract_module.SLOT_NAME
    replaced = sum(t == slot for tokens, _, _ in expected for _, t in tokens)
    kept_near = sum(
        t != slot and any(len(t) == len(n) for n in names)
        for (tokens, names, _) in expected
        for _, t in tokens
    )
    assert replaced > 500 and kept_near > 1000


def test_a_name_compared_by_part_of_its_bytes_is_caught():
    """Reading ``length`` bytes instead of ``length * kind`` (a comparison that forgets the
    kind) would replace tokens the definition keeps in these ads."""
    wrong = 0
    for _, tokens, names in ADS:
        for name in names:
            key = name.lower()
            for token in tokens:
                same_start = len(token) == len(key) and (
                    _raw(token)[: len(key)] == _raw(key)[: len(key)]
                )
                wrong += same_start and token != key and len(_raw(key)) > len(key)
    assert wrong > 100
