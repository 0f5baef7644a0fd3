"""The indicator searches' literal starts (ADR 0117): they run on through groups, alternations,
sets of characters and optional parts that are all literal ("on (?:a )?tour" gives "on a tour"
and "on tour"), so that a search is tried at fewer places. The mask stays the same only if every
match of every search begins with one of its starts: shown here on texts made of the packaged
searches' own matches (drawn from their patterns), whole and cut short, between words and
characters that do and do not end a word; and the compiled mask of such texts equals the mask
of a full search of each trigger word's alternation (``_mask_of``, no starts at all)."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samen.online.engine import extract as extract_module
from samen.online.engine.extract import _word_tokens_re
from samen.online.engine.indicators import _literal_starts, load_indicators
from samen.online.engine.partition import _mask_table

_INDICATORS = load_indicators()
# Every search the mask runs: one per distinct trigger-word alternation, and the number ones.
_SEARCHES: list[tuple[re.Pattern[str], tuple[str, ...]]] = [
    (regex, starts) for regex, starts in _INDICATORS._searches if starts is not None
] + [
    (regex, starts)
    for regex in _INDICATORS._by_number.values()
    if (starts := _literal_starts(regex)) is not None
]
# Made-up searches with the parts the packaged ones lack: literal repeats of one and more, an
# optional first part, a set of characters before an alternation.
_MADE_UP = [
    (regex, _literal_starts(regex))
    for regex in map(
        re.compile,
        (r"ab+c", r"a(?:bc){2,}d", r"(?:x|y)?z(?:q|rs)t", r"[pq]r?(?:st|s)u\b", r"mn(?:o|op)*q"),
    )
]
_AROUND = st.sampled_from(["", " ", "x", "ab ", "\n", "2", ", ", "é", "_"])


def _full_mask(lowered: str, words: set[str]) -> int:
    """The mask by a full search of each alternation the words name: no literal starts."""
    mask = 0
    for word in _INDICATORS.triggers & words:
        mask = _INDICATORS._mask_of(_INDICATORS._by_word[word], lowered, mask)
    for number, regex in _INDICATORS._by_number.items():
        if number in lowered:
            mask = _INDICATORS._mask_of(regex, lowered, mask)
    return mask


def test_the_starts_run_on_past_the_first_word():
    """The texts below tell the new starts from the old ones (a start that stopped at the first
    group): the packaged searches have starts longer than their first word."""
    assert len(_SEARCHES) > 100
    longest = max(len(start) for _, starts in _SEARCHES for start in starts)
    assert longest >= 20
    assert any("on a tour" in starts and "on tour" in starts for _, starts in _SEARCHES)


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_every_match_of_a_search_begins_with_one_of_its_starts(data):
    regex, starts = data.draw(st.sampled_from(_SEARCHES + _MADE_UP))
    matched = data.draw(st.from_regex(regex.pattern, fullmatch=True))
    cut = data.draw(st.integers(0, 3))
    text = data.draw(_AROUND) + matched[: len(matched) - cut] + data.draw(_AROUND)
    for at in range(len(text) + 1):
        if regex.match(text, at) is not None:
            assert text.startswith(starts, at), (regex.pattern, text, at)


@pytest.mark.skipif(
    extract_module._compiled_scan_rules is None, reason="the compiled _tokens is not built"
)
@settings(max_examples=300, deadline=None)
@given(st.data())
def test_the_mask_of_texts_made_of_matches_is_the_mask_of_a_full_search(data):
    pieces = []
    for _ in range(data.draw(st.integers(1, 4))):
        regex, _ = data.draw(st.sampled_from(_SEARCHES))
        matched = data.draw(st.from_regex(regex.pattern, fullmatch=True))
        cut = data.draw(st.integers(0, 2))
        pieces.append(data.draw(_AROUND) + matched[: len(matched) - cut])
    lowered = "".join(pieces) + data.draw(_AROUND)
    _, words = _word_tokens_re(lowered)
    assert _INDICATORS.mask(lowered, words) == _full_mask(lowered, words)
    # Also as a worker asks: with the rule words of the compiled scan.
    rule_words = extract_module._compiled_scan_rules(lowered, _mask_table(_INDICATORS))[1]
    assert _INDICATORS.mask(lowered, rule_words) == _full_mask(lowered, rule_words)
