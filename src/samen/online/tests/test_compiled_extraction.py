"""The compiled word scan and indicator mask of ADR 0070 give what their Python definitions
give: on the ads of `online synth`, of the held-out generator and of its text-only version, and
on odd texts (empty, huge, non-BMP emoji, mixed scripts, NUL, long words, other scripts'
digits). Each test also shows that it can tell a wrong answer from a right one."""

import json
import random
from dataclasses import asdict
from importlib import resources

import pytest

from samen.online.engine import _tokens
from samen.online.engine import extract as extract_module
from samen.online.engine import indicators as indicators_module
from samen.online.engine.extract import (
    _WORD_TABLE,
    LANGUAGES,
    _scan_words_py,
    detect_language,
    extract,
)
from samen.online.engine.indicators import IndicatorSet, load_indicators
from samen.online.tests.corpora import three_corpora


def _lowered(ad: dict) -> str:
    return f"{ad['title']}\n{ad['text']}".lower()


def _odd_texts() -> list[str]:
    rng = random.Random(70)
    words = list(_WORD_TABLE)
    alphabet = (
        "abc xyz 0123456789 \n\t.,-:;!?()[]@€_ \x00 é ß ğ ł ș ş ж щ ё ы "
        "٣٤٥ ०१२ ０１ ¹² Ⅻ 😀💋🔥✨ ❤️ 👩‍❤️‍👨 \U0001f600\U0010ffff 中文 日本"
    )
    texts = [
        "",
        " ",
        "\n",
        "\x00",
        "a\x00b \x00wij\x00 we",
        "0",
        "xnumx",
        "xnumx xnumx 12",
        "a" * 41,
        "a" * 40 + " " + "b" * 41 + " " + "a" * 40,
        "wij " * 5000 + "we are " * 5000,
        " ".join(rng.choice(words) for _ in range(60_000)),
        "ik ben anna 😀 wij zijn 💋 nieuw in amsterdam \U0001f525 06 12 34 56 78",
        "мы сегодня ти си тук нова 😀 я тут и ты",
        "wij wij wij we we we sunt sunt sunt są są są",
        "١٢٣ ٤٥ and the 06-12 ٣٤ wij",
        "the and of\x00the and of ​ zero-width",
    ]
    for _ in range(300):
        texts.append("".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 400))))
    for _ in range(300):
        texts.append(
            " ".join(
                rng.choice(words) if rng.random() < 0.6 else rng.choice(alphabet.split())
                for _ in range(rng.randrange(0, 120))
            )
        )
    return texts


ADS = three_corpora(400, seed=3)
TEXTS = [_lowered(ad) for ad in ADS] + _odd_texts()


def _scan_compiled(text: str, table: dict = _WORD_TABLE):
    return _tokens.scan_words(text, table)


def test_the_compiled_word_scan_equals_its_definition():
    for text in TEXTS:
        assert _scan_compiled(text) == _scan_words_py(text)
    # The ads carry every language and rule words: the comparison has something to compare.
    found = {_scan_compiled(text)[3] for text in TEXTS}
    assert found >= {-1, *range(len(LANGUAGES))}
    assert sum(bool(_scan_compiled(text)[2]) for text in TEXTS) > len(TEXTS) // 2


def test_the_word_scan_gives_the_tokeniser_and_the_language_of_before():
    for text in TEXTS:
        tokens, words, rule_words, best = _scan_compiled(text)
        assert (tokens, words) == extract_module._word_tokens_re(text)
        assert rule_words == extract_module._RULE_WORDS.intersection(words)
        assert extract_module._language_of(best, text) == detect_language(words, text)


def test_the_word_scan_forgets_what_it_remembered_of_another_table():
    text = "wij zijn er we are here sunt aici"
    table = dict(_WORD_TABLE)
    tokens, words, rule_words, _ = _scan_compiled(text, table)
    # Another table (a copy without the Dutch stopwords) must be asked anew, word by word.
    other = {word: value for word, value in table.items() if not value & 2}
    assert _scan_compiled(text, other)[2] == {w for w in rule_words if w in other}
    assert _scan_compiled(text, other)[3] != 0
    assert _scan_compiled(text, table) == (tokens, words, rule_words, 0)


def test_a_word_scan_that_counts_wrong_is_caught():
    # A table that forgets one Dutch stopword gives another answer on some ad: the comparison
    # above would see a scan that drops or miscounts a word.
    dropped = {w: v for w, v in _WORD_TABLE.items() if w != "en"}
    assert any(_scan_compiled(text, dropped) != _scan_words_py(text) for text in TEXTS)


def test_the_word_scan_refuses_what_it_cannot_read():
    with pytest.raises(TypeError):
        _tokens.scan_words(b"bytes", _WORD_TABLE)
    with pytest.raises(TypeError):
        _tokens.scan_words("text", frozenset(_WORD_TABLE))
    with pytest.raises(ValueError):
        _tokens.scan_words("wij", {"wij": -1})
    with pytest.raises(TypeError):
        _tokens.scan_words("wij", {"wij": "one"})
    # After an error the next call with the real table is still right.
    assert _scan_compiled("wij zijn hier en daar") == _scan_words_py("wij zijn hier en daar")


def _masks(indicators: IndicatorSet, texts: list[str]) -> list[tuple[int, int]]:
    pairs = []
    for text in texts:
        words = extract_module._word_tokens_re(text)[1]
        pairs.append(
            (
                _tokens.mask_words(
                    text,
                    words,
                    indicators._search_of,
                    indicators._compiled_searches,
                    indicators._bit,
                ),
                indicators._mask_words_py(text, words),
            )
        )
    return pairs


def _indicator_texts(indicators: IndicatorSet) -> list[str]:
    """Texts made of the searches' literal starts, glued to words and to each other."""
    rng = random.Random(18)
    starts = [s for _, found in indicators._searches for s in found or ()]
    glue = ["", " ", "a", "\n", "😀", "-", "é", "0"]
    texts = []
    for _ in range(400):
        parts = [rng.choice(starts) + rng.choice([" ", "", " the ", " 2 "]) for _ in range(8)]
        texts.append("".join(p + rng.choice(glue) for p in parts))
    return texts


def test_the_compiled_mask_equals_its_definition():
    indicators = load_indicators()
    assert indicators._compiled_searches is not None
    texts = TEXTS + _indicator_texts(indicators)
    pairs = _masks(indicators, texts)
    assert all(compiled == reference for compiled, reference in pairs)
    # Many ads have indicators, and many different ones.
    assert sum(reference != 0 for _, reference in pairs) > len(texts) // 3
    bits = 0
    for _, reference in pairs:
        bits |= reference
    assert bin(bits).count("1") >= len(indicators.text) // 2


def test_extraction_and_masks_are_the_same_without_the_compiled_scan_and_mask(monkeypatch):
    indicators = load_indicators()

    def run() -> list[tuple[dict, int]]:
        out = []
        for ad in ADS:
            found = extract(ad["title"], ad["text"], phone=ad.get("phone", ""))
            out.append((asdict(found), indicators.mask(found.lowered, found.words)))
        return out

    compiled = run()
    monkeypatch.setattr(extract_module, "_scan_words", _scan_words_py)
    monkeypatch.setattr(indicators, "_compiled_searches", None)
    assert run() == compiled
    assert len({found["language"] for found, _ in compiled}) >= 4


def test_a_mask_that_tries_the_wrong_places_is_caught(monkeypatch):
    indicators = load_indicators()
    # A search that tried each pattern at its first start only (or with a start one character
    # late) would give other bits on some text.
    shifted = tuple(
        (lambda text, at, match=match: match(text, at + 1), starts)
        for match, starts in indicators._compiled_searches
    )
    monkeypatch.setattr(indicators, "_compiled_searches", shifted)
    pairs = _masks(indicators, TEXTS)
    assert any(compiled != reference for compiled, reference in pairs)


def test_the_python_mask_stands_in_when_the_extension_is_missing(monkeypatch):
    built = load_indicators()
    texts = TEXTS[:300]
    words_of = [extract_module._word_tokens_re(text)[1] for text in texts]
    expected = [built.mask(text, words) for text, words in zip(texts, words_of, strict=True)]
    monkeypatch.setattr(indicators_module, "_compiled_mask_words", None)
    data = json.loads(
        resources.files("samen.online.engine").joinpath("data/indicators.json").read_text("utf-8")
    )
    indicators = IndicatorSet(data)
    assert indicators._compiled_searches is None
    assert [
        indicators.mask(text, words) for text, words in zip(texts, words_of, strict=True)
    ] == expected


def _indicator(identifier: str, *patterns: str) -> dict:
    return {
        "id": identifier,
        "label": identifier,
        "kind": "text",
        "weight": 1.0,
        "explanation": "",
        "patterns": list(patterns),
    }


def test_the_compiled_mask_skips_what_a_match_covers_as_finditer_does():
    # Three patterns of one search ("foo"): a start inside a match is not tried, one right at
    # its end is, and one after a letter is tried but sets no bit. The packaged set has no
    # such overlaps, so this set makes them.
    indicators = IndicatorSet(
        {
            "version": "test",
            "lead_threshold": 1.0,
            "text_contribution_cap": 1.0,
            "indicators": [
                _indicator("long", r"\bfoo (?:bar|x) foo\b"),
                _indicator("short", r"\bfoo quux\b"),
                _indicator("tail", r"\bfoo-end-"),
                _indicator("edge", r"\bfoo-edge-f"),
            ],
        }
    )
    assert indicators._compiled_searches is not None
    long, short, tail, edge = map(indicators.bit, ("long", "short", "tail", "edge"))
    expected = {
        "foo bar foo quux": long,  # "foo quux" starts inside the long match
        "foo quux foo bar foo": short | long,
        "foo x foo-end-": long,
        "foo x foofoo-end- foo quux": short,  # "foo-end-" after a letter: no bit
        "afoo quux foo-end-": tail,
        "foo-end-foo quux": tail | short,  # a start right where a match ends is tried
        "foo-edge-foo quux": edge,  # one a character before it ends is not
        "foo-end- foo quux": tail | short,
        "😀foo quux": short,
        "éfoo quux": 0,
    }
    for text, bits in expected.items():
        words = extract_module._word_tokens_re(text)[1]
        compiled = _tokens.mask_words(
            text, words, indicators._search_of, indicators._compiled_searches, indicators._bit
        )
        assert compiled == indicators._mask_words_py(text, words) == bits, text
