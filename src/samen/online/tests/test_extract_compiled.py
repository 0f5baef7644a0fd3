"""The fast paths of extraction give what their definitions give (issue 18 item 4): the compiled
tokeniser against the two regular expressions it replaces, and the indicator search by literal
starts against a full search with the same patterns."""

import re
from dataclasses import asdict

from hypothesis import given, settings
from hypothesis import strategies as st

from samen.online.engine import _tokens
from samen.online.engine import extract as extract_module
from samen.online.engine.extract import _word_tokens_re, extract
from samen.online.engine.heldout import generate as heldout_ads
from samen.online.engine.indicators import _literal_starts, load_indicators
from samen.online.engine.synth import generate as synth_ads

# Characters where the tokeniser's classes could differ from re's: digits that are not decimal
# (², Ⅻ), decimal digits of other scripts (٣, ৪), the underscore, newlines inside number runs,
# emoji between digits, letters of other scripts.
_TRICKY = list("ab_ 0123456789\n\t.-,/+()€🔥️⃣²Ⅻ٣৪éßЖж")
_TEXT = st.text(alphabet=st.one_of(st.sampled_from(_TRICKY), st.characters()), max_size=80)


def _sample_ads(count: int) -> list[dict]:
    ads = [ad for ad, _, _ in _take(synth_ads(count, 5), count)]
    for full, plain, _ in _take(heldout_ads(count, 5), count):
        ads += [full, plain]
    return ads


def _take(items, count):
    for n, item in enumerate(items):
        if n >= count:
            return
        yield item


@settings(max_examples=60)
@given(_TEXT)
def test_the_compiled_tokeniser_reads_text_as_the_regular_expressions_do(text):
    assert _tokens.word_tokens(text) == _word_tokens_re(text)


def test_the_compiled_tokeniser_reads_both_generators_ads_as_the_regular_expressions_do():
    for ad in _sample_ads(100):
        lowered = f"{ad['title']}\n{ad['text']}".lower()
        assert _tokens.word_tokens(lowered) == _word_tokens_re(lowered)


def test_extraction_is_the_same_with_the_compiled_tokeniser(monkeypatch):
    ads = _sample_ads(60)

    def run() -> list[dict]:
        return [asdict(extract(ad["title"], ad["text"], phone=ad.get("phone", ""))) for ad in ads]

    compiled = run()
    monkeypatch.setattr(extract_module, "_word_tokens", _word_tokens_re)
    monkeypatch.setattr(extract_module, "_scan_words", extract_module._scan_words_py)
    assert run() == compiled


def test_literal_starts_are_where_every_match_begins():
    assert _literal_starts(re.compile(r"(?:(?P<a>we (?:have|offer)\b)|(?P<b>wij hebben))")) == (
        "we have",
        "we offer",
        "wij hebben",
    )
    # A start that another start begins is dropped: its places are found already.
    assert _literal_starts(re.compile(r"(?:(?P<a>only\b)|(?P<b>only (?:a few|\d) days))")) == (
        "only",
    )
    # Nothing certain before a class, a repeat or a flag: the text is searched instead.
    for pattern in (r"(?P<a>\d+ days)", r"(?P<a>x*we)", r"(?i)(?P<a>we)", r"(?P<a>we)|[a-c]c"):
        assert _literal_starts(re.compile(pattern)) is None
    # ADR 0117: the starts run on through groups, alternations and optional parts that are all
    # literal, and stop at the first part that is not (a class, a repeat, a boundary).
    assert _literal_starts(re.compile(r"(?P<a>x?we)")) == ("we", "xwe")
    assert _literal_starts(re.compile(r"(?P<a>we)|[ab]c")) == ("ac", "bc", "we")
    assert _literal_starts(re.compile(r"(?P<a>on (?:a )?tour\b)")) == ("on a tour", "on tour")
    assert _literal_starts(re.compile(r"(?P<a>(?:wij|we) zijn (?:\d|twee) dames)")) == (
        "we zijn ",
        "wij zijn ",
    )
    assert _literal_starts(re.compile(r"(?P<a>(?:ab|a)(?:c|\w)d)")) == ("a",)
    assert _literal_starts(re.compile(r"(?P<a>ab+c)")) == ("ab",)
    assert _literal_starts(re.compile(r"(?P<a>a(?:bc){2,}d)")) == ("abc",)
    # Past _STARTS_MOST texts, the shorter ones found so far.
    many = "|".join(f"w{n:03d}" for n in range(80))
    assert _literal_starts(re.compile(f"(?P<a>(?:x|y) (?:{many}))")) == ("x w0", "y w0")


_INDICATOR_WORDS = [*sorted(load_indicators().triggers), "24/7", "24h", "3", "days", "girls"]


@settings(max_examples=60)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(_INDICATOR_WORDS),
            st.sampled_from([" ", "_", "x", ", ", "\n", "2", ""]),
        ),
        max_size=12,
    )
)
def test_the_indicator_mask_by_literal_starts_is_the_mask_of_a_full_search(parts):
    indicators = load_indicators()
    lowered = "".join(word + separator for word, separator in parts)
    _, words = _word_tokens_re(lowered)
    full = 0
    for word in indicators.triggers & words:
        full = indicators._mask_of(indicators._by_word[word], lowered, full)
    for number, regex in indicators._by_number.items():
        if number in lowered:
            full = indicators._mask_of(regex, lowered, full)
    assert indicators.mask(lowered, words) == full
