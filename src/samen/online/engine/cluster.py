"""Clustering: MinHash LSH over templates, the entity graph over contacts, and union-find.

Banding is done on the whole signature matrix at the end rather than ad by ad: sorting the band
keys of all ads finds the same candidate pairs as datasketch's MinHashLSH (ads are candidates when
all rows of one band agree), but in numpy, and independently of the order in which partitions
arrive. That independence is what makes the local and the Dask engine give the same clusters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from datasketch.lsh import _optimal_param

from .index import Index

# Odd 64-bit multipliers to fold one band's rows into one key; collisions are vanishingly rare and
# are caught anyway by the verification step.
_FOLD = np.array(
    [
        0x9E3779B97F4A7C15,
        0xC2B2AE3D27D4EB4F,
        0x165667B19E3779F9,
        0xD6E8FEB86659FD93,
        0xFF51AFD7ED558CCD,
        0xC4CEB9FE1A85EC53,
        0x94D049BB133111EB,
        0xBF58476D1CE4E5B9,
    ],
    dtype=np.uint64,
)


_VERIFY_BLOCK = 65_536


class UnionFind:
    """Disjoint sets over 0..n-1 with union by size and path halving: the reference for
    ``components``, and handy for small graphs."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.size = [1] * n

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]

    def union_edges(self, left: np.ndarray, right: np.ndarray) -> None:
        for a, b in zip(left.tolist(), right.tolist(), strict=True):
            self.union(a, b)

    def labels(self) -> np.ndarray:
        """Component labels numbered by the first ad of each component, so that they do not
        depend on the order of unions."""
        roots = np.fromiter((self.find(x) for x in range(len(self.parent))), dtype=np.int64)
        _, first, inverse = np.unique(roots, return_index=True, return_inverse=True)
        order = np.argsort(np.argsort(first))
        return order[inverse]


def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) from datasketch's optimiser, weighing false positives and negatives equally:
    false positives are removed afterwards by verification."""
    bands, rows = _optimal_param(threshold, num_perm, 0.5, 0.5)
    return int(bands), int(rows)


def _dedupe(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if not len(left):
        return left, right
    low, high = np.minimum(left, right), np.maximum(left, right)
    codes = np.unique(low.astype(np.int64) << 32 | high.astype(np.int64))
    return (codes >> 32).astype(np.int64), (codes & 0xFFFFFFFF).astype(np.int64)


def template_edges(
    signatures: np.ndarray, threshold: float, *, verify: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of ads that share a template: LSH candidates whose estimated Jaccard is ≥ threshold.

    Within a bucket, consecutive ads (by input order) are paired: enough for connectivity, and it
    keeps the pair count linear in the bucket size.
    """
    num_perm = signatures.shape[1]
    usable = np.flatnonzero(signatures.any(axis=1))
    if len(usable) < 2:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    bands, rows = lsh_params(threshold, num_perm)
    lefts, rights = [], []
    for band in range(bands):
        block = signatures[usable, band * rows : (band + 1) * rows].astype(np.uint64)
        keys = (block * _FOLD[:rows]).sum(axis=1, dtype=np.uint64)
        order = np.argsort(keys, kind="stable")
        same = keys[order[1:]] == keys[order[:-1]]
        lefts.append(order[:-1][same])
        rights.append(order[1:][same])
    left, right = _dedupe(np.concatenate(lefts), np.concatenate(rights))
    if not verify:
        return usable[left], usable[right]
    left, right = usable[left], usable[right]
    # Verification: drop candidates whose signatures agree on too few permutations. In blocks,
    # so that the temporary arrays stay small whatever the number of candidates.
    keep = np.zeros(len(left), dtype=bool)
    for start in range(0, len(left), _VERIFY_BLOCK):
        stop = start + _VERIFY_BLOCK
        agree = signatures[left[start:stop]] == signatures[right[start:stop]]
        keep[start:stop] = agree.mean(axis=1) >= threshold
    return left[keep], right[keep]


def contact_edges(contact_ad: np.ndarray, contact_id: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of ads that share a phone, e-mail, handle or image: the entity graph, folded onto
    ads."""
    if not len(contact_ad):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    order = np.lexsort((contact_ad, contact_id))
    ids, ads = contact_id[order], contact_ad[order]
    same = ids[1:] == ids[:-1]
    return _dedupe(ads[:-1][same].astype(np.int64), ads[1:][same].astype(np.int64))


@dataclass
class Clustering:
    labels: np.ndarray  # operator clusters: template and contact edges together
    template_labels: np.ndarray  # template groups: template edges only
    template_edge_count: int
    contact_edge_count: int


def components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected components of an edge list, numbered by their first ad: union-find in numpy.

    The same answer as ``UnionFind`` (a test checks it), in data-parallel form: every round hooks
    the larger root of each edge under the smaller one (the union) and then halves paths until
    every ad points at its root (the find). Rounds repeat until no edge joins two roots; with
    min-hooking that takes a handful of rounds. A Python loop over a million edges would take
    seconds; this takes milliseconds.
    """
    parent = np.arange(n, dtype=np.int64)
    left, right = np.asarray(left, dtype=np.int64), np.asarray(right, dtype=np.int64)
    while len(left):
        a, b = parent[left], parent[right]
        joining = a != b
        if not joining.any():
            break
        a, b = a[joining], b[joining]
        np.minimum.at(parent, np.maximum(a, b), np.minimum(a, b))
        while True:
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand
        left, right = left[joining], right[joining]
    _, first, inverse = np.unique(parent, return_index=True, return_inverse=True)
    return np.argsort(np.argsort(first))[inverse]


def cluster(index: Index, threshold: float) -> Clustering:
    n = len(index)
    t_left, t_right = template_edges(index.signatures, threshold) if n else (np.zeros(0),) * 2
    c_left, c_right = contact_edges(
        np.frombuffer(index.contact_ad, dtype=np.int32),
        np.frombuffer(index.contact_id, dtype=np.int32),
    )
    template_labels = components(n, t_left, t_right)
    labels = components(n, np.concatenate([t_left, c_left]), np.concatenate([t_right, c_right]))
    return Clustering(labels, template_labels, len(t_left), len(c_left))
