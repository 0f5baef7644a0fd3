"""Benchmark of the online-signals engine: throughput, peak memory and cluster quality.

    .venv/bin/python benchmarks/online_scan.py                 # 100,000 ads, --workers 2
    .venv/bin/python benchmarks/online_scan.py --million       # also 1,000,000 ads
    .venv/bin/python benchmarks/online_scan.py --workers 1,2 --engine local,dask
    .venv/bin/python benchmarks/online_scan.py --ads 50000 --corpus synth,heldout

Synthetic ads (with ground truth) are generated once into --cache. Each scan runs in a fresh
subprocess so that its peak memory is its own: the coordinator's peak RSS and the largest worker's
are reported separately, and the peak PSS summed over all the scan's processes (the coordinator,
its workers and the leads' forked helper; sampled every half second by this process until the
scan is over, before the evaluation): what "fits in 2 GB" is measured by. Throughput is
wall-clock ads/s from the first byte read to clusters and leads in memory ("scan"), and including
writing clusters.csv, leads.json and report.html ("end to end"). CPU seconds are reported too:
on a shared machine they show what the engine costs
when other processes take part of the cores, split into the worker processes' and this
process's (per ad, and this process's by phase: with one worker it does the extraction too). The
aim (issue 7): ≥ 14,000 ads/s with 2 workers, at
pairwise precision ≥ 0.84; issue 18 asks ≥ 40,000 ads/s with 2 workers in under 2 GB.

The same run prints the floor: the time to read the file and parse every line as JSON in one
process, nothing else. Each scan also reports how long importing the engine took, and a digest
of its cluster labels, so that engines and worker counts can be seen to give identical clusters.
The last line starts with RESULT.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

_IMPORT_STARTED = time.perf_counter()
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from samen.online.engine import ScanConfig, compare, make_engine, scan, write_outputs  # noqa: E402
from samen.online.engine.evaluate import read_labels  # noqa: E402
from samen.online.engine.heldout import write_heldout  # noqa: E402
from samen.online.engine.runner import iter_tasks, labels_of  # noqa: E402
from samen.online.engine.synth import write_synthetic  # noqa: E402

_IMPORT_SECONDS = time.perf_counter() - _IMPORT_STARTED
# CPU time of this process so far: the interpreter's start and the imports, whatever the load.
_START_CPU_SECONDS = time.process_time()


def floor(path: Path) -> dict:
    """Read the file and parse each line as JSON, nothing more: what no scan can beat."""
    cpu_before, started = time.process_time(), time.perf_counter()
    lines = 0
    with open(path, "rb") as handle:
        for line in handle:
            json.loads(line)
            lines += 1
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_before
    return {
        "lines": lines,
        "seconds": round(seconds, 2),
        "ads_per_s": round(lines / seconds),
        "ads_per_cpu_s": round(lines / cpu) if cpu else 0,
    }


CORPORA = ("synth", "heldout", "heldout-textonly")


def _ensure_input(ads: int, seed: int, cache: Path, corpus: str = "synth") -> tuple[Path, Path]:
    """The input and its truth: ``online synth``'s ads, or the held-out generator's (issue 18:
    written apart from the engine), with contacts or text only."""
    cache.mkdir(parents=True, exist_ok=True)
    if corpus != "synth":
        full = cache / f"heldout-{ads}-seed{seed}.jsonl"
        path = (
            full.with_name(full.stem + ".textonly.jsonl") if corpus.endswith("textonly") else full
        )
        truth = full.with_name(full.stem + ".truth.csv")
        if not (path.exists() and truth.exists()):
            started = time.perf_counter()
            write_heldout(ads, seed, full)
            print(
                f"generated {ads:,} held-out ads in {time.perf_counter() - started:.1f}s -> {path}",
                file=sys.stderr,
            )
        return path, truth
    path = cache / f"ads-{ads}-seed{seed}.jsonl"
    truth = cache / f"ads-{ads}-seed{seed}.truth.csv"
    if not (path.exists() and truth.exists()):
        started = time.perf_counter()
        write_synthetic(ads, seed, path, truth)
        print(
            f"generated {ads:,} ads in {time.perf_counter() - started:.1f}s -> {path}",
            file=sys.stderr,
        )
    return path, truth


def _child(args: argparse.Namespace) -> None:
    """One scan, measured from inside the process that runs it."""
    path, truth = Path(args.input), Path(args.truth)
    config = ScanConfig()
    cpu_before = os.times()
    started = time.perf_counter()
    engine = make_engine(args.engine, args.workers)
    engine_start = time.perf_counter() - started
    # The engine's fixed cost in this process (for Dask: importing distributed, starting the
    # scheduler and the nannies), apart from what the scan costs per ad.
    engine_start_cpu = sum(t - b for t, b in zip(os.times()[:2], cpu_before[:2], strict=True))
    try:
        result = scan([path], config=config, engine=engine)
    finally:
        engine.close()
    scanned = time.perf_counter() - started
    write_outputs(result, [path], Path(args.out), config)
    end_to_end = time.perf_counter() - started
    cpu_after = os.times()
    # The scan's own peak (ru_maxrss is in KiB on Linux), before the evaluation below reads
    # the truth and the labels into dictionaries, which are the benchmark's, not the scan's.
    peak_scan = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    _scan_over(args)
    cpu = sum(cpu_after[i] - cpu_before[i] for i in range(4))
    # This process (reading, the index, clustering, leads, outputs; with one worker also the
    # extraction) and its worker processes (counted once they have ended: after close()).
    own_cpu = sum(cpu_after[i] - cpu_before[i] for i in range(2))
    workers_cpu = cpu - own_cpu
    labels = labels_of(result)
    quality = compare(read_labels(truth, "ad_id", "operator_id"), labels)
    # Lead quality: are the lead clusters exploitative operators, and how many exploitative ads
    # do they cover? (The truth marks clubs and independents as not exploitative.)
    exploitative = read_labels(truth, "ad_id", "is_exploitative")
    ids = result.index.ids
    leads = result.analysis.clusters
    mostly = sum(sum(exploitative[ids[a]] == "1" for a in s.ads) * 2 > len(s.ads) for s in leads)
    in_leads = sum(exploitative[ids[a]] == "1" for s in leads for a in s.ads)
    total_exploitative = sum(v == "1" for v in exploitative.values())
    ads = len(result.index)
    digest = hashlib.sha256("\n".join(f"{k},{v}" for k, v in labels.items()).encode()).hexdigest()
    print(
        json.dumps(
            {
                "ads": ads,
                "bad_lines": len(result.index.bad),
                "scan_seconds": round(scanned, 2),
                "end_to_end_seconds": round(end_to_end, 2),
                "ads_per_s": round(ads / scanned),
                "ads_per_s_end_to_end": round(ads / end_to_end),
                "cpu_seconds": round(cpu, 2),
                "ads_per_cpu_s": round(ads / cpu) if cpu else 0,
                "coordinator_cpu_us_per_ad": round(own_cpu / ads * 1e6, 1) if ads else 0,
                "workers_cpu_us_per_ad": round(workers_cpu / ads * 1e6, 1) if ads else 0,
                "phase_cpu_us_per_ad": {
                    name: round(value / ads * 1e6, 1) if ads else 0
                    for name, value in result.stats.get("phase_cpu_seconds", {}).items()
                },
                "peak_rss_mb_coordinator": round(peak_scan),
                "peak_rss_mb_largest_worker": round(peak_workers),
                "import_seconds": round(_IMPORT_SECONDS, 2),
                "start_cpu_seconds": round(_START_CPU_SECONDS, 2),
                "engine_start_seconds": round(engine_start, 2),
                "engine_start_cpu_seconds": round(engine_start_cpu, 2),
                "phase_seconds": result.stats["phase_seconds"],
                "peak_rss_mb_after_phase": result.stats["peak_rss_mb_after_phase"],
                "labels_sha256": digest[:16],
                "clusters": result.stats["clusters"],
                "lead_clusters": result.stats["lead_clusters"],
                "lead_clusters_mostly_exploitative": round(mostly / len(leads), 4) if leads else 0,
                "exploitative_ads_in_lead_clusters": round(in_leads / total_exploitative, 4)
                if total_exploitative
                else 0,
                **quality.as_dict(),
            }
        )
    )


class _Replicas:
    """An engine that yields ``copies`` isomorphic copies of the chunk results of one input,
    for measuring the coordinator's memory at sizes whose extraction this machine cannot
    afford: copy r renames ids, contacts and persona names with "~r" and XORs shingles and
    signatures with a constant of its own, so that each copy clusters like the original and
    no two copies join. The coordinator (index, clustering, analysis, outputs) does all its
    work on every ad; only the workers' extraction is done once."""

    reads_files = True

    def __init__(self, parts: list, copies: int) -> None:
        self.parts, self.copies = parts, copies

    def map(self, chunks, config):  # the input's chunks were processed already
        for _ in chunks:
            pass
        for copy in range(self.copies):
            mask = np.uint32((copy * 0x9E3779B1) & 0xFFFFFFFF)
            for part in self.parts:
                yield self._copy(part, copy, mask)

    @staticmethod
    def _copy(part, copy: int, mask: np.uint32):
        if not copy:
            return dataclasses.replace(part)
        signatures = part.signatures ^ mask
        signatures[~part.signatures.any(axis=1)] = 0  # short texts stay unusable
        counts = part.shingle_counts.astype(np.int64)
        owner = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
        keys = np.sort(owner << 32 | (part.shingles ^ mask).astype(np.int64))
        suffix = f"~{copy}"
        return dataclasses.replace(
            part,
            ids=[i + suffix for i in part.ids],
            names=[n + suffix if n else n for n in part.names],
            contacts=[c + suffix for c in part.contacts],
            signatures=signatures,
            shingles=(keys & 0xFFFFFFFF).astype(np.uint32),
            bad=list(part.bad),
        )

    def close(self) -> None:
        pass


def _descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (its workers, the leads' forked helper), from
    ``/proc/<pid>/task/<tid>/children``; the processes that ended meanwhile are left out."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    todo.extend(int(child) for child in handle.read().split())
            except OSError:
                continue
    return found


def _pss_kib(pid: int) -> int:
    """The proportional set size of one process (KiB): its private pages plus its share of the
    pages it shares (with forked workers), so that a sum over processes counts each page once."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


# How often the scan's processes are sampled: a temporary that lives for less than this can be
# missed, so the sampled PSS is a lower bound of the true peak (ru_maxrss is exact, per process).
PSS_INTERVAL = 0.5


def _run_sampled(command: list[str], done: Path) -> tuple[subprocess.CompletedProcess, float]:
    """Run ``command``; sample the PSS summed over it and all its descendants until it creates
    ``done`` (the scan is over: what follows is the benchmark's own evaluation) or exits.
    Returns the completed process and the highest sum in MB. Linux only (0 elsewhere)."""
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        peak = 0
        sampling = os.path.isdir("/proc")
        while process.poll() is None and sampling and not done.exists():
            peak = max(peak, sum(_pss_kib(pid) for pid in _descendants(process.pid)))
            time.sleep(PSS_INTERVAL)
        stdout, stderr = process.communicate()
    completed = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    done.unlink(missing_ok=True)
    if completed.returncode:
        sys.stderr.write(stderr)
        completed.check_returncode()
    return completed, peak / 1024


def _scan_over(args: argparse.Namespace) -> None:
    """Tell the parent's PSS sampler that the scan is over (see ``_run_sampled``)."""
    if args.done:
        Path(args.done).touch()


def _replicated_child(args: argparse.Namespace) -> None:
    """The coordinator alone on ``--replicate`` copies of the input: peak memory and CPU."""
    path = Path(args.input)
    config = ScanConfig()
    local = make_engine("local", 1)
    parts = list(local.map(iter_tasks([path], config), config))
    engine = _Replicas(parts, int(args.replicate))
    cpu_before, started = time.process_time(), time.perf_counter()
    result = scan([path], config=config, engine=engine)
    write_outputs(result, [path], Path(args.out), config)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_before
    # The scan's own peak, before the digest below builds a dictionary of every id (the
    # benchmark's, not the scan's: ~200 bytes an ad).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    _scan_over(args)
    labels = labels_of(result)
    digest = hashlib.sha256("\n".join(f"{k},{v}" for k, v in labels.items()).encode())
    print(
        json.dumps(
            {
                "ads": len(result.index),
                "copies": int(args.replicate),
                "coordinator_seconds": round(seconds, 2),
                "coordinator_cpu_seconds": round(cpu, 2),
                "peak_rss_mb_coordinator": round(peak),
                "phase_seconds": result.stats["phase_seconds"],
                "phase_cpu_seconds": result.stats.get("phase_cpu_seconds", {}),
                "peak_rss_mb_after_phase": result.stats["peak_rss_mb_after_phase"],
                "clusters": result.stats["clusters"],
                "labels_sha256": digest.hexdigest()[:16],
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ads", default="100000", help="sizes, comma-separated: 1000000,2000000")
    parser.add_argument("--million", action="store_true", help="also run 1,000,000 ads")
    parser.add_argument("--workers", default="2", help="worker counts, comma-separated: 1,2")
    parser.add_argument("--engine", default="local", help="engines, comma-separated: local,dask")
    parser.add_argument(
        "--corpus",
        default="synth",
        help="inputs, comma-separated: synth (online synth), heldout (the held-out generator, "
        "with contacts), heldout-textonly",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "samen-online-bench"
    )
    parser.add_argument(
        "--replicate",
        default="",
        help="coordinator only: scan N isomorphic copies of the --ads input (memory at N times "
        "the size without N times the extraction); comma-separated: 10,20,40",
    )
    parser.add_argument(
        "--in-memory-cap",
        type=int,
        default=-1,
        help="MB of shingle runs the clustering weighs and verifies in memory (cluster."
        "IN_MEMORY_RECORDS); 0 forces the spilled path. Default: the engine's own",
    )
    # Internal: run one measured scan in this process.
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--truth", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--done", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        args.workers = int(args.workers)
        if args.in_memory_cap >= 0:
            from samen.online.engine import cluster as cluster_module

            cluster_module.IN_MEMORY_RECORDS = args.in_memory_cap << 20
        if args.replicate:
            _replicated_child(args)
        else:
            _child(args)
        return
    if args.replicate:
        for ads in [int(a) for a in args.ads.split(",") if a]:
            path, truth = _ensure_input(ads, args.seed, args.cache)
            for copies in [int(c) for c in args.replicate.split(",") if c]:
                _run_replicas(args, path, truth, ads, copies)
        return

    engines = [e for e in args.engine.split(",") if e]
    if not set(engines) <= {"local", "dask"}:
        parser.error("--engine: use local, dask or local,dask")
    worker_counts = [int(w) for w in args.workers.split(",") if w]
    corpora = [c for c in args.corpus.split(",") if c]
    if not set(corpora) <= set(CORPORA):
        parser.error(f"--corpus: use {', '.join(CORPORA)}")
    sizes = [int(a) for a in args.ads.split(",") if a]
    sizes += [1_000_000] if args.million and 1_000_000 not in sizes else []
    results = []
    for ads, corpus in ((ads, corpus) for ads in sizes for corpus in corpora):
        path, truth = _ensure_input(ads, args.seed, args.cache, corpus)
        base = floor(path)
        print(
            f"{ads:>9,} {corpus} ads, floor (read and parse JSON only, one process): "
            f"{base['ads_per_s']:,} ads/s ({base['seconds']}s), "
            f"{base['ads_per_cpu_s']:,} ads per CPU-second",
            flush=True,
        )
        for engine in engines:
            for workers in worker_counts:
                figures = _run_child(args, path, truth, ads, engine, workers)
                figures["corpus"] = corpus
                figures["floor_ads_per_s"] = base["ads_per_s"]
                figures["floor_ads_per_cpu_s"] = base["ads_per_cpu_s"]
                results.append(figures)
    print(
        "RESULT "
        + " ".join(
            f"[{r['ads']} {r['corpus']} {r['engine']} w{r['workers']}] ads_per_s={r['ads_per_s']} "
            f"ads_per_s_end_to_end={r['ads_per_s_end_to_end']} "
            f"ads_per_cpu_s={r['ads_per_cpu_s']} "
            f"cpu_us_per_ad={r['workers_cpu_us_per_ad']}+{r['coordinator_cpu_us_per_ad']} "
            f"peak_rss_mb={r['peak_rss_mb_coordinator']}"
            f"+{r['peak_rss_mb_largest_worker']} "
            f"peak_pss_mb={r['peak_pss_mb_all_processes']} "
            f"precision={r['pairwise_precision']} "
            f"recall={r['pairwise_recall']} f1={r['pairwise_f1']} ari={r['ari']} "
            f"lead_precision={r['lead_clusters_mostly_exploitative']} "
            f"labels={r['labels_sha256']} floor_ads_per_s={r['floor_ads_per_s']} "
            f"load={r['load_average_before']}/{r['load_average_after']}"
            for r in results
        )
    )


def _run_replicas(args: argparse.Namespace, path: Path, truth: Path, ads: int, copies: int) -> None:
    done = args.cache / f".scan-over-{os.getpid()}"
    completed, pss = _run_sampled(
        [
            sys.executable,
            __file__,
            "--child",
            "--in-memory-cap",
            str(args.in_memory_cap),
            "--replicate",
            str(copies),
            "--input",
            str(path),
            "--truth",
            str(truth),
            "--out",
            str(args.cache / f"out-{ads}x{copies}"),
            "--done",
            str(done),
        ],
        done,
    )
    figures = json.loads(completed.stdout.strip().splitlines()[-1])
    figures["peak_pss_mb_all_processes"] = round(pss)
    print(
        f"{figures['ads']:>11,} ads ({copies} copies of {ads:,}), coordinator only: "
        f"{figures['coordinator_cpu_seconds']} CPU-s ({figures['coordinator_seconds']}s); "
        f"peak RSS {figures['peak_rss_mb_coordinator']} MB; "
        f"peak PSS of all its processes {figures['peak_pss_mb_all_processes']} MB; "
        f"after each phase {figures['peak_rss_mb_after_phase']}; "
        f"phases {figures['phase_seconds']}, CPU {figures['phase_cpu_seconds']}; "
        f"labels {figures['labels_sha256']}",
        flush=True,
    )


def _run_child(
    args: argparse.Namespace, path: Path, truth: Path, ads: int, engine: str, workers: int
) -> dict:
    load = os.getloadavg()[0]
    done = args.cache / f".scan-over-{os.getpid()}"
    completed, pss = _run_sampled(
        [
            sys.executable,
            __file__,
            "--child",
            "--in-memory-cap",
            str(args.in_memory_cap),
            "--input",
            str(path),
            "--truth",
            str(truth),
            "--out",
            str(args.cache / f"out-{ads}-{engine}-{workers}"),
            "--workers",
            str(workers),
            "--engine",
            engine,
            "--done",
            str(done),
        ],
        done,
    )
    figures = json.loads(completed.stdout.strip().splitlines()[-1])
    figures["peak_pss_mb_all_processes"] = round(pss)
    figures.update(engine=engine, workers=workers, load_average_before=round(load, 2))
    # The machine is shared: the load average after, and ads per CPU-second (what the scan
    # costs, whatever share of the cores it got), say how far the wall-clock rate is from
    # the engine's own.
    figures["load_average_after"] = round(os.getloadavg()[0], 2)
    print(
        f"{ads:>9,} {path.name}, {engine} engine, {workers} workers: "
        f"{figures['ads_per_s']:,} ads/s scan ({figures['scan_seconds']}s), "
        f"{figures['ads_per_s_end_to_end']:,} ads/s with outputs, "
        f"{figures['cpu_seconds']} CPU-s = {figures['ads_per_cpu_s']:,} ads per CPU-second "
        f"(µs of CPU an ad: workers {figures['workers_cpu_us_per_ad']}, this process "
        f"{figures['coordinator_cpu_us_per_ad']}; this process by phase "
        f"{figures['phase_cpu_us_per_ad']}); "
        f"start-up {figures['start_cpu_seconds']} CPU-s (imports {figures['import_seconds']}s "
        f"wall), engine start {figures['engine_start_seconds']}s "
        f"({figures['engine_start_cpu_seconds']} CPU-s here); "
        f"phases {figures['phase_seconds']}; "
        f"peak RSS MB after each phase {figures['peak_rss_mb_after_phase']}; "
        f"peak RSS {figures['peak_rss_mb_coordinator']} MB coordinator, "
        f"{figures['peak_rss_mb_largest_worker']} MB largest worker; "
        f"peak PSS {figures['peak_pss_mb_all_processes']} MB summed over all the scan's "
        f"processes; "
        f"precision {figures['pairwise_precision']}, recall {figures['pairwise_recall']}, "
        f"F1 {figures['pairwise_f1']}, ARI {figures['ari']}; labels {figures['labels_sha256']}; "
        f"{figures['lead_clusters']:,} lead clusters, "
        f"{figures['lead_clusters_mostly_exploitative']:.1%} of them mostly exploitative, "
        f"covering {figures['exploitative_ads_in_lead_clusters']:.1%} of exploitative ads "
        f"(load average before {figures['load_average_before']}, "
        f"after {figures['load_average_after']})",
        flush=True,
    )
    return figures


if __name__ == "__main__":
    main()
