"""ADR 0093's cuts of the worker's CPU give what was given before: the contact scan's gates found
in one pass over the text (``_tokens.contact_matches``, against its definition
``extract._contact_matches_py`` on texts that put each gate literal, whole or cut short, at the
start, in the middle and at the end of texts of each kind of str), and the phone digits made
with two ``str.replace`` calls instead of ``str.translate``. Each test also shows that it can
tell a wrong answer from a right one."""

import random

import pytest

from samen.online.engine import extract as extract_module
from samen.online.engine.extract import _PHONE_TRANSLATE, _phone_letters_as_digits

_tokens = pytest.importorskip("samen.online.engine._tokens")

# The gate literals of the contact scan, the "@" of the e-mail hint, and each cut one short.
_GATES = ["t.me/", ".com/", "wa.me/", "://", "www.", ":", "[at]", "(at)", "@"]
_CUT = [gate[:-1] for gate in _GATES if len(gate) > 1]
# Around them: text of each kind of str (ASCII, Latin-1, two-byte, four-byte), digits that
# open the phone pattern, and what the other patterns need to match after a gate.
_FILL = ["", " ", "x", "é", "ж", "😀", "0612345678", "anna", "anna.b", "example.nl", "tg"]


def _gate_texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    pieces = _GATES + _CUT + _FILL
    texts = []
    for gate in _GATES + _CUT:
        for fill in _FILL:
            texts += [
                gate,
                gate + fill,
                fill + gate,
                fill + gate + fill,
                gate + gate,
                fill * 3 + gate,
            ]
    for _ in range(count):
        texts.append("".join(rng.choice(pieces) for _ in range(rng.randrange(0, 12))))
    return texts


TEXTS = _gate_texts(6000, 93)
WORD_GATES = (0, extract_module._LABEL, extract_module._PHONE, 0x3F)


def _differences(matches) -> list[tuple[str, int]]:
    return [
        (text, gates)
        for text in TEXTS
        for gates in WORD_GATES
        if matches(text, gates) != extract_module._contact_matches_py(text, gates)
    ]


def test_the_one_pass_gates_give_the_contact_scan_of_its_definition():
    assert _differences(_tokens.contact_matches) == []
    # Each kind of match is among them: a gate that held too rarely would show here.
    kinds = {m[0] for text in TEXTS for m in extract_module._contact_matches_py(text, 0x3F)}
    assert kinds == {0, 1, 2, 3, 4, 5}


def test_a_contact_scan_whose_gate_misses_a_literal_is_caught():
    for literal in _GATES:
        # A scan that never sees the literal (as a gate pass that missed it would not): the
        # texts hold it where it decides a match.
        def blind(text, gates, literal=literal):
            return _tokens.contact_matches(text.replace(literal, "\x00" * len(literal)), gates)

        assert _differences(blind), literal


_PHONE_ALPHABET = "0123456789oOlL +-()./ 😀٣é\x00lol"


def _phone_texts() -> list[str]:
    rng = random.Random(18)
    texts = ["", "o", "l", "ol", "lo", "oo", "ll", "0l", "o6 l2 34 56 78", "O6 L2"]
    for _ in range(5000):
        texts.append("".join(rng.choice(_PHONE_ALPHABET) for _ in range(rng.randrange(0, 20))))
    return texts


def test_phone_letters_become_the_digits_translate_gives():
    texts = _phone_texts()
    assert [_phone_letters_as_digits(t) for t in texts] == [
        t.translate(_PHONE_TRANSLATE) for t in texts
    ]
    # The cached phone readings that use it still read the obfuscated numbers.
    assert extract_module._text_phone_key.__wrapped__("o6 l2 34 56 78") == "tel:+31612345678"


def test_phone_letters_that_skip_one_letter_are_caught():
    texts = _phone_texts()
    wrong = [t.replace("o", "0") for t in texts]
    assert wrong != [t.translate(_PHONE_TRANSLATE) for t in texts]
