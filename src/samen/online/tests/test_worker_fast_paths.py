"""The worker's fast paths give what the paths they replace give (issue 18 item 4, ADR 0065):
every line, good or bad, is the same ad or the same skipped-line reason."""

import json
import random

import pytest

from samen.online.engine import reader as reader_module
from samen.online.engine.reader import BadRecord, parse_ad
from samen.online.tests.corpora import both_generators

# Values whose reading differs between decoders if one is careless: floats, huge and negative
# integers, NaN, nesting, lone surrogates, empty and null values, lists of non-text.
_ODD_VALUES = [
    b"1.0",
    b"1E2",
    b"-0",
    b"-5",
    b"99999999999999999999999",
    b"1e400",
    b"NaN",
    b"Infinity",
    b"null",
    b"true",
    b'""',
    b'" 12,50 "',
    b"[]",
    b'["a", 1]',
    b'["a", "b"]',
    b'"\\ud800"',
    b'"\\ud83d\\ude00"',
    b'"\xed\xa0\x80"',
    b'"\xc3"',
    b'"tab\there"',
    b'"\x7f"',
    b"{}",
    b'{"a": [[[1]]]}',
    b"[" * 3000 + b"]" * 3000,
    b'"2026-02-30"',
    b'"2026-03-01T10:00:00+02:00"',
]
_FIELDS = [
    b"id",
    b"title",
    b"text",
    b"price",
    b"age",
    b"image_hashes",
    b"posted_at",
    b"phone",
    b"email",
    b"url",
    b"unknown",
]
_NOISE = b'{}[]",:\\ \t\n\x0b0123456789eE.-+nultrfa\xed\xa0\x80\xc3\x00\x1f\xef\xbb\xbf'


def _mutations(lines: list[bytes], rng: random.Random) -> list[bytes]:
    out: list[bytes] = []
    for line in lines:
        out.append(line)
        for _ in range(6):
            kind = rng.randrange(4)
            body = line.rstrip(b"\n")
            if kind == 0:  # a field set to an odd value (a known field or an unknown one)
                field, value = rng.choice(_FIELDS), rng.choice(_ODD_VALUES)
                out.append(b'{"' + field + b'": ' + value + b", " + body[1:])
            elif kind == 1:  # the same at the end: later keys win
                field, value = rng.choice(_FIELDS), rng.choice(_ODD_VALUES)
                out.append(body[:-1] + b', "' + field + b'": ' + value + b"}")
            else:  # bytes cut, inserted or replaced at random places
                data = bytearray(body)
                for _ in range(rng.randrange(1, 4)):
                    at = rng.randrange(len(data) + 1)
                    if kind == 2 and at < len(data):
                        del data[at]
                    else:
                        data[at:at] = bytes([rng.choice(_NOISE)])
                out.append(bytes(data))
    return out


def _outcome(payload: bytes):
    try:
        return parse_ad(payload)
    except BadRecord as exc:
        return f"bad: {exc}"


def test_typed_json_decoding_gives_the_same_ads_and_reasons_as_json_loads(monkeypatch):
    lines = [json.dumps(ad, ensure_ascii=rng_ascii).encode() for ad, rng_ascii in _lines()]
    lines += [
        b"[1, 2]",
        b'{"id": "x", "text": "y"} trailing',
        b'{"id": "x", "text": "y"}\n',
        b'{"id": 7, "text": "y", "price": 12}',
        b'{"id": "x", "text": "y", "age": 17.0}',
    ]
    payloads = _mutations(lines, random.Random(3))
    typed = [_outcome(p) for p in payloads]
    # Some lines must have been read by each route, or the comparison proves nothing.
    read_typed = sum(reader_module._typed_record(p) is not None for p in payloads)
    assert 0.3 * len(payloads) < read_typed < len(payloads)
    monkeypatch.setattr(reader_module, "_typed_record", lambda payload: None)
    plain = [_outcome(p) for p in payloads]
    assert sum(isinstance(o, str) for o in plain) > len(payloads) // 10  # bad lines too
    for payload, left, right in zip(payloads, typed, plain, strict=True):
        assert left == right, payload


def _lines():
    for n, ad in enumerate(both_generators(150, seed=9)):
        yield ad, n % 2 == 0  # escaped and raw UTF-8 alike


@pytest.mark.parametrize(
    "payload",
    [
        b'{"id": "x", "text": "y", "extra": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        b'{"id": "x", "text": "y", "image_hashes": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    ],
)
def test_deep_nesting_keeps_its_reason_whichever_field_holds_it(payload):
    with pytest.raises(BadRecord, match="nested too deeply"):
        parse_ad(payload)


class _AllWords:
    """Stands for a rule-word set holding every word: the intersection is the ad's whole set,
    which is what each rule was asked of before the one intersection."""

    def intersection(self, words):
        return words


def test_one_intersection_with_the_rules_words_extracts_what_the_whole_word_set_does(
    monkeypatch,
):
    from dataclasses import asdict

    from samen.online.engine import extract as extract_module

    ads = [(ad["title"], ad["text"]) for ad in both_generators(200, seed=9)]
    # Each rule's own gate, in ads that nothing else would send down the same path.
    ads += [
        ("", "Rita hier, 25 jaar, voor een heerlijke massage"),
        ("Nieuw", "Je bent welkom. 23 jaar jong en lief"),
        ("", "Lekker contact via tg: sweetanna91 of snap: anna_x"),
        (
            "",
            "bel 0 zes 12 34 56 78 of 0zes12345678 nul zes een twee drie vier vijf zes zeven acht",
        ),
        ("Sofia in Den Haag", "Ik ben Sofia, nieuw in Den Haag en Rotterdam. Ik ben 22."),
        ("", "leeftijd: 24, I am here for you, age 31"),
    ]

    def extracted():
        return [asdict(extract_module.extract(title, text)) for title, text in ads]

    # The definition of the word scan reads _RULE_WORDS (the compiled one a table made from
    # it, checked equal in test_compiled_extraction).
    monkeypatch.setattr(extract_module, "_scan_words", extract_module._scan_words_py)
    fast = extracted()
    monkeypatch.setattr(extract_module, "_RULE_WORDS", _AllWords())
    extract_module._title_names.cache_clear()
    assert fast == extracted()
