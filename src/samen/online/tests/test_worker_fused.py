"""The worker's fused chunk loop of ADR 0088 gives what the ad-by-ad loop gives: ``_process_chunk``
(one row an ad, ``reader.typed_fields`` and ``extract.worker_extract``) against
``_process_chunk_plain`` (``parse_ad`` and ``extract_with``, its definition) on the ads of both
generators (with and without contacts), obfuscated contacts, other scripts, odd texts and every
kind of bad line; and its two parts against theirs. Each comparison is also shown to tell a
wrong answer from a right one."""

import json

import numpy as np
import pytest

from samen.online.engine import extract as extract_module
from samen.online.engine import partition, reader
from samen.online.engine.extract import extract_with, scan_table, worker_extract
from samen.online.engine.indicators import load_indicators
from samen.online.engine.partition import ScanConfig
from samen.online.engine.reader import BadRecord, Chunk, Unreadable
from samen.online.tests.corpora import three_corpora
from samen.online.tests.test_worker_compiled import _ODD_TEXTS, _odd_ads

pytestmark = pytest.mark.skipif(
    partition._worker_extract is None, reason="needs the compiled _tokens (make install)"
)

ADS = three_corpora(400, seed=23)
# Contacts as the engine's tests know them obfuscated, spelled out and in other scripts.
_OBFUSCATED = [
    "bel 06-12 34 56 78 of o6 l2345678, whatsapp wa.me/31612345678",
    "nul zes een twee drie vier vijf zes zeven acht",
    "0zes 12345678 of 0 zes 1234 5678",
    "+31 (0)6 12.34.56.78 📞 0️⃣6️⃣ ☎ 0031612345678",
    "mail anna[at]example[dot]nl of anna (at) example (dot) com, ANNA@Example.NL",
    "tg: @anna_x, snap: anna.x, instagram.com/anna.x, t.me/anna_x, OF @anna",
    "www.example.com/anna http://example.nl/x?y=1). €150 of 150eur, 200 euro, 80 евро",
    "Ана, 22 години, София. Телефон +359 88 123 4567, Мария тук",
    "sunt Ioana, am 23 de ani, Cluj. +40 712 345 678",
    "soy Lucía, 24 años, Madrid. +34 612 34 56 78",
    "jestem Ola, 21 lat, Warszawa. +48 512 345 678",
]


def _extra_ads() -> list[dict]:
    ads = _odd_ads()
    for n, text in enumerate(_OBFUSCATED + _ODD_TEXTS):
        ads.append({"id": f"obf{n}", "title": f"NEW Anna ({20 + n % 40}) in Utrecht", "text": text})
        ads.append({"id": f"obf{n}c", "title": text[:40], "text": text, "city": "den haag "})
    # Structured fields of every shape the typed decoder reads, or leaves to json.loads.
    ads.append({"id": " s1 ", "title": "t", "text": "x", "price": "12,5", "age": "30"})
    ads.append({"id": "s2", "title": "t", "text": "x", "price": 99.5, "age": 31.0})
    ads.append({"id": "s3", "title": "t", "text": "x", "image_hashes": "ABC", "url": " u "})
    ads.append({"id": "s4", "title": "t", "text": "x", "posted_at": "2026-02-03"})
    ads.append({"id": "s5", "title": "t", "text": "x", "posted_at": "2026-02-03T10:00:00+01:00"})
    ads.append({"id": "s6", "title": "t", "text": "x", "phone": 612345678, "extra": {"a": 1}})
    return ads


_BAD = [
    b'{"id": ""}',
    b'{"id": "b1"}',
    b'{"id": "b2", "title": "t", "price": -1}',
    b'{"id": "b3", "title": "t", "age": "old"}',
    b'{"id": "b4", "title": "t", "posted_at": "2026-02-30T10:00:00Z"}',
    b'{"id": "b5", "title": "t", "posted_at": "yesterday"}',
    b'{"id": "b6", "title": "t", "image_hashes": [1]}',
    b'{"id": "b7", "title": ["t"]}',
    b'{"id": "b8", "title": "t", "price": "1e999"}',
    b"[1, 2]",
    b'{"id": "b9", "title": "\xff"}',
    b'{"id": "b10", "title": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    b"not json",
    '{"id": "s", "title": "a str payload"}',
    Unreadable("ad of 2,000,000 bytes is larger than the limit of 1,000,000 bytes"),
    {"id": "c1", "title": "a CSV row", "text": "x", "image_hashes": "a;b", "price": "10"},
    {"id": "c2", "title": "a CSV row", None: ["extra"]},
    12,
]


def _items() -> list[tuple[int, int, object]]:
    items: list[tuple[int, int, object]] = []
    offset = 0
    for n, ad in enumerate(ADS + _extra_ads()):
        line = json.dumps(ad, ensure_ascii=n % 3 == 0).encode()
        items.append((n + 1, offset, line))
        offset += len(line) + 1
        if n % 97 == 0:  # bad lines spread over the chunks
            items.append((n + 1, offset, _BAD[(n // 97) % len(_BAD)]))
    items.extend((len(items) + k, -1, bad) for k, bad in enumerate(_BAD))
    return items


ITEMS = _items()


def _plain(result: partition.ChunkResult) -> dict:
    return {
        name: getattr(result, name).tolist()
        if isinstance(getattr(result, name), np.ndarray)
        else getattr(result, name)
        for name in result.__slots__
    }


def _chunks(process, items=ITEMS, packed=True) -> list[dict]:
    config = ScanConfig(chunk_size=250)
    wrap = partition._packed if packed else (lambda result: result)
    return [
        _plain(wrap(process(Chunk(5, 2, items[i : i + 250], 7), config)))
        for i in range(0, len(items), 250)
    ]


def test_the_fused_chunk_is_the_plain_chunk():
    expected = _chunks(partition._process_chunk_plain)
    assert _chunks(partition._process_chunk) == expected
    # Unpacked too (process_chunk, for engines given lines): lists, the same values.
    assert _chunks(partition._process_chunk, packed=False) == _chunks(
        partition._process_chunk_plain, packed=False
    )
    keys = ("bad", "names", "masks", "languages", "ages", "prices", "cities", "contacts")
    merged = {key: [v for part in expected for v in part[key]] for key in keys}
    # The inputs exercise what the worker ships: every field, and bad lines of every reason.
    assert len({reason for _, _, reason in merged["bad"]}) >= 12
    assert sum(bool(name) for name in merged["names"]) > len(ADS) // 4
    assert sum(mask != 0 for mask in merged["masks"]) > len(ADS) // 4
    assert len(set(merged["languages"])) >= 5
    assert sum(age >= 0 for age in merged["ages"]) > len(ADS) // 4
    assert sum(price >= 0 for price in merged["prices"]) > len(ADS) // 4
    assert sum(bool(city) for city in merged["cities"]) > len(ADS) // 4
    assert len(set(merged["contacts"])) > len(ADS) // 4


def test_an_empty_or_all_bad_chunk_is_the_plain_one():
    for items in ([], [(1, 0, b"[]")], [(1, 0, b'{"id": "a", "text": "b"}')]):
        assert _chunks(partition._process_chunk, items) == _chunks(
            partition._process_chunk_plain, items
        )


@pytest.mark.parametrize(
    "broken",
    [
        # A field shifted: the day of the next posting time.
        lambda fields: (*fields[:2], fields[2] + 1, *fields[3:]),
        # Price and age swapped.
        lambda fields: (*fields[:9], float(fields[10]), int(fields[9])),
        # The city not stripped (the structured city is read as given).
        lambda fields: (*fields[:3], fields[3] + " ", *fields[4:]),
    ],
)
def test_a_fused_chunk_that_misreads_a_field_is_caught(monkeypatch, broken):
    expected = _chunks(partition._process_chunk_plain)
    fields, fast = reader.typed_fields, partition._typed_fields_fast
    monkeypatch.setattr(partition, "typed_fields", lambda record: broken(fields(record)))
    # The compiled common case (ADR 0093) misreading the same field, where it reads one.
    monkeypatch.setattr(
        partition,
        "_typed_fields_fast",
        lambda record: None if (value := fast(record)) is None else broken(value),
    )
    assert _chunks(partition._process_chunk) != expected


@pytest.mark.parametrize("position", range(9))
def test_a_fused_chunk_that_drops_an_extracted_field_is_caught(monkeypatch, position):
    """Each of worker_extract's values reaches the result: one emptied is seen."""
    expected = _chunks(partition._process_chunk_plain)
    empty = ([], "", -1, -1.0, "", "und", [], "", set())

    def broken(*args):
        values = list(worker_extract(*args))
        values[position] = empty[position]
        return tuple(values)

    monkeypatch.setattr(partition, "_worker_extract", broken)
    assert _chunks(partition._process_chunk) != expected


TABLE = scan_table(load_indicators(None).triggers)


def test_worker_extract_is_extract_with():
    cases = [
        (
            ad.get("title", ""),
            ad.get("text", ""),
            ad.get("phone", "") if isinstance(ad.get("phone"), str) else "",
            ad.get("email", ""),
            tuple(ad.get("image_hashes", ()) if isinstance(ad.get("image_hashes"), list) else ()),
        )
        for ad in ADS + _extra_ads()
    ]
    for title, text, phone, email, hashes in cases:
        found = extract_with(title, text, phone, email, hashes, TABLE)
        assert worker_extract(title, text, phone, email, hashes, TABLE) == (
            found.contacts,
            found.names[0] if found.names else "",
            found.age,
            found.price,
            found.cities[0] if found.cities else "",
            found.language,
            found.tokens,
            found.lowered,
            found.words,
        )


def _reason(parse, payload) -> object:
    try:
        return parse(payload)
    except BadRecord as exc:
        return str(exc)


def test_typed_fields_are_the_typed_ads_fields():
    payloads = [line for _, _, line in ITEMS if type(line) is bytes and line[:1] == b"{"]
    read = 0
    for payload in payloads:
        record = reader._typed_record(payload)
        if record is None:
            continue
        read += 1
        ad = _reason(reader._typed_ad, record)
        fields = _reason(reader.typed_fields, record)
        if isinstance(ad, str):
            assert fields == ad
        else:
            assert fields == reader.ad_fields(ad)
    assert read > len(payloads) // 2


def test_untyped_ad_is_parse_ad_for_what_the_typed_decoder_leaves():
    for _, _, payload in ITEMS:
        if type(payload) is bytes and reader._typed_record(payload) is not None:
            continue
        parsed = _reason(reader.parse_ad, payload)
        assert _reason(reader.untyped_ad, payload) == parsed


def test_the_fused_loop_needs_the_compiled_scanner():
    assert partition._worker_extract is extract_module.worker_extract
