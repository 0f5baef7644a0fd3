"""The index bounds its memory: signatures go to a spill file and come back by columns."""

import numpy as np

from samen.online.engine.index import Index
from samen.online.engine.partition import ChunkResult


def _part(seq: int, signatures: np.ndarray) -> ChunkResult:
    n = len(signatures)
    return ChunkResult(
        seq=seq,
        file_index=0,
        nbytes=100 * n,
        ids=[f"ad-{seq}-{i}" for i in range(n)],
        line_numbers=list(range(n)),
        offsets=[-1] * n,
        urls=[""] * n,
        days=[-1] * n,
        cities=[""] * n,
        names=[""] * n,
        ages=[-1] * n,
        prices=[-1.0] * n,
        languages=["und"] * n,
        masks=[0] * n,
        contacts=[[] for _ in range(n)],
        signatures=signatures,
        shingles=np.zeros(0, dtype=np.uint32),
        shingle_counts=np.zeros(n, dtype=np.int32),
    )


def test_signatures_live_in_a_spill_file_and_come_back_by_columns(monkeypatch):
    monkeypatch.setattr(Index, "_BLOCK_ROWS", 7)  # several blocks, one ending mid-part
    rng = np.random.default_rng(1)
    parts = [rng.integers(0, 2**32, size=(n, 16), dtype=np.uint32) for n in (10, 13, 4)]
    index = Index()
    for seq, signatures in enumerate(parts):
        index.add(_part(seq, signatures))
    whole = np.concatenate(parts)
    # No signature matrix, nor parts of one, stays in memory.
    arrays = [v for v in vars(index).values() if isinstance(v, np.ndarray)]
    arrays += [a for v in vars(index).values() if isinstance(v, list) for a in v]
    assert not [a for a in arrays if isinstance(a, np.ndarray) and a.ndim == 2]
    assert np.array_equal(index.signature_columns(3, 6), whole[:, 3:6])
    assert np.array_equal(index.signatures, whole)
    index.close()


def test_shingle_sets_and_strings_leave_memory_for_files():
    index = Index()
    part = _part(0, np.ones((3, 4), dtype=np.uint32))
    part.shingles = np.arange(12, dtype=np.uint32)
    part.shingle_counts = np.array([5, 0, 7], dtype=np.int32)
    part.urls = ["https://x.example/1", "", "https://x.example/3"]
    index.add(part)
    held = [
        v
        for column in (index, index.ids, index.urls)
        for v in vars(column).values()
        if isinstance(v, np.ndarray | bytes | bytearray | list) and len(v)
    ]
    assert not [v for v in held if isinstance(v, bytes | bytearray)]
    assert not [v for v in held if isinstance(v, np.ndarray | list) and len(v) >= 3]
    shingles, starts = index.shingle_sets()
    assert shingles.tolist() == list(range(12)) and starts.tolist() == [0, 5, 5, 12]
    assert list(index.ids) == ["ad-0-0", "ad-0-1", "ad-0-2"] and index.urls[2].endswith("/3")
    index.close()


def test_weights_from_the_external_sort_equal_the_in_memory_ones(monkeypatch):
    from samen.online.engine import shingles as shingles_module
    from samen.online.engine.cluster import shingle_weights
    from samen.online.engine.spill import SpillFile

    # A few hundred shingles sorted 64 at a time: several buckets and position ranges.
    monkeypatch.setattr(shingles_module, "SORT_ITEMS", 64)
    rng = np.random.default_rng(4)
    sets = [np.unique(rng.integers(0, 2**32, size=int(k), dtype=np.uint32)) for k in range(0, 30)]
    sets += [np.unique(rng.choice(np.array([7, 2**31, 2**32 - 1], np.uint32), 3)) for _ in range(9)]
    values = np.concatenate(sets).astype(np.uint32)
    starts = np.zeros(len(sets) + 1, dtype=np.int64)
    np.cumsum([len(s) for s in sets], out=starts[1:])
    weights, totals = shingle_weights(values, starts)
    spilled = SpillFile("test-")
    spilled.append(values)
    runs = shingles_module.spill_weights(spilled, starts)
    ads = np.array([5, 0, 29, 35, 12, 5], dtype=np.int64)
    found, found_weights, owner = runs.gather(ads)
    expected = shingles_module.ArrayRuns(values, starts, weights, totals).gather(ads)
    assert np.array_equal(found, expected[0]) and np.array_equal(owner, expected[2])
    assert found_weights.tobytes() == expected[1].tobytes()
    assert runs.totals.tobytes() == totals.tobytes()
    runs.close()
