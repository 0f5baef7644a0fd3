"""Every ad's shingle set with the rarity weight of each shingle, for the exact verification of
LSH candidates: in memory for small inputs and tests, or in a file for a scan of any size.

The weight of a shingle is its inverse document frequency over the whole corpus, so computing
it needs every shingle at once. In memory that is a sort of all (shingle, position) keys, 8 bytes
a shingle, the largest peak of a scan. ``spill_weights`` computes the same floats with memory
bounded by a constant: an external sort that distributes the keys to files by the shingle's top
bits, counts each file's runs in memory, sends each position's weight to a file by position
range, and writes every ad's (shingle, weight) records in order. Verification then reads the
records of the ads it compares, one read an ad.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .spill import BLOCK, SpillFile

RECORD = np.dtype([("shingle", "<u4"), ("weight", "<f4")])
# Records of ads closer than this in the file are read together.
READ_GAP = 16 << 10
# ... but the bytes read between the records wanted, for one block of pairs, stay under this:
# the smallest gaps are bridged first. Without it a block's read grew with the file (its ads
# spread over all of it): ~100 MB at a million ads, twice over with the join (ADR 0077).
READ_WASTE = 16 << 20
# Keys sorted in memory at once in the external sort (8 bytes each): the sort's memory bound.
SORT_ITEMS = 1 << 21


class ArrayRuns:
    """Shingle sets in memory: ``shingles[starts[a]:starts[a + 1]]`` is ad a's sorted set."""

    def __init__(
        self, shingles: np.ndarray, starts: np.ndarray, weights: np.ndarray, totals: np.ndarray
    ) -> None:
        self.shingles, self.starts, self.weights, self.totals = shingles, starts, weights, totals

    def locate(self, ads: np.ndarray) -> tuple[np.ndarray, np.ndarray, int, np.ndarray, np.ndarray]:
        """Shingles and weights (contiguous uint32 and float32) holding the runs of ``ads``, the
        stride of a record in them (record i is ``shingles[i * stride]``, weight
        ``weights[i * stride]``), and where each ad's run starts (in records) and how long it
        is."""
        first = self.starts[ads].astype(np.int64)
        shingles = np.ascontiguousarray(self.shingles, dtype=np.uint32)
        weights = np.ascontiguousarray(self.weights, dtype=np.float32)
        return shingles, weights, 1, first, self.starts[ads + 1] - first

    def gather(self, ads: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The shingles of ``ads`` one run after the other, their weights, and the index (into
        ``ads``) of each one's ad."""
        lengths = self.starts[ads + 1] - self.starts[ads]
        offsets = np.cumsum(lengths) - lengths
        owner = np.repeat(np.arange(len(ads)), lengths)
        positions = np.repeat(self.starts[ads] - offsets, lengths) + np.arange(int(lengths.sum()))
        return self.shingles[positions], self.weights[positions], owner

    def close(self) -> None:
        pass


class SpilledRuns:
    """Shingle sets as (shingle, weight) records in a file, ``starts`` and ``totals`` in memory
    (16 bytes an ad)."""

    def __init__(self, records: SpillFile, starts: np.ndarray, totals: np.ndarray) -> None:
        self.records, self.starts, self.totals = records, starts, totals

    def gather(self, ads: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """As ``ArrayRuns.gather``."""
        raw, first = self._read(ads)
        lengths = self.starts[ads + 1] - self.starts[ads]
        offsets = np.cumsum(lengths) - lengths
        owner = np.repeat(np.arange(len(ads)), lengths)
        positions = np.repeat(first - offsets, lengths) + np.arange(int(lengths.sum()))
        return raw[positions, 0], raw[positions, 1].view(np.float32), owner

    def locate(self, ads: np.ndarray) -> tuple[np.ndarray, np.ndarray, int, np.ndarray, np.ndarray]:
        """As ``ArrayRuns.locate``, over the records read for ``ads`` only."""
        raw, first = self._read(ads)
        flat = raw.reshape(-1)
        # Interleaved (shingle, weight) records: stride 2, the weights from the second item on.
        return (
            flat,
            flat[1:].view(np.float32),
            2,
            first.astype(np.int64),
            (self.starts[ads + 1] - self.starts[ads]).astype(np.int64),
        )

    def _read(self, ads: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The records of ``ads`` as (shingle, weight bits) rows, and the row where each ad's run
        starts. Each distinct ad is read once; ads whose records lie close together in the file
        are read in one go (a read costs more than a few pages more)."""
        size = RECORD.itemsize
        # np.unique(return_inverse=True), by one stable argsort (several times faster here).
        order = np.argsort(ads, kind="stable")
        ordered = ads[order]
        new = np.ones(len(ads), dtype=bool)
        new[1:] = ordered[1:] != ordered[:-1]
        distinct = ordered[new]
        inverse = np.empty(len(ads), dtype=np.int64)
        inverse[order] = np.cumsum(new) - 1
        begin, end = self.starts[distinct] * size, self.starts[distinct + 1] * size
        fresh = np.ones(len(distinct), dtype=bool)
        fresh[1:] = ~bridged(begin[1:] - end[:-1], READ_GAP, READ_WASTE)
        heads = np.flatnonzero(fresh)
        group_begin = begin[heads]
        group_length = np.maximum.reduceat(end, heads) - group_begin if len(heads) else group_begin
        # (shingle, weight bits) as two uint32 columns: plain arrays index faster than records.
        raw = self.records.read_groups(group_begin, group_length).view(np.uint32).reshape(-1, 2)
        group = np.cumsum(fresh) - 1
        group_offset = np.cumsum(group_length) - group_length
        first = ((group_offset[group] + begin - group_begin[group]) // size)[inverse]
        return raw, first

    def close(self) -> None:
        self.records.close()


def bridged(gaps: np.ndarray, gap: int, waste: int) -> np.ndarray:
    """Which gaps between wanted byte ranges a read spans: those up to ``gap`` bytes, the
    smallest first, as long as their sum stays within ``waste`` (ties: the earlier first)."""
    bridge = gaps <= gap
    if int(gaps[bridge].sum()) > waste:
        order = np.flatnonzero(bridge)
        order = order[np.argsort(gaps[order], kind="stable")]
        bridge[:] = False
        bridge[order[np.cumsum(gaps[order]) <= waste]] = True
    return bridge


def _idf(df: np.ndarray, documents: int) -> np.ndarray:
    return np.log((documents + 1) / df).astype(np.float32)


def _documents(starts: np.ndarray) -> int:
    return int(np.count_nonzero(np.diff(starts)))


def ad_totals(weights_of: Callable[[int, int], np.ndarray], starts: np.ndarray) -> np.ndarray:
    """Each ad's total weight, ads taken in blocks: the same sums, in the same order, as one
    bincount over all. ``weights_of(first, last)`` gives the weights of positions first:last."""
    n = len(starts) - 1
    totals = np.zeros(n, dtype=np.float64)
    counts = np.diff(starts)
    step = BLOCK // 64
    for first in range(0, n, step):
        last = min(first + step, n)
        owner = np.repeat(np.arange(last - first), counts[first:last])
        totals[first:last] = np.bincount(
            owner, weights=weights_of(int(starts[first]), int(starts[last])), minlength=last - first
        )
    return totals


def _split(files: list[SpillFile], keys: np.ndarray, target: np.ndarray) -> None:
    """Append each key to the file its target names."""
    if len(files) == 1:
        files[0].append(keys)
        return
    # Small integers: numpy's stable sort of 16-bit keys is a radix sort, many times faster
    # than the merge sort it uses for 64-bit ones; the order is the same.
    if len(files) <= 1 << 16:
        target = target.astype(np.uint16)
    order = np.argsort(target, kind="stable")
    bounds = np.searchsorted(target[order], np.arange(len(files) + 1))
    keys = keys[order]
    for number, spilled in enumerate(files):
        if bounds[number + 1] > bounds[number]:
            spilled.append(keys[bounds[number] : bounds[number + 1]])


def bucket_bits(m: int) -> int:
    """How many of a shingle's top bits pick its bucket, so a bucket's keys fit SORT_ITEMS."""
    return max(0, math.ceil(math.log2(m / SORT_ITEMS))) if m > SORT_ITEMS else 0


def split_keys(buckets: list[SpillFile], block: np.ndarray, first: int, bits: int) -> None:
    """Step 1 for one block of shingles (positions first, first + 1, ...): their
    (shingle << 32 | position) keys, appended to the buckets of the shingles' top bits."""
    keys = block.astype(np.uint64) << np.uint64(32)
    keys |= np.arange(first, first + len(block), dtype=np.uint64)
    _split(buckets, keys, (block >> (32 - bits)) if bits else block[:0])


def weigh_bucket(keys: np.ndarray, documents: int) -> tuple[np.ndarray, np.ndarray]:
    """Step 2 for one bucket's keys (sorted and rewritten in place): the positions (uint64) and
    their weights, from each shingle's document frequency (the length of its run of keys; an
    ad holds a shingle once)."""
    keys.sort()
    values = keys >> np.uint64(32)
    bounds = np.concatenate(
        [[0], np.flatnonzero(values[1:] != values[:-1]) + 1, [len(keys)]]
    ).astype(np.int64)
    del values
    df = np.diff(bounds)
    keys &= np.uint64(0xFFFFFFFF)  # now the positions
    return keys, np.repeat(_idf(df, documents), df)


def _weighed_positions(shingles: SpillFile, m: int, documents: int):
    """Steps 1 and 2 of the external sort: per bucket of shingles, the positions (as uint64) and
    their weights (float32), a bucket at a time."""
    # 1. (shingle << 32 | position) keys, distributed by the shingle's top bits.
    bits = bucket_bits(m)
    buckets = [SpillFile("samen-online-df-") for _ in range(1 << bits)]
    for first, block in shingles.blocks(np.uint32):
        split_keys(buckets, block, first, bits)
    # 2. Per bucket: each position's weight.
    for bucket in buckets:
        keys = bucket.array(np.uint64, 0, bucket.size // 8)
        bucket.close()
        if not len(keys):
            continue
        positions, weights = weigh_bucket(keys, documents)
        yield positions, weights
        del keys, positions, weights


def _check_size(m: int) -> None:
    if m >= 1 << 32:
        raise ValueError("more than 2**32 shingles: split the input into several scans")


def weights_in_memory(shingles: SpillFile, starts: np.ndarray) -> ArrayRuns:
    """``spill_weights`` when the runs fit in memory (8 bytes a stored shingle): the same sort
    by buckets, bounded in memory, but each position's weight goes straight to its place in one
    array instead of through files by position range and a file of records read back. The
    same floats, bit for bit (a test checks it)."""
    m = int(starts[-1])
    _check_size(m)
    values = np.empty(m, dtype=np.uint32)
    weights = np.zeros(m, dtype=np.float32)
    if m:
        shingles.read_into(0, values)
        for positions, bucket_weights in _weighed_positions(shingles, m, _documents(starts)):
            weights[positions] = bucket_weights
    totals = ad_totals(lambda first, last: weights[first:last], starts)
    return ArrayRuns(values, starts, weights, totals)


def spill_weights(shingles: SpillFile, starts: np.ndarray) -> SpilledRuns:
    """The records of ``SpilledRuns`` from a file of shingle runs: the same weights, bit for bit,
    as ``cluster.shingle_weights`` computes in memory, with a constant bound on memory."""
    m = int(starts[-1])
    documents = _documents(starts)
    records = SpillFile("samen-online-weighted-shingles-")
    if not m:
        return SpilledRuns(records, starts, np.zeros(len(starts) - 1, dtype=np.float64))
    _check_size(m)
    # Steps 1 and 2, then each position's weight sent on by position range.
    spans = [SpillFile("samen-online-weights-") for _ in range((m + SORT_ITEMS - 1) // SORT_ITEMS)]
    for keys, weights in _weighed_positions(shingles, m, documents):
        packed = keys << np.uint64(32)
        packed |= weights.view(np.uint32).astype(np.uint64)
        _split(spans, packed, (keys // np.uint64(SORT_ITEMS)).astype(np.int64))
        del packed
    # 3. Per position range: the weights in place, next to their shingles, in order.
    for number, span in enumerate(spans):
        first, last = number * SORT_ITEMS, min((number + 1) * SORT_ITEMS, m)
        packed = span.array(np.uint64, 0, span.size // 8)
        span.close()
        out = np.empty(last - first, dtype=RECORD)
        out["shingle"] = shingles.array(np.uint32, first, last)
        weight_bits = np.zeros(last - first, dtype=np.uint32)
        weight_bits[(packed >> np.uint64(32)).astype(np.int64) - first] = (
            packed & np.uint64(0xFFFFFFFF)
        ).astype(np.uint32)
        out["weight"] = weight_bits.view(np.float32)
        records.append(out)
        del packed, out, weight_bits
    totals = ad_totals(
        lambda first, last: records.array(RECORD, first, last)["weight"].astype(np.float32),
        starts,
    )
    return SpilledRuns(records, starts, totals)
