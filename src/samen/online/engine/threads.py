"""The coordinator's clustering on several threads: the workers are done by then, so their cores
are free (ADR 0071).

Threads, not processes: the shingle runs and their weights (~400 MB at a million ads) are shared
as they are, with no copy and no pickling, and the work that dominates releases the GIL (the
compiled merge of ``weighted_common``, numpy's sorts, gathers and scatters, ``pread``). Every
result is put where the serial code puts it (a block of pairs into its slice of the output, a
bucket's weights into their positions), so the outputs are the same bytes whatever the number
of threads; the tests compare 1 thread with several.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from typing import TypeVar

import numpy as np

from .shingles import (
    ArrayRuns,
    _check_size,
    _documents,
    _idf,
    ad_totals,
    bucket_bits,
    split_keys,
    weigh_bucket,
)
from .spill import BLOCK, SpillFile

try:
    from ._clusterc import assign_weights as _assign_weights
    from ._clusterc import run_totals as _run_totals
    from ._clusterc import shingle_df as _shingle_df
except ImportError:  # an install from before the extension (make install builds it): slower
    _shingle_df = _assign_weights = _run_totals = None  # type: ignore[assignment]

T = TypeVar("T")
R = TypeVar("R")


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# Threads for the clustering: the cores this process may use, at most four (the blocks of work
# are a few large ones; more threads than that only add memory in flight).
THREADS = max(1, min(4, available_cores()))


class Pool:
    """``map`` over a thread pool when there is more than one thread, in the calling thread
    otherwise; results in the order of the items either way."""

    def __init__(self, threads: int | None = None) -> None:
        self.threads = THREADS if threads is None else max(1, threads)
        self._executor = (
            ThreadPoolExecutor(self.threads, thread_name_prefix="samen-cluster")
            if self.threads > 1
            else None
        )

    def map(self, function: Callable[[T], R], items: Iterable[T]) -> list[R]:
        if self._executor is None:
            return [function(item) for item in items]
        return list(self._executor.map(function, items))

    def submit(self, function: Callable[[], R]) -> Callable[[], R]:
        """Start ``function`` on one of the pool's threads when there are several, else run it
        here; the result is waited for by calling what this returns."""
        if self._executor is None:
            result = function()
            return lambda: result
        return self._executor.submit(function).result

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown()
            self._executor = None

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


SERIAL = Pool(1)


def slices(n: int, parts: int, least: int = 1) -> list[slice]:
    """``0:n`` cut into at most ``parts`` contiguous slices of nearly equal length, none shorter
    than ``least`` (fewer slices if need be)."""
    parts = max(1, min(parts, n // max(1, least)))
    bounds = [n * k // parts for k in range(parts + 1)]
    return [slice(a, b) for a, b in pairwise(bounds) if b > a]


def weights_in_memory(shingles: SpillFile, starts: np.ndarray, pool: Pool) -> ArrayRuns:
    """``shingles.weights_in_memory`` on the pool's threads: the same weights, bit for bit.

    The same external sort by the shingle's top bits: each thread distributes the (shingle,
    position) keys of its own range of positions into its own set of bucket files (an append
    is not shared between threads), then each bucket (the keys of all threads' files for it) is
    sorted, counted and weighed on some thread, its weights written to their own positions.
    A bucket holds every key of its shingles whichever thread wrote them, and its keys are
    distinct (positions are), so its sort, its runs and its weights are those of the serial
    code. The keys are built from the shingles already read into memory, not read again.
    """
    m = int(starts[-1])
    _check_size(m)
    values = np.empty(m, dtype=np.uint32)
    if m:
        # A part of the file a thread: the read is mostly the kernel's faulting in and zeroing
        # of the new array's pages (~0.5 CPU-s for 200 MB at a million ads), which threads do
        # side by side (ADR 0123). The same bytes in the same places.
        def read(span: slice) -> None:
            shingles.read_into(span.start * values.itemsize, values[span])

        pool.map(read, slices(m, pool.threads, least=BLOCK))
    if _shingle_df is not None:
        return _weights_compiled(values, starts, pool)
    weights = np.zeros(m, dtype=np.float32)
    if m:
        documents = _documents(starts)
        bits = bucket_bits(m)
        lanes = slices(m, pool.threads, least=BLOCK // 4)
        files = [[SpillFile("samen-online-df-") for _ in range(1 << bits)] for _ in lanes]
        # Blocks of a quarter of the serial block a thread: memory in flight as the serial code.
        step = max(1, BLOCK // max(1, 2 * len(lanes)))

        def distribute(lane: int) -> None:
            span = lanes[lane]
            for first in range(span.start, span.stop, step):
                split_keys(files[lane], values[first : min(first + step, span.stop)], first, bits)

        def weigh(bucket: int) -> None:
            parts = [lane[bucket] for lane in files]
            keys = np.concatenate([part.array(np.uint64, 0, part.size // 8) for part in parts])
            for part in parts:
                part.close()
            if not len(keys):
                return
            positions, weighed = weigh_bucket(keys, documents)
            weights[positions] = weighed

        try:
            pool.map(distribute, range(len(lanes)))
            pool.map(weigh, range(1 << bits))
        finally:
            for lane in files:
                for part in lane:
                    part.close()
    totals = ad_totals(lambda first, last: weights[first:last], starts)
    return ArrayRuns(values, starts, weights, totals)


def _weights_compiled(values: np.ndarray, starts: np.ndarray, pool: Pool) -> ArrayRuns:
    """``weights_in_memory`` by the compiled kernels (ADR 0076): the same floats, bit for bit.

    A shingle's document frequency is the number of its occurrences (an ad holds a shingle
    once): one pass counts them in a hash table of the distinct shingles (~280,000 at a million
    synthetic ads, a few MB), instead of sorting 8-byte (shingle, position) keys through bucket
    files. Each distinct shingle's weight is the same numpy expression (``_idf``) of its count,
    element by element; a second pass, one contiguous part a thread, looks each position's
    weight up; each ad's total is summed in order in double, as ``np.bincount`` adds them."""
    m = len(values)
    weights = np.zeros(m, dtype=np.float32)
    if m:
        raw_distinct, raw_counts = _shingle_df(values)
        distinct = np.frombuffer(raw_distinct, dtype=np.uint32)
        idf = _idf(np.frombuffer(raw_counts, dtype=np.int64), _documents(starts))

        def assign(span: slice) -> None:
            _assign_weights(values[span], distinct, idf, weights[span])

        pool.map(assign, slices(m, pool.threads, least=BLOCK // 4))
    totals = np.zeros(len(starts) - 1, dtype=np.float64)
    bounds = np.ascontiguousarray(starts, dtype=np.int64)

    def total(span: slice) -> None:
        # Each ad's sum is its own, in order: a range of ads a thread gives the same sums.
        _run_totals(weights, bounds[span.start : span.stop + 1], totals[span])

    pool.map(total, slices(len(totals), pool.threads, least=BLOCK // 64))
    return ArrayRuns(values, starts, weights, totals)
