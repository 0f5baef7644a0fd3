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
