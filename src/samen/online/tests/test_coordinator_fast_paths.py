"""The coordinator's fast paths give what their per-ad definitions give (issue 18 item 4,
ADR 0066): per-cluster facts counted in numpy for all clusters at once, URLs read in groups,
score bounds without building descriptions. Checked on both generators' ads."""

import numpy as np
import pytest

from samen.online.engine import ScanConfig, scan
from samen.online.engine import analysis as analysis_module
from samen.online.engine.analysis import (
    ContactIndex,
    _cluster_facts,
    _indicator_kinds,
    _structural_bound,
    _structural_extra,
)
from samen.online.engine.heldout import write_heldout
from samen.online.engine.index import StringColumn
from samen.online.engine.indicators import load_indicators
from samen.online.engine.runner import InProcessEngine


@pytest.fixture(scope="module")
def scans(synthetic_ads, tmp_path_factory):
    """A scan of each generator's ads: ``online synth`` and the held-out generator, with
    contacts and text only."""
    folder = tmp_path_factory.mktemp("heldout")
    full, plain, _ = write_heldout(3000, 8, folder / "heldout.jsonl")
    config = ScanConfig(chunk_size=500)
    return [
        scan([path], config=config, engine=InProcessEngine(False))
        for path in (synthetic_ads[0], full, plain)
    ]


def _facts_one_by_one(index, contacts, ads, min_personas):
    """The definitions: each fact counted for one cluster in Python."""
    cities = len({index.city[a] for a in ads} - {0})
    many = any(
        contacts.persona_count[c] >= min_personas
        for a in ads
        for c in contacts.shared_contacts_of(a)
    )
    kinds = _indicator_kinds(index, ads)
    personas = len({(index.name[a], index.age[a]) for a in ads if index.name[a]})
    return cities, many, kinds, personas


def test_cluster_facts_equal_counting_cluster_by_cluster(scans):
    flags = []
    for result in scans:
        index, labels = result.index, result.clustering.labels
        contacts = ContactIndex(index)
        order = np.argsort(labels, kind="stable")
        sizes = np.bincount(labels)
        starts = np.cumsum(sizes) - sizes
        multi = np.flatnonzero(sizes >= 2)
        # Clusters of one ad lie between the others: a run must end at its own cluster's end.
        assert (sizes == 1).any() and len(multi) > 10
        facts = _cluster_facts(index, contacts, labels, order, starts, multi, 3)
        expected = [
            _facts_one_by_one(index, contacts, order[starts[g] : starts[g] + sizes[g]].tolist(), 3)
            for g in multi.tolist()
        ]
        assert list(zip(*facts, strict=True)) == expected
        # The facts are not all alike (else the comparison proves little).
        assert len(set(expected)) > 5
        flags += [many for _, many, _, _ in expected]
    assert any(flags) and not all(flags)


def test_the_score_bound_is_the_sum_of_the_structural_contributions():
    indicators = load_indicators(None)
    by_id = indicators.by_id
    chosen = (
        by_id.get("cluster_many_personas"),
        by_id.get("indicator_diversity"),
        by_id.get("cluster_size"),
    )
    assert all(chosen)
    for size in (2, 3, 7, 64, 1000, 100_000):
        for kinds in range(8):
            for personas in range(6):
                parts = _structural_extra(size, kinds, personas, *chosen)
                assert _structural_bound(size, kinds, personas, *chosen) == sum(
                    c["contribution"] for c in parts
                )


@pytest.mark.parametrize("gap", [0, 40, 1 << 20])
def test_take_reads_the_strings_one_by_one_reading_gives(monkeypatch, gap):
    monkeypatch.setattr(StringColumn, "_GAP", gap)
    column = StringColumn()
    rng = np.random.default_rng(4)
    letters = list("abz/:.?=é€ß中😀")
    values = ["".join(rng.choice(letters, rng.integers(0, 9))) for _ in range(500)]
    values[3] = ""
    column.extend(values[:200])
    column.extend(values[200:])
    wanted = [*rng.integers(0, 500, 300).tolist(), 0, 499, 3, 3]
    assert column.take(wanted) == {p: values[p] for p in wanted}
    assert column.take([]) == {}


def test_leads_read_urls_in_batches_as_one_read_a_url_gives(scans, monkeypatch):
    for result in scans:
        indicators = load_indicators(None)
        monkeypatch.setattr(analysis_module, "_URL_BATCH", 5)  # many batches
        batched = analysis_module.build_leads(result.index, result.analysis, indicators)
        monkeypatch.setattr(
            analysis_module,
            "_with_urls",
            lambda index, summaries: ((s, {a: index.urls[a] for a in s.ads}) for s in summaries),
        )
        one_by_one = analysis_module.build_leads(result.index, result.analysis, indicators)
        assert batched == one_by_one
        assert batched["urls"] and batched["possible_victims"]
        monkeypatch.undo()
