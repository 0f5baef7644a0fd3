"""ADR 0093's cuts of the worker's CPU give what was given before: the contact scan's gates found
in one pass over the text (``_tokens.contact_matches``, against its definition
``extract._contact_matches_py`` on texts that put each gate literal, whole or cut short, at the
start, in the middle and at the end of texts of each kind of str), and the phone digits made
with two ``str.replace`` calls instead of ``str.translate``. Each test also shows that it can
tell a wrong answer from a right one."""

import json
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
# "telegram.me/anna" matches the site pattern only when a gate literal ("t.me/" or ".com/")
# occurs elsewhere in the text: a gate found one character short of the text's end shows there.
_FILL = ["", " ", "x", "é", "ж", "😀", "0612345678", "anna", "anna.b", "example.nl", "tg"]
_FILL += ["telegram.me/anna"]


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


# The compiled reading of a typed record's fields (``_tokens.typed_fields``) against
# ``reader.typed_fields``: every value it gives is the definition's, and it gives None (the
# definition then decides) wherever the definition refuses the record.
_SPACES = ["", " ", "\u00a0", "\u2003", "\t\n", "\x1c"]
_DATES = [
    "2026-06-14T21:44:00Z",
    "2024-02-29T00:00:00Z",
    "2023-02-29T00:00:00Z",
    "2000-02-29T12:00:00Z",
    "1900-02-29T12:00:00Z",
    "0001-01-01T00:00:00Z",
    "0000-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "2026-13-01T00:00:00Z",
    "2026-00-10T00:00:00Z",
    "2026-04-31T00:00:00Z",
    "2026-04-00T00:00:00Z",
    "2026-06-14T24:00:00Z",
    "2026-06-14T23:60:00Z",
    "2026-06-14T23:59:60Z",
    "2026-06-14 21:44:00Z",
    "2026-06-14T21:44:00+01:00",
    "2026-06-14",
    "2024-02-29",
    "2023-02-29",
    "2026-W24-7",
    "20260614T21",
    "2026-06-1x",
    "2026-٠6-14T21:44:00Z",
    "2026-06-14T21:44:00z",
    "yesterday",
    "",
]
_NUMBERS = [None, "", 0, 1, 17, 250, -1, 2**53 - 1, 2**53, 2**64, "12", "12,5", "€ 80", "x"]
_HASHES = [None, "", "ABC", [], ["a"], ["a", "B"]]
_TEXTS = [None, "", "x", " Anna ", "ж", "😀", "\u00a0"]


def _records():
    rng = random.Random(930)
    from samen.online.engine import reader
    from samen.online.tests.corpora import three_corpora

    lines = [json.dumps(ad).encode() for ad in three_corpora(300, seed=93)]
    for _ in range(3000):
        ad = {}
        for name in ("id", "url", "platform", "city", "title", "text", "phone", "email"):
            if rng.random() < 0.8:
                value = rng.choice(_TEXTS)
                if type(value) is str and rng.random() < 0.3:
                    value = rng.choice(_SPACES) + value + rng.choice(_SPACES)
                ad[name] = value
        if rng.random() < 0.9:
            ad["posted_at"] = rng.choice(_SPACES[:2]) + rng.choice(_DATES) + rng.choice(_SPACES[:2])
        for name in ("price", "age"):
            if rng.random() < 0.7:
                ad[name] = rng.choice(_NUMBERS)
        if rng.random() < 0.5:
            ad["image_hashes"] = rng.choice(_HASHES)
        lines.append(json.dumps(ad, ensure_ascii=rng.random() < 0.5).encode())
    records = [reader._typed_record(line) for line in lines]
    return [record for record in records if record is not None]


def _definition(record):
    from samen.online.engine import reader

    try:
        return reader.typed_fields(record)
    except reader.BadRecord:
        return "bad"


def _fast_differences(fast) -> tuple[int, list]:
    given, wrong = 0, []
    for record in RECORDS:
        value, expected = fast(record), _definition(record)
        if value is None:
            continue
        given += 1
        if value != expected or [type(v) for v in value] != [type(v) for v in expected]:
            wrong.append((record, value, expected))
    return given, wrong


RECORDS = _records()


def test_the_compiled_typed_fields_are_the_definitions():
    given, wrong = _fast_differences(_tokens.typed_fields)
    assert wrong == []
    # It reads all of the generators' ads (900 here) and some odd records; many are refused.
    assert given > 1000
    assert sum(_definition(r) == "bad" for r in RECORDS) > 500
    corpus = [json.dumps(ad).encode() for ad in three_corpora_ads()]
    from samen.online.engine import reader

    assert all(_tokens.typed_fields(reader._typed_record(line)) is not None for line in corpus)


def three_corpora_ads():
    from samen.online.tests.corpora import three_corpora

    return three_corpora(100, seed=94)


def test_typed_fields_that_read_a_field_wrong_are_caught():
    def day_off(record):
        value = _tokens.typed_fields(record)
        return value if value is None or value[2] < 0 else (*value[:2], value[2] + 1, *value[3:])

    def unstripped(record):
        value = _tokens.typed_fields(record)
        return value if value is None else (record.id, *value[1:])

    def price_as_int(record):
        value = _tokens.typed_fields(record)
        return value if value is None or value[9] < 0 else (*value[:9], int(value[9]), value[10])

    def reads_the_refused(record):
        value = _tokens.typed_fields(record)
        return value if value is not None else ("",) * 11

    for wrong in (day_off, unstripped, price_as_int, reads_the_refused):
        assert _fast_differences(wrong)[1], wrong.__name__
