"""The phases after the clusters with less on the critical path (ADR 0115): clusters.csv written
by a forked process beside the analysis, the shared contacts named at once, their numbers
carried to the leads and the perpetrators' contacts described at once give the same values, the
same leads and the same files as the one-by-one definitions."""

from __future__ import annotations

import gc
import io
import json
import os

import numpy as np
import pytest

from samen.online.engine import ScanConfig, scan, write_outputs
from samen.online.engine import analysis as analysis_module
from samen.online.engine import runner as runner_module
from samen.online.engine import threads as threads_module
from samen.online.engine.analysis import (
    ContactIndex,
    _LeadFacts,
    analyse,
    build_leads,
    lead_clusters,
    values_of,
)
from samen.online.engine.index import CompactInterner, Interner
from samen.online.engine.indicators import load_indicators
from samen.online.engine.jsonout import dump_indented
from samen.online.engine.runner import InProcessEngine
from samen.online.tests.corpora import both_generators, generator_files


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """Each generator's ads as a file: ``online synth``'s, then the held-out generator's."""
    ads = both_generators(1500, seed=53)
    folder = tmp_path_factory.mktemp("aftercluster")
    return generator_files(ads, 1500, folder)


@pytest.fixture(scope="module")
def scans(inputs):
    return [
        scan([path], config=ScanConfig(chunk_size=500), engine=InProcessEngine()) for path in inputs
    ]


def _leads_text(leads: dict) -> str:
    handle = io.StringIO()
    dump_indented(leads, handle)
    return handle.getvalue()


def _summaries(analysis) -> list:
    return [
        (s.label, list(s.ads), s.score, s.lean, s.contributions, s.contacts, s.contact_ids)
        for s in analysis.clusters
    ]


@pytest.mark.parametrize("settled", [False, True])
def test_values_of_equals_reading_them_one_by_one(settled, monkeypatch):
    rng = np.random.default_rng(3)
    words = [f"tel:+316{k:08d}" if k % 3 else f"mail:é{k}@x.nl" for k in range(5000)]
    compact, plain = CompactInterner(), Interner()
    compact.many(words)
    plain.many(words)
    if settled:
        compact.settle()
    # Blocks of 7 values: wanted numbers in many blocks, at their edges and in none.
    monkeypatch.setattr(CompactInterner, "_BLOCK", 7)
    for interner in (compact, plain):
        numbers = np.r_[
            rng.integers(0, len(interner), 3000), [0, len(interner) - 1, 6, 7, 13, 14, 6]
        ]
        expected = [interner.values[k] for k in numbers.tolist()]
        assert values_of(interner, numbers) == expected
        assert values_of(interner, numbers[::-1]) == expected[::-1]
        assert values_of(interner, numbers[:0]) == []
    with pytest.raises(IndexError):
        values_of(compact, np.array([len(compact)]))


def test_stats_many_equals_stats_contact_by_contact(scans):
    for result in scans:
        # Some ads undated (day 0), among them all the ads of some contacts.
        days = np.frombuffer(result.index.day, dtype=np.int32)
        saved = days.copy()
        days[::3] = 0
        try:
            _compare_stats(result)
        finally:
            days[:] = saved


def _compare_stats(result) -> None:
    contacts = ContactIndex(result.index)
    every = np.arange(len(result.index.contacts))
    shared = every[contacts.ad_count[every] >= 2]
    assert len(shared) > 50
    # Shared contacts, contacts of one ad (none of them shared) and repeats, in any order.
    wanted = np.r_[shared[::-1], every[:40], shared[:5]].tolist()
    expected = [contacts.stats(c, keep=False) for c in wanted]
    assert any(len(e.personas) >= 2 and len(e.cities) >= 2 for e in expected)
    assert any(e.ads >= 2 and not e.first_day for e in expected)
    assert any(e.ads >= 2 and e.first_day < e.last_day for e in expected)
    assert contacts.stats_many(wanted) == expected
    # A kept description is dropped, as stats(keep=False) drops it.
    contacts.stats(int(shared[0]))
    assert int(shared[0]) in contacts._stats
    contacts.stats_many([int(shared[0])])
    assert int(shared[0]) not in contacts._stats
    assert contacts.stats_many([]) == []


@pytest.mark.parametrize("batch", [1, 3, 1 << 16])
def test_contacts_named_in_batches_give_the_same_analysis(scans, batch, monkeypatch):
    indicators = load_indicators()
    for result in scans:
        before = analyse(result.index, result.clustering, indicators)
        monkeypatch.setattr(_LeadFacts, "_NAMED_BATCH", batch)
        after = analyse(result.index, result.clustering, indicators)
        monkeypatch.undo()
        assert _summaries(after) == _summaries(before)
        values = result.index.contacts.values
        named = 0
        for summary in after.clusters:
            assert len(summary.contact_ids) == len(summary.contacts)
            for number, (value, _, _) in zip(summary.contact_ids, summary.contacts, strict=True):
                assert values[number] == value
                named += 1
        assert named > 50


@pytest.mark.parametrize("chunk", [1, 2, 8192])
def test_leads_with_contacts_described_at_once_equal_those_looked_up_one_by_one(
    scans, chunk, monkeypatch
):
    """The leads from the numbers ``analyse`` found, described ``chunk`` at a time, equal those
    of summaries without the numbers (each contact looked up by its value), described one by
    one: the old definition, kept here."""
    indicators = load_indicators()
    for result in scans:
        analysis = analyse(result.index, result.clustering, indicators)
        monkeypatch.setattr(analysis_module, "_DESCRIBED_CHUNK", chunk)
        new = build_leads(result.index, analysis, indicators, processes=1)
        monkeypatch.undo()
        for summary in lead_clusters(analysis, indicators):
            summary.contact_ids = []
        monkeypatch.setattr(
            ContactIndex,
            "stats_many",
            lambda self, numbers: [self.stats(n, keep=False) for n in numbers],
        )
        old = build_leads(result.index, analysis, indicators, processes=1)
        monkeypatch.undo()
        assert len(new["possible_perpetrators"]) > 10
        assert list(new["possible_perpetrators"]) == list(old["possible_perpetrators"])
        assert list(new["possible_victims"]) == list(old["possible_victims"])
        assert _leads_text(new) == _leads_text(old)


def _scan_with(path, monkeypatch, forked: bool):
    with monkeypatch.context() as patched:
        patched.setattr(threads_module, "THREADS", 2)
        patched.setattr(runner_module, "SECOND_CORE", 0.0 if forked else float("inf"))
        patched.setattr(runner_module, "CSV_FORK_MIN_ADS", 0)
        return scan([path], config=ScanConfig(chunk_size=500), engine=InProcessEngine())


def _files(folder) -> dict[str, bytes]:
    files = {name: (folder / name).read_bytes() for name in ("clusters.csv", "bad_lines.csv")}
    leads = json.loads((folder / "leads.json").read_text(encoding="utf-8"))
    leads.pop("generated_at")
    leads.pop("stats")
    files["leads"] = json.dumps(leads).encode()
    return files


@pytest.mark.skipif(not analysis_module.can_fork(), reason="needs fork")
def test_clusters_csv_written_beside_the_analysis_is_the_same_file(inputs, tmp_path, monkeypatch):
    for number, path in enumerate(inputs):
        old = _scan_with(path, monkeypatch, forked=False)
        assert old.clusters_csv is None  # no second core: written by write_outputs
        new = _scan_with(path, monkeypatch, forked=True)
        assert new.clusters_csv is not None
        write_outputs(old, [path], tmp_path / f"old-{number}")
        write_outputs(new, [path], tmp_path / f"new-{number}")
        assert new.clusters_csv is None  # taken
        old_files, new_files = (
            _files(tmp_path / f"old-{number}"),
            _files(tmp_path / f"new-{number}"),
        )
        assert new_files == old_files
        assert old_files["clusters.csv"].count(b"\r\n") == len(old.index) + 1


@pytest.mark.skipif(not analysis_module.can_fork(), reason="needs fork")
def test_a_failed_clusters_csv_process_leaves_the_same_file(inputs, tmp_path, monkeypatch):
    path = inputs[0]
    parent = os.getpid()
    real = runner_module._clusters_rows

    def fails_in_the_child(index, labels, handle):
        if os.getpid() != parent:
            handle.write("half a file")
            handle.flush()
            raise RuntimeError("the child fails")
        real(index, labels, handle)

    expected = _scan_with(path, monkeypatch, forked=False)
    write_outputs(expected, [path], tmp_path / "expected")
    monkeypatch.setattr(runner_module, "_clusters_rows", fails_in_the_child)
    result = _scan_with(path, monkeypatch, forked=True)
    assert result.clusters_csv is not None
    write_outputs(result, [path], tmp_path / "made-again")
    assert (tmp_path / "made-again" / "clusters.csv").read_bytes() == (
        tmp_path / "expected" / "clusters.csv"
    ).read_bytes()


@pytest.mark.skipif(not analysis_module.can_fork(), reason="needs fork")
def test_a_scan_whose_outputs_are_not_written_reaps_its_process(inputs, monkeypatch):
    result = _scan_with(inputs[0], monkeypatch, forked=True)
    prepared = result.clusters_csv
    assert prepared is not None
    pid = prepared.pid
    del result, prepared
    gc.collect()
    with pytest.raises(ChildProcessError):  # reaped: no longer this process's child
        os.waitpid(pid, os.WNOHANG)


def test_clusters_csv_is_written_beside_only_with_a_second_core_in_memory_and_enough_ads(
    inputs, monkeypatch
):
    path = inputs[0]
    with monkeypatch.context() as patched:
        patched.setattr(threads_module, "THREADS", 2)
        patched.setattr(runner_module, "SECOND_CORE", 0.0)
        patched.setattr(runner_module, "CSV_FORK_MIN_ADS", 10**9)
        assert scan([path], engine=InProcessEngine()).clusters_csv is None
        patched.setattr(runner_module, "CSV_FORK_MIN_ADS", 0)
        patched.setattr(runner_module, "shingles_in_memory", lambda index: False)
        assert scan([path], engine=InProcessEngine()).clusters_csv is None
