"""Leads kept in a file as their JSON text (ADR 0090): the same list, order and bytes as the
dictionaries sorted in memory and written by ``json.dump``."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from samen.online.engine import jsonout, spooled
from samen.online.engine.jsonout import dump_indented
from samen.online.engine.spooled import SpooledLeads, item_texts


def _leads(count: int, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    texts = ["", 'a "quote" \\ and\nbreak', "é€ß中😀\u2028", ",\n  {", "  {"]
    leads = []
    for number in range(count):
        leads.append(
            {
                "kind": "possible_victim",
                "persona": texts[int(rng.integers(0, len(texts)))] + str(number),
                # Few distinct scores: many ties, whose order must stay as made.
                "score": float(rng.integers(0, 6)) / 2,
                "ads": int(rng.integers(1, 9)),
                "cities": [texts[int(rng.integers(0, len(texts)))] for _ in range(number % 3)],
                "nested": {"list": [{"a": number}, []], "empty": {}},
                "explanation": texts[number % len(texts)],
            }
        )
    return leads


def _json_dump(value) -> str:
    handle = io.StringIO()
    json.dump(value, handle, ensure_ascii=False, indent=1)
    return handle.getvalue()


def _dump_indented(value) -> str:
    handle = io.StringIO()
    dump_indented(value, handle)
    return handle.getvalue()


@pytest.mark.parametrize("compiled", [True, False])
@pytest.mark.parametrize("count", [0, 1, 7, 50])
def test_spooled_leads_write_what_the_sorted_list_writes(monkeypatch, compiled, count):
    if compiled:
        assert jsonout._indent_json is not None
    else:
        monkeypatch.setattr(jsonout, "_indent_json", None)
    # Small batches and writes: the cuts between batches and between writes are crossed.
    monkeypatch.setattr(spooled, "BATCH", 3)
    monkeypatch.setattr(spooled, "_WRITE_BYTES", 100)
    monkeypatch.setattr(jsonout, "_SLICE_ITEMS", 4)
    leads = _leads(count, seed=count)
    kept = SpooledLeads()
    for lead in leads:
        kept.append(lead)
    kept.finish()
    expected = sorted(leads, key=lambda lead: -lead["score"])
    # As a sequence: the same dicts in the same order (ties as they were made).
    assert len(kept) == count
    assert list(kept) == expected
    assert kept == expected and kept == kept
    assert kept[: count // 2] == expected[: count // 2]
    assert kept[2:5] == expected[2:5]
    if count:
        assert kept[0] == expected[0] and kept[-1] == expected[-1]
    with pytest.raises(IndexError):
        kept[count]
    # In a document: the bytes json.dump writes for the list, through both writers.
    for other in ([], [1, {"b": 2}]):
        document = {"stats": {"x": 1}, "possible_victims": kept, "urls": other}
        plain = {"stats": {"x": 1}, "possible_victims": expected, "urls": other}
        assert _dump_indented(document) == _json_dump(plain)


def test_item_texts_are_the_items_of_the_list():
    """The cut of a batch's text into items: each piece is the item's own text."""
    leads = _leads(20, seed=3)
    texts = item_texts(leads)
    assert len(texts) == 20
    whole = _json_dump({"k": leads})
    assert whole == '{\n "k": [' + ",".join(texts) + "\n ]\n}"
    for lead, text in zip(leads, texts, strict=True):
        assert json.loads(text) == lead


def test_spooled_leads_refuse_use_before_finish_and_append_after():
    kept = SpooledLeads()
    kept.append({"score": 1.0})
    with pytest.raises(ValueError):
        len(kept)
    kept.finish()
    with pytest.raises(ValueError):
        kept.append({"score": 2.0})
