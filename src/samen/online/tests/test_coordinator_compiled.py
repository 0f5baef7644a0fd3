"""The coordinator's compiled clustering kernels (``_clusterc``, ADR 0076) give what their numpy
definitions give: the same weights and totals to the bit, the same band pairs, the same rejected
set, the same verdicts, and so the same edges (in order), clusters and links."""

import numpy as np
import pytest

from samen.online.engine import ScanConfig, _clusterc, scan
from samen.online.engine import cluster as cluster_module
from samen.online.engine import shingles as shingles_module
from samen.online.engine import threads as threads_module
from samen.online.engine.cluster import (
    _FOLD,
    CodeSet,
    SortedCodes,
    _all_band_keys,
    _bucket_pairs,
    _similar,
    _similarity,
    lsh_params,
)
from samen.online.engine.heldout import write_heldout
from samen.online.engine.index import Index
from samen.online.engine.runner import InProcessEngine
from samen.online.engine.spill import SpillFile
from samen.online.engine.threads import SERIAL, Pool
from samen.online.tests.test_compiled_kernels import _runs

KERNELS = (
    "_band_codes",
    "_band_pairs",
    "_codes_add",
    "_codes_has",
    "_codes_keep",
    "_fold_bands",
    "_join_labels",
    "_similar_pairs",
    "_weighted_at_least",
)


def _without_kernels(patched: pytest.MonkeyPatch) -> None:
    """The numpy definitions everywhere: as an install without the extension runs."""
    for name in KERNELS:
        patched.setattr(cluster_module, name, None)
    for name in ("_shingle_df", "_assign_weights", "_run_totals"):
        patched.setattr(threads_module, name, None)


@pytest.fixture(scope="module")
def indexes(synthetic_ads, tmp_path_factory):
    """Each generator's ads (``online synth``, the held-out generator with contacts and text
    only), indexed and clustered with the kernels."""
    folder = tmp_path_factory.mktemp("heldout-compiled")
    full, plain, _ = write_heldout(3000, 11, folder / "heldout.jsonl")
    config = ScanConfig(chunk_size=500)
    return [
        scan([path], config=config, engine=InProcessEngine(False))
        for path in (synthetic_ads[0], full, plain)
    ]


def test_the_extension_is_built():
    """Without it every test below would compare the definitions with themselves."""
    assert cluster_module._band_pairs is not None and threads_module._shingle_df is not None


@pytest.mark.parametrize("threads", [1, 3])
def test_compiled_weights_equal_the_bucket_sort(monkeypatch, threads):
    """Counts in a hash table, weights looked up: the same float32 weights and float64 totals,
    to the bit, as the sort through bucket files and as the records of the spilled path."""
    _, spilled, _, _ = _runs(monkeypatch)
    monkeypatch.setattr(threads_module, "BLOCK", 4096)  # lanes of >= 1024 shingles
    records = np.frombuffer(spilled.records.read(0, spilled.records.size), dtype=np.uint32)
    shingles = SpillFile("test-")
    shingles.append(records[0::2].copy())
    reference = shingles_module.weights_in_memory(shingles, spilled.starts)
    with Pool(threads) as pool:
        compiled = threads_module.weights_in_memory(shingles, spilled.starts, pool)
        with monkeypatch.context() as patched:
            _without_kernels(patched)
            defined = threads_module.weights_in_memory(shingles, spilled.starts, pool)
    for runs in (compiled, defined):
        assert runs.weights.tobytes() == reference.weights.tobytes() == records[1::2].tobytes()
        assert runs.totals.tobytes() == reference.totals.tobytes()
        assert runs.shingles.tobytes() == reference.shingles.tobytes()
    assert len(np.unique(compiled.weights)) > 5
    empty = threads_module.weights_in_memory(SpillFile("t-"), np.zeros(3, dtype=np.int64), SERIAL)
    assert not len(empty.weights) and empty.totals.tolist() == [0.0, 0.0]


def test_shingle_counts_equal_numpy_unique():
    rng = np.random.default_rng(4)
    for size, spread in ((0, 10), (1, 10), (5000, 30), (200_000, 100_000), (70_000, 1 << 32)):
        values = rng.integers(0, spread, size, dtype=np.uint64).astype(np.uint32)
        raw_distinct, raw_counts = _clusterc.shingle_df(values)
        distinct = np.frombuffer(raw_distinct, dtype=np.uint32)
        counts = np.frombuffer(raw_counts, dtype=np.int64)
        order = np.argsort(distinct)
        expected, expected_counts = np.unique(values, return_counts=True)
        assert distinct[order].tolist() == expected.tolist()
        assert counts[order].tolist() == expected_counts.tolist()
    with pytest.raises(ValueError):
        _clusterc.assign_weights(
            np.array([1, 9], dtype=np.uint32),
            np.array([1], dtype=np.uint32),
            np.ones(1, dtype=np.float32),
            np.zeros(2, dtype=np.float32),
        )


def test_run_totals_equal_bincount():
    rng = np.random.default_rng(5)
    counts = rng.integers(0, 9, 3000)
    counts[::7] = 0
    starts = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    weights = rng.random(int(starts[-1])).astype(np.float32) * 7
    out = np.zeros(len(counts))
    _clusterc.run_totals(weights, starts, out)
    owner = np.repeat(np.arange(len(counts)), counts)
    expected = np.bincount(owner, weights=weights, minlength=len(counts))
    assert out.tobytes() == expected.tobytes()
    with pytest.raises(IndexError):
        _clusterc.run_totals(weights, starts + 1, out)


def _argsort_pairs(keys: np.ndarray, usable: np.ndarray) -> list[set[int]]:
    """The star and neighbour pairs of ``candidates``' definition, as sets of codes."""
    order = np.argsort(keys, kind="stable")
    positions = np.arange(len(keys))
    sorted_keys = keys[order]
    same = sorted_keys[1:] == sorted_keys[:-1]
    head = np.maximum.accumulate(np.where(np.r_[True, ~same], positions, 0))
    star = head != positions
    phases = (
        (usable[order[head[star]]], usable[order[star]]),
        (usable[order[:-1][same]], usable[order[1:][same]]),
    )
    return [set((left.astype(np.int64) << 32 | right).tolist()) for left, right in phases]


def test_band_pairs_equal_the_stable_argsort():
    rng = np.random.default_rng(6)
    for size, spread in ((0, 5), (1, 5), (2, 1), (500, 3), (5000, 400), (20_000, 1 << 62)):
        keys = rng.integers(0, spread, size, dtype=np.int64).astype(np.uint64)
        keys[::11] = 0  # a key of 0 is a key like any other
        usable = np.sort(rng.choice(10 * size + 1, size, replace=False)).astype(np.int64)
        phases = _bucket_pairs(keys, usable)
        expected = _argsort_pairs(keys, usable)
        for (left, right), codes in zip(phases, expected, strict=True):
            found = (left << 32 | right).tolist()
            assert len(found) == len(set(found)) and set(found) == codes
            assert (np.diff(right) > 0).all()  # each ad once a phase, in input order
        if size > 100:
            assert len(expected[0]) > size // 12  # buckets of several ads


def test_band_pairs_in_int32_equal_those_in_int64():
    """The spilled band loop asks for 32-bit positions (ADR 0095): the same pairs, in the same
    order, as 64-bit ones; mixed widths are refused."""
    from samen.online.engine.cluster import _band_pairs

    rng = np.random.default_rng(8)
    for size, spread in ((0, 5), (1, 5), (700, 3), (30_000, 900)):
        keys = rng.integers(0, spread, size, dtype=np.int64).astype(np.uint64)
        outs = {}
        for kind in (np.int64, np.int32):
            arrays = [np.full(size, -7, dtype=kind) for _ in range(4)]
            stars, nexts = _band_pairs(keys, *arrays)
            outs[kind] = (stars, nexts, [a.astype(np.int64).tolist() for a in arrays])
        assert outs[np.int32] == outs[np.int64]
        if size > 100:
            assert outs[np.int32][0] > size // 2
    with pytest.raises(TypeError):
        _band_pairs(keys, *(np.empty(len(keys), dtype=k) for k in (np.int32, np.int64) * 2))


@pytest.mark.parametrize("start", [1, 4, 1 << 16])
def test_the_code_set_holds_what_a_python_set_holds(start):
    rng = np.random.default_rng(7)
    codes, reference = CodeSet(start), set()
    sorted_codes = SortedCodes()
    for _ in range(40):
        batch = rng.integers(1, 5000, rng.integers(0, 400), dtype=np.int64)
        probe = rng.integers(1, 6000, 300, dtype=np.int64)
        expected = np.array([value in reference for value in probe.tolist()], dtype=bool)
        assert codes.contains(probe).tolist() == expected.tolist()
        assert sorted_codes.contains(probe).tolist() == expected.tolist()
        fresh = np.unique(batch[~np.isin(batch, list(reference))])
        codes.add(fresh)
        sorted_codes.add(fresh)
        reference |= set(fresh.tolist())
        assert len(codes) == len(sorted_codes) == len(reference)
    assert len(reference) > 3000 and len(codes.table) >= 4 * len(reference) / 3
    with pytest.raises(ValueError):
        codes.add(np.array([0], dtype=np.int64))  # 0 marks an empty slot


@pytest.mark.parametrize("threshold", [0.05, 0.3, 0.5, 0.8, 1.0])
def test_verdicts_that_give_up_early_equal_the_full_similarity(monkeypatch, threshold):
    """The merge that gives up on hopeless pairs says "similar" exactly where the full merge's
    similarity reaches the threshold, on both generators' ads, in memory and spilled; where it
    finishes, its common weight is the full one to the bit; and it does give up on most."""
    in_memory, spilled, left, right = _runs(monkeypatch)
    monkeypatch.setattr(cluster_module, "_PARALLEL_PAIRS", 7)
    monkeypatch.setattr(cluster_module, "_VERIFY_BLOCK", 4 * 50)
    with Pool(3) as pool:
        for runs in (in_memory, spilled):
            full = _similarity(left, right, runs)
            verdict = _similar(left, right, runs, threshold, pool)
            assert verdict.tolist() == (full >= threshold).tolist()
            assert _similar(left, right, runs, threshold).tolist() == verdict.tolist()
    shingles, weights, stride, first, length = in_memory.locate(np.concatenate([left, right]))
    k = len(left)
    common, bounded = np.empty(k), np.empty(k)
    full_merge = cluster_module._compiled_common
    full_merge(shingles, weights, stride, first[:k], length[:k], first[k:], length[k:], common)
    _clusterc.weighted_at_least(
        shingles,
        weights,
        stride,
        first[:k],
        length[:k],
        first[k:],
        length[k:],
        in_memory.totals[left],
        in_memory.totals[right],
        threshold,
        bounded,
    )
    finished = bounded >= 0
    assert bounded[finished].tobytes() == common[finished].tobytes()
    assert (bounded[~finished] == -1).all()
    if threshold >= 0.3:
        assert (~finished).sum() > k // 2


def test_band_keys_folded_in_c_equal_numpy(indexes, monkeypatch):
    monkeypatch.setattr(Index, "_BLOCK_ROWS", 700)  # several blocks, a ragged last one
    for result in indexes:
        for threshold in (0.1, 0.3, 0.5, 0.7):
            bands, rows = lsh_params(threshold, result.index.num_perm)
            compiled = np.stack(_all_band_keys(result.index, bands, rows))
            with monkeypatch.context() as patched:
                patched.setattr(cluster_module, "_fold_bands", None)
                defined = np.stack(_all_band_keys(result.index, bands, rows))
            assert compiled.tobytes() == defined.tobytes()
    block = np.random.default_rng(8).integers(0, 1 << 32, (5, 64), dtype=np.uint64)
    out = np.empty((21, 5), dtype=np.uint64)
    _clusterc.fold_bands(block.astype(np.uint32), 64, _FOLD[:3], out)
    expected = (block[:, :63].reshape(5, 21, 3) * _FOLD[:3]).sum(axis=2, dtype=np.uint64)
    assert out.tobytes() == np.ascontiguousarray(expected.T).tobytes()


@pytest.mark.parametrize("threads", [1, 2])
def test_clustering_with_the_kernels_equals_clustering_without(indexes, monkeypatch, threads):
    """Edges (each band's, in order), the verified count, clusters, template groups, persona
    links and hubs: the same with every kernel as with every numpy definition."""
    monkeypatch.setattr(cluster_module, "_PARALLEL_PAIRS", 16)
    config = ScanConfig()
    for result in indexes:
        index = result.index
        starts = index.shingle_starts()
        outcomes, clusterings = [], []
        for compiled in (True, False):
            with monkeypatch.context() as patched:
                if not compiled:
                    _without_kernels(patched)
                with Pool(threads) as pool:
                    runs = threads_module.weights_in_memory(index.shingles, starts, pool)
                    outcomes.append(
                        cluster_module._weighted_template_edges(
                            index, runs, config.threshold, config.candidate_threshold, pool
                        )
                    )
                clusterings.append(
                    cluster_module.cluster(
                        index, config.threshold, config.candidate_threshold, threads
                    )
                )
        (left, right, verified), (left_0, right_0, verified_0) = outcomes
        assert left.tobytes() == left_0.tobytes() and right.tobytes() == right_0.tobytes()
        assert verified == verified_0 and len(left) > 100 and verified > len(left)
        new, old = clusterings
        assert new.labels.tobytes() == old.labels.tobytes() == result.clustering.labels.tobytes()
        assert new.template_labels.tobytes() == old.template_labels.tobytes()
        assert new.template_edge_count == old.template_edge_count
        assert new.persona_links == old.persona_links
        assert new.hub_contacts == old.hub_contacts


def test_indent_json_refuses_what_is_not_compact_json():
    for bad in (b"[1,2", b"{]}", b'["a]', b"]"):
        with pytest.raises(ValueError):
            _clusterc.indent_json(bad, 0)
    assert _clusterc.indent_json(b'{"a":[]}', 2) == b'{\n   "a": []\n  }'
