"""The compiled tokeniser gathers an ad's tokens in a buffer kept between calls and makes their
list at the end (ADR 0101). Making that list can run the garbage collector, and a finaliser
can tokenise another text in the middle of the first: both get their own tokens. Here every
allocation may collect, and each collection finds a cycle whose finaliser scans another text
(and leaves a new cycle for the next collection), so scans run inside scans; each result is
compared with the same scan with the collector off, and with ``_word_tokens_re``."""

import gc

from samen.online.engine import _tokens
from samen.online.engine.extract import _WORD_TABLE, _word_tokens_re

TEXTS = ["", "een", "ik ben anna 06 12 34 56 78 xnumx", "€ 150 per uur 😀 амстердам", "x" * 5000]
TEXTS += [f"woord{i} " * (i % 40) + "λέξη ünï 😀 " * (i % 7) for i in range(300)]
INNER = ["ander bericht 0612345678", "Σ ΣΑΣ 中文 — " * 50, "", "a b c d e f g h i j k l m n o p"]


def _scans(text: str) -> tuple:
    return _tokens.scan_rules(text, _WORD_TABLE), _tokens.word_tokens(text)


def test_scans_inside_scans_keep_their_own_tokens():
    gc.disable()
    try:
        expected = {text: _scans(text) for text in TEXTS + INNER}
    finally:
        gc.enable()
    for text in TEXTS + INNER:
        assert expected[text][1] == _word_tokens_re(text)
    inner_results: list[tuple[str, tuple]] = []
    budget = [20000]

    class Cycle:
        def __init__(self, n: int) -> None:
            self.me, self.n = self, n

        def __del__(self) -> None:
            if budget[0] > 0:
                budget[0] -= 1
                inner = INNER[self.n % len(INNER)]
                inner_results.append((inner, _scans(inner)))
                Cycle(self.n + 1)  # garbage for the next collection

    threshold = gc.get_threshold()
    gc.collect()
    gc.set_threshold(1)
    try:
        Cycle(0)
        outer_results = [(text, _scans(text)) for text in TEXTS for _ in range(3)]
    finally:
        gc.set_threshold(*threshold)
        budget[0] = 0
        gc.collect()
    assert len(inner_results) > 500
    for text, result in outer_results + inner_results:
        assert result == expected[text], text[:40]
