"""The coordinator's clustering on several threads gives what it gives on one, to the byte
(issue 18 item 4, ADR 0071): weights, similarities, band keys, template edges, clusters."""

import numpy as np
import pytest

from samen.online.engine import ScanConfig, scan
from samen.online.engine import cluster as cluster_module
from samen.online.engine import shingles as shingles_module
from samen.online.engine import threads as threads_module
from samen.online.engine.cluster import _all_band_keys, _merge_sorted, _similarity, lsh_params
from samen.online.engine.heldout import write_heldout
from samen.online.engine.index import Index
from samen.online.engine.runner import InProcessEngine
from samen.online.engine.spill import SpillFile
from samen.online.engine.threads import SERIAL, Pool, slices
from samen.online.tests.test_compiled_kernels import _runs


@pytest.fixture(scope="module")
def indexes(synthetic_ads, tmp_path_factory):
    """The index of each generator's ads (``online synth``, the held-out generator with
    contacts and text only), clustered on one thread."""
    folder = tmp_path_factory.mktemp("heldout-threads")
    full, plain, _ = write_heldout(3000, 9, folder / "heldout.jsonl")
    config = ScanConfig(chunk_size=500)
    return [
        scan([path], config=config, engine=InProcessEngine(False))
        for path in (synthetic_ads[0], full, plain)
    ]


def test_slices_cover_the_range_in_order():
    for n in (0, 1, 5, 100, 1001):
        for parts in (1, 2, 3, 7):
            for least in (1, 10, 400):
                cut = slices(n, parts, least)
                assert [i for s in cut for i in range(s.start, s.stop)] == list(range(n))
                assert len(cut) <= parts
                assert all(s.stop - s.start >= min(least, n) for s in cut)


@pytest.mark.parametrize("threads", [2, 3])
def test_weights_on_threads_equal_the_serial_ones(monkeypatch, threads):
    """Several lanes (each its own bucket files) and several buckets: the same weights, totals
    and shingles, to the bit, as the serial weighing and as the external sort through files."""
    _, spilled, _, _ = _runs(monkeypatch)  # SORT_ITEMS = 256: many buckets
    monkeypatch.setattr(shingles_module, "SORT_ITEMS", 256)  # the buckets of both paths
    monkeypatch.setattr(threads_module, "BLOCK", 4096)  # lanes of >= 1024 shingles, small blocks
    records = np.frombuffer(spilled.records.read(0, spilled.records.size), dtype=np.uint32)
    shingles = SpillFile("test-")
    shingles.append(records[0::2].copy())
    assert len(records) // 2 > 3 * 1024  # enough for three lanes
    serial = shingles_module.weights_in_memory(shingles, spilled.starts)
    with Pool(threads) as pool:
        parallel = threads_module.weights_in_memory(shingles, spilled.starts, pool)
    assert parallel.shingles.tobytes() == serial.shingles.tobytes()
    assert parallel.weights.tobytes() == serial.weights.tobytes() == records[1::2].tobytes()
    assert parallel.totals.tobytes() == serial.totals.tobytes()
    assert len(np.unique(parallel.weights)) > 5
    empty = threads_module.weights_in_memory(SpillFile("t-"), np.zeros(3, dtype=np.int64), SERIAL)
    assert not len(empty.weights) and empty.totals.tolist() == [0.0, 0.0]


def test_similarities_on_threads_equal_the_serial_ones(monkeypatch):
    in_memory, spilled, left, right = _runs(monkeypatch)
    monkeypatch.setattr(cluster_module, "_PARALLEL_PAIRS", 7)  # many parts, a ragged last one
    monkeypatch.setattr(cluster_module, "_VERIFY_BLOCK", 4 * 50)  # several blocks a part
    with Pool(3) as pool:
        for runs in (in_memory, spilled):
            serial = _similarity(left, right, runs)
            assert _similarity(left, right, runs, pool).tobytes() == serial.tobytes()
            assert (serial >= 0.5).sum() > 10


def test_band_keys_on_threads_equal_the_serial_ones(indexes, monkeypatch):
    monkeypatch.setattr(Index, "_BLOCK_ROWS", 700)  # several blocks, a ragged last one
    with Pool(2) as pool:
        for result in indexes:
            bands, rows = lsh_params(0.3, result.index.num_perm)
            serial = np.stack(_all_band_keys(result.index, bands, rows))
            parallel = np.stack(_all_band_keys(result.index, bands, rows, pool))
            assert parallel.tobytes() == serial.tobytes()


def test_clustering_on_threads_equals_clustering_on_one(indexes, monkeypatch):
    """Edges (each band's, in order), the verified count, clusters and persona links."""
    monkeypatch.setattr(cluster_module, "_PARALLEL_PAIRS", 16)
    monkeypatch.setattr(shingles_module, "SORT_ITEMS", 4096)  # the buckets of both paths
    config = ScanConfig()
    for result in indexes:
        index = result.index
        starts = index.shingle_starts()
        outcomes = []
        for threads in (1, 2, 3):
            with Pool(threads) as pool:
                runs = threads_module.weights_in_memory(index.shingles, starts, pool)
                outcomes.append(
                    cluster_module._weighted_template_edges(
                        index, runs, config.threshold, config.candidate_threshold, pool
                    )
                )
        for left, right, verified in outcomes[1:]:
            assert left.tobytes() == outcomes[0][0].tobytes()
            assert right.tobytes() == outcomes[0][1].tobytes()
            assert verified == outcomes[0][2]
        assert len(outcomes[0][0]) > 100
        one = cluster_module.cluster(index, config.threshold, config.candidate_threshold, 1)
        two = cluster_module.cluster(index, config.threshold, config.candidate_threshold, 2)
        assert two.labels.tobytes() == one.labels.tobytes() == result.clustering.labels.tobytes()
        assert two.template_edge_count == one.template_edge_count
        assert two.persona_links == one.persona_links
        assert two.hub_contacts == one.hub_contacts


def test_merging_sorted_runs_equals_sorting_them():
    rng = np.random.default_rng(3)
    for size, more in ((0, 0), (0, 5), (5, 0), (1000, 300), (300, 1000), (50, 50)):
        values = np.sort(rng.integers(0, 2000, size, dtype=np.int64))
        extra = np.sort(rng.integers(-5, 2100, more, dtype=np.int64))
        merged = _merge_sorted(values, extra)
        assert merged.dtype == values.dtype
        assert merged.tobytes() == np.sort(np.concatenate([values, extra])).tobytes()


def test_pool_submit_runs_on_a_thread_or_here():
    """``Pool.submit`` (the rejected codes remembered while the labels are joined, ADR 0096):
    the same result inline with one thread and on the pool with several."""
    import threading

    for threads in (1, 2):
        with Pool(threads) as pool:
            where = pool.submit(lambda: threading.current_thread().name)()
            assert where.startswith("samen-cluster") == (threads > 1)
            assert pool.submit(lambda: 6 * 7)() == 42
