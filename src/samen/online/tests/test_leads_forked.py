"""The leads made by two processes (ADR 0094): the lead clusters after a cut are described by a
forked process that writes their leads' text into files made before the fork; the victims,
perpetrators and URLs, their order and their JSON text are those one process makes, wherever
the cut falls, and a failing child costs nothing but time."""

from __future__ import annotations

import io
import json
import os

import numpy as np
import pytest

from samen.online.engine import ScanConfig, scan, spooled
from samen.online.engine import analysis as analysis_module
from samen.online.engine.analysis import analyse, build_leads, lead_clusters
from samen.online.engine.indicators import load_indicators
from samen.online.engine.jsonout import dump_indented
from samen.online.engine.runner import InProcessEngine
from samen.online.engine.spooled import SpooledLeads
from samen.online.tests.corpora import both_generators, generator_files

pytestmark = pytest.mark.skipif(not analysis_module.can_fork(), reason="needs fork")


@pytest.fixture(scope="module")
def scans(tmp_path_factory):
    """A scan of each generator's ads: ``online synth``'s, then the held-out generator's."""
    ads = both_generators(1500, seed=47)
    folder = tmp_path_factory.mktemp("leadsforked")
    results = []
    for path in generator_files(ads, 1500, folder):
        result = scan([path], config=ScanConfig(chunk_size=500), engine=InProcessEngine())
        results.append((result, analyse(result.index, result.clustering, load_indicators())))
    return results


def _text(leads: dict) -> str:
    handle = io.StringIO()
    dump_indented(leads, handle)
    return handle.getvalue()


def _comparable(leads: dict) -> tuple:
    return (
        list(leads["possible_victims"]),
        list(leads["possible_perpetrators"]),
        leads["urls"],
        _text(leads),
    )


@pytest.mark.parametrize("corpus", [0, 1])
@pytest.mark.parametrize("max_urls", [7, 5000])
def test_leads_of_two_processes_equal_those_of_one_wherever_the_cut(
    scans, corpus, max_urls, monkeypatch
):
    result, analysis = scans[corpus]
    indicators = load_indicators()
    summaries = lead_clusters(analysis, indicators)
    # A contact under several personas in clusters on both sides of every cut (one found in
    # the first cluster that has one, added to two later ones): only its first cluster makes
    # its perpetrator lead, the child too must not make it again.
    donor = next((s for s in summaries if analysis_module._contacts_named([s])), None)
    if donor is not None:
        shared = next(c for c in donor.contacts if c[2] >= 2)
        for later in (summaries[len(summaries) // 2], summaries[-1]):
            monkeypatch.setattr(later, "contacts", [*later.contacts, shared])
    one = build_leads(result.index, analysis, indicators, max_urls=max_urls, processes=1)
    expected = _comparable(one)
    # Not a vacuous comparison: many leads, ties of scores, perpetrators.
    assert len(summaries) >= 10
    assert len(expected[0]) >= 20
    scores = [lead["score"] for lead in expected[0]]
    assert len(set(scores)) < len(scores)
    if corpus == 0:
        assert donor is not None
        assert len(expected[1]) >= 5
    own_pid = os.getpid()
    forked = []
    real_start = analysis_module._LeadsChild.start
    real_second_part = analysis_module._second_part

    def start(*args, **kwargs):
        child = real_start(*args, **kwargs)
        forked.append(child is not None and child.pid != own_pid)
        return child

    monkeypatch.setattr(analysis_module._LeadsChild, "start", start)
    cuts = sorted({1, 2, len(summaries) // 3, len(summaries) // 2, len(summaries) - 1})
    for cut in cuts:
        monkeypatch.setattr(analysis_module, "_second_part", lambda s, cut=cut: cut)
        two = build_leads(result.index, analysis, indicators, max_urls=max_urls, processes=2)
        assert _comparable(two) == expected, cut
    assert forked == [True] * len(cuts)  # each one shared with a child
    # The cut by default: about half the lead clusters' ads, when there are enough of them.
    monkeypatch.setattr(analysis_module, "_second_part", real_second_part)
    monkeypatch.setattr(analysis_module, "FORK_MIN_ADS", 0)
    cut = analysis_module._second_part(summaries)
    assert 0 < cut < len(summaries)
    sizes = np.cumsum([len(s.ads) for s in summaries])
    assert sizes[cut - 1] < sizes[-1] // 2 <= sizes[cut]
    two = build_leads(result.index, analysis, indicators, max_urls=max_urls, processes=2)
    assert _comparable(two) == expected


def test_a_failing_child_leaves_the_leads_to_the_parent(scans, monkeypatch):
    result, analysis = scans[0]
    indicators = load_indicators()
    expected = _comparable(build_leads(result.index, analysis, indicators, processes=1))
    parent = os.getpid()
    real = analysis_module._describe_leads

    def fails_in_the_child(*args, **kwargs):
        if os.getpid() != parent:
            raise RuntimeError("child breaks")
        return real(*args, **kwargs)

    monkeypatch.setattr(analysis_module, "FORK_MIN_ADS", 0)
    monkeypatch.setattr(analysis_module, "_describe_leads", fails_in_the_child)
    assert _comparable(build_leads(result.index, analysis, indicators, processes=2)) == expected

    # A child that ends before it writes a result (killed, out of memory): the same.
    def ends_in_the_child(*args, **kwargs):
        if os.getpid() != parent:
            os._exit(0)
        return real(*args, **kwargs)

    monkeypatch.setattr(analysis_module, "_describe_leads", ends_in_the_child)
    assert _comparable(build_leads(result.index, analysis, indicators, processes=2)) == expected


def test_without_fork_one_process_makes_the_leads(scans, monkeypatch):
    result, analysis = scans[1]
    indicators = load_indicators()
    expected = _comparable(build_leads(result.index, analysis, indicators, processes=1))

    def no_fork():
        raise AssertionError("forked where fork is unavailable")

    monkeypatch.setattr(analysis_module, "FORK_MIN_ADS", 0)
    monkeypatch.setattr(analysis_module.sys, "platform", "win32")
    monkeypatch.setattr(os, "fork", no_fork)
    assert not analysis_module.can_fork()
    assert _comparable(build_leads(result.index, analysis, indicators, processes=2)) == expected


@pytest.mark.parametrize(("left", "right"), [(0, 0), (0, 5), (5, 0), (3, 9000)])
def test_spooled_leads_extended_equal_those_appended_one_by_one(left, right, monkeypatch):
    monkeypatch.setattr(spooled, "_WRITE_BYTES", 1000)  # the text copied in several pieces
    leads = [
        {"kind": "possible_victim", "persona": f"é {n}\n", "score": float(n % 4), "n": [n]}
        for n in range(left + right)
    ]
    whole, first, second = SpooledLeads(), SpooledLeads(), SpooledLeads()
    for lead in leads:
        whole.append(lead)
    for lead in leads[:left]:
        first.append(lead)
    for lead in leads[left:]:
        second.append(lead)
    first.extend(second)
    assert list(first.finish()) == list(whole.finish())
    assert "".join(first.texts()) == "".join(whole.texts())


def test_a_scan_gives_the_same_leads_with_a_second_process_or_without(tmp_path, monkeypatch):
    from samen.online.engine import runner

    ads = both_generators(600, seed=5)[:600]
    path = tmp_path / "ads.jsonl"
    path.write_text("".join(json.dumps(ad) + "\n" for ad in ads), encoding="utf-8")
    monkeypatch.setattr(analysis_module, "FORK_MIN_ADS", 0)
    forks = []
    real_fork = os.fork

    def fork():
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(os, "fork", fork)
    results = []
    for second_core in (float("inf"), 0.0):  # never, always
        monkeypatch.setattr(runner, "SECOND_CORE", second_core)
        result = scan([path], config=ScanConfig(chunk_size=200), engine=InProcessEngine())
        results.append((_comparable(result.leads), len(forks)))
    assert [forked for _, forked in results] == [0, 1]  # only the second scan forked
    results = [leads for leads, _ in results]
    assert results[0] == results[1]
    assert results[0][0] and results[0][1]
