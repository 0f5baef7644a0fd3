"""Running a scan: partitions through an engine (in-process, local processes or Dask), then the
index, clusters, leads and the three output files.

Partitions are submitted through a bounded window, so that reading never runs ahead of the workers
by more than a few chunks: memory holds the index and a handful of chunks, whatever the input size.
Results are consumed in input order, so every engine builds the same index and the same clusters.
"""

from __future__ import annotations

import contextlib
import csv
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import IO, Any, Protocol, TextIO

import numpy as np

from samen.spreadsheets import FORMULA_STARTS, SafeWriter, safe_column

from . import threads
from .analysis import (
    ANALYSIS_PROCESSES,
    Analysis,
    LabelFreeFacts,
    analyse,
    build_leads,
    cluster_name,
    label_free_facts,
    lead_clusters,
)
from .cluster import Clustering, cluster, lsh_params, shingles_in_memory
from .extract import SLOT_TOKENS, extract
from .forked import ForkedChild, can_fork
from .index import Index
from .indicators import IndicatorSet, load_indicators
from .jsonout import dump_indented, dump_indented_utf8
from .partition import ChunkResult, FileRange, ScanConfig, gc_paused, run_task
from .reader import BadRecord, Chunk, input_format, iter_chunks, iter_lines, parse_ad, total_bytes
from .report import render_report
from .spill import release_free_memory

ENGINE_VERSION = "1.0"


Task = Chunk | FileRange


class Engine(Protocol):
    # Whether the workers see the input files at the coordinator's paths: then they read their
    # own byte ranges and no ad text passes through the coordinator or a scheduler.
    reads_files: bool

    def map(self, chunks: Iterable[Task], config: ScanConfig) -> Iterator[ChunkResult]: ...

    def close(self) -> None: ...


def _windowed(submit: Callable[[Task], Any], chunks: Iterable[Task], window: int) -> Iterator[Any]:
    pending: deque = deque()
    for chunk in chunks:
        pending.append(submit(chunk))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


class InProcessEngine:
    def __init__(self, reads_files: bool = True) -> None:
        self.reads_files = reads_files

    def map(self, chunks: Iterable[Task], config: ScanConfig) -> Iterator[ChunkResult]:
        return (run_task(chunk, config) for chunk in chunks)

    def close(self) -> None:
        pass


class LocalEngine:
    """Worker processes on this machine."""

    reads_files = True

    def __init__(self, workers: int) -> None:
        # fork starts workers in milliseconds with the engine already imported; elsewhere the
        # platform default (spawn) works too, only slower to start.
        context = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
        self.workers = workers
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)

    def map(self, chunks: Iterable[Task], config: ScanConfig) -> Iterator[ChunkResult]:
        return _windowed(lambda c: self.pool.submit(run_task, c, config), chunks, self.workers * 3)

    def close(self) -> None:
        self.pool.shutdown()


# A cluster's housekeeping runs on timers, so on a loaded machine (where a scan takes minutes of
# wall time for seconds of CPU) it costs in proportion to the wall time, not to the work: the
# workers' statistical profiler (100 samples a second of every thread), the event-loop tick
# (50 a second in every process), the system monitor, the memory monitor, work stealing (these
# tasks are alike, in order) and the active memory manager (results are not kept on workers).
QUIET_DASK = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.admin.system-monitor.disk": False,
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.scheduler.work-stealing": False,
    "distributed.scheduler.active-memory-manager.start": False,
}


# How a LocalCluster started here starts its worker processes. distributed's default, spawn,
# starts a fresh interpreter per worker that imports distributed, numpy and the engine again
# (about 1.6 CPU-s each, the largest part of Dask's cost over the local engine at 100,000 ads);
# fork copies this process, with all of that imported, in milliseconds, as LocalEngine does.
# Only on Linux: elsewhere fork is unsafe or unavailable and the default stays.
_LOCAL_START = (
    {"distributed.worker.multiprocessing-method": "fork"} if sys.platform == "linux" else {}
)


class DaskEngine:
    """Partitions on a dask.distributed cluster: an existing one (``client`` or ``address``), or a
    LocalCluster of ``workers`` processes when neither is given.

    Each task is a byte range of an input file that the worker reads itself, and its result
    (a few numeric arrays and short strings) goes straight from the worker to this process:
    the scheduler only hands out task descriptions. That needs the input files at the same
    path on every worker (a shared file system); with ``reads_files=False`` this process reads
    the lines and sends them, which works anywhere and costs a copy through the scheduler.
    A LocalCluster started here runs with ``QUIET_DASK``; set the same on a real cluster.

    A LocalCluster of its own lives for one pass over the input: it stops as soon as the last
    result is in (a later ``map`` starts another), so that its heartbeats and timers do not run,
    and take the GIL, through the clustering and analysis that follow in this process."""

    def __init__(
        self,
        workers: int = 2,
        client: Any = None,
        address: str | None = None,
        reads_files: bool = True,
    ) -> None:
        from dask.distributed import Client  # only needed for this engine

        self.reads_files = reads_files
        self._owned: list[Any] = []
        # Worker processes of a LocalCluster of this engine's own; 0 on a given cluster.
        self._local_workers = 0
        if client is None:
            if address:
                client = Client(address)
                self._owned.append(client)
            else:
                self._local_workers = workers
                client = self._start_local()
        self.client: Any = client
        self.workers = max(1, len(client.scheduler_info().get("workers", {})) or workers)

    def _start_local(self) -> Any:
        import dask  # only needed for this engine
        from dask.distributed import Client, LocalCluster

        with dask.config.set({**QUIET_DASK, **_LOCAL_START}):
            local = LocalCluster(
                n_workers=self._local_workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
        client = Client(local)
        self._owned = [client, local]
        return client

    def map(self, chunks: Iterable[Task], config: ScanConfig) -> Iterator[ChunkResult]:
        if self.client is None:  # its own cluster, stopped after an earlier pass
            self.client = self._start_local()
        results = _windowed(
            lambda c: self.client.submit(run_task, c, config, pure=False),
            chunks,
            self.workers * 3,
        )
        return self._then_stop(results) if self._local_workers else results

    def _then_stop(self, results: Iterator[ChunkResult]) -> Iterator[ChunkResult]:
        yield from results
        self.close()

    def close(self) -> None:
        for owned in self._owned:
            owned.close()
        self._owned = []
        if self._local_workers:
            self.client = None


def make_engine(name: str, workers: int, **options: Any) -> Engine:
    if name == "dask":
        return DaskEngine(workers=workers, **options)
    if name != "local":
        raise ValueError(f"unknown engine {name!r}; use 'local' or 'dask'")
    return LocalEngine(workers) if workers > 1 else InProcessEngine()


class Progress:
    """A one-line progress bar on a terminal (or a line every few seconds in a log): ads, ads/s
    and ETA.

    The ETA extrapolates from bytes read, since the number of ads is unknown until the end."""

    def __init__(self, total_bytes: int, stream: TextIO | None = None, every: float = 0.5) -> None:
        self.total = max(total_bytes, 1)
        self.stream = stream
        self.every = every if stream is None or stream.isatty() else max(every, 5.0)
        self.started = time.perf_counter()
        self.last = 0.0
        self.ads = 0
        self.bytes = 0

    def update(self, ads: int, nbytes: int) -> None:
        self.ads += ads
        self.bytes += nbytes
        now = time.perf_counter()
        if self.stream is not None and now - self.last >= self.every:
            self.last = now
            self._draw(now, final=False)

    def finish(self) -> None:
        if self.stream is not None:
            self._draw(time.perf_counter(), final=True)

    def _draw(self, now: float, final: bool) -> None:
        elapsed = max(now - self.started, 1e-9)
        rate = self.ads / elapsed
        done = min(self.bytes / self.total, 1.0)
        eta = elapsed * (1 - done) / done if done > 0 else 0.0
        width = 24
        bar = "#" * int(done * width) + "-" * (width - int(done * width))
        line = f"[{bar}] {done:6.1%}  {self.ads:,} ads  {rate:,.0f} ads/s  " + (
            f"done in {elapsed:.1f}s" if final else f"ETA {eta:.0f}s"
        )
        end = "\n" if final or not self.stream.isatty() else ""
        self.stream.write(("\r" if self.stream.isatty() else "") + line + end)
        self.stream.flush()


@dataclass
class ScanResult:
    index: Index
    clustering: Clustering
    analysis: Analysis
    leads: dict[str, Sequence[dict]]
    seconds: float
    stats: dict[str, Any] = field(default_factory=dict)
    duplicates: list[tuple[int, int, str]] = field(default_factory=list)
    # clusters.csv's text made by a forked process from the end of the scan (ADRs 0115, 0124),
    # taken by write_clusters_csv.
    clusters_csv: PreparedCsv | None = None


def _line_start_after(handle: Any, position: int, size: int) -> int:
    """The start of the first line that starts at or after ``position``."""
    handle.seek(position - 1)
    while True:
        block = handle.read(1 << 16)
        if not block:
            return size
        found = block.find(b"\n")
        if found >= 0:
            return handle.tell() - len(block) + found + 1


def iter_tasks(paths: list[Path], config: ScanConfig, ranges: bool = True) -> Iterator[Task]:
    """The scan's tasks in input order: byte ranges of plain JSON Lines files, which workers
    read themselves, and chunks of lines read here for compressed and CSV files (a range of
    those cannot be found without reading everything before it), or for every file when
    ``ranges`` is false."""
    seq = 0
    for file_index, path in enumerate(paths):
        if not ranges or path.suffix == ".gz" or input_format(path) != "jsonl":
            for chunk in iter_chunks([path], config.chunk_size):
                yield Chunk(seq, file_index, chunk.items, chunk.nbytes)
                seq += 1
            continue
        size = path.stat().st_size
        with open(path, "rb") as handle:
            start = 0
            while start < size:
                stop = min(size, start + max(1, config.task_bytes))
                if stop < size:
                    stop = _line_start_after(handle, stop, size)
                yield FileRange(seq, file_index, str(path.absolute()), start, stop)
                seq += 1
                start = stop


def build_index(
    paths: list[Path], config: ScanConfig, engine: Engine, progress: Progress | None = None
) -> Index:
    index = Index()
    lines_before = [0] * len(paths)
    tasks = iter_tasks(paths, config, ranges=getattr(engine, "reads_files", False))
    for part in engine.map(tasks, config):
        if part.lines >= 0:
            # Results come in input order: the lines of the file's earlier ranges are known.
            base = lines_before[part.file_index]
            part.line_numbers = np.asarray(part.line_numbers) + base  # type: ignore[assignment]
            part.bad = [(f, line + base, reason) for f, line, reason in part.bad]
            lines_before[part.file_index] += part.lines
        index.add(part)
        if progress:
            progress.update(len(part.ids) + len(part.bad), part.nbytes)
    return index


def _reread(paths: list[Path], index: Index, wanted: Iterable[int]) -> dict[int, Any]:
    """Parse again the few ads the report quotes: texts are not kept in the index. JSON Lines
    are read at their byte offset; CSV files are read through once."""
    found: dict[int, Any] = {}
    sequential: dict[tuple[int, int], int] = {}
    by_file: dict[int, list[int]] = {}
    for a in wanted:
        if index.offset[a] >= 0 and paths[index.file_index[a]].suffix != ".gz":
            by_file.setdefault(index.file_index[a], []).append(a)
        else:
            sequential[(index.file_index[a], index.line_number[a])] = a
    for file_index, ads in by_file.items():
        with open(paths[file_index], "rb") as handle:
            for a in sorted(ads, key=index.offset.__getitem__):
                handle.seek(index.offset[a])
                with contextlib.suppress(BadRecord):
                    found[a] = parse_ad(handle.readline())
    for file_index, path in enumerate(paths):
        if not any(f == file_index for f, _ in sequential):
            continue
        for line_number, payload, _, _ in iter_lines(path):
            ad_index = sequential.get((file_index, line_number))
            if ad_index is not None:
                with contextlib.suppress(BadRecord):
                    found[ad_index] = parse_ad(payload)
    return found


_SLOT_LABELS = {token: "{" + token[1:-1].upper() + "}" for token in SLOT_TOKENS}


def template_with_slots(texts: list[str]) -> str:
    """The first text with slot tokens shown as {NAME}, {CITY}, ... and words that differ between
    the samples shown as {…}."""
    if not texts:
        return ""
    first = texts[0].split()
    varying = [False] * len(first)
    for other in texts[1:]:
        other_tokens = set(other.split())
        for i, token in enumerate(first):
            if token not in other_tokens:
                varying[i] = True
    out: list[str] = []
    for token, varies in zip(first, varying, strict=True):
        label = _SLOT_LABELS.get(token) or ("{…}" if varies else token)
        if not (out and label == "{…}" and out[-1] == "{…}"):
            out.append(label)
    return " ".join(out)


def scan(
    paths: list[Path],
    *,
    config: ScanConfig | None = None,
    engine: Engine | None = None,
    progress: Progress | None = None,
    report_clusters: int = 30,
) -> ScanResult:
    config = config or ScanConfig()
    indicators = load_indicators(config.indicators_path)
    started, cpu_started = time.perf_counter(), time.process_time()
    own_engine = engine is None
    engine = engine or InProcessEngine()
    try:
        index = build_index(paths, config, engine, progress)
    finally:
        if own_engine:
            engine.close()
    if progress:
        progress.finish()
    with gc_paused():
        return _analyse(paths, index, config, indicators, (started, cpu_started), report_clusters)


def _attach_persona_links(index: Index, clustering: Clustering, analysis: Analysis) -> None:
    """Each lead cluster lists the persona links that joined its templates, as evidence."""
    by_label = {summary.label: summary for summary in analysis.clusters}
    for link in clustering.persona_links:
        summary = by_label.get(int(clustering.labels[link.left]))
        if summary is not None and not summary.lean:  # lean ones are not described
            summary.persona_links.append(
                {
                    "ads": [index.ids[link.left], index.ids[link.right]],
                    "shared_personas": [
                        f"{index.names.values[name]} ({age})"
                        if age >= 0
                        else index.names.values[name]
                        for name, age in link.personas
                    ],
                    "evidence_beyond_chance": link.evidence,
                }
            )


def _peak_rss_mb() -> int:
    """This process's peak resident memory so far, in MB (0 where the platform has no getrusage)."""
    try:
        import resource  # POSIX only
    except ImportError:
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Kilobytes on Linux, bytes on macOS.
    return round(peak / (1 << 20 if sys.platform == "darwin" else 1 << 10))


def _label_free(
    index: Index, indicators: IndicatorSet
) -> tuple[list[tuple[int, int, str]], LabelFreeFacts]:
    """On a thread beside the cluster phase: the pages of the temporaries freed here are handed
    back, as the thread's arena would keep them through the band loop."""
    found = index.duplicate_ids(), label_free_facts(index, indicators)
    release_free_memory()
    return found


# The cores the cluster phase used (its CPU over its wall time) from which a second process makes
# half of the leads: ~1.4 on a quiet two-core machine at a million ads, ~0.2-0.3 at a load of 10.
SECOND_CORE = 1.2


def _analyse(
    paths: list[Path],
    index: Index,
    config: ScanConfig,
    indicators: IndicatorSet,
    clocks: tuple[float, float],
    report_clusters: int,
) -> ScanResult:
    started, cpu_started = clocks
    timings = {"index": time.perf_counter() - started}
    # This process's CPU per phase: with worker processes, the coordinator's own cost.
    cpu_timings = {"index": time.process_time() - cpu_started}
    peaks = {"index": _peak_rss_mb()}
    mark, cpu_mark = time.perf_counter(), time.process_time()

    def lap(name: str) -> None:
        nonlocal mark, cpu_mark
        now, cpu_now = time.perf_counter(), time.process_time()
        timings[name], cpu_timings[name] = now - mark, cpu_now - cpu_mark
        peaks[name] = _peak_rss_mb()
        mark, cpu_mark = now, cpu_now

    # What does not depend on the clusters (the duplicate ids, the analysis' contacts index
    # and price flags) is made on a thread beside the cluster phase, whose threads leave part of
    # a second core idle, rather than on the critical path before and after it (ADR 0102).
    # Only with threads and the shingles in memory: spilled, the band loop's memory comes first,
    # and the contacts' values go to files before it (ADR 0103).
    beside = (
        ThreadPoolExecutor(1, thread_name_prefix="samen-beside")
        if threads.THREADS > 1 and shingles_in_memory(index)
        else None
    )
    try:
        if beside is None:
            duplicates, facts_before = index.duplicate_ids(), None
            index.settle()
            clustering = cluster(index, config.threshold, config.candidate_threshold)
        else:
            early = beside.submit(_label_free, index, indicators)
            clustering = cluster(index, config.threshold, config.candidate_threshold)
            duplicates, facts_before = early.result()
    finally:
        if beside is not None:
            beside.shutdown()
    lap("cluster")
    # The leads share the work with a forked process (ADR 0094) only when the cluster phase's
    # threads found a second core (its CPU above its wall time): where the cores are taken by
    # other work the child waits for one and the phase takes longer. The leads are the same.
    second_core = cpu_timings["cluster"] / max(timings["cluster"], 1e-9) >= SECOND_CORE
    # So do the analysis' candidates (ADR 0124) and clusters.csv, whose text needs only the
    # labels and the ids (ADR 0115): each in a forked process. Not in a spilled scan (its memory
    # comes first).
    return _after_cluster(
        paths,
        index,
        config,
        indicators,
        clustering,
        duplicates,
        facts_before,
        lap,
        second_core,
        beside is not None and second_core,
        report_clusters,
        started,
        timings,
        cpu_timings,
        peaks,
    )


def _after_cluster(
    paths: list[Path],
    index: Index,
    config: ScanConfig,
    indicators: IndicatorSet,
    clustering: Clustering,
    duplicates: list[tuple[int, int, str]],
    facts_before: LabelFreeFacts | None,
    lap: Callable[[str], None],
    second_core: bool,
    fork_in_memory: bool,
    report_clusters: int,
    started: float,
    timings: dict[str, float],
    cpu_timings: dict[str, float],
    peaks: dict[str, int],
) -> ScanResult:
    # Half of the candidates described by a forked process, on the second core (ADR 0124).
    processes = ANALYSIS_PROCESSES if fork_in_memory else 1
    analysis = analyse(index, clustering, indicators, facts_before, processes=processes)
    _attach_persona_links(index, clustering, analysis)
    lap("analyse")
    leads_from = lead_clusters(analysis, indicators)
    samples = {s.label: s.ads[:5] for s in analysis.clusters[:report_clusters]}
    ads = _reread(paths, index, {a for ads in samples.values() for a in ads})
    lap("reread")
    for summary in analysis.clusters[:report_clusters]:
        texts = [
            extract(ads[a].title, ads[a].text).normalised
            for a in samples[summary.label]
            if a in ads
        ]
        summary.template = template_with_slots(texts)
    leads = build_leads(index, analysis, indicators, processes=None if second_core else 1)
    evidence = {}
    for summary in analysis.clusters[:report_clusters]:
        quotes = []
        for a in samples[summary.label]:
            if a in ads:
                text = f"{ads[a].title}\n{ads[a].text}"
                quotes.append(
                    {
                        "ad_id": index.ids[a],
                        "url": ads[a].url,
                        "text": text,
                        "hits": [asdict(h) for h in indicators.hits(text)],
                    }
                )
        evidence[summary.id] = quotes
    lap("leads")
    # clusters.csv's text is written by a forked process from here, beside the outputs that
    # follow (ADR 0115): started beside the analysis, it took the second core from the
    # analysis' own child (ADR 0124). Not for a small scan (the fork would cost more than the
    # text).
    prepared = (
        PreparedCsv.start(index, clustering.labels)
        if fork_in_memory and len(index) >= CSV_FORK_MIN_ADS
        else None
    )
    bands, rows = lsh_params(config.threshold, config.num_perm)
    seconds = time.perf_counter() - started
    stats = {
        "ads": len(index),
        "bad_lines": len(index.bad),
        "duplicate_ids": len(duplicates),
        "clusters": analysis.cluster_count,
        "clusters_with_two_or_more_ads": analysis.multi_ad_clusters,
        "lead_clusters": len(leads_from),
        "template_edges": clustering.template_edge_count,
        "persona_links": len(clustering.persona_links),
        # Contacts that would have joined many otherwise identified advertisers: not used.
        "hub_contacts": [
            {"contact": index.contacts.values[c], "ads": ads, "groups_joined": groups}
            for c, ads, groups in clustering.hub_contacts[:50]
        ],
        "contact_edges": clustering.contact_edge_count,
        "seconds": round(seconds, 2),
        "ads_per_second": round(len(index) / seconds) if seconds else 0,
        "phase_seconds": {name: round(value, 2) for name, value in timings.items()},
        "phase_cpu_seconds": {name: round(value, 2) for name, value in cpu_timings.items()},
        # This process's peak resident memory by the end of each phase: where memory grows.
        "peak_rss_mb_after_phase": peaks,
        "lsh": {
            "num_perm": config.num_perm,
            "threshold": config.threshold,
            "bands": bands,
            "rows": rows,
            "shingle_size": config.shingle_size,
        },
        "indicator_set_version": indicators.version,
        "engine_version": ENGINE_VERSION,
        "price_medians": {k: round(v, 1) for k, v in sorted(analysis.price_medians.items())},
        "evidence": evidence,
    }
    return ScanResult(index, clustering, analysis, leads, seconds, stats, duplicates, prepared)


def write_clusters_csv(result: ScanResult, path: Path) -> None:
    prepared = result.clusters_csv
    result.clusters_csv = None
    if prepared is not None and prepared.copy_to(path):
        return
    with open(path, "w", encoding="utf-8", newline="") as handle:
        _clusters_rows(result.index, result.clustering.labels, handle)


def _clusters_rows(index: Index, labels: np.ndarray, handle: TextIO) -> None:
    """clusters.csv's text, written to ``handle`` (opened with ``newline=""``)."""
    SafeWriter(handle).writerow(["ad_id", "cluster_id"])
    # The cells as SafeWriter writes them: cluster names ("c0000001") never start a
    # formula, so only the ids pass the check, a block at a time, and rows go to
    # csv.writer at once.
    writer = csv.writer(handle)
    # Labels as Python ints a block at a time: a list of all would cost 40 bytes an ad.
    ids = iter(index.ids)
    for first in range(0, len(labels), 65_536):
        block = labels[first : first + 65_536].tolist()
        cells = list(islice(ids, len(block)))
        names = list(map(_CLUSTER_NAME, block))
        text = _plain_rows(cells, names)
        if text is None:
            writer.writerows(zip(safe_column(cells), names, strict=True))
        else:
            handle.write(text)


# Ads from which clusters.csv is written by a forked process beside the outputs: below, the
# fork of a large process and the copy cost more than the ~1 µs an ad it takes off.
CSV_FORK_MIN_ADS = 50_000


class PreparedCsv:
    """clusters.csv's text written by a forked process into an anonymous temporary file while
    this one writes the other outputs (ADRs 0115, 0124): the labels are final when the cluster
    phase ends, and the ids are read from their file, so the text needs nothing the analysis
    makes. ``copy_to`` waits for the process and copies the text; when it failed, or where
    ``fork`` is unavailable, ``write_clusters_csv`` writes the file itself, the same bytes."""

    def __init__(self, child: ForkedChild, handle: IO[bytes]) -> None:
        self.child = child
        self.handle = handle
        # A scan whose outputs are never written: its process is ended and reaped, and the
        # file closed, when the result is collected.
        self._finalizer = weakref.finalize(self, PreparedCsv._discard, child, handle)

    @property
    def pid(self) -> int | None:
        return self.child.pid

    @classmethod
    def start(cls, index: Index, labels: np.ndarray) -> PreparedCsv | None:
        if not can_fork():
            return None
        handle = tempfile.TemporaryFile(prefix="samen-online-clusters-")  # noqa: SIM115

        def write() -> bytes:
            with open(handle.fileno(), "w", encoding="utf-8", newline="", closefd=False) as out:
                _clusters_rows(index, labels, out)
            return b""

        child = ForkedChild.start(write)
        if child is None:
            handle.close()
            return None
        return cls(child, handle)

    @staticmethod
    def _discard(child: ForkedChild, handle: IO[bytes]) -> None:
        child.cancel()
        handle.close()

    def copy_to(self, path: Path) -> bool:
        """Copy the text to ``path`` once the process is done; False (and nothing written) when
        it failed."""
        try:
            if self.child.result() is None:
                return False
            self.handle.seek(0)
            with open(path, "wb") as out:
                shutil.copyfileobj(self.handle, out, 1 << 22)
            return True
        finally:
            self.close()

    def close(self) -> None:
        self.child.cancel()
        self._finalizer.detach()
        self.handle.close()


# cluster_name as a bound method: the same text, without a Python call a row.
_CLUSTER_NAME = "c{:07d}".format
# What makes csv.writer (the excel dialect, minimal quoting) quote a cell.
_QUOTED = (",", '"', "\r", "\n")


def _plain_rows(cells: list[str], names: list[str]) -> str | None:
    """The rows ``csv.writer`` writes for (cell, name) pairs when no cell needs quoting and no
    cell starts a formula (so ``safe_column`` leaves them as they are), joined at once by a few
    scans of the block's text; None when a cell does (csv.writer then writes the block after
    ``safe_column``). Names are cluster names, which never need either."""
    try:
        joined = "".join(cells)
    except TypeError:  # not all text
        return None
    if any(mark in joined for mark in _QUOTED):
        return None
    # No cell holds a line break now: a cell starts with p exactly where "\n" + p occurs.
    lines = "\n" + "\n".join(cells)
    if any("\n" + start in lines for start in FORMULA_STARTS):
        return None
    if not cells:
        return ""
    return "\r\n".join(map(",".join, zip(cells, names, strict=True))) + "\r\n"


def write_bad_lines(result: ScanResult, paths: list[Path], path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = SafeWriter(handle)
        writer.writerow(["file", "line", "reason"])
        problems = sorted(result.index.bad + result.duplicates)
        writer.writerows((str(paths[f]), line, reason) for f, line, reason in problems)


def _evidence(quotes: list[dict]) -> list[dict]:
    """Sample ads with their indicator hits: the span (in the lower-cased title + "\\n" + text)
    and the words found, without the rest of the text."""
    return [{"ad_id": q["ad_id"], "url": q["url"], "hits": q["hits"]} for q in quotes]


def leads_document(result: ScanResult, indicators: IndicatorSet, max_clusters: int = 500) -> dict:
    evidence = result.stats.get("evidence", {})
    stats = {k: v for k, v in result.stats.items() if k != "evidence"}
    return {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "notice": "Leads are hypotheses from public ads for a person to check; not findings.",
        "stats": stats,
        "indicators": [
            {"id": i.id, "label": i.label, "kind": i.kind, "weight": i.weight}
            for i in indicators.indicators
        ],
        "clusters": [
            {**s.as_dict(), "evidence": _evidence(evidence.get(s.id, []))}
            for s in result.analysis.clusters[:max_clusters]
            if s.score >= indicators.lead_threshold
        ],
        **result.leads,
    }


def write_outputs(
    result: ScanResult, paths: list[Path], out_dir: Path, config: ScanConfig | None = None
) -> dict[str, Path]:
    config = config or ScanConfig()
    indicators = load_indicators(config.indicators_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    # As for the analysis (scan): the cyclic collector would walk every live object (the leads,
    # 140,000 of them at a million ads, and the index) again and again for nothing; measured,
    # 0.6 of 2.9 CPU-s of the outputs at a million ads (ADR 0076).
    with gc_paused():
        return _write_outputs(result, paths, out_dir, indicators)


def _write_outputs(
    result: ScanResult, paths: list[Path], out_dir: Path, indicators: IndicatorSet
) -> dict[str, Path]:
    files = {
        "clusters": out_dir / "clusters.csv",
        "leads": out_dir / "leads.json",
        "report": out_dir / "report.html",
        "bad_lines": out_dir / "bad_lines.csv",
    }
    document = leads_document(result, indicators)
    # Streamed to the file (the document as one string would double its memory), as
    # json.dump(document, handle, ensure_ascii=False, indent=1) writes it, faster; the leads'
    # text copied as the bytes it is kept as where a text file writes line breaks as they are.
    if os.linesep == "\n":
        with open(files["leads"], "wb") as raw:
            dump_indented_utf8(document, raw)
    else:
        with open(files["leads"], "w", encoding="utf-8") as handle:
            dump_indented(document, handle)
    files["report"].write_text(render_report(result, document, indicators), "utf-8")
    write_bad_lines(result, paths, files["bad_lines"])
    # Last: its forked process, started when the scan ended, wrote the text meanwhile (ADR 0124).
    write_clusters_csv(result, files["clusters"])
    return files


def run_scan(
    paths: list[Path],
    out_dir: Path,
    *,
    workers: int = 1,
    engine: str = "local",
    config: ScanConfig | None = None,
    progress_stream: TextIO | None = None,
    **engine_options: Any,
) -> ScanResult:
    config = config or ScanConfig()
    progress = Progress(total_bytes(paths), progress_stream)
    runner = make_engine(engine, workers, **engine_options)
    try:
        result = scan(paths, config=config, engine=runner, progress=progress)
    finally:
        runner.close()
    write_outputs(result, paths, out_dir, config)
    return result


def labels_of(result: ScanResult) -> dict[str, str]:
    """ad_id -> cluster_id, as written to clusters.csv."""
    return dict(
        zip(
            result.index.ids,
            map(cluster_name, np.asarray(result.clustering.labels).tolist()),
            strict=True,
        )
    )
