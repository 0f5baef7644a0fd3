"""The band loop's compiled passes of ADR 0114 give what the steps they replace give: the same
verdicts (``similar_pairs``), the same sorted codes of the same pairs (``band_codes``), the same
mask (``codes_keep``), and the band loop's last labels are the template edges' components."""

import numpy as np
import pytest

from samen.online.engine import ScanConfig, _clusterc, scan
from samen.online.engine import cluster as cluster_module
from samen.online.engine import threads as threads_module
from samen.online.engine.cluster import (
    CodeSet,
    _apart_sorted,
    _apart_unknown,
    _band_apart_codes,
    _bucket_pairs,
    _similar,
    _similarity,
    components,
)
from samen.online.engine.runner import InProcessEngine
from samen.online.engine.threads import Pool
from samen.online.tests.test_compiled_kernels import _runs


def test_the_kernels_are_built():
    """Without them the tests below would compare the old steps with themselves."""
    assert None not in (
        cluster_module._similar_pairs,
        cluster_module._band_codes,
        cluster_module._codes_keep,
    )


@pytest.mark.parametrize("threshold", [0.05, 0.3, 0.5, 0.8, 1.0])
def test_similar_pairs_gives_the_verdicts_of_the_full_similarity(monkeypatch, threshold):
    """In memory, ``_similar`` by ``similar_pairs`` says "similar" exactly where the full
    similarity reaches the threshold and where the numpy blocks over ``weighted_at_least``
    said so, on both generators' ads (pairs of ads without shingles among them), on one
    thread and on several parts a thread."""
    in_memory, spilled, left, right = _runs(monkeypatch)
    spilled.close()
    calls = []
    kernel = cluster_module._similar_pairs

    def counted(*args):
        calls.append(len(args[4]))
        return kernel(*args)

    monkeypatch.setattr(cluster_module, "_similar_pairs", counted)
    monkeypatch.setattr(cluster_module, "_PARALLEL_PAIRS", 7)
    full = _similarity(left, right, in_memory) >= threshold
    with Pool(3) as pool:
        verdict = _similar(left, right, in_memory, threshold, pool)
    assert len(calls) > 3 and sum(calls) == len(left)
    assert verdict.tolist() == full.tolist()
    assert _similar(left, right, in_memory, threshold).tolist() == full.tolist()
    with monkeypatch.context() as patched:
        patched.setattr(cluster_module, "_similar_pairs", None)
        assert _similar(left, right, in_memory, threshold).tolist() == full.tolist()
    if threshold <= 0.5:
        assert 10 < verdict.sum() < len(left) - 10


def test_similar_pairs_refuses_ads_outside_the_runs(monkeypatch):
    runs, spilled, _, _ = _runs(monkeypatch)
    spilled.close()
    n = len(runs.totals)
    out = np.zeros(1, dtype=np.uint8)
    for left, right in ((0, n), (-1, 0)):
        with pytest.raises(IndexError):
            _clusterc.similar_pairs(
                runs.shingles,
                runs.weights,
                runs.starts,
                runs.totals,
                np.array([left], dtype=np.int64),
                np.array([right], dtype=np.int64),
                0.5,
                out,
            )


def _band(rng: np.random.Generator, k: int, distinct: int, ads: int):
    keys = rng.integers(0, distinct, k).astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    usable = np.sort(rng.choice(ads, k, replace=False)).astype(np.int64)
    return keys, usable


@pytest.mark.parametrize("ads", [50, 5000, 300_000, 3_000_000])
def test_band_codes_are_the_sorted_codes_of_the_pairs_apart(ads):
    """Buckets of every size, labels that join some of the pairs (int32 and int64), ads up to
    millions (codes of up to 44 significant bits: several radix passes, some skipped): the
    codes of ``_apart_sorted`` over ``band_pairs``' lists, in the same order."""
    rng = np.random.default_rng(ads)
    k = min(ads, 200_000)
    for distinct in (3, k // 4 + 1, 4 * k):
        keys, usable = _band(rng, k, distinct, ads)
        labels = rng.integers(0, max(2, ads // 3), ads)
        for kind in (np.int64, np.int32):
            got = _band_apart_codes(keys, usable, labels.astype(kind))
            expected = [
                _apart_sorted(left, right, labels) for left, right in _bucket_pairs(keys, usable)
            ]
            assert [codes.tolist() for codes in got] == [codes.tolist() for codes in expected]
        if distinct == 3:
            assert len(got[0]) > k // 2 and len(got[1]) > k // 2
    for k in (0, 1):
        keys, usable = _band(rng, k, 2, 10)
        assert [len(codes) for codes in _band_apart_codes(keys, usable, np.arange(10))] == [0, 0]


def test_band_codes_refuses_ads_that_do_not_increase():
    keys = np.zeros(3, dtype=np.uint64)
    outs = [np.empty(3, dtype=np.int64) for _ in range(2)]
    with pytest.raises(ValueError):
        _clusterc.band_codes(keys, np.array([0, 2, 1], dtype=np.int64), np.arange(3), *outs)


@pytest.mark.parametrize("threads", [1, 3])
def test_codes_kept_are_those_apart_and_not_rejected(monkeypatch, threads):
    """The one-pass mask equals the labels filter followed by the set's lookup, on int32 and
    int64 labels, with an empty set and a set holding a third of the codes."""
    monkeypatch.setattr(cluster_module, "_PARALLEL_PAIRS", 4)
    rng = np.random.default_rng(3)
    n = 20_000
    low = rng.integers(0, n - 1, 30_000)
    high = low + rng.integers(1, n - low)
    codes = np.unique(low << 32 | high)
    labels = rng.integers(0, n // 2, n)
    with Pool(threads) as pool:
        for rejected_share in (0, 3):
            rejected = CodeSet(1 << 10)
            if rejected_share:
                rejected.add(codes[::rejected_share])
            apart = labels[codes >> 32] != labels[codes & 0xFFFFFFFF]
            expected = apart & ~rejected.contains(codes)
            for kind in (np.int64, np.int32):
                keep = _apart_unknown(codes, labels.astype(kind), rejected, pool)
                assert keep.tolist() == expected.tolist()
            assert 0 < expected.sum() < apart.sum() or not rejected_share


@pytest.fixture(scope="module")
def scanned(synthetic_ads):
    return scan([synthetic_ads[0]], config=ScanConfig(chunk_size=500), engine=InProcessEngine())


@pytest.mark.parametrize("threads", [1, 2])
def test_the_band_loops_last_labels_are_the_template_groups(scanned, threads):
    """The labels the band loop leaves are the components of the edges it returns, numbered
    by first ad, and ``cluster`` takes them for its template groups: the same groups as
    finding the components of those edges again."""
    config = ScanConfig()
    index = scanned.index
    starts = index.shingle_starts()
    with Pool(threads) as pool:
        runs = threads_module.weights_in_memory(index.shingles, starts, pool)
        found: list[np.ndarray] = []
        left, right, _ = cluster_module._weighted_template_edges(
            index, runs, config.threshold, config.candidate_threshold, pool, found
        )
    again = components(len(index), left, right)
    assert len(found) == 1 and len(left) > 100
    template = cluster_module._template_labels(len(index), left, right, found)
    assert template.dtype == again.dtype and template.tobytes() == again.tobytes()
    assert len(np.unique(again)) < len(index) - 100
    clustering = cluster_module.cluster(
        index, config.threshold, config.candidate_threshold, threads
    )
    assert clustering.template_labels.tobytes() == again.tobytes()
    assert clustering.template_labels.tobytes() == scanned.clustering.template_labels.tobytes()


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("compiled", [True, False])
def test_the_band_loop_without_a_memory_of_rejects_gives_the_same_edges(
    scanned, monkeypatch, threads, compiled
):
    """ADR 0119: the in-memory band loop verifies again a pair rejected in an earlier band
    instead of remembering it. The same edges in the same order and the same last labels as
    the loop that remembers (the hash set, or the sorted array without the kernels); more
    pairs verified, the ones found again."""
    config = ScanConfig()
    index = scanned.index
    starts = index.shingle_starts()
    if not compiled:
        monkeypatch.setattr(cluster_module, "_codes_keep", None)
        monkeypatch.setattr(cluster_module, "_codes_add", None)
    outcomes = []
    with Pool(threads) as pool:
        runs = threads_module.weights_in_memory(index.shingles, starts, pool)
        for remember in (False, True):
            found: list[np.ndarray] = []
            left, right, verified = cluster_module._weighted_template_edges(
                index,
                runs,
                config.threshold,
                config.candidate_threshold,
                pool,
                found,
                remember_rejected=remember,
            )
            outcomes.append((left.tobytes(), right.tobytes(), found[0].tobytes(), verified))
    (*forgetting, verified), (*remembering, verified_0) = outcomes
    assert forgetting == remembering and len(outcomes[0][0]) > 800
    assert verified > verified_0
