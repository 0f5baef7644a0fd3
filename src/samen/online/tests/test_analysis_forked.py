"""The analysis made by two processes (ADR 0124): the candidates after a cut are described by a
forked process that sends back its lead clusters; the lead clusters, their order, which of them
stay described in full and every field of every summary are those one process makes, wherever
the cut falls, and a child that fails costs nothing but time."""

from __future__ import annotations

import json
import os

import pytest

from samen.online.engine import ScanConfig, scan, write_outputs
from samen.online.engine import analysis as analysis_module
from samen.online.engine import runner as runner_module
from samen.online.engine import threads as threads_module
from samen.online.engine.analysis import analyse
from samen.online.engine.indicators import load_indicators
from samen.online.engine.runner import InProcessEngine
from samen.online.tests.corpora import both_generators, generator_files

pytestmark = pytest.mark.skipif(not analysis_module.can_fork(), reason="needs fork")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """Each generator's ads as a file: ``online synth``'s, then the held-out generator's."""
    ads = both_generators(1500, seed=61)
    folder = tmp_path_factory.mktemp("analysisforked")
    return generator_files(ads, 1500, folder)


@pytest.fixture(scope="module")
def scans(inputs):
    return [
        scan([path], config=ScanConfig(chunk_size=500), engine=InProcessEngine()) for path in inputs
    ]


def _summaries(analysis) -> list:
    """Every field of every lead cluster, in the analysis' order."""
    return [
        (
            s.label,
            type(s.ads).__name__,
            list(s.ads),
            s.score,
            s.cities,
            s.first_day,
            s.last_day,
            {persona: sorted(cities) for persona, cities in s.personas.items()},
            s.contacts,
            s.contact_ids,
            s.languages,
            s.contributions,
            s.template,
            s.persona_links,
            None
            if s.persona_ads is None
            else (type(s.persona_ads).__name__, [(p, list(a)) for p, a in s.persona_ads.items()]),
            s.lean,
            s.evidence,
        )
        for s in analysis.clusters
    ]


def _analysis(result, processes: int) -> tuple:
    analysis = analyse(result.index, result.clustering, load_indicators(), processes=processes)
    return analysis.cluster_count, analysis.multi_ad_clusters, _summaries(analysis)


def _counting_forks(monkeypatch) -> list[int]:
    forks: list[int] = []
    real_fork = os.fork

    def fork():
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(os, "fork", fork)
    return forks


@pytest.mark.parametrize("corpus", [0, 1])
@pytest.mark.parametrize("full", [3, 500])
def test_the_analysis_of_two_processes_equals_that_of_one_wherever_the_cut(
    scans, corpus, full, monkeypatch
):
    # With 3 described in full, the best ones lie on both sides of every cut: the join decides
    # which stay described and makes the others lean.
    monkeypatch.setattr(analysis_module, "FULL_SUMMARIES", full)
    result = scans[corpus]
    expected = _analysis(result, 1)
    lean = sum(row[-2] for row in expected[2])
    assert len(expected[2]) - lean == min(full, len(expected[2]))
    assert lean > 0 or full == 500
    cuts: list[int] = []
    wanted = [0]
    real_split = analysis_module._analysis_split

    def split_at(run_sizes, processes):
        count = len(run_sizes)
        cuts.append(real_split(run_sizes, processes))
        return wanted[0] if wanted[0] < count else count - 1

    monkeypatch.setattr(analysis_module, "_analysis_split", split_at)
    forks = _counting_forks(monkeypatch)
    for cut in (1, 2, 7, 40, 10**9):
        wanted[0] = cut
        assert _analysis(result, 2) == expected
    assert len(forks) == 5  # each analysis forked its child
    assert len(set(cuts)) == 1  # the default cut (below the fork's minimum: none)


def test_the_default_cut_lies_at_half_the_candidates_ads(monkeypatch):
    sizes = [5, 3, 40, 2, 2, 30, 9, 9]
    monkeypatch.setattr(analysis_module, "ANALYSIS_FORK_MIN_ADS", 0)
    cut = analysis_module._analysis_split(sizes, 2)
    assert sum(sizes[:cut]) < sum(sizes) // 2 <= sum(sizes[: cut + 1])
    assert analysis_module._analysis_split(sizes, 1) == len(sizes)
    assert analysis_module._analysis_split([9], 2) == 1
    assert analysis_module._analysis_split([], 2) == 0
    monkeypatch.setattr(analysis_module, "ANALYSIS_FORK_MIN_ADS", sum(sizes) + 1)
    assert analysis_module._analysis_split(sizes, 2) == len(sizes)


def test_a_failing_child_leaves_the_analysis_to_the_parent(scans, monkeypatch):
    monkeypatch.setattr(analysis_module, "FULL_SUMMARIES", 3)
    result = scans[0]
    expected = _analysis(result, 1)
    monkeypatch.setattr(analysis_module, "ANALYSIS_FORK_MIN_ADS", 0)
    forks = _counting_forks(monkeypatch)
    parent = os.getpid()
    real = analysis_module._structural_extra

    def fails_in_the_child(*args, **kwargs):
        if os.getpid() != parent:
            raise RuntimeError("child breaks")
        return real(*args, **kwargs)

    monkeypatch.setattr(analysis_module, "_structural_extra", fails_in_the_child)
    assert _analysis(result, 2) == expected

    # A child that ends before it sends a result (killed, out of memory): the same.
    def ends_in_the_child(*args, **kwargs):
        if os.getpid() != parent:
            os._exit(0)
        return real(*args, **kwargs)

    monkeypatch.setattr(analysis_module, "_structural_extra", ends_in_the_child)
    assert _analysis(result, 2) == expected

    # A result that cannot be read: the same.
    monkeypatch.setattr(analysis_module, "_structural_extra", real)
    real_dumps = analysis_module.pickle.dumps

    def broken_dumps(value, protocol=None):
        if os.getpid() != parent:
            return b"not a pickle"
        return real_dumps(value, protocol)

    monkeypatch.setattr(analysis_module.pickle, "dumps", broken_dumps)
    assert _analysis(result, 2) == expected
    assert len(forks) == 3


def test_without_fork_one_process_analyses(scans, monkeypatch):
    result = scans[1]
    expected = _analysis(result, 1)

    def no_fork():
        raise AssertionError("forked where fork is unavailable")

    monkeypatch.setattr(analysis_module, "ANALYSIS_FORK_MIN_ADS", 0)
    monkeypatch.setattr(analysis_module.sys, "platform", "win32")
    monkeypatch.setattr(os, "fork", no_fork)
    assert not analysis_module.can_fork()
    assert _analysis(result, 2) == expected


def _files(folder) -> dict[str, bytes]:
    files = {name: (folder / name).read_bytes() for name in ("clusters.csv", "bad_lines.csv")}
    leads = json.loads((folder / "leads.json").read_text(encoding="utf-8"))
    leads.pop("generated_at")
    for timing in ("seconds", "ads_per_second", "phase_seconds", "phase_cpu_seconds"):
        leads["stats"].pop(timing)
    leads["stats"].pop("peak_rss_mb_after_phase")
    files["leads.json"] = json.dumps(leads).encode()
    return files


def test_a_scan_analyses_in_two_processes_only_with_a_second_core_in_memory(
    inputs, tmp_path, monkeypatch
):
    path = inputs[0]
    asked: list[int] = []
    real = runner_module.analyse

    def recording(*args, processes=1, **kwargs):
        asked.append(processes)
        return real(*args, processes=processes, **kwargs)

    monkeypatch.setattr(runner_module, "analyse", recording)
    monkeypatch.setattr(runner_module, "ANALYSIS_PROCESSES", 2)
    monkeypatch.setattr(analysis_module, "ANALYSIS_FORK_MIN_ADS", 0)
    monkeypatch.setattr(threads_module, "THREADS", 2)
    outputs = []
    for number, second_core in enumerate((float("inf"), 0.0)):  # never, always
        monkeypatch.setattr(runner_module, "SECOND_CORE", second_core)
        result = scan([path], config=ScanConfig(chunk_size=500), engine=InProcessEngine())
        write_outputs(result, [path], tmp_path / str(number))
        outputs.append(_files(tmp_path / str(number)))
    assert asked == [1, 2]
    assert outputs[0] == outputs[1]
    # Spilled (the shingles not in memory): one process, whatever the cores.
    monkeypatch.setattr(runner_module, "shingles_in_memory", lambda index: False)
    scan([path], config=ScanConfig(chunk_size=500), engine=InProcessEngine())
    assert asked == [1, 2, 1]


@pytest.mark.parametrize("batch", [1, 3, 1024])
@pytest.mark.parametrize("processes", [1, 2])
def test_details_settled_in_batches_are_those_of_each_contacts_description(
    scans, batch, processes, monkeypatch
):
    result = scans[0]
    indicators = load_indicators()
    many = indicators.by_id["contact_many_personas"]
    monkeypatch.setattr(analysis_module, "ANALYSIS_FORK_MIN_ADS", 0)
    monkeypatch.setattr(analysis_module, "_DETAIL_BATCH", batch)
    # Every summary described in full: each many-personas detail against the description of
    # the cluster's first contact, one contact at a time.
    monkeypatch.setattr(analysis_module, "FULL_SUMMARIES", 10**9)
    full = analyse(result.index, result.clustering, indicators, processes=processes)
    reference = analysis_module.ContactIndex(result.index)
    checked = 0
    for summary in full.clusters:
        for part in summary.contributions:
            if part["id"] != many.id:
                continue
            contact, _, personas = summary.contacts[0]
            entry = reference.stats(summary.contact_ids[0])
            assert part["detail"] == (
                f"{many.label}: {analysis_module.contact_kind(contact)} "
                f"{analysis_module.contact_value(contact)} is used in {entry.ads} ads under "
                f"{personas} personas ({analysis_module._list(sorted(entry.personas))})."
            )
            checked += 1
    assert checked
    # With 3 described: the lean ones quote the details they had in full.
    monkeypatch.setattr(analysis_module, "FULL_SUMMARIES", 3)
    lean = analyse(result.index, result.clustering, indicators, processes=processes)
    evidence = {s.label: s.lead_evidence() for s in full.clusters}
    assert sum(s.lean for s in lean.clusters) == len(lean.clusters) - 3
    assert all(s.lead_evidence() == evidence[s.label] for s in lean.clusters)
