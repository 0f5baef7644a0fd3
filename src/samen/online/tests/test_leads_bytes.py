"""The leads' text encoded by msgspec where it writes json's bytes, cut and copied as bytes, and
the forked children's helper (ADR 0120): the same bytes as json.dumps, ``item_texts`` and a
UTF-8 text file, and the same refusals."""

from __future__ import annotations

import io
import json
import math
import os
import time

import numpy as np
import pytest

from samen.online.engine import jsonout, spooled
from samen.online.engine.forked import ForkedChild, can_fork
from samen.online.engine.jsonout import dump_indented, dump_indented_utf8
from samen.online.engine.spooled import SpooledLeads, item_bytes, item_texts

_TEXTS = [
    "",
    'a "quote" \\ and\nbreak\r\t\b\f',
    "".join(map(chr, range(32))) + "\x7f",
    "é€ß中😀\u2028\u2029\ufeff",
    ",\n  {",
    "  {",
    "1e16 null NaN",
]
# Floats on both sides of where msgspec and json write them alike (magnitude 0 or in
# [1e-4, 1e16)): outside, msgspec writes "1e16", "1e-5", "0.00001" or null.
_FLOATS = [
    0.0,
    -0.0,
    1e-4,
    -1e-4,
    math.nextafter(1e-4, 0.0),
    9.5e-5,
    1e-5,
    5e-324,
    1e16,
    -1e16,
    math.nextafter(1e16, 0.0),
    9999999999999998.0,
    1.5e17,
    1e300,
    0.1,
    12.35,
    123456789.125,
    float("nan"),
    float("inf"),
    -float("inf"),
]


def _lead(rng: np.random.Generator, number: int, floats: list[float]) -> dict:
    def text() -> str:
        return _TEXTS[int(rng.integers(0, len(_TEXTS)))] + str(number)

    return {
        "kind": "possible_victim",
        "persona": text(),
        "score": floats[int(rng.integers(0, len(floats)))],
        "ads": int(rng.integers(-3, 10**12)),
        "cities": [text() for _ in range(number % 4)],
        "flags": [True, False, None, number] if number % 5 == 0 else [],
        "seen": None if number % 7 == 0 else number % 2 == 0,
        "explanation": text(),
    }


def _reference(items) -> bytes:
    return json.dumps(items, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8", "surrogatepass"
    )


def _safe(value: float) -> bool:
    return value == 0 or 1e-4 <= abs(value) < 1e16


def test_compact_is_json_dumps_where_used_and_used_where_it_can_be():
    rng = np.random.default_rng(7)
    safe = [value for value in _FLOATS if _safe(value)]
    random_floats = [
        float(v) for v in rng.choice([-1, 1], 3000) * 10.0 ** rng.uniform(-6, 18, 3000)
    ]
    for number in range(400):
        # One float a batch (all the batch's scores alike), on either side of the limits.
        value = ([*_FLOATS, *random_floats])[number % (len(_FLOATS) + len(random_floats))]
        batch = [_lead(rng, number * 10 + k, [value]) for k in range(5)]
        compact = spooled._compact(batch)
        if compact is not None:
            assert compact == _reference(batch), value
        # The fast path is taken wherever its bytes are json's.
        assert (compact is not None) == _safe(value), value
    mixed = [_lead(rng, number, safe) for number in range(300)]
    assert spooled._compact(mixed) == _reference(mixed)


@pytest.mark.parametrize(
    "odd",
    [
        {"score": 1.0, "nested": {"a": 1}},  # a dict inside
        {"score": 1.0, "pair": (1, 2)},  # a tuple
        {"score": 1.0, "list": [1.5]},  # a float inside a list
        {"score": 1.0, "list": [1e16, float("nan")]},  # where msgspec writes others
        {"score": 1.0, "list": [{"a": 1e-5}]},  # a dict inside a list
        {"score": 1.0, "list": [[1]]},  # a list inside a list
        {"score": 1.0, "text": "\ud800 alone"},  # a lone surrogate
        {"score": 1.0, "list": ["\udfff"]},
        {1: "a key that is no text", "score": 1.0},
        {"score": 1.0, "big": 10**40},
    ],
)
def test_compact_refuses_or_equals_json_on_odd_leads(odd):
    batch = [{"score": 2.0, "text": "plain"}, odd]
    compact = spooled._compact(batch)
    assert compact is None or compact == _reference(batch)
    texts = item_texts(batch)
    joined, lengths, valid = item_bytes(batch)
    encoded = [text.encode("utf-8", "surrogatepass") for text in texts]
    assert joined == b"".join(encoded)
    assert lengths == list(map(len, encoded))
    assert valid == ("\ud800" not in texts[1] and "\udfff" not in texts[1])


def test_compact_refuses_subclasses_and_non_dicts():
    class Score(float):
        pass

    class Count(int):
        pass

    assert spooled._compact([{"score": Score(1.0)}]) is None
    assert spooled._compact([{"score": 1.0, "ads": Count(2)}]) is None
    assert spooled._compact([[1, 2]]) is None  # type: ignore[list-item]
    assert spooled._compact([{"score": 1.0}]) == b'[{"score":1.0}]'


@pytest.mark.parametrize("compiled", [True, False])
def test_item_bytes_are_item_texts_encoded(monkeypatch, compiled):
    if not compiled:
        monkeypatch.setattr(jsonout, "_indent_json", None)
    rng = np.random.default_rng(11)
    safe = [value for value in _FLOATS if _safe(value)]
    for count in (1, 2, 3, 17, 200):
        for floats in (safe, _FLOATS):
            batch = [_lead(rng, number, floats) for number in range(count)]
            texts = item_texts(batch)
            encoded = [text.encode("utf-8", "surrogatepass") for text in texts]
            joined, lengths, valid = item_bytes(batch)
            assert joined == b"".join(encoded)
            assert lengths == list(map(len, encoded))
            assert valid
    assert item_bytes([]) == (b"", [], True)


def _kept(leads: list[dict]) -> SpooledLeads:
    kept = SpooledLeads()
    for lead in leads:
        kept.append(lead)
    return kept.finish()


def _text_file(document: dict, path) -> bytes:
    with open(path, "w", encoding="utf-8") as handle:
        dump_indented(document, handle)
    return path.read_bytes()


def _binary_file(document: dict, path) -> bytes:
    with open(path, "wb") as handle:
        dump_indented_utf8(document, handle)
    return path.read_bytes()


@pytest.mark.parametrize("compiled", [True, False])
def test_leads_json_in_bytes_is_the_text_files_bytes(tmp_path, monkeypatch, compiled):
    if not compiled:
        monkeypatch.setattr(jsonout, "_indent_json", None)
    # Small batches and writes: the cuts between batches and between writes are crossed.
    monkeypatch.setattr(spooled, "BATCH", 7)
    monkeypatch.setattr(spooled, "_WRITE_BYTES", 300)
    monkeypatch.setattr(jsonout, "_SLICE_ITEMS", 4)
    rng = np.random.default_rng(5)
    safe = [value for value in _FLOATS if _safe(value)]
    for count in (0, 1, 30):
        victims = [_lead(rng, number, safe) for number in range(count)]
        others = [{**lead, "nested": {"a": [1, {}]}} for lead in victims]
        document = {
            "generated_at": "now",
            "stats": {"ads": 3, "phase": {"x": 1.5}},
            "possible_victims": _kept(victims),
            "possible_perpetrators": _kept(others),
            "urls": [{"url": text, "score": 1.25} for text in _TEXTS] * 1000,
            "clusters": [],
        }
        expected = _text_file(document, tmp_path / "text.json")
        assert _binary_file(document, tmp_path / "bytes.json") == expected
        plain = {
            **document,
            "possible_victims": sorted(victims, key=lambda lead: -lead["score"]),
            "possible_perpetrators": sorted(others, key=lambda lead: -lead["score"]),
        }
        assert expected.decode("utf-8") == json.dumps(plain, ensure_ascii=False, indent=1)


def test_a_lone_surrogate_is_refused_as_the_text_file_refuses_it(tmp_path):
    leads = [{"score": 1.0, "persona": "fine"}, {"score": 2.0, "persona": "half \ud83d"}]
    for made in ("appended", "adopted", "extended"):
        if made == "appended":
            kept = _kept(leads)
        elif made == "adopted":  # as the leads' child hands its list over (ADR 0094)
            child = SpooledLeads()
            child.open()
            for lead in leads:
                child.append(lead)
            kept = SpooledLeads()
            kept._file = child._file
            kept.adopt(*child.raw())
            kept.finish()
        else:
            kept = SpooledLeads()
            kept.extend(_kept_unfinished(leads))
            kept.finish()
        document = {"possible_victims": kept}
        with pytest.raises(UnicodeEncodeError):
            _text_file(document, tmp_path / "text.json")
        with pytest.raises(UnicodeEncodeError):
            _binary_file(document, tmp_path / "bytes.json")
        # Read back as text, the lead is as it was.
        assert list(kept) == sorted(leads, key=lambda lead: -lead["score"])


def _kept_unfinished(leads: list[dict]) -> SpooledLeads:
    kept = SpooledLeads()
    for lead in leads:
        kept.append(lead)
    return kept


def test_item_bytes_cut_as_item_texts_on_a_text_file(tmp_path):
    """The bytes of a list written with ``write_json_bytes`` and ``write_json``."""
    rng = np.random.default_rng(3)
    leads = [_lead(rng, number, [1.5, 2.25]) for number in range(50)]
    kept = _kept(leads)
    text = io.StringIO()
    kept.write_json(text)
    binary = io.BytesIO()
    kept.write_json_bytes(binary)
    assert binary.getvalue() == text.getvalue().encode("utf-8")


needs_fork = pytest.mark.skipif(not can_fork(), reason="needs fork")


@needs_fork
def test_a_forked_child_gives_back_what_its_work_returns():
    parent = os.getpid()
    child = ForkedChild.start(lambda: b"pid %d" % os.getpid() + b"x" * (3 << 20))
    assert child is not None and child.pid != parent
    pid = child.pid
    payload = child.result()
    assert payload is not None
    assert payload.startswith(b"pid %d" % pid) and payload.endswith(b"x" * (3 << 20))
    assert child.result() is None  # waited for once
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


@needs_fork
def test_a_failed_or_killed_child_gives_none():
    def fails() -> bytes:
        raise RuntimeError("fails in the child")

    def ends() -> bytes:
        os._exit(0)

    for work in (fails, ends):
        child = ForkedChild.start(work)
        assert child is not None
        assert child.result() is None

    def sleeps() -> bytes:
        time.sleep(60)
        return b"late"

    child = ForkedChild.start(sleeps)
    assert child is not None
    pid = child.pid
    started = time.monotonic()
    child.cancel()
    assert time.monotonic() - started < 30
    assert child.result() is None
    with pytest.raises(ChildProcessError):  # reaped
        os.waitpid(pid, os.WNOHANG)


def test_without_fork_no_child_starts(monkeypatch):
    monkeypatch.setattr("sys.platform", "win32")
    assert ForkedChild.start(lambda: b"") is None


def _shaped(rng: np.random.Generator, number: int, score: float) -> dict:
    """A lead of the shape ``_compact(shaped=True)`` takes on trust: its only float the score."""
    lead = _lead(rng, number, [score])
    lead["flags"] = [flag for flag in lead["flags"] if type(flag) is not float]
    return lead


def test_shaped_compact_is_json_dumps_where_used_and_used_where_the_scores_allow():
    rng = np.random.default_rng(11)
    for number, value in enumerate(_FLOATS * 3):
        batch = [_shaped(rng, number * 10 + k, 2.5) for k in range(4)]
        batch.insert(number % 5, _shaped(rng, number * 10 + 9, value))
        compact = spooled._compact(batch, shaped=True)
        assert (compact is not None) == _safe(value), value
        if compact is not None:
            assert compact == _reference(batch)
        # The same choice and the same bytes as the checks made item by item.
        assert compact == spooled._compact(batch)
    # What msgspec refuses (a lone surrogate) still goes to json.
    assert spooled._compact([{"score": 1.0, "text": "\ud800"}], shaped=True) is None
    texts = item_texts([{"score": 1.0, "text": "\ud800"}])
    assert item_bytes([{"score": 1.0, "text": "\ud800"}], shaped=True)[0] == texts[0].encode(
        "utf-8", "surrogatepass"
    )


def _lead_shape_errors(lead: dict) -> list[str]:
    errors = []
    for key, value in lead.items():
        if type(key) is not str:
            errors.append(f"key {key!r}")
        elif key == "score":
            if type(value) is not float:
                errors.append(f"score {value!r}")
        elif type(value) is list:
            errors += [f"{key} item {v!r}" for v in value if type(v) not in spooled._PLAIN_ITEMS]
        elif type(value) not in spooled._PLAIN_ITEMS:
            errors.append(f"{key} {value!r}")
    return errors


@pytest.mark.parametrize("generator", [0, 1])
def test_the_leads_described_have_the_shape_their_lists_take_on_trust(
    tmp_path, monkeypatch, generator
):
    from samen.online.engine import ScanConfig, scan
    from samen.online.engine.runner import InProcessEngine
    from samen.online.tests.corpora import both_generators

    ads = both_generators(800, seed=19)
    part = ads[:800] if generator == 0 else ads[800:]
    path = tmp_path / "ads.jsonl"
    path.write_text("".join(json.dumps(ad) + "\n" for ad in part), encoding="utf-8")
    seen: list[int] = []
    real = spooled._compact

    def checked(items, shaped=False):
        if shaped:
            seen.append(len(items))
            for lead in items:
                assert type(lead) is dict
                assert not _lead_shape_errors(lead), _lead_shape_errors(lead)
            assert real(items, shaped=True) == real(items)
        return real(items, shaped)

    monkeypatch.setattr(spooled, "_compact", checked)
    monkeypatch.setattr(spooled, "BATCH", 64)
    result = scan([path], config=ScanConfig(chunk_size=200), engine=InProcessEngine())
    assert sum(seen) == len(result.leads["possible_victims"]) + len(
        result.leads["possible_perpetrators"]
    )
    assert result.leads["possible_victims"] and result.leads["possible_perpetrators"]
