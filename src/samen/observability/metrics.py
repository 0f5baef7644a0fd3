"""Prometheus metrics: request latency, job runs and failures, the audit chain's length.

Jobs report through `job_run` (a context manager) or `job_record`, so the worker needs no
Prometheus knowledge. With several processes (gunicorn workers, the job worker) set
PROMETHEUS_MULTIPROC_DIR to one directory shared by all of them (emptied at deploy): the
/metrics page then adds up what every process counted, the dead ones' counts included; a dead
process's live gauges are dropped (gunicorn's child_exit, samen/conf/gunicorn.py)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

REQUEST_LATENCY = Histogram(
    "samen_http_request_duration_seconds",
    "Time from request to response, by URL pattern (never the path itself), method and status.",
    ["route", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
# Requests being served now, summed over the living processes only: a worker that died in the
# middle of a request must not count forever (gunicorn's child_exit marks it dead).
IN_PROGRESS = Gauge(
    "samen_http_requests_in_progress",
    "Requests being served now, over all web processes.",
    multiprocess_mode="livesum",
)
JOB_RUNS = Counter("samen_job_runs", "Runs of a scheduled job (success or failure).", ["job"])
JOB_FAILURES = Counter("samen_job_failures", "Runs of a scheduled job that failed.", ["job"])
JOB_DURATION = Histogram(
    "samen_job_duration_seconds",
    "How long a job run took.",
    ["job"],
    buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600),
)


def job_record(job: str, *, ok: bool, seconds: float) -> None:
    """Count one finished run of `job` (a short fixed name, e.g. "reminders")."""
    JOB_RUNS.labels(job=job).inc()
    if not ok:
        JOB_FAILURES.labels(job=job).inc()
    JOB_DURATION.labels(job=job).observe(seconds)


@contextmanager
def job_run(job: str) -> Iterator[None]:
    """Time and count the block as one run of `job`; an exception counts as a failure and is
    raised on."""
    started = time.monotonic()
    ok = False
    try:
        yield
        ok = True
    finally:
        job_record(job, ok=ok, seconds=time.monotonic() - started)


class AuditChainCollector(Collector):
    """The audit chain's length (its head's sequence number), read when scraped."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        # Imported here: models load only once the app registry is ready (metrics are not).
        from samen.core.models import AuditChainHead

        head = AuditChainHead.objects.filter(id=1).values_list("seq", flat=True).first()
        gauge = GaugeMetricFamily(
            "samen_audit_chain_length", "Entries in the audit trail's hash chain."
        )
        gauge.add_metric([], head or 0)
        yield gauge


def exposition() -> tuple[bytes, str]:
    """The text the /metrics page serves, and its content type."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY

        registry = CollectorRegistry()
        registry.register(_Forward(REGISTRY))
    registry.register(AuditChainCollector())
    return generate_latest(registry), CONTENT_TYPE_LATEST


class _Forward(Collector):
    # The process's default registry, plus the scrape-time collectors, without registering
    # those in the default registry for good.
    def __init__(self, registry: CollectorRegistry):
        self.registry = registry

    def collect(self) -> Iterator:
        yield from self.registry.collect()
