"""Leads kept in a file as their JSON text (ADR 0090): the same list, order and bytes as the
dictionaries sorted in memory and written by ``json.dump``."""

from __future__ import annotations

import inspect
import io
import json

import numpy as np
import pytest

from samen.online.engine import ScanConfig, jsonout, scan, spooled
from samen.online.engine import analysis as analysis_module
from samen.online.engine import report as report_module
from samen.online.engine.indicators import load_indicators
from samen.online.engine.jsonout import dump_indented
from samen.online.engine.runner import InProcessEngine, ScanResult, leads_document
from samen.online.engine.spooled import SpooledLeads, item_texts
from samen.online.tests.corpora import both_generators


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


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    path = tmp_path_factory.mktemp("spooled-leads") / "both.jsonl"
    path.write_text("".join(json.dumps(ad) + "\n" for ad in both_generators(1500, seed=5)))
    return path


def _scan_and_leads(corpus, described: int) -> tuple[ScanResult, str]:
    """A scan, and its leads.json (after the stats) with ``described`` clusters listed."""
    result = scan([corpus], config=ScanConfig(chunk_size=400), engine=InProcessEngine(False))
    document = leads_document(result, load_indicators(None), max_clusters=described)
    text = _dump_indented(document)
    return result, text[text.index('\n "indicators": [') :]


def test_lean_summaries_give_the_same_leads(corpus, monkeypatch):
    """Lead clusters below the described ones keep only what their leads need (ADR 0090): with
    40 described (of 100 lead clusters) the clusters keep their order and scores,
    the top 40 are described as before, and every lead and leads.json stay the same."""
    full, full_text = _scan_and_leads(corpus, 40)
    monkeypatch.setattr(analysis_module, "FULL_SUMMARIES", 40)
    lean, lean_text = _scan_and_leads(corpus, 40)
    summaries = lean.analysis.clusters
    assert len(summaries) >= 100
    assert [s.lean for s in summaries] == [False] * 40 + [True] * (len(summaries) - 40)
    assert [(s.label, s.score) for s in summaries] == [
        (s.label, s.score) for s in full.analysis.clusters
    ]
    for one, two in zip(summaries, full.analysis.clusters, strict=True):
        assert list(one.ads) == list(two.ads)
        if not one.lean:
            assert one.as_dict() == two.as_dict()
        else:
            # The texts its leads quote, without the contributions' dictionaries (ADR 0110).
            assert one.contributions == [] and one.evidence is not None
            assert one.lead_evidence() == two.lead_evidence()
    lean_ones = summaries[40:]
    assert any(len(two.contributions) >= 3 for two in full.analysis.clusters[40:])
    assert any("; " in s.lead_evidence()[1] for s in lean_ones)
    assert any(s.persona_links for s in summaries[:40])
    assert lean.leads == full.leads
    assert len(lean.leads["possible_perpetrators"]) > 20
    assert lean_text == full_text
    with pytest.raises(ValueError):
        summaries[40].as_dict()


def test_the_described_clusters_cover_what_the_outputs_describe():
    """leads.json describes its first ``max_clusters`` lead clusters and the report its first
    300: all of them must be described in full."""
    default = inspect.signature(leads_document).parameters["max_clusters"].default
    assert default <= analysis_module.FULL_SUMMARIES
    assert "clusters[:300]" in inspect.getsource(report_module.render_report)
    assert analysis_module.FULL_SUMMARIES >= 300


def test_the_described_clusters_are_the_first_ones_at_every_cut(corpus, monkeypatch):
    """Whatever the number described, exactly the first ones in the list's order are (ties in
    score broken by size, then label, as the list is sorted)."""
    result = scan([corpus], config=ScanConfig(chunk_size=400), engine=InProcessEngine(False))
    indicators = load_indicators(None)
    order = [s.label for s in result.analysis.clusters]
    scores = [s.score for s in result.analysis.clusters]
    assert len(set(scores)) < len(scores)  # ties to break at some cut
    for described in range(1, len(order) + 1):
        monkeypatch.setattr(analysis_module, "FULL_SUMMARIES", described)
        summaries = analysis_module.analyse(result.index, result.clustering, indicators).clusters
        assert [s.label for s in summaries] == order
        assert [s.lean for s in summaries] == [False] * described + [True] * (
            len(order) - described
        )
