"""Clustering: MinHash LSH over templates, the entity graph over contacts, and union-find.

Banding is done on the whole signature matrix at the end rather than ad by ad: sorting the band
keys of all ads finds the same candidate pairs as datasketch's MinHashLSH (ads are candidates when
all rows of one band agree), but in numpy, and independently of the order in which partitions
arrive. That independence is what makes the local and the Dask engine give the same clusters.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from itertools import combinations
from typing import TypeAlias

import numpy as np

from .arrays import sorted_unique
from .index import Index
from .minhash import optimal_param
from .shingles import RECORD, ArrayRuns, SpilledRuns, spill_weights
from .spill import release_free_memory
from .spillstore import BandKeyFiles
from .threads import SERIAL, Pool, slices
from .threads import weights_in_memory as weights_in_memory_threads

try:
    # By name, as extract.py imports the tokeniser from the same compiled module.
    from ._tokens import weighted_common as _compiled_common
except ImportError:  # an install from before the extension (make install builds it): slower
    _compiled_common = None  # type: ignore[assignment]
try:
    from ._clusterc import band_codes as _band_codes
    from ._clusterc import band_pairs as _band_pairs
    from ._clusterc import codes_add as _codes_add
    from ._clusterc import codes_has as _codes_has
    from ._clusterc import codes_keep as _codes_keep
    from ._clusterc import fold_bands as _fold_bands
    from ._clusterc import join_labels as _join_labels
    from ._clusterc import similar_pairs as _similar_pairs
    from ._clusterc import weighted_at_least as _weighted_at_least
except ImportError:  # as above: the numpy definitions below give the same edges
    _band_pairs = _codes_add = _codes_has = _fold_bands = _weighted_at_least = None  # type: ignore[assignment]
    _similar_pairs = _band_codes = _codes_keep = _join_labels = None  # type: ignore[assignment]

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
# Shingle runs with their weights (8 bytes a stored shingle, ~400 MB at a million ads) up to this
# size are weighed and verified in memory; larger ones through files (ADR 0066). Measured at two
# million ads, the spilled path peaks within 5% of this one (2.30 against 2.42 GB) and takes 50%
# longer, so a lower cap buys no bound; the spilled path itself must be bounded (ADR 0071).
IN_MEMORY_RECORDS = 768 << 20


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
    """(bands, rows) from the LSH optimiser, weighing false positives and negatives equally:
    false positives are removed afterwards by verification."""
    bands, rows = optimal_param(threshold, num_perm, 0.5, 0.5)
    return int(bands), int(rows)


def _dedupe(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if not len(left):
        return left, right
    low, high = np.minimum(left, right), np.maximum(left, right)
    codes = sorted_unique(low.astype(np.int64) << 32 | high.astype(np.int64))
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


def shingle_weights(shingles: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weight of every stored shingle, and each ad's total: the inverse document frequency
    log((n + 1) / df) over the ads that take part in template matching.

    A stock phrase that many unrelated ads use ("discretion guaranteed") weighs little, so two
    operators who both use it are not made similar by it; the phrases an operator's template
    shares only with its own copies weigh much. This is what lets the similarity threshold be
    low enough to keep an operator's varied copies together without chaining operators.
    """
    n = len(starts) - 1
    if not len(shingles):
        return np.zeros(0, dtype=np.float32), np.zeros(n, dtype=np.float64)
    # Each shingle with its position in one 64-bit key, sorted: a plain sort is many times faster
    # than the argsort behind np.unique(return_inverse=True), and runs of equal shingles give
    # the document frequencies (an ad's set holds a shingle once). Built in place and walked in
    # blocks, so that the temporaries stay a fraction of the keys (this is the peak of a scan's
    # memory: tens of millions of shingles at a million ads).
    m = len(shingles)
    keys = shingles.astype(np.uint64)
    keys <<= np.uint64(32)
    for first in range(0, m, _BLOCK):
        last = min(first + _BLOCK, m)
        keys[first:last] |= np.arange(first, last, dtype=np.uint64)
    keys.sort()
    changes = [np.zeros(1, dtype=np.int64)]
    for first in range(0, m - 1, _BLOCK):
        values = keys[first : min(first + _BLOCK, m - 1) + 1] >> np.uint64(32)
        changes.append(np.flatnonzero(values[1:] != values[:-1]) + first + 1)
    changes.append(np.array([m], dtype=np.int64))
    df: np.ndarray = np.diff(np.concatenate(changes)).astype(np.int64)
    documents = int(np.count_nonzero(np.diff(starts)))
    idf = np.log((documents + 1) / df).astype(np.float32)
    per_position = np.repeat(idf, df)
    weights = np.empty(m, dtype=np.float32)
    for first in range(0, m, _BLOCK):
        last = min(first + _BLOCK, m)
        positions = (keys[first:last] & np.uint64(0xFFFFFFFF)).astype(np.int64)
        weights[positions] = per_position[first:last]
    del keys, per_position
    # Each ad's total, ads taken in blocks: the same sums, in the same order, as one bincount.
    totals = np.zeros(n, dtype=np.float64)
    counts = np.diff(starts)
    for first in range(0, n, _BLOCK // 64):
        last = min(first + _BLOCK // 64, n)
        owner = np.repeat(np.arange(last - first), counts[first:last])
        totals[first:last] = np.bincount(
            owner, weights=weights[starts[first] : starts[last]], minlength=last - first
        )
    return weights, totals


# Elements per block of the blockwise passes over all shingles.
_BLOCK = 1 << 22


def weighted_similarity(
    left: np.ndarray,
    right: np.ndarray,
    shingles: np.ndarray,
    starts: np.ndarray,
    weights: np.ndarray,
    totals: np.ndarray,
) -> np.ndarray:
    """Exact weighted Jaccard of the shingle sets of ad pairs: the weight of the shingles both
    share over the weight of those either has."""
    return _similarity(left, right, ArrayRuns(shingles, starts, weights, totals))


def _similarity(
    left: np.ndarray, right: np.ndarray, runs: ArrayRuns | SpilledRuns, pool: Pool = SERIAL
) -> np.ndarray:
    """``weighted_similarity`` over shingle sets in memory or in a file, in blocks: the common
    weight of each pair by the compiled merge of the two sorted runs when it is built, else by
    ``_common_weights`` (the definition). Both sum the same float32 weights in the same order,
    so the similarities are equal to the bit (a test checks it). The pairs are cut into one
    contiguous part a thread of ``pool`` (the merge releases the GIL), each written to its own
    slice of the output: the same numbers whatever the number of threads."""
    out = np.zeros(len(left), dtype=np.float64)
    block = max(1, _VERIFY_BLOCK // 4)

    def part(span: slice) -> None:
        for start in range(span.start, span.stop, block):
            stop = min(start + block, span.stop)
            out[start:stop] = _block_similarity(left[start:stop], right[start:stop], runs)

    pool.map(part, slices(len(left), pool.threads, least=_PARALLEL_PAIRS))
    return out


# Fewer pairs than this a thread are not worth handing to another thread.
_PARALLEL_PAIRS = 2048


def _block_similarity(
    lefts: np.ndarray, rights: np.ndarray, runs: ArrayRuns | SpilledRuns
) -> np.ndarray:
    if _compiled_common is None:
        common = _common_weights(lefts, rights, runs)
    else:
        shingles, weights, stride, first, length = runs.locate(np.concatenate([lefts, rights]))
        k = len(lefts)
        common = np.empty(k, dtype=np.float64)
        _compiled_common(
            shingles, weights, stride, first[:k], length[:k], first[k:], length[k:], common
        )
    union = runs.totals[lefts] + runs.totals[rights] - common
    with np.errstate(invalid="ignore", divide="ignore"):
        similarity: np.ndarray = np.where(union > 0, common / union, 0.0)
    return similarity


def _common_weights(
    lefts: np.ndarray, rights: np.ndarray, runs: ArrayRuns | SpilledRuns
) -> np.ndarray:
    """The weight of the shingles each pair shares, vectorised: each side's shingles keyed by
    pair are already sorted (an ad's set is stored sorted), so the left keys are looked up in the
    right ones by binary search; no sort and no copy of the weights of both sides."""
    # Both sides in one gather: an ad shared by several pairs (a bucket's head) once.
    values, weights, owner = runs.gather(np.concatenate([lefts, rights]))
    split = int(np.searchsorted(owner, len(lefts)))
    values_l, weights_l, own_l = values[:split], weights[:split], owner[:split]
    values_r, own_r = values[split:], owner[split:] - len(lefts)
    keys_l = own_l.astype(np.int64) << 32 | values_l.astype(np.int64)
    keys_r = own_r.astype(np.int64) << 32 | values_r.astype(np.int64)
    common: np.ndarray = np.zeros(len(lefts), dtype=np.float64)
    if len(keys_r):
        at = np.searchsorted(keys_r, keys_l)
        np.minimum(at, len(keys_r) - 1, out=at)
        shared = keys_r[at] == keys_l
        common = np.bincount(own_l[shared], weights=weights_l[shared], minlength=len(lefts))
    return common


def _in_sorted(values: np.ndarray, sorted_values: np.ndarray) -> np.ndarray:
    """``np.isin(values, sorted_values)`` when ``sorted_values`` is sorted: a binary search of
    each value instead of sorting both again (the rejected pairs grow band after band)."""
    if not len(sorted_values):
        return np.zeros(len(values), dtype=bool)
    at = np.searchsorted(sorted_values, values)
    np.minimum(at, len(sorted_values) - 1, out=at)
    found: np.ndarray = sorted_values[at] == values
    return found


class RejectedCache:
    """The spilled path's memory of rejected pairs: a direct-mapped table of pair codes with a
    fixed number of slots, so that it does not grow with the input as the sorted array of every
    rejected code does (~40 bytes an ad at a million ads, ADR 0077). A code found in its slot
    was rejected before and is not verified again; a code pushed out by another is verified
    again and rejected again (the similarity depends on the pair only). So the edges, in their
    order, are those of the exact set; only the count of verified pairs can be larger."""

    MAX_BITS = 23  # 8 million slots, 64 MB

    def __init__(self, n: int) -> None:
        bits = min(self.MAX_BITS, max(10, (4 * max(n, 1) - 1).bit_length()))
        self.shift = np.uint64(64 - bits)
        self.slots = np.full(1 << bits, -1, dtype=np.int64)

    def _slot(self, codes: np.ndarray) -> np.ndarray:
        return ((codes.astype(np.uint64) * _FOLD[0]) >> self.shift).astype(np.int64)

    def known(self, codes: np.ndarray) -> np.ndarray:
        found: np.ndarray = self.slots[self._slot(codes)] == codes
        return found

    def add(self, codes: np.ndarray) -> RejectedCache:
        self.slots[self._slot(codes)] = codes
        return self


def _known(rejected: Rejected, codes: np.ndarray) -> np.ndarray:
    if isinstance(rejected, RejectedCache):
        return rejected.known(codes)
    if isinstance(rejected, np.ndarray):
        return _in_sorted(codes, rejected)
    return rejected.contains(codes)


def _remember(rejected: Rejected, codes: np.ndarray) -> Rejected:
    if isinstance(rejected, RejectedCache):
        return rejected.add(codes)
    if isinstance(rejected, np.ndarray):
        return _merge_sorted(rejected, codes)
    rejected.add(codes)
    return rejected


def _merge_sorted(values: np.ndarray, more: np.ndarray) -> np.ndarray:
    """``np.sort(np.concatenate([values, more]))`` for two sorted runs: each of ``more`` put in
    its place (``np.insert`` keeps equal places in the order given). One new array, where the
    concatenation and the sort made two and a half: the rejected pairs are the largest array of
    the band loop (12 million codes at a million ads), merged into band after band."""
    return np.insert(values, np.searchsorted(values, more), more)


def _pair_codes(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    return np.minimum(left, right).astype(np.int64) << 32 | np.maximum(left, right).astype(np.int64)


def _band_keys(
    signatures: np.ndarray | Index, usable: np.ndarray, start: int, stop: int
) -> np.ndarray:
    """One key per usable ad folding the band's columns ``start:stop``: from an array, or from
    an index's spill file a block of rows at a time (8 bytes an ad in memory, not 36)."""
    fold = _FOLD[: stop - start]
    if isinstance(signatures, np.ndarray):
        block = signatures[usable, start:stop].astype(np.uint64)
        return (block * fold).sum(axis=1, dtype=np.uint64)
    keys = np.zeros(len(signatures), dtype=np.uint64)
    for row, block in signatures.signature_blocks(start, stop):
        keys[row : row + len(block)] = (block.astype(np.uint64) * fold).sum(axis=1, dtype=np.uint64)
    return keys[usable]


def _all_band_keys(
    signatures: Index, bands: int, rows: int, pool: Pool = SERIAL
) -> list[np.ndarray]:
    """``_band_keys`` of every band for every ad (bands arrays of n), in one pass over the
    spill file: the same keys (the same products and sums), one read of the signatures instead
    of one a band. Blocks of rows on the pool's threads, each into its own part of the output.
    A list, so that each band's keys can be let go once used."""
    out = [np.empty(len(signatures), dtype=np.uint64) for _ in range(bands)]
    fold = _FOLD[:rows]
    step, stored = Index._BLOCK_ROWS, signatures.signature_row_count

    def fill(row: int) -> None:
        block = signatures.signature_rows(row, min(row + step, stored))
        if _fold_bands is not None and len(fold) == rows:
            keys = np.empty((bands, len(block)), dtype=np.uint64)
            _fold_bands(np.ascontiguousarray(block), block.shape[1], fold, keys)
            for band in range(bands):
                out[band][row : row + len(block)] = keys[band]
            return
        wide = block[:, : bands * rows].astype(np.uint64)
        for band in range(bands):
            part = wide[:, band * rows : (band + 1) * rows]
            out[band][row : row + len(block)] = (part * fold).sum(axis=1, dtype=np.uint64)

    pool.map(fill, range(0, stored, step))
    return out


# How many bands ahead of the one verified the in-memory band loop's ahead thread makes codes.
AHEAD = 2

# All bands' keys (8 bytes an ad a band) are computed in one pass up to this size.
ALL_BAND_KEYS_BYTES = 256 << 20


def weighted_template_edges(
    signatures: np.ndarray | Index,
    shingles: np.ndarray,
    starts: np.ndarray,
    threshold: float,
    candidate_threshold: float,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Pairs of ads that share a template: LSH candidates at ``candidate_threshold`` (estimated
    plain Jaccard), each verified by the exact rarity-weighted Jaccard ≥ ``threshold``.

    Per band, every ad of a bucket is paired with the bucket's first ad and with its neighbour;
    pairs whose ads are already in one component are skipped, so the verification work shrinks
    band by band as the templates come together. Returns the edges and the number of verified
    candidates.
    """
    if len(starts) < 3 or np.count_nonzero(starts[1:] > starts[:-1]) < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), 0
    weights, totals = shingle_weights(shingles, starts)
    return _weighted_template_edges(
        signatures, ArrayRuns(shingles, starts, weights, totals), threshold, candidate_threshold
    )


def _weighted_template_edges(
    signatures: np.ndarray | Index,
    runs: ArrayRuns | SpilledRuns,
    threshold: float,
    candidate_threshold: float,
    pool: Pool = SERIAL,
    labels_out: list[np.ndarray] | None = None,
    remember_rejected: bool = False,
) -> tuple[np.ndarray, np.ndarray, int]:
    """``weighted_template_edges`` on weighed runs. ``labels_out``, when given, gets the band
    loop's last labels when the loop runs in memory: the components of the edges returned,
    numbered by first ad (each band joins the components found so far along its new edges),
    which ``cluster`` then need not find again (ADR 0114). ``remember_rejected``: the in-memory
    loop keeps the rejected pairs in a set and does not verify them again (the loop of ADR
    0076 and 0096, kept for the tests: the same edges in the same order, fewer verified)."""
    if isinstance(signatures, np.ndarray):
        n, num_perm = signatures.shape
    else:
        n, num_perm = len(signatures), signatures.num_perm
        if isinstance(runs, SpilledRuns) and signatures.signature_row_count == n:
            return _spilled_template_edges(signatures, runs, threshold, candidate_threshold, pool)
    starts = runs.starts
    usable = np.flatnonzero(starts[1:] > starts[:-1]) if len(starts) > 1 else np.zeros(0, int)
    empty = np.zeros(0, dtype=np.int64)
    if len(usable) < 2:
        return empty, empty, 0
    bands, rows = lsh_params(candidate_threshold, num_perm)
    labels = np.arange(n, dtype=np.int64)
    edges_l: list[np.ndarray] = []
    edges_r: list[np.ndarray] = []
    # The spilled path remembers rejected pairs in a table of fixed size (ADR 0077). The
    # in-memory path does not remember them (ADR 0119): a pair rejected in one band and found
    # again in a later one is verified again and rejected again (its verdict is a function of
    # the pair), so the edges and their order are the same. At a million ads the set of the
    # ~12 million rejected codes (a 128 MB table) spared ~1.1 million of ~13.8 million
    # verifications (~0.4 CPU-s), and its inserts and look-ups cost more: ~1.2 CPU-s in all.
    rejected: Rejected | None = (
        RejectedCache(n)
        if isinstance(runs, SpilledRuns)
        else None
        if not remember_rejected
        else CodeSet()
        if _codes_add is not None
        else SortedCodes()
    )
    verified = 0
    positions = np.arange(len(usable))
    every_band: list[np.ndarray | None] | None = (
        list(_all_band_keys(signatures, bands, rows, pool))
        if not isinstance(signatures, np.ndarray) and bands * n * 8 <= ALL_BAND_KEYS_BYTES
        else None
    )

    def candidates(band: int, labels_then: np.ndarray) -> tuple[np.ndarray, ...]:
        band_keys = every_band[band] if every_band is not None else None
        if band_keys is None:
            keys = _band_keys(signatures, usable, band * rows, (band + 1) * rows)
        else:
            keys = band_keys[usable]
            # Done with this band's keys: memory shrinks band by band toward the end, where
            # the rejected pairs are most.
            every_band[band] = None  # type: ignore[index]
        if _band_codes is not None:
            return _band_apart_codes(keys, usable, labels_then)
        if _band_pairs is not None:
            pairs = _bucket_pairs(keys, usable)
        else:
            order = np.argsort(keys, kind="stable")
            sorted_keys = keys[order]
            same = sorted_keys[1:] == sorted_keys[:-1]
            head = np.maximum.accumulate(np.where(np.r_[True, ~same], positions, 0))
            star = head != positions
            # The star (each ad with its bucket's first) first, then the neighbours that are
            # still apart: when a bucket is one template, the star joins it and no neighbour
            # pair needs verifying. The components come out the same as verifying every pair.
            pairs = (
                (usable[order[head[star]]], usable[order[star]]),
                (usable[order[:-1][same]], usable[order[1:][same]]),
            )
        return tuple(_apart_sorted(left, right, labels_then) for left, right in pairs)

    # A band's buckets do not depend on what earlier bands joined: the next band's are made on
    # another thread while this one's pairs are verified, and turned there into sorted distinct
    # pair codes of the ads apart in the labels of that moment (ADR 0096). Labels only ever
    # join, so those codes hold every pair still apart when the band's turn comes; the band
    # loop keeps those of them apart then: the codes the serial loop sorts, in the same order.
    # Two bands ahead (ADR 0123): the ahead thread always has the next band's codes to make
    # while this band is verified, so the pool does not wait for it where a band verifies
    # fewer pairs than it takes to bucket all keys. The older labels of the band two ahead
    # leave more of its pairs in its lists; the loop's own filter drops them, as above.
    ahead = ThreadPoolExecutor(1, thread_name_prefix="samen-bands") if pool.threads > 1 else None
    try:
        coming: deque[Future[tuple[np.ndarray, ...]]] = deque()
        if ahead is not None:
            coming.extend(ahead.submit(candidates, b, labels) for b in range(min(AHEAD, bands)))
        for band in range(bands):
            if ahead is not None:
                pairs = coming.popleft().result()
                if band + AHEAD < bands:
                    coming.append(ahead.submit(candidates, band + AHEAD, labels))
            else:
                pairs = candidates(band, labels)
            labels, rejected, verified = _verify_band(
                pairs, runs, threshold, labels, rejected, verified, edges_l, edges_r, pool
            )
    finally:
        if ahead is not None:
            ahead.shutdown()
    if labels_out is not None:
        labels_out.append(labels)
    if not edges_l:
        return empty, empty, verified
    return np.concatenate(edges_l), np.concatenate(edges_r), verified


def _fold_block(block: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """Every band's key of a block of signature rows, (bands, rows of the block) uint64: the
    keys ``_all_band_keys`` computes (the same products and sums)."""
    fold = _FOLD[:rows]
    keys = np.empty((bands, len(block)), dtype=np.uint64)
    if _fold_bands is not None and len(fold) == rows:
        _fold_bands(np.ascontiguousarray(block), block.shape[1], fold, keys)
        return keys
    wide = block[:, : bands * rows].astype(np.uint64)
    for band in range(bands):
        keys[band] = (wide[:, band * rows : (band + 1) * rows] * fold).sum(axis=1, dtype=np.uint64)
    return keys


# Pairs handled at once by the spilled band loop's vectorised steps (labels compared, codes made,
# the rejected table asked): their temporaries stay a few MB whatever the number of ads.
_LEAN_STEP = 1 << 18


def _spilled_template_edges(
    index: Index,
    runs: SpilledRuns,
    threshold: float,
    candidate_threshold: float,
    pool: Pool = SERIAL,
) -> tuple[np.ndarray, np.ndarray, int]:
    """``_weighted_template_edges`` for spilled runs with memory that grows by a few bytes an ad
    (ADR 0081): the same candidate pairs, band after band, in the same order, verified against
    the same labels, so the same edges in the same order.

    What differs is where things live: every band's keys of the usable ads are written to a file
    of its own in one pass over the signatures (``spillstore.BandKeyFiles``) and read back a
    band at a time; ads, pair ends and labels are 32-bit; a band's pairs are turned into sorted
    pair codes a step at a time, each list of pairs let go once its codes are made; components
    are found over the labels in use, not over every ad."""
    n, num_perm = len(index), index.num_perm
    starts = runs.starts
    empty = np.zeros(0, dtype=np.int64)
    has_run = starts[1:] > starts[:-1]
    usable = np.flatnonzero(has_run).astype(np.int32)
    if len(usable) < 2:
        return empty, empty, 0
    bands, rows = lsh_params(candidate_threshold, num_perm)
    release_free_memory()  # what the weighing let go (ADR 0081)
    files = BandKeyFiles.write(
        n,
        bands,
        index.signature_rows,
        lambda block: _fold_block(block, bands, rows),
        has_run,
        Index._BLOCK_ROWS,
        pool,
    )
    del has_run
    release_free_memory()  # the blocks of the band files, made on several threads
    labels = np.arange(n, dtype=np.int32)
    edges_l: list[np.ndarray] = []
    edges_r: list[np.ndarray] = []
    rejected = RejectedCache(n)
    verified = 0
    # The next band's keys are read on another thread while this band is verified (a read, and
    # 8 bytes a usable ad: the pairs themselves are made on this thread, one band at a time).
    ahead = ThreadPoolExecutor(1, thread_name_prefix="samen-bands") if pool.threads > 1 else None
    try:
        coming = ahead.submit(files.band, 0) if ahead else None
        for band in range(bands):
            if coming is not None and ahead is not None:
                keys = coming.result()
                coming = ahead.submit(files.band, band + 1) if band + 1 < bands else None
            else:
                keys = files.band(band)
            lists = _lean_pairs(keys, usable)
            del keys
            while lists:
                left, right = lists.pop(0)
                codes = _apart_codes(left, right, labels)
                del left, right
                labels, verified = _verify_codes(
                    codes, runs, threshold, labels, rejected, verified, edges_l, edges_r, pool
                )
    finally:
        if ahead is not None:
            ahead.shutdown()
        files.close()
    release_free_memory()  # the band loop's temporaries, before the persona and contact steps
    if not edges_l:
        return empty, empty, verified
    return np.concatenate(edges_l), np.concatenate(edges_r), verified


# Keys bucketed at once by the lean loop's compiled bucketing: its table is 32 to 64 bytes a key
# (537 MB for one band at ten million ads), so a band's keys go through it in parts of about
# this many (ADR 0103).
_LEAN_PART = 1 << 21


def _parted_bucket_pairs(
    keys: np.ndarray, usable: np.ndarray
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """``_bucket_pairs`` a part of the keys at a time: the keys split by their top bits (equal
    keys fall in one part), each part's positions in increasing order, so that each bucket has
    the same first and previous ad as over all keys: the same star and neighbour pairs (in
    another order, which the band loop sorts away), in 32-bit ads, with the compiled table
    and the outputs of one part at a time."""
    k = len(keys)
    bits = max(0, math.ceil(math.log2(k / _LEAN_PART))) if k > _LEAN_PART else 0
    if not bits:
        return _bucket_pairs(keys, usable)
    bits = min(bits, 16)
    part_of = (keys >> np.uint64(64 - bits)).astype(np.uint16)
    outs = [np.empty(k, dtype=np.int32) for _ in range(4)]
    stars = nexts = 0
    for part in range(1 << bits):
        at = np.flatnonzero(part_of == part).astype(np.int32)
        m = len(at)
        local = [np.empty(m, dtype=np.int32) for _ in range(4)]
        got_stars, got_nexts = _band_pairs(np.ascontiguousarray(keys[at]), *local)
        for out, got, first, count in zip(
            outs,
            local,
            (stars, stars, nexts, nexts),
            (got_stars, got_stars, got_nexts, got_nexts),
            strict=True,
        ):
            out[first : first + count] = usable[at[got[:count]]]
        stars += got_stars
        nexts += got_nexts
        del at, local
    return (outs[0][:stars], outs[1][:stars]), (outs[2][:nexts], outs[3][:nexts])


def _lean_pairs(keys: np.ndarray, usable: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """The star pairs, then the neighbour pairs, of one band (``candidates`` of the band loop)
    as 32-bit ads: by the compiled bucketing when built (in parts of ``_LEAN_PART`` keys),
    else by the stable argsort."""
    if _band_pairs is not None:
        (star_l, star_r), (next_l, next_r) = _parted_bucket_pairs(keys, usable)
    else:
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        same = sorted_keys[1:] == sorted_keys[:-1]
        del sorted_keys
        positions = np.arange(len(usable))
        head = np.maximum.accumulate(np.where(np.r_[True, ~same], positions, 0))
        star = head != positions
        star_l, star_r = usable[order[head[star]]], usable[order[star]]
        next_l, next_r = usable[order[:-1][same]], usable[order[1:][same]]
    return [
        (star_l.astype(np.int32, copy=False), star_r.astype(np.int32, copy=False)),
        (next_l.astype(np.int32, copy=False), next_r.astype(np.int32, copy=False)),
    ]


def _apart_codes(left: np.ndarray, right: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """``sorted_unique(_pair_codes(left[apart], right[apart]))`` with ``apart`` the pairs whose
    labels differ, made a step of pairs at a time into one array, sorted in place."""
    codes = np.empty(len(left), dtype=np.int64)
    m = 0
    for first in range(0, len(left), _LEAN_STEP):
        lefts, rights = left[first : first + _LEAN_STEP], right[first : first + _LEAN_STEP]
        apart = labels[lefts] != labels[rights]
        made = _pair_codes(lefts[apart], rights[apart])
        codes[m : m + len(made)] = made
        m += len(made)
    codes = codes[:m]
    codes.sort()
    if m < 2:
        return codes.copy()
    # Repeats dropped in place, a step at a time: no second array of every code (ADR 0103).
    return _compact(codes, lambda first, step, before: step != np.r_[before, step[:-1]])


def _compact(codes: np.ndarray, keep_of) -> np.ndarray:
    """``codes[keep]`` written over ``codes`` itself, a step of ``_LEAN_STEP`` at a time, with
    ``keep_of(first, step, item before the step)`` the mask of a step (read before any of it is
    overwritten: what is kept goes at or before where it was). A view of ``codes``."""
    kept = 0
    before = codes[:1] - 1  # before the first: never equal to it
    for first in range(0, len(codes), _LEAN_STEP):
        step = codes[first : first + _LEAN_STEP]
        chosen = step[keep_of(first, step, before)]
        before = step[-1:].copy()
        codes[kept : kept + len(chosen)] = chosen
        kept += len(chosen)
    return codes[:kept]


def _verify_codes(
    codes: np.ndarray,
    runs: SpilledRuns,
    threshold: float,
    labels: np.ndarray,
    rejected: RejectedCache,
    verified: int,
    edges_l: list[np.ndarray],
    edges_r: list[np.ndarray],
    pool: Pool,
) -> tuple[np.ndarray, int]:
    """``_verify_band``'s step for one list's sorted distinct pair codes (of ads still apart):
    those the table does not know are verified, edges appended in code order, the rejected ones
    remembered, and the labels (32-bit, numbered by first ad) joined along the new edges."""
    # Those the table knows dropped in place, a step at a time (the caller's array: nothing
    # else reads it): no second array of every code (ADR 0103).
    codes = _compact(codes, lambda first, step, before: ~rejected.known(step))
    if not len(codes):
        return labels, verified
    # The pair's ads in 32 bits, as the labels: 8 bytes a pair, not 16, for the verification's
    # duration and for every edge kept (ADR 0103).
    left = (codes >> 32).astype(np.int32)
    right = (codes & 0xFFFFFFFF).astype(np.int32)
    verified += len(codes)
    similar = _similar(left, right, runs, threshold, pool)
    if not similar.all():
        rejected.add(codes[~similar])
    if similar.any():
        left, right = left[similar], right[similar]
        edges_l.append(left)
        edges_r.append(right)
        # Labels are numbered by first ad, 0 .. k - 1: the components of the labels in use
        # number them as the components over every ad would (ads beyond k stay alone, after
        # them), so only k entries are needed.
        k = int(labels.max()) + 1
        joined = components(k, labels[left], labels[right]).astype(np.int32)
        labels = joined[labels]
    return labels, verified


def _apart_sorted(left: np.ndarray, right: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The sorted distinct pair codes of the pairs whose ads are apart in ``labels``."""
    apart = labels[left] != labels[right]
    return sorted_unique(_pair_codes(left[apart], right[apart]))


def _verify_band(
    pairs: tuple[np.ndarray, ...],
    runs: ArrayRuns | SpilledRuns,
    threshold: float,
    labels: np.ndarray,
    rejected: Rejected | None,
    verified: int,
    edges_l: list[np.ndarray],
    edges_r: list[np.ndarray],
    pool: Pool,
) -> tuple[np.ndarray, Rejected | None, int]:
    """One band's candidate pairs (the star, then the neighbours) as sorted distinct pair codes
    of ads apart in labels no newer than ``labels`` (``_apart_sorted``), in order: those still
    apart (and, with a memory of rejected pairs, not rejected before) are verified; edges are
    appended, labels and the rejected codes brought up to date."""
    for codes in pairs:
        # Filtering sorted distinct codes keeps them sorted and distinct: the codes that
        # sorting the pairs apart now would give.
        if rejected is None:
            codes = codes[_apart_now(codes, labels, pool)]
        elif _codes_keep is not None and isinstance(rejected, _COMPILED_SET):
            codes = codes[_apart_unknown(codes, labels, rejected, pool)]
        else:
            codes = codes[labels[codes >> 32] != labels[codes & 0xFFFFFFFF]]
            codes = codes[~_known(rejected, codes)]
        if not len(codes):
            continue
        left, right = codes >> 32, codes & 0xFFFFFFFF
        verified += len(codes)
        similar = _similar(left, right, runs, threshold, pool)
        remembered = None
        if rejected is not None and not similar.all():
            # The rejected codes are taken in on another thread while the labels are joined
            # here: neither reads what the other writes, and both are done before the next
            # list is looked up (ADR 0096).
            remembered = pool.submit(partial(_remember, rejected, codes[~similar]))
        if similar.any():
            edges_l.append(left[similar])
            edges_r.append(right[similar])
            # Only the new edges, between the components found so far: the same partition
            # as the components of all edges, without going over the earlier edges again.
            # Over the labels in use (numbered by first ad, 0 .. k - 1), not over every ad:
            # the same numbers, as the spilled loop finds them (ADR 0081, 0114).
            labels = _join(labels, left[similar], right[similar])
        if remembered is not None:
            rejected = remembered()
    return labels, rejected, verified


def _join(labels: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """``components(k, labels[left], labels[right])[labels]``, k the number of labels (numbered
    by first ad, 0 .. k - 1): the labels joined along new edges. Compiled, in one call that
    releases the GIL (ADR 0123): a union-find over the k labels and one gather, where
    ``components`` makes several passes of numpy gathers over all k labels and the gather
    through them is one more; the same numbers, in 32 bits as ``components`` gives them."""
    k = int(labels.max()) + 1
    n = len(labels)
    if _join_labels is None or n >= 2**31:
        joined: np.ndarray = components(k, labels[left], labels[right])[labels]
        return joined
    out = np.empty(n, dtype=np.int32)
    _join_labels(
        np.ascontiguousarray(labels),
        k,
        np.ascontiguousarray(left, dtype=np.int64),
        np.ascontiguousarray(right, dtype=np.int64),
        out,
    )
    return out


def _apart_now(codes: np.ndarray, labels: np.ndarray, pool: Pool) -> np.ndarray:
    """The mask of the codes whose ads are apart in ``labels``: compiled, ``_apart_unknown``
    with a set that holds nothing (one empty slot: each look-up ends at once), a part of the
    codes a thread; else in numpy."""
    if _codes_keep is None:
        apart: np.ndarray = labels[codes >> 32] != labels[codes & 0xFFFFFFFF]
        return apart
    return _apart_unknown(codes, labels, CodeSet(1), pool)


def _apart_unknown(
    codes: np.ndarray, labels: np.ndarray, rejected: CodeSet, pool: Pool
) -> np.ndarray:
    """The mask of the codes whose ads are apart in ``labels`` and that ``rejected`` does not
    hold: ``_verify_band``'s two filters in one compiled pass, a part of the codes a thread
    (ADR 0114; the set is not written while they read it). The same mask as the two filters."""
    keep = np.zeros(len(codes), dtype=bool)
    if not len(codes):
        return keep
    codes = np.ascontiguousarray(codes, dtype=np.int64)
    labels = np.ascontiguousarray(labels)
    table, flags = rejected.table, keep.view(np.uint8)

    def part(span: slice) -> None:
        _codes_keep(table, codes[span], labels, flags[span])

    pool.map(part, slices(len(codes), pool.threads, least=_PARALLEL_PAIRS * 8))
    return keep


def _band_apart_codes(
    keys: np.ndarray, usable: np.ndarray, labels: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``_apart_sorted`` of each of ``_bucket_pairs``' two lists (the star, the neighbours) in
    one compiled pass (ADR 0114): the buckets found, each pair's ads looked up and compared in
    the labels and its code written as it is found, each list's codes radix-sorted in place.
    The same codes in the same order, without the four lists of positions, their gathers
    through ``usable``, the label gathers and numpy's comparison sort of every list."""
    k = len(keys)
    star, near = np.empty(k, dtype=np.int64), np.empty(k, dtype=np.int64)
    stars, nexts = _band_codes(
        np.ascontiguousarray(keys, dtype=np.uint64),
        np.ascontiguousarray(usable, dtype=np.int64),
        np.ascontiguousarray(labels),
        star,
        near,
    )
    # Copies of the kept codes: the full-length outputs are let go, not kept through the band.
    return star[:stars].copy(), near[:nexts].copy()


def _bucket_pairs(
    keys: np.ndarray, usable: np.ndarray
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """The star and neighbour pairs of one band by the compiled bucketing (one pass with a hash
    table of the keys, ADR 0076): the same pairs as the stable argsort of ``candidates``, in
    another order, which ``_verify_band`` sorts away."""
    k = len(keys)
    # Positions as int32: these four arrays are the band loop's largest temporaries (ADR 0095).
    kind = np.int32 if k < 2**31 else np.int64
    star_l, star_r, next_l, next_r = (np.empty(k, dtype=kind) for _ in range(4))
    stars, nexts = _band_pairs(
        np.ascontiguousarray(keys, dtype=np.uint64), star_l, star_r, next_l, next_r
    )
    return (
        (usable[star_l[:stars]], usable[star_r[:stars]]),
        (usable[next_l[:nexts]], usable[next_r[:nexts]]),
    )


def _similar(
    left: np.ndarray,
    right: np.ndarray,
    runs: ArrayRuns | SpilledRuns,
    threshold: float,
    pool: Pool = SERIAL,
) -> np.ndarray:
    """``_similarity(left, right, runs, pool) >= threshold``. Compiled, the merge gives up on a
    pair as soon as the weight it can still share cannot reach the threshold (most candidates
    are rejected); the pairs it finishes get the same sums, so the same answers (ADR 0076)."""
    if _weighted_at_least is None or not threshold > 0:
        found: np.ndarray = _similarity(left, right, runs, pool) >= threshold
        return found
    if _similar_pairs is not None and isinstance(runs, ArrayRuns):
        return _similar_in_memory(left, right, runs, threshold, pool)
    out = np.zeros(len(left), dtype=bool)
    block = max(1, _VERIFY_BLOCK // 4)

    def part(span: slice) -> None:
        for start in range(span.start, span.stop, block):
            stop = min(start + block, span.stop)
            lefts, rights = left[start:stop], right[start:stop]
            shingles, weights, stride, first, length = runs.locate(np.concatenate([lefts, rights]))
            k = len(lefts)
            total_l = np.ascontiguousarray(runs.totals[lefts], dtype=np.float64)
            total_r = np.ascontiguousarray(runs.totals[rights], dtype=np.float64)
            common = np.empty(k, dtype=np.float64)
            _weighted_at_least(
                shingles,
                weights,
                stride,
                first[:k],
                length[:k],
                first[k:],
                length[k:],
                total_l,
                total_r,
                float(threshold),
                common,
            )
            # As _block_similarity, for the pairs the merge finished.
            union = total_l + total_r - common
            with np.errstate(invalid="ignore", divide="ignore"):
                similarity = np.where(union > 0, common / union, 0.0)
            out[start:stop] = (common >= 0) & (similarity >= threshold)

    pool.map(part, slices(len(left), pool.threads, least=_PARALLEL_PAIRS))
    return out


def _similar_in_memory(
    left: np.ndarray, right: np.ndarray, runs: ArrayRuns, threshold: float, pool: Pool
) -> np.ndarray:
    """``_similar`` over runs in memory by one compiled call a part of the pairs (ADR 0114):
    the merge of ``weighted_at_least`` without a branch a step, and the run offsets, totals
    and verdict read and made in C, not gathered and computed in numpy a block at a time.
    The same sums in the same order, so the same verdicts (a test checks them). The parts
    are several a thread and taken in turn, so that a thread slowed by another (the band
    loop's ahead thread shares the cores) leaves its last parts to the other."""
    out = np.zeros(len(left), dtype=bool)
    if not len(left):
        return out
    left = np.ascontiguousarray(left, dtype=np.int64)
    right = np.ascontiguousarray(right, dtype=np.int64)
    shingles = np.ascontiguousarray(runs.shingles, dtype=np.uint32)
    weights = np.ascontiguousarray(runs.weights, dtype=np.float32)
    starts = np.ascontiguousarray(runs.starts, dtype=np.int64)
    totals = np.ascontiguousarray(runs.totals, dtype=np.float64)
    verdicts = out.view(np.uint8)

    def part(span: slice) -> None:
        _similar_pairs(
            shingles,
            weights,
            starts,
            totals,
            left[span],
            right[span],
            float(threshold),
            verdicts[span],
        )

    parts = pool.threads * _PARTS_A_THREAD if pool.threads > 1 else 1
    pool.map(part, slices(len(left), parts, least=_PARALLEL_PAIRS))
    return out


# Parts of a list of pairs a thread of the pool, for ``_similar_in_memory``.
_PARTS_A_THREAD = 8


class SortedCodes:
    """The rejected pair codes as one sorted array (the definition, without the compiled set):
    looked up by binary search, new codes merged in at their places."""

    def __init__(self) -> None:
        self.codes = np.zeros(0, dtype=np.int64)

    def contains(self, codes: np.ndarray) -> np.ndarray:
        return _in_sorted(codes, self.codes)

    def add(self, codes: np.ndarray) -> None:
        """Add sorted codes that are not in the set."""
        self.codes = _merge_sorted(self.codes, codes)

    def __len__(self) -> int:
        return len(self.codes)


class CodeSet:
    """The in-memory path's rejected pair codes (positive: the larger ad of a pair is never 0) in an
    open-addressing hash table, compiled: a lookup and an insert cost the same whatever the
    number of codes, where the sorted array took a binary search a lookup and a copy of all
    codes a band (12 million codes at a million ads). At most three quarters full: 8 to 16
    bytes a code (the sorted array held 8, and 16 while a band's codes were merged in)."""

    def __init__(self, size: int = 1 << 16) -> None:
        self.table = np.zeros(size, dtype=np.int64)
        self.count = 0

    def contains(self, codes: np.ndarray) -> np.ndarray:
        found = np.zeros(len(codes), dtype=bool)
        if len(codes) and self.count:
            _codes_has(self.table, np.ascontiguousarray(codes, dtype=np.int64), found)
        return found

    def add(self, codes: np.ndarray) -> None:
        codes = np.ascontiguousarray(codes, dtype=np.int64)
        if 4 * (self.count + len(codes)) > 3 * len(self.table):
            size = len(self.table)
            while 4 * (self.count + len(codes)) > 3 * size:
                size *= 2
            old = self.table[self.table != 0]
            self.table = np.zeros(size, dtype=np.int64)
            _codes_add(self.table, old)
        self.count += _codes_add(self.table, codes)

    def __len__(self) -> int:
        return self.count


# The class itself, whatever a test puts under the name ``CodeSet``.
_COMPILED_SET = CodeSet

# What remembers the rejected pairs: the spilled path's fixed table (ADR 0077), the in-memory
# path's hash set or, without the kernels, sorted array (ADR 0076), or a plain sorted array.
Rejected: TypeAlias = "np.ndarray | RejectedCache | CodeSet | SortedCodes"


def contact_edges(contact_ad: np.ndarray, contact_id: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of ads that share a phone, e-mail, handle or image: the entity graph, folded onto
    ads."""
    codes = _contact_codes(contact_ad, contact_id)
    return (codes >> 32).astype(np.int64), (codes & 0xFFFFFFFF).astype(np.int64)


def _contact_codes(contact_ad: np.ndarray, contact_id: np.ndarray) -> np.ndarray:
    """``contact_edges`` as sorted distinct pair codes (low ad << 32 | high ad): half the memory
    of the two columns, while they wait for the band loop (ADR 0102)."""
    if not len(contact_ad):
        return np.zeros(0, dtype=np.int64)
    # One key a use (contact << 32 | ad) sorted in place: lexsort's order (by contact, then by
    # ad) without its index array and the two columns gathered by it (~30 bytes a use at the
    # cluster phase's peak, ADR 0108). Within a contact the ads ascend, so each neighbour pair
    # is already (low, high); the pairs are made a step at a time.
    key = contact_id.astype(np.int64)
    key <<= 32
    key |= contact_ad
    key.sort()
    parts = []
    for first in range(0, len(key) - 1, _LEAN_STEP):
        step = key[first : first + _LEAN_STEP + 1]
        at = np.flatnonzero((step[1:] ^ step[:-1]) < 1 << 32)  # the same contact
        low = step[at]
        low <<= 32  # the contact's bits shifted out: the ad alone, high
        low |= step[at + 1] & 0xFFFFFFFF
        parts.append(low)
    del key
    return sorted_unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)


@dataclass
class PersonaLink:
    """Two template groups joined because they advertise the same personas: the evidence."""

    left: int  # an ad of each group
    right: int
    personas: list[tuple[int, int]]  # (name id, age or -1)
    evidence: float  # log-odds against chance, after the correction for all pairs of groups


@dataclass
class Clustering:
    labels: np.ndarray  # operator clusters: template and contact edges together
    template_labels: np.ndarray  # template groups: template edges only
    template_edge_count: int
    contact_edge_count: int
    persona_links: list[PersonaLink] = field(default_factory=list)
    hub_contacts: list[tuple[int, int, int]] = field(default_factory=list)  # id, ads, groups


# A persona (name with age) shared by more template groups than this says nothing about who
# writes them: a common name and age.
_PERSONA_MAX_GROUPS = 64


def unique_columns(rows: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(np.stack(rows), axis=1, return_counts=True)`` for int64 rows: the distinct
    columns in lexicographic order (first row first, signed) and how often each occurs. By
    ``lexsort``: numpy sorts the columns as structured records (slower) and imports
    ``numpy.ma`` for it on first use."""
    stacked = np.stack([np.asarray(row, dtype=np.int64) for row in rows])
    if not stacked.shape[1]:
        return stacked, np.zeros(0, dtype=np.int64)
    ordered = stacked[:, np.lexsort(stacked[::-1])]
    new = np.ones(ordered.shape[1], dtype=bool)
    new[1:] = (ordered[:, 1:] != ordered[:, :-1]).any(axis=0)
    starts = np.flatnonzero(new)
    counts = np.diff(np.append(starts, ordered.shape[1]))
    return ordered[:, starts], counts


def _impute_ages(names: np.ndarray, ages: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Within one template group, a name stated with an age in some ads and without in others
    is one persona: the ads without get the age the group states most for that name."""
    ages = ages.astype(np.int64)  # a copy already
    known = (names > 0) & (ages >= 0)
    if not known.any():
        return ages

    def slots_of(ads: np.ndarray) -> np.ndarray:
        """(group << 32 | name) of the ads ``ads`` selects, built in place."""
        slot = groups[ads].astype(np.int64)
        slot <<= 32
        slot |= names[ads]
        return slot

    # The distinct (slot, age) of the ads stating an age, with how many state each: what
    # ``unique_columns`` gives, by one sort of the two columns (``_by_slot_and_age``) and
    # without their stacked copies (~40 bytes a named ad at the cluster phase's peak, ADR 0108).
    slot, stated = _by_slot_and_age(slots_of(known), ages[known])
    del known
    new = np.ones(len(slot), dtype=bool)
    new[1:] = (slot[1:] != slot[:-1]) | (stated[1:] != stated[:-1])
    heads = np.flatnonzero(new)
    del new
    counts = np.diff(np.append(heads, len(slot)))
    slot, stated = slot[heads], stated[heads]
    # Per (group, name) the most frequent age, the youngest of equally frequent ones: the
    # distinct pairs are in order of slot, then age, so the first pair of its slot whose count
    # is the slot's largest (the first of np.lexsort((-counts, slot))'s order a slot, without
    # its two indirect sorts; ADR 0123).
    slot_starts = np.flatnonzero(np.r_[True, slot[1:] != slot[:-1]])
    most = np.maximum.reduceat(counts, slot_starts)
    top = np.flatnonzero(counts == np.repeat(most, np.diff(np.r_[slot_starts, len(slot)])))
    del most, slot_starts
    first = top[np.r_[True, slot[top][1:] != slot[top][:-1]]]
    slots, best = slot[first], stated[first]
    missing = np.flatnonzero((names > 0) & (ages < 0))
    wanted = slots_of(missing)
    at = np.searchsorted(slots, wanted)
    at_ok = at < len(slots)
    hit = np.zeros(len(missing), dtype=bool)
    hit[at_ok] = slots[at[at_ok]] == wanted[at_ok]
    ages[missing[hit]] = best[at[hit]]
    return ages


def _by_slot_and_age(slot: np.ndarray, age: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``slot`` (group << 32 | name) and ``age`` (not negative) in order of slot, then age:
    ``np.lexsort((age, slot))``'s order (equal pairs are equal values, so which of them comes
    first does not show). By one in-place sort of one int64 key, group, name and age side by
    side, when their bits fit in 63 (at a million ads: ~20, ~12 and ~7): not lexsort's two
    indirect stable sorts and the gathers through them (ADR 0123). Else by lexsort."""
    if not len(slot):
        return slot, age
    group, name = slot >> 32, slot & 0xFFFFFFFF
    age_bits = int(age.max()).bit_length()
    name_bits = int(name.max()).bit_length()
    if int(group.max()).bit_length() + name_bits + age_bits > 63 or int(age.min()) < 0:
        by = np.lexsort((age, slot))
        return slot[by], age[by]
    key = group
    key <<= name_bits
    key |= name
    del name
    key <<= age_bits
    key |= age
    key.sort()
    ordered_age = (key & ((1 << age_bits) - 1)).astype(age.dtype)
    key >>= age_bits
    ordered_slot = (key >> name_bits) << 32
    ordered_slot |= key & ((1 << name_bits) - 1)
    return ordered_slot, ordered_age


def persona_edges(
    names: np.ndarray,
    ages: np.ndarray,
    groups: np.ndarray,
    cities: np.ndarray | None = None,
    prune: bool = True,
) -> tuple[np.ndarray, np.ndarray, list[PersonaLink]]:
    """Join template groups that advertise the same personas, when chance cannot explain it.

    An operator often writes several templates that share little text but advertise the same
    women. Names and ages are common, so one shared persona proves nothing. A persona is a name
    with an age (ages a group states elsewhere for the name fill the gaps); a shared persona
    advertised in the same city in both groups is the rarer fact (name, age, city) and counts
    as such; a name one group never gives an age for is shared as the name alone. Among the E
    groups naming at least two personas (the only ones that can be joined), naming P personas in
    all, with f of them naming a shared fact, sharing the set S has a chance of about Π f/P,
    times the ways of choosing |S| personas from each group's own. Two groups are joined when
    that chance is below 1 / (E² / 2): about one false join expected over all pairs of groups.

    ``prune`` leaves out of the shared facts, before any Python object is made for them, the
    pairs of groups that cannot reach two facts (ADR 0077): the same links, in the same order.
    """
    empty = np.zeros(0, dtype=np.int64)
    named = np.flatnonzero(names > 0)
    if not len(named):
        return empty, empty, []
    ages = _impute_ages(names, ages, groups)
    keys = names[named].astype(np.int64) * 256 + np.clip(ages[named] + 1, 0, 255)
    del ages  # 8 bytes an ad, not read below (ADR 0108)
    pairs, first = np.unique(groups[named].astype(np.int64) << 32 | keys, return_index=True)
    pair_group, pair_key = pairs >> 32, pairs & 0xFFFFFFFF
    # Per group (pairs are sorted by group): how many personas it names, and its representative
    # ad, the first ad of its last persona (what a dictionary filled pair by pair would keep).
    # In arrays looked up by binary search, not a dictionary and a Counter over every group:
    # those cost ~100 bytes a group at the peak of the cluster phase (ADR 0081).
    group_start = np.flatnonzero(np.r_[True, pair_group[1:] != pair_group[:-1]])
    group_ids = pair_group[group_start]
    group_sizes = np.diff(np.r_[group_start, len(pair_group)])
    group_representative = named[first][np.r_[group_start[1:], len(pair_group)] - 1]
    del first

    def per_group(group: int) -> int:
        return int(group_sizes[np.searchsorted(group_ids, group)])

    def representative(group: int) -> int:
        return int(group_representative[np.searchsorted(group_ids, group)])

    candidates = int(np.count_nonzero(group_sizes >= 2))
    if candidates < 2:
        return empty, empty, []  # nothing to join
    where: dict[tuple[int, int], set[int]] = {}
    key_city: Counter[tuple[int, int]] = Counter()
    if cities is not None:
        city_of = cities[named].astype(np.int64)
        triples = unique_columns([groups[named].astype(np.int64), keys, city_of])[0].T.tolist()
        for group, key, city in triples:
            if city:
                where.setdefault((group, key), set()).add(city)
                key_city[(key, city)] += 1
    order = np.argsort(pair_key, kind="stable")
    sorted_keys, sorted_groups = pair_key[order], pair_group[order]
    bounds = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1], True])
    # Shared facts per pair of groups: {name: (key, how many groups name the fact)}.
    shared: dict[tuple[int, int], dict[int, tuple[int, int]]] = {}
    # Only groups naming at least two personas can be joined: they are the hypotheses, and the
    # chance that one of them names a fact is counted among them.
    eligible = np.repeat(group_sizes >= 2, group_sizes)
    sorted_eligible = eligible[order]
    # How many eligible groups name each fact (the keys' runs in ``sorted_keys``).
    frequency = (
        np.add.reduceat(sorted_eligible.astype(np.int64), bounds[:-1]).tolist()
        if len(sorted_keys)
        else []
    )
    ageless = _ageless_pairs(pair_group[eligible], pair_key[eligible])
    worth = (
        _pairs_worth_keeping(bounds, sorted_keys, sorted_groups, sorted_eligible, ageless[0])
        if prune
        else None
    )
    for run, (start, stop) in enumerate(
        zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)
    ):
        key = int(sorted_keys[start])
        if not 2 <= stop - start <= _PERSONA_MAX_GROUPS or key % 256 == 0:
            continue
        members = sorted_groups[start:stop][sorted_eligible[start:stop]].tolist()
        for a, b in combinations(members, 2):
            if worth is None or a << 32 | b in worth:
                shared.setdefault((a, b), {})[key // 256] = (key, frequency[run])
    name_frequency = Counter(
        (sorted_unique(pair_key[eligible] // 256 << 32 | pair_group[eligible]) >> 32).tolist()
    )
    _share_names_without_age(*ageless, shared, name_frequency)
    bar = math.log(candidates * (candidates - 1) / 2)
    # The chance that one persona of a group is a given fact: the fact's share of all the
    # personas these groups name (the ways of choosing which ones are counted below).
    slots = int(np.count_nonzero(eligible))
    lefts, rights, links = [], [], []
    for (a, b), facts in shared.items():
        m = len(facts)
        if m < 2:
            continue
        evidence = 0.0
        for k, count in facts.values():
            both = where.get((a, k), set()) & where.get((b, k), set())
            if both:
                # The best of the shared cities, paid for by how many cities were tried.
                count = min(count, min(key_city[(k, c)] for c in both) * len(where[(a, k)]))
            evidence += math.log(slots / count)
        evidence -= math.log(math.comb(per_group(a), m) * math.comb(per_group(b), m))
        evidence -= math.lgamma(m + 1)
        common = [key for key, _ in facts.values()]
        if evidence >= bar:
            lefts.append(representative(a))
            rights.append(representative(b))
            links.append(
                PersonaLink(
                    representative(a),
                    representative(b),
                    [(k // 256, k % 256 - 1) for k in sorted(common)],
                    round(evidence - bar, 2),
                )
            )
    return np.array(lefts, dtype=np.int64), np.array(rights, dtype=np.int64), links


# A name without an age is matched by name alone; names more common than this are left out of
# that matching (the pairs to try would grow with the square of their groups).
_PERSONA_NAME_MAX_GROUPS = 4 * _PERSONA_MAX_GROUPS


def _pairs_worth_keeping(
    bounds: np.ndarray,
    sorted_keys: np.ndarray,
    sorted_groups: np.ndarray,
    sorted_eligible: np.ndarray,
    ageless_codes: np.ndarray,
) -> set[int]:
    """The pair codes (a << 32 | b) of the groups that share two facts (distinct names) in
    ``persona_edges``' loop, or that a name without an age may join (``ageless_codes``): every
    other pair of the loop ends with one fact and no link, so it need not be kept (at a million
    ads they were ~190 MB of dictionaries, growing with the input)."""
    # A name's keys (name * 256 + age) are next to each other in ``sorted_keys``: the pairs of
    # one name are made distinct before the next name's are made, so that what is kept is one
    # code a (pair, name), not two int64 columns of every pair with their lexsort and copies
    # (the cluster phase's peak at ten million ads, ADR 0108). A pair counted under two names
    # is kept: the same codes as counting the distinct (pair, name) columns.
    distinct: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    name = -1
    for start, stop in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        key = int(sorted_keys[start])
        if not 2 <= stop - start <= _PERSONA_MAX_GROUPS or key % 256 == 0:
            continue
        members = sorted_groups[start:stop][sorted_eligible[start:stop]]
        a, b = np.triu_indices(len(members), 1)
        if len(a):
            if key // 256 != name and codes:
                distinct.append(sorted_unique(np.concatenate(codes)))
                codes = []
            name = key // 256
            codes.append(members[a] << 32 | members[b])
    if codes:
        distinct.append(sorted_unique(np.concatenate(codes)))
    if not distinct:
        return set(ageless_codes.tolist())
    every = np.concatenate(distinct)
    del distinct, codes
    every.sort()
    return set(every[1:][every[1:] == every[:-1]].tolist()) | set(ageless_codes.tolist())


def _ageless_pairs(pair_group: np.ndarray, pair_key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (pair code, name) of each name two groups share where one of them never states an
    age, once each: see ``_share_names_without_age``."""
    names = pair_key // 256
    ageless = pair_key % 256 == 0
    code = sorted_unique(names << 32 | pair_group)  # (name, group), each once
    code_name, code_group = code >> 32, code & 0xFFFFFFFF
    without = np.isin(code, names[ageless] << 32 | pair_group[ageless])
    bounds = np.flatnonzero(np.r_[True, code_name[1:] != code_name[:-1], True])
    found: list[np.ndarray] = []
    found_names: list[np.ndarray] = []
    for start, stop in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        if not 2 <= stop - start <= _PERSONA_NAME_MAX_GROUPS:
            continue
        members = code_group[start:stop]
        lacking = members[without[start:stop]]
        if not len(lacking):
            continue
        a = np.repeat(lacking, len(members))
        b = np.tile(members, len(lacking))
        pairs = sorted_unique(_pair_codes(a[a != b], b[a != b]))
        found.append(pairs)
        found_names.append(np.full(len(pairs), code_name[start]))
    if not found:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    return np.concatenate(found), np.concatenate(found_names)


def _share_names_without_age(
    pair_codes: np.ndarray,
    pair_names: np.ndarray,
    shared: dict[tuple[int, int], dict[int, tuple[int, int]]],
    name_frequency: Counter[int],
) -> None:
    """Add to ``shared`` the names two groups share where one of them never states an age
    (``_ageless_pairs``).

    A template that never gives the age ("Sweet Anna in Utrecht") names the same persona as
    another template's "Anna (23)"; what the two share is then the name only, and chance is
    measured by how many groups name it at all (any age): weaker evidence than a name with an
    age. Two groups that both give an age for a name and disagree share nothing.
    """
    if not len(pair_codes):
        return
    # (pair, name) once each; only pairs with two such names, or with a fact already shared,
    # can reach two shared facts: the others are not worth a Python object.
    codes, counts = np.unique(pair_codes, return_counts=True)
    known = np.array([a << 32 | b for a, b in shared], dtype=np.int64)
    wanted = codes[(counts >= 2) | np.isin(codes, known)]
    keep = np.isin(pair_codes, wanted)
    for pair_code, name in zip(pair_codes[keep].tolist(), pair_names[keep].tolist(), strict=True):
        entry = shared.setdefault((pair_code >> 32, pair_code & 0xFFFFFFFF), {})
        if name not in entry:
            entry[name] = (name * 256, name_frequency[name])


# A contact that joins this many otherwise separate groups, each with contacts of its own, is a
# hub (a verification service, a site's support desk): reported, not used to join.
HUB_MIN_GROUPS = 8


def hub_contacts(
    n: int,
    contact_ad: np.ndarray,
    contact_id: np.ndarray,
    base_left: np.ndarray,
    base_right: np.ndarray,
    is_image: np.ndarray,
) -> dict[int, int]:
    """Contacts that would join many unrelated advertisers: {contact id: groups joined}.

    Groups are the components of the template (and persona) edges plus the edges of every
    contact that is not itself a hub candidate. A contact is a hub when its ads fall into at
    least ``HUB_MIN_GROUPS`` such groups that each carry another (non-image) contact of their
    own: those are advertisers identified apart from it. One operator's only number, used under
    templates the text comparison could not join, is not a hub: its groups have no other contact.
    """
    if not len(contact_ad):
        return {}
    # The distinct (contact, group) pairs made and sorted in place, one int64 a use: not four
    # temporaries of every use beside the sort's copy (ADR 0108). The same counts.
    pairs = contact_id.astype(np.int64)
    pairs <<= 32
    pairs |= components(n, base_left, base_right)[contact_ad]
    pairs.sort()
    new = np.empty(len(pairs), dtype=bool)
    new[0] = True
    np.not_equal(pairs[1:], pairs[:-1], out=new[1:])
    pairs = pairs[new]
    del new
    pairs >>= 32
    spread = np.bincount(pairs)
    del pairs
    candidates = np.flatnonzero(spread >= HUB_MIN_GROUPS)
    del spread
    if not len(candidates):
        return {}
    keep = ~np.isin(contact_id, candidates)
    codes = _contact_codes(contact_ad[keep], contact_id[keep])
    edge = np.int32 if n < 2**31 else np.int64
    groups = components(
        n,
        np.concatenate([base_left, codes >> 32], dtype=edge, casting="same_kind"),
        np.concatenate([base_right, codes & 0xFFFFFFFF], dtype=edge, casting="same_kind"),
    )
    del codes
    own = keep & ~is_image[contact_id]
    identified = sorted_unique(groups[contact_ad[own]])
    hubs: dict[int, int] = {}
    for contact in candidates.tolist():
        ads = contact_ad[contact_id == contact]
        joined = np.intersect1d(sorted_unique(groups[ads]), identified, assume_unique=True)
        if len(joined) >= HUB_MIN_GROUPS:
            hubs[contact] = len(joined)
    return hubs


def components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected components of an edge list, numbered by their first ad: union-find in numpy.

    The same answer as ``UnionFind`` (a test checks it), in data-parallel form: every round hooks
    the larger root of each edge under the smaller one (the union) and then halves paths until
    every ad points at its root (the find). Rounds repeat until no edge joins two roots; with
    min-hooking that takes a handful of rounds. A Python loop over a million edges would take
    seconds; this takes milliseconds.
    """
    # 32-bit ads where they fit: this runs over every ad, several arrays at once.
    kind = np.int32 if n < 2**31 else np.int64
    parent = np.arange(n, dtype=kind)
    left, right = np.asarray(left, dtype=kind), np.asarray(right, dtype=kind)
    while len(left):
        a, b = parent[left], parent[right]
        joining = a != b
        if not joining.any():
            break
        # Each temporary let go as soon as it is read: at ten million ads each is 40-80 MB
        # and this runs at the cluster phase's peak (ADR 0108). The same steps.
        a, b = a[joining], b[joining]
        left, right = left[joining], right[joining]
        del joining
        high = np.maximum(a, b)
        np.minimum(a, b, out=a)
        del b
        np.minimum.at(parent, high, a)
        del a, high
        while True:
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand
        del grand
    # Hooking the larger root under the smaller leaves each component's smallest ad as its root,
    # which is also its first ad: numbering the roots in order numbers the components by their
    # first ad, without sorting.
    # The numbers in the ads' width: labels are kept for the whole analysis (4 bytes an ad
    # fewer in 32 bits, ADR 0103); the same numbers.
    rank = np.cumsum(parent == np.arange(n, dtype=kind), dtype=kind)
    np.subtract(rank, 1, out=rank)
    return rank[parent]


def _without_contact_conflicts(
    groups: np.ndarray,
    contact_ad: np.ndarray,
    contact_id: np.ndarray,
    is_image: np.ndarray,
    links: list[PersonaLink],
) -> tuple[np.ndarray, np.ndarray, list[PersonaLink]]:
    """Persona links minus those between two groups that each name contacts and share none:
    a contact identifies an advertiser better than a name and an age do."""
    own = ~is_image[contact_id]
    pairs = sorted_unique(groups[contact_ad[own]].astype(np.int64) << 32 | contact_id[own])
    pair_group = pairs >> 32
    kept = []
    for link in links:
        found = []
        for ad in (link.left, link.right):
            g = int(groups[ad])
            lo, hi = np.searchsorted(pair_group, [g, g + 1])
            found.append(set((pairs[lo:hi] & 0xFFFFFFFF).tolist()))
        if not (found[0] and found[1]) or found[0] & found[1]:
            kept.append(link)
    left = np.array([link.left for link in kept], dtype=np.int64)
    right = np.array([link.right for link in kept], dtype=np.int64)
    return left, right, kept


def _template_labels(
    n: int, left: np.ndarray, right: np.ndarray, loop_labels: list[np.ndarray]
) -> np.ndarray:
    """``components(n, left, right)``: the band loop's last labels when it left them (the same
    numbers, in the ads' width as ``components`` gives them), else found from the edges."""
    if loop_labels and len(loop_labels[0]) == n:
        return loop_labels[0].astype(np.int32 if n < 2**31 else np.int64, copy=False)
    return components(n, left, right)


def shingles_in_memory(index: Index) -> bool:
    """Whether ``cluster`` weighs and verifies the index's shingles in memory (else spilled,
    with memory kept flat: ADR 0081)."""
    return (
        int(np.sum(np.frombuffer(index.shingle_count, dtype=np.int32), dtype=np.int64))
        * (RECORD.itemsize)
        <= IN_MEMORY_RECORDS
    )


@dataclass
class _ContactFacts:
    """What ``cluster`` needs of the contacts that does not depend on the template edges."""

    codes: np.ndarray  # _contact_codes over every contact
    is_image: np.ndarray  # a bool a contact


def _contact_facts(index: Index, release: bool = False) -> _ContactFacts:
    """``release``: on a thread of its own, whose arena would keep the pages of the
    temporaries freed here for the rest of the band loop, those pages are handed back."""
    facts = _ContactFacts(
        _contact_codes(
            np.frombuffer(index.contact_ad, dtype=np.int32),
            np.frombuffer(index.contact_id, dtype=np.int32),
        ),
        index.contacts.starts_with("img:"),
    )
    if release:
        release_free_memory()
    return facts


def cluster(
    index: Index,
    threshold: float,
    candidate_threshold: float | None = None,
    threads: int | None = None,
) -> Clustering:
    """Operator clusters of the index's ads. The template matching runs on ``threads`` threads
    (``threads.THREADS`` when None): the same clusters, edges and links whatever their number."""
    n = len(index)
    pool = Pool(threads)
    beside: ThreadPoolExecutor | None = None
    try:
        # The contacts' edges and columns do not depend on the template edges: with threads
        # and the shingles in memory they are made on a thread of their own while the band loop
        # runs (whose threads leave part of a second core idle), not after it on the critical
        # path (ADR 0102). Spilled, they wait, so as not to add to the band loop's memory.
        early = None
        loop_labels: list[np.ndarray] = []
        if pool.threads > 1 and n and candidate_threshold is not None and shingles_in_memory(index):
            beside = ThreadPoolExecutor(1, thread_name_prefix="samen-contacts")
            early = beside.submit(_contact_facts, index, True)
        if not n:
            t_left = t_right = np.zeros(0, dtype=np.int64)
        elif candidate_threshold is None:
            t_left, t_right = template_edges(index.signatures, threshold)
        else:
            starts = index.shingle_starts()
            runs: ArrayRuns | SpilledRuns = (
                weights_in_memory_threads(index.shingles, starts, pool)
                if int(starts[-1]) * RECORD.itemsize <= IN_MEMORY_RECORDS
                else spill_weights(index.shingles, starts)
            )
            try:
                t_left, t_right, _ = _weighted_template_edges(
                    index, runs, threshold, candidate_threshold, pool, loop_labels
                )
            finally:
                runs.close()
            # Each ad's run start and total weight (16 bytes an ad) are not read after the
            # template edges: not kept through the persona and contact steps (ADR 0103).
            del runs, starts
        facts = early.result() if early is not None else _contact_facts(index)
    finally:
        pool.close()
        if beside is not None:
            beside.shutdown()
    codes, is_image = facts.codes, facts.is_image
    del facts
    template_labels = _template_labels(n, t_left, t_right, loop_labels)
    p_left, p_right, links = persona_edges(
        np.frombuffer(index.name, dtype=np.int32),
        np.frombuffer(index.age, dtype=np.int16),
        template_labels,
    )
    # The index's own 32-bit columns, not int64 copies (~24 bytes an ad, ADR 0103): the steps
    # below widen what they shift.
    contact_ad = np.frombuffer(index.contact_ad, dtype=np.int32)
    contact_id = np.frombuffer(index.contact_id, dtype=np.int32)
    if links:
        p_left, p_right, links = _without_contact_conflicts(
            template_labels, contact_ad, contact_id, is_image, links
        )
    # In the ads' width, as ``components`` takes them: not int64 beside an int32 copy.
    edge = np.int32 if n < 2**31 else np.int64
    # From here the template groups stand for their ads (ADR 0119): the components over the
    # groups of the persona and contact edges mapped onto them, numbered by first group, are
    # the components over the ads of the template, persona and contact edges, numbered by
    # first ad (the groups are numbered by their first ads, so a component's first group holds
    # its first ad). The same numbers, without going over every ad and template edge again.
    groups = int(template_labels.max()) + 1 if n else 0
    group_left = template_labels[p_left].astype(edge, copy=False)
    group_right = template_labels[p_right].astype(edge, copy=False)
    del p_left, p_right
    # The hubs over the groups as their ads: the same groups joined, so the same hubs.
    hubs = hub_contacts(
        groups, template_labels[contact_ad], contact_id, group_left, group_right, is_image
    )
    if hubs:
        keep = ~np.isin(contact_id, list(hubs))
        codes = _contact_codes(contact_ad[keep], contact_id[keep])
        del keep
    # The contact edges kept as pair codes through the persona and hub steps, split only here
    # (two int64 columns were 16 bytes an edge for the whole time, ADR 0108).
    c_left, c_right = (codes >> 32).astype(edge), (codes & 0xFFFFFFFF).astype(edge)
    del codes
    joined = components(
        groups,
        np.concatenate([group_left, template_labels[c_left]], dtype=edge, casting="same_kind"),
        np.concatenate([group_right, template_labels[c_right]], dtype=edge, casting="same_kind"),
    )
    labels = joined[template_labels].astype(edge, copy=False)
    del joined
    hub_list = sorted(
        ((c, int(np.count_nonzero(contact_id == c)), g) for c, g in hubs.items()),
        key=lambda h: (-h[2], h[0]),
    )
    return Clustering(labels, template_labels, len(t_left), len(c_left), links, hub_list)
