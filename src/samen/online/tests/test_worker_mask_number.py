"""The indicator mask's number search ("24/7") run by the compiled ``mask_words`` (ADR 0097)
gives the mask of its definition: the keyed searches in Python (``_mask_words_py``) and the
number searched for in the text and run over it (``_mask_of``), as ``mask`` did before."""

import random

import pytest

from samen.online.engine import indicators as indicators_module
from samen.online.engine.extract import SLOT_NUM, extract_with, scan_table, worker_extract
from samen.online.engine.indicators import IndicatorSet, load_indicators
from samen.online.tests.corpora import both_generators

pytestmark = pytest.mark.skipif(
    indicators_module._compiled_mask_words is None, reason="the compiled _tokens is not built"
)

_NUMBER_PIECES = (
    *("24/7", "24 / 7", "24h", "24 h", "24  h", "24/7x", "24/70", "124/7", "x24/7", "_24/7"),
    *("2 4/7", "24", "247", "24/", "24 ", "h", "/7", "7", "2", "4", " ", "\n", ".", ",", "é"),
    *("ж", "😀", "٢٤/7", "²4/7", "24/٧", "24ｈ", "beschikbaar", "dag", "nacht", "only", "€"),
)


def _number_texts() -> list[str]:
    rng = random.Random(97)
    texts = [
        "".join(rng.choice(_NUMBER_PIECES) for _ in range(rng.randrange(1, 12)))
        for _ in range(6000)
    ]
    fillers = ("", "ab ", "café ", "цена ", "😀 ")
    return [rng.choice(fillers) + text for text in texts]


NUMBER_TEXTS = _number_texts()


def _cases(indicators: IndicatorSet) -> list[tuple[str, object]]:
    """Lower-cased texts with the words a worker passes (its rule words for the mask's table)
    and those ``extract_with`` gives, on both generators' ads and the number texts."""
    table = scan_table(indicators.triggers)
    cases = []
    ads = both_generators(300, 97)
    pairs = [(ad.get("title", ""), ad.get("text", "")) for ad in ads]
    pairs += [("", text) for text in NUMBER_TEXTS]
    for title, text in pairs:
        *_, lowered, words = worker_extract(title, text, "", "", (), table)
        cases.append((lowered, words))
        found = extract_with(title, text, "", "", (), table)
        cases.append((found.lowered, found.words))
    return cases


def _definition(indicators: IndicatorSet, lowered: str, words) -> int:
    mask = indicators._mask_words_py(lowered, words)
    for number, regex in indicators._by_number.items():
        if number in lowered:
            mask = indicators._mask_of(regex, lowered, mask)
    if indicators._unkeyed_regex is not None:
        mask = indicators._mask_of(indicators._unkeyed_regex, lowered, mask)
    return mask


def test_the_number_search_runs_in_the_compiled_mask():
    indicators = load_indicators()
    assert indicators._by_number, "the indicators have a number search"
    assert indicators._numbers_in_python == ()
    assert SLOT_NUM in indicators._compiled_search_of


def test_the_compiled_number_search_gives_the_mask_of_its_definition():
    indicators = load_indicators()
    cases = _cases(indicators)
    got = [indicators.mask(lowered, words) for lowered, words in cases]
    assert got == [_definition(indicators, lowered, words) for lowered, words in cases]
    # The number's bit is set often enough for the comparison to count.
    (number_regex,) = indicators._by_number.values()
    number_bits = 0
    for name in number_regex.groupindex:
        number_bits |= indicators.bit(name)
    assert sum(bool(mask & number_bits) for mask in got) > len(cases) // 20


def test_the_python_number_loop_gives_the_same_masks(monkeypatch):
    indicators = load_indicators()
    cases = _cases(indicators)
    compiled = [indicators.mask(lowered, words) for lowered, words in cases]
    monkeypatch.setattr(indicators, "_compiled_search_of", indicators._search_of)
    monkeypatch.setattr(indicators, "_compiled_searches", indicators._compiled_searches[:-1])
    monkeypatch.setattr(indicators, "_numbers_in_python", tuple(indicators._by_number.items()))
    assert [indicators.mask(lowered, words) for lowered, words in cases] == compiled


def test_a_mask_that_drops_the_number_search_is_caught(monkeypatch):
    indicators = load_indicators()
    cases = _cases(indicators)
    expected = [_definition(indicators, lowered, words) for lowered, words in cases]
    # Keyed on a word no ad has: the number search never runs.
    monkeypatch.setattr(
        indicators,
        "_compiled_search_of",
        {**indicators._search_of, "no such word": len(indicators._compiled_searches) - 1},
    )
    assert [indicators.mask(lowered, words) for lowered, words in cases] != expected
