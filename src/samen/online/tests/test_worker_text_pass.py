"""The worker's one text pass (ADR 0112): the indicator searches' literal starts found by one
automaton, with contact_matches' gates read in the same pass and kept with the text for
whichever of ``mask_words`` and ``contact_matches`` comes second. Each compiled result equals
its Python definition (``_mask_words_py``, ``_contact_matches_py``) on texts made to meet the
automaton's hard cases: literals that overlap, contain one another or end inside a longer one's
partial match; literals at the text's first and last character; non-ASCII, astral and mixed-script
literals and texts; and calls in either order, on the same and on other str objects, with
indicator sets alternating."""

import random

import pytest

from samen.online.engine import _tokens
from samen.online.engine import extract as extract_module
from samen.online.engine.extract import _contact_matches_py
from samen.online.engine.indicators import IndicatorSet, load_indicators

pytestmark = pytest.mark.skipif(
    extract_module._compiled_contact_matches is None, reason="the compiled _tokens is not built"
)


def _indicator(identifier: str, *patterns: str) -> dict:
    return {
        "id": identifier,
        "label": identifier,
        "kind": "text",
        "weight": 1.0,
        "explanation": "",
        "patterns": list(patterns),
    }


# Literal starts chosen to overlap: "abcab" holds "bca", "cab" and "ab" twice; "bcd" starts
# inside "abcd"'s partial match; "b" is a one-character literal that ends inside all of them;
# "łódź", "жж", "𝐚𝐛" start with non-ASCII characters (Latin, Cyrillic, an astral letter);
# "aé" and "x😀y" have a non-ASCII second character (the latter astral). The patterns add a
# required tail so that a match depends on what follows the literal, and several indicators
# share a first word.
_OVERLAPPING = IndicatorSet(
    {
        "version": "test",
        "lead_threshold": 1.0,
        "text_contribution_cap": 1.0,
        "indicators": [
            # Literals holding a space: a shorter literal starts after it, inside their partial
            # match, at a word start, and is found only through the automaton's suffixes
            # ("qq b" holds "b"). One search with a literal inside another's occurrence that
            # ends before it ("mn y" in "mn zmn yq"): its occurrences come out of the
            # automaton unsorted by start. First: the alternation tries the
            # indicators in order.
            _indicator("spaced", r"\bqq bca\w", r"\bqq b\b"),
            _indicator("nested", r"\bmn zmn yq", r"\bmn y\w"),
            _indicator("long", r"\babcab\w*"),
            _indicator("inner", r"\bbca\b", r"\bcab(?:\s+x)?"),
            _indicator("prefix", r"\bab\b", r"\babcd"),
            _indicator("shifted", r"\bbcd\w"),
            _indicator("single", r"\bb\b"),
            _indicator("polish", r"\błódź\b", r"\błó\s+d"),
            _indicator("cyrillic", r"\bжж(?:ж|\s+ы)"),
            _indicator("astral", r"\bx😀y", r"\b𝐚𝐛\w*"),
            _indicator("accent", r"\baé\b", r"\baéb"),
            _indicator("ends", r"\bzz$", r"\bzz\b"),
        ],
    }
)

_PIECES = (
    *("abcab", "abcabcab", "abcd", "bcd", "bcde", "bca", "cab", "cab x", "ab", "a", "b", "c"),
    *("qq b", "qq bca", "qq bcax", "qq", "mn zmn yq", "mn zmn y", "mn yq", "zmn", "mn"),
    *(
        "łódź",
        "łó d",
        "ł",
        "ó",
        "жж",
        "жжж",
        "жж ы",
        "ж",
        "x😀y",
        "x😀",
        "😀",
        "x",
        "y",
        "𝐚𝐛",
        "𝐚",
        "aé",
        "aéb",
        "é",
    ),
    *("zz", "z", " ", "", "\n", "-", "_", "0", "9", "@", ":", "t.me/", "www.", "(at)", "[at]"),
    *("06 12 34 56 78", "+31 6 1234 5678", "a@b.nl", "wa.me/31612345678", "ЖЖ", "ŁÓDŹ", "中"),
)


def _texts() -> list[str]:
    rng = random.Random(112)
    texts = [
        "",
        "b",
        "ab",
        "abcab",
        "zz",
        "x zz",
        "x😀y",
        "𝐚𝐛",
        "жж",
        "abcabcabcab",
        "bcdbcd bcd_",
        "łódźłódź łódź",
    ]
    for _ in range(4000):
        texts.append("".join(rng.choice(_PIECES) for _ in range(rng.randrange(1, 14))))
    # Literals at the very start and end of the text, glued to other literals.
    for _ in range(1000):
        middle = "".join(rng.choice(_PIECES) for _ in range(rng.randrange(0, 4)))
        texts.append(rng.choice(_PIECES[:30]) + middle + rng.choice(_PIECES[:30]))
    return texts


TEXTS = _texts()


def _words(text: str) -> set[str]:
    return extract_module._word_tokens_re(text)[1]


def _compiled_mask(indicators: IndicatorSet, text: str, words: set[str]) -> int:
    return _tokens.mask_words(
        text, words, indicators._search_of, indicators._compiled_searches, indicators._bit
    )


def _fresh(text: str) -> str:
    """An equal str that is another object (the pass is kept with the object), but for the
    empty and one-character texts Python shares."""
    copy = (text + "\x01")[:-1]
    assert copy is not text or len(text) <= 1
    return copy


def test_the_overlapping_literals_are_what_the_test_says():
    starts = {s for _, found in _OVERLAPPING._searches for s in found or ()}
    assert {"abcab", "bca", "cab", "b", "łódź", "жж", "x😀y", "𝐚𝐛", "aé", "zz"} <= starts
    assert {"qq b", "mn zmn yq", "mn y"} <= starts
    assert _OVERLAPPING._compiled_searches is not None


def test_the_mask_of_overlapping_literals_equals_its_definition():
    masks = []
    for text in TEXTS:
        words = _words(text)
        expected = _OVERLAPPING._mask_words_py(text, words)
        assert _compiled_mask(_OVERLAPPING, _fresh(text), words) == expected, text
        masks.append(expected)
    # Every indicator is found on some text, and some texts have several.
    found = 0
    for mask in masks:
        found |= mask
    assert found == (1 << len(_OVERLAPPING.text)) - 1
    assert sum(bin(mask).count("1") >= 2 for mask in masks) > 150


def test_the_contact_gates_read_in_the_shared_pass_equal_their_definition():
    for text in TEXTS:
        for gates in (0, 2, 32, 34):
            expected = _contact_matches_py(text, gates)
            # Contact scan first (as a worker), then the mask on the same str, then again.
            same = _fresh(text)
            assert _tokens.contact_matches(same, gates) == expected, text
            words = _words(text)
            mask = _OVERLAPPING._mask_words_py(text, words)
            assert _compiled_mask(_OVERLAPPING, same, words) == mask, text
            assert _tokens.contact_matches(same, gates) == expected, text
            # Mask first, then the contact scan reads what the mask's pass kept.
            other = _fresh(text)
            assert _compiled_mask(_OVERLAPPING, other, words) == mask, text
            assert _tokens.contact_matches(other, gates) == expected, text


def test_alternating_indicator_sets_on_one_text_keep_their_own_literals():
    packaged = load_indicators()
    assert packaged._compiled_searches is not None
    rng = random.Random(1120)
    starts = [s for _, found in packaged._searches for s in found or ()]
    texts = [
        " ".join(rng.choice(starts + list(_PIECES)) for _ in range(rng.randrange(1, 10)))
        for _ in range(1500)
    ] + TEXTS[:2000]
    found = 0
    for text in texts:
        words = _words(text)
        # The same str object under each set in turn: the pass kept for one is not the other's.
        for indicators in (packaged, _OVERLAPPING, packaged, _OVERLAPPING):
            mask = _compiled_mask(indicators, text, words)
            assert mask == indicators._mask_words_py(text, words), text
            if indicators is _OVERLAPPING:
                found |= mask
        assert _tokens.contact_matches(text, 34) == _contact_matches_py(text, 34), text
    assert found == (1 << len(_OVERLAPPING.text)) - 1


def test_the_pass_is_not_kept_for_a_str_subclass_and_reads_each_text():
    class Text(str):
        pass

    for text in TEXTS[:500]:
        words = _words(text)
        expected = _OVERLAPPING._mask_words_py(text, words)
        assert _compiled_mask(_OVERLAPPING, Text(text), words) == expected
        assert _tokens.contact_matches(Text(text), 34) == _contact_matches_py(text, 34)


def test_a_search_named_by_a_word_the_ad_lacks_sets_no_bit():
    # The occurrence of "bca" alone does not run its search: no word of the text names it.
    text = "bca cab"
    assert _compiled_mask(_OVERLAPPING, text, _words(text)) == _OVERLAPPING.bit("inner")
    assert _compiled_mask(_OVERLAPPING, text, set()) == 0
    assert _compiled_mask(_OVERLAPPING, text, {"cab"}) == _OVERLAPPING.bit("inner")


def test_the_automaton_refuses_searches_it_cannot_read():
    with pytest.raises(TypeError):
        _tokens.mask_words("ab", {"ab"}, {"ab": 0}, ((None,),), {})
    with pytest.raises(ValueError):
        _tokens.mask_words("ab", {"ab"}, {"ab": 0}, ((None, ("",)),), {})
    with pytest.raises(IndexError):
        _tokens.mask_words("ab", {"ab"}, {"ab": 1}, ((None, ("ab",)),), {})
    # After an error the packaged set still gives its definition's masks.
    packaged = load_indicators()
    text = "alleen vandaag, only today 24/7"
    assert _compiled_mask(packaged, text, _words(text)) == packaged._mask_words_py(
        text, _words(text)
    )
