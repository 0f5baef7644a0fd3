"""Replications summarised: each figure as the mean over replications with a 95% confidence
interval (Student's t), and a scenario against its baseline as paired differences (the same
seeds give the same people, so the pairing removes most of the noise)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from samen.capacity.engine.sim import RunResult

PERCENTILES = (50, 75, 90, 95)


@dataclass(frozen=True)
class Estimate:
    mean: float
    low: float
    high: float
    n: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Estimate:
        arr = np.asarray([v for v in values if not math.isnan(v)], dtype=float)
        if len(arr) == 0:
            return cls(math.nan, math.nan, math.nan, 0)
        mean = float(arr.mean())
        if len(arr) < 2:
            return cls(mean, mean, mean, 1)
        half = float(stats.t.ppf(0.975, len(arr) - 1) * arr.std(ddof=1) / math.sqrt(len(arr)))
        return cls(mean, mean - half, mean + half, len(arr))


def wait_percentile(result: RunResult, q: float) -> float:
    return float(np.percentile(result.waits, q)) if len(result.waits) else math.nan


def mean_wait(result: RunResult) -> float:
    return float(result.waits.mean()) if len(result.waits) else math.nan


def occupied_total(result: RunResult) -> float:
    return float(sum(result.occupied.values()))


METRICS: dict[str, Callable[[RunResult], float]] = {
    **{f"wait_p{q}": (lambda r, q=q: wait_percentile(r, q)) for q in PERCENTILES},
    "wait_mean": mean_wait,
    "overflow_days": lambda r: float(r.overflow_days),
    "first_reception_full_days": lambda r: float(r.first_reception_full_days),
    "occupied_beds": occupied_total,
    "still_waiting": lambda r: float(r.waiting),
    "arrivals": lambda r: float(r.arrivals),
}


def summarise(results: Sequence[RunResult]) -> dict[str, Estimate]:
    return {name: Estimate.of([f(r) for r in results]) for name, f in METRICS.items()}


def compare(base: Sequence[RunResult], scenario: Sequence[RunResult]) -> dict[str, Estimate]:
    """Scenario minus baseline, replication by replication."""
    return {
        name: Estimate.of([f(s) - f(b) for b, s in zip(base, scenario, strict=True)])
        for name, f in METRICS.items()
    }


def occupancy_by(
    results: Sequence[RunResult], key_of: Mapping[int, tuple[str, str]]
) -> dict[tuple[str, str], tuple[Estimate, float]]:
    """Mean beds occupied and beds per (region, place type): the estimate of occupied beds and
    the beds there (the scenario's)."""
    keys = sorted({key_of[u] for r in results for u in r.beds})
    out = {}
    for key in keys:
        units = [u for u in key_of if key_of[u] == key]
        occupied = [sum(r.occupied.get(u, 0.0) for u in units) for r in results]
        beds = float(np.mean([sum(r.beds.get(u, 0) for u in units) for r in results]))
        out[key] = (Estimate.of(occupied), beds)
    return out
