"""ADR 0123: the band loop joins its labels along each list's new edges by the compiled
``join_labels`` (a union-find over the labels in use and one gather), and the in-memory weighing
reads the shingles and sums each ad's total a part a thread. The same labels, numbered by first
ad, as ``components`` over the labels in use; the same edges in the same order, band after band;
the same weights and totals to the bit."""

import numpy as np
import pytest

from samen.online.engine import ScanConfig, _clusterc, scan
from samen.online.engine import cluster as cluster_module
from samen.online.engine import threads as threads_module
from samen.online.engine.cluster import _join, components
from samen.online.engine.runner import InProcessEngine
from samen.online.engine.threads import Pool


def test_the_kernel_is_built():
    """Without it the tests below would compare ``components`` with itself."""
    assert cluster_module._join_labels is not None


def _joined_by_components(labels: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    k = int(labels.max()) + 1
    return components(k, labels[left], labels[right])[labels]


@pytest.mark.parametrize("ads", [1, 2, 7, 1000, 50_000])
@pytest.mark.parametrize("width", [np.int64, np.int32])
def test_join_labels_numbers_the_components_as_components_does(ads, width):
    """Rounds of random edges (none, a few, many; self-loops and repeats among them) joined
    one round after the other, as the band loop joins list after list: the labels of each
    round equal ``components`` over the labels in use gathered through the labels, byte for
    byte and in the same width, and the count returned is the number of labels."""
    rng = np.random.default_rng(ads)
    labels = np.arange(ads, dtype=width)
    for size in (0, 1, 3, ads // 50, ads // 5, ads):
        left = rng.integers(0, ads, size).astype(np.int64)
        right = rng.integers(0, ads, size).astype(np.int64)
        expected = _joined_by_components(labels, left, right)
        out = np.empty(ads, dtype=np.int32)
        count = _clusterc.join_labels(labels, int(labels.max()) + 1, left, right, out)
        assert out.dtype == expected.dtype and out.tobytes() == expected.tobytes()
        assert count == int(expected.max()) + 1
        assert _join(labels, left, right).tobytes() == expected.tobytes()
        labels = out


def test_join_labels_chains_hook_each_root_under_the_smallest():
    """A chain joined from its far end: each component's number is that of its first ad, and
    labels of ads not on an edge are renumbered after the joined ones before them."""
    labels = np.array([0, 1, 2, 3, 4, 5, 6], dtype=np.int64)
    left = np.array([6, 5, 3], dtype=np.int64)
    right = np.array([5, 3, 1], dtype=np.int64)
    out = np.empty(7, dtype=np.int32)
    assert _clusterc.join_labels(labels, 7, left, right, out) == 4
    assert out.tolist() == [0, 1, 2, 1, 3, 1, 1]


def test_join_labels_refuses_ads_and_labels_outside():
    labels = np.array([0, 1, 1, 2], dtype=np.int64)
    out = np.empty(4, dtype=np.int32)
    inside = np.array([0], dtype=np.int64)
    with pytest.raises(IndexError):
        _clusterc.join_labels(labels, 3, np.array([4], dtype=np.int64), inside, out)
    with pytest.raises(IndexError):
        _clusterc.join_labels(labels, 2, inside, inside, out)  # label 2 is not below k
    with pytest.raises(ValueError):
        _clusterc.join_labels(labels, 3, inside, inside, np.empty(3, dtype=np.int32))
    with pytest.raises(ValueError):
        _clusterc.join_labels(labels, 5, inside, inside, out)


@pytest.fixture(scope="module")
def scanned(synthetic_ads):
    return scan([synthetic_ads[0]], config=ScanConfig(chunk_size=500), engine=InProcessEngine())


def _band_loop(index, pool):
    config = ScanConfig()
    runs = threads_module.weights_in_memory(index.shingles, index.shingle_starts(), pool)
    found: list[np.ndarray] = []
    left, right, verified = cluster_module._weighted_template_edges(
        index, runs, config.threshold, config.candidate_threshold, pool, found
    )
    return left.tobytes(), right.tobytes(), found[0].tobytes(), found[0].dtype, verified


@pytest.mark.parametrize("threads", [1, 2])
def test_the_band_loop_joins_as_components_did(scanned, monkeypatch, threads):
    """The band loop with the compiled join and with ``components`` (the kernel switched off):
    the same edges in the same order, the same last labels in the same width, the same number
    of pairs verified (a pair is verified only while its ads are apart, so a join that numbered
    or grouped differently would change what later lists verify)."""
    with Pool(threads) as pool:
        compiled = _band_loop(scanned.index, pool)
        with monkeypatch.context() as patched:
            patched.setattr(cluster_module, "_join_labels", None)
            reference = _band_loop(scanned.index, pool)
    assert compiled == reference
    assert len(compiled[0]) > 800 and compiled[2] == scanned.clustering.template_labels.tobytes()


def test_each_list_is_joined_once_and_in_order(scanned, monkeypatch):
    """The loop hands each list's new edges to the join once, list after list: the edges given
    to the joins, in order, are the edges the loop returns, and the labels after the last join
    are the template groups."""
    calls: list[tuple[bytes, bytes]] = []
    joined = cluster_module._join

    def recorded(labels, left, right):
        calls.append((np.asarray(left, np.int64).tobytes(), np.asarray(right, np.int64).tobytes()))
        return joined(labels, left, right)

    monkeypatch.setattr(cluster_module, "_join", recorded)
    with Pool(2) as pool:
        left, right, labels, _, _ = _band_loop(scanned.index, pool)
    assert b"".join(c[0] for c in calls) == np.frombuffer(left, np.int64).tobytes()
    assert b"".join(c[1] for c in calls) == np.frombuffer(right, np.int64).tobytes()
    assert len(calls) > 10
    assert labels == scanned.clustering.template_labels.tobytes()


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_the_weighing_read_and_totals_in_parts_give_the_same_runs(scanned, monkeypatch, threads):
    """The shingles read and the totals summed a part a thread (parts made small here, so that
    every thread has several): the same shingles, weights and totals, to the bit, as one
    thread reading and summing all of them."""
    index = scanned.index
    starts = index.shingle_starts()
    whole = threads_module.weights_in_memory(index.shingles, starts, Pool(1))
    monkeypatch.setattr(threads_module, "BLOCK", 4096)
    with Pool(threads) as pool:
        parted = threads_module.weights_in_memory(index.shingles, starts, pool)
    assert len(whole.shingles) > 4 * 4096
    for a, b in (
        (whole.shingles, parted.shingles),
        (whole.weights, parted.weights),
        (whole.totals, parted.totals),
    ):
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes()
