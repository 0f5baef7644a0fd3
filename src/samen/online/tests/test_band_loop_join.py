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


def _impute_ages_by_lexsort(names: np.ndarray, ages: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """``_impute_ages`` as it was before ADR 0123: two lexsorts."""
    ages = ages.astype(np.int64)
    known = (names > 0) & (ages >= 0)
    if not known.any():
        return ages
    slot = groups[known].astype(np.int64) << 32 | names[known]
    stated = ages[known]
    by = np.lexsort((stated, slot))
    slot, stated = slot[by], stated[by]
    new = np.r_[True, (slot[1:] != slot[:-1]) | (stated[1:] != stated[:-1])]
    heads = np.flatnonzero(new)
    counts = np.diff(np.append(heads, len(slot)))
    slot, stated = slot[heads], stated[heads]
    order = np.lexsort((-counts, slot))
    slots, best = slot[order], stated[order]
    first = np.r_[True, slots[1:] != slots[:-1]]
    slots, best = slots[first], best[first]
    missing = np.flatnonzero((names > 0) & (ages < 0))
    wanted = groups[missing].astype(np.int64) << 32 | names[missing]
    at = np.minimum(np.searchsorted(slots, wanted), len(slots) - 1)
    hit = slots[at] == wanted
    ages[missing[hit]] = best[at[hit]]
    return ages


@pytest.mark.parametrize("seed", range(6))
def test_ages_are_imputed_as_by_the_two_lexsorts(seed):
    """The most frequent age of a (group, name), the youngest of equally frequent ones, found by
    one sort of one key and a pass over the runs: the ages the two lexsorts gave, on names,
    ages and groups drawn small (many ties of counts) and wide (names of 31 bits: the group,
    name and age do not fit one key, and lexsort is used)."""
    rng = np.random.default_rng(seed)
    for ads in (1, 40, 5000):
        names = rng.integers(0, 30, ads).astype(np.int32)
        if seed % 3 == 2:
            names = rng.integers(0, 2**31 - 1, ads).astype(np.int32)
            names[: ads // 2] = names[ads // 2 : ads // 2 * 2]  # repeated names all the same
        ages = rng.integers(-1, 4 if seed % 2 else 120, ads).astype(np.int16)
        groups = rng.integers(0, max(1, ads // 8 if seed % 3 != 2 else 4), ads).astype(np.int32)
        got = cluster_module._impute_ages(names, ages, groups)
        expected = _impute_ages_by_lexsort(names, ages, groups)
        assert got.dtype == expected.dtype and got.tolist() == expected.tolist()
        assert ads < 5000 or np.count_nonzero(got != ages) > 0


def test_slot_and_age_order_is_lexsorts():
    rng = np.random.default_rng(3)
    slot = rng.integers(0, 50, 2000).astype(np.int64) << 32 | rng.integers(1, 9, 2000)
    age = rng.integers(0, 70, 2000).astype(np.int64)
    got_slot, got_age = cluster_module._by_slot_and_age(slot.copy(), age.copy())
    by = np.lexsort((age, slot))
    assert got_slot.tolist() == slot[by].tolist() and got_age.tolist() == age[by].tolist()
    assert got_age.dtype == age.dtype


@pytest.mark.parametrize("ahead", [1, 2, 3, 40])
def test_bands_made_further_ahead_give_the_same_edges(scanned, monkeypatch, ahead):
    """The ahead thread makes the codes of bands one, two, three or all bands ahead, each apart
    in the labels of the moment it is asked (older the further ahead): the same edges in the
    same order, the same last labels and the same pairs verified as the loop on one thread,
    which makes each band's codes in the labels of its own turn."""
    with Pool(1) as pool:
        serial = _band_loop(scanned.index, pool)
    monkeypatch.setattr(cluster_module, "AHEAD", ahead)
    made: list[int] = []
    codes = cluster_module._band_apart_codes

    def counted(keys, usable, labels):
        out = codes(keys, usable, labels)
        made.append(sum(len(c) for c in out))
        return out

    monkeypatch.setattr(cluster_module, "_band_apart_codes", counted)
    with Pool(2) as pool:
        assert _band_loop(scanned.index, pool) == serial
    bands, _ = cluster_module.lsh_params(ScanConfig().candidate_threshold, scanned.index.num_perm)
    assert len(made) == bands
