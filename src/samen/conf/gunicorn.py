"""gunicorn's configuration for Samen (`samen serve`; read with `gunicorn -c`).

Environment: SAMEN_WORKERS (processes, default cores + 1, at most 9), SAMEN_THREADS (per worker,
default 4), SAMEN_WORKER_CONNECTIONS (per worker, default gunicorn's 1,000), SAMEN_KEEPALIVE
(seconds a connection may wait for its next request, default 5; 0: one request per connection),
SAMEN_FAIR_ACCEPT (default 1: FairThreadWorker below; 0: gunicorn's own gthread worker),
SAMEN_TIMEOUT (default 60 s: the longest request is a report export), SAMEN_MAX_REQUESTS
(requests a worker serves before it is replaced, default 20,000, 0: never), SAMEN_ACCESS_LOG
("-" for stdout, the default; empty for none). With PROMETHEUS_MULTIPROC_DIR set, a worker that
exits is marked dead for the metrics (child_exit below).
"""

import gc
import os

from gunicorn.workers.gthread import ThreadWorker

_cores = os.cpu_count() or 1
workers = int(os.environ.get("SAMEN_WORKERS", str(min(_cores + 1, 9))))


class FairThreadWorker(ThreadWorker):
    """gunicorn's gthread worker that accepts a new connection only while one of its threads is
    free. The stock worker accepts whenever it holds fewer than worker_connections (1,000) and
    queues the requests in its own thread pool, so the worker that wins the accept race keeps
    every kept-alive connection of a burst while the others idle (measured: 16/0/0 connections,
    100/0/0 of the workers' CPU; ADR 0092). Here a busy worker leaves the connection in the
    kernel's queue for a worker with a free thread; kept-alive connections stay open as before.
    The hooks (all on the worker's main thread): a request goes to the pool in enqueue_req and
    comes back in finish_request; run() asks set_accept_enabled each turn."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.in_flight = 0  # requests handed to the thread pool and not finished

    def set_accept_enabled(self, enabled: bool) -> None:
        super().set_accept_enabled(enabled and self.in_flight < self.cfg.threads)

    def enqueue_req(self, conn: object) -> None:
        self.in_flight += 1
        super().enqueue_req(conn)
        self._refresh_accept()

    def finish_request(self, conn: object, fs: object) -> None:
        self.in_flight -= 1
        super().finish_request(conn, fs)  # may hand the connection to the pool again
        self._refresh_accept()

    def _refresh_accept(self) -> None:
        self.set_accept_enabled(self.alive and self.nr_conns < self.worker_connections)


# Threads serve the waits on PostgreSQL and on the signal pacing (ADR 0008) without a process each.
# FairThreadWorker by default: on a quiet two-core machine it spread the connections and gave the
# case list a lower p95 and the floor no worse a one than gunicorn's own worker, in four runs each
# (ADR 0092, addendum); SAMEN_FAIR_ACCEPT=0 goes back to gunicorn's.
worker_class = FairThreadWorker if os.environ.get("SAMEN_FAIR_ACCEPT", "1") == "1" else "gthread"
threads = int(os.environ.get("SAMEN_THREADS", "4"))
# A worker holds at most this many connections (in flight, waiting, kept alive); gunicorn's
# default. Bounding it to twice the threads also spread the connections, but gthread then
# closes kept-alive connections beyond worker_connections - threads after each answer, and the
# reconnecting cost the floor requests per second (ADR 0092); FairThreadWorker (opt-in) spreads
# them without closing any.
worker_connections = int(os.environ.get("SAMEN_WORKER_CONNECTIONS", "1000"))
timeout = int(os.environ.get("SAMEN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = int(os.environ.get("SAMEN_KEEPALIVE", "5"))
# A worker is replaced after this many requests (with a tenth as jitter, so the workers do not
# all restart at once), so a slow leak cannot grow forever; 0 never replaces one. A worker that is
# not replaced grew by ~0.37 MB per 1,000 requests (165 -> 184 MB over 50,000 requests of the
# case list and the floor, linear, 44 full collections among them), so 20,000 bounds that at
# ~8 MB. Each replacement costs ~200-250 ms of CPU: the old worker's interpreter teardown (120-140
# ms; it writes the reference counts of the objects it shares with the master, so their pages are
# copied on the way out), and the new worker's first ~150 list requests at 0.5-0.8 ms more each
# (the same pages copied on first write, its connections made, its caches filled); and the old
# worker's kept-alive connections are closed mid-burst. At 2,000 the bench's three workers were
# all replaced in the same round (ADR 0104).
max_requests = int(os.environ.get("SAMEN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
# Request lines and headers are capped well below gunicorn's defaults: Samen has no long URLs.
limit_request_line = 4094
forwarded_allow_ips = os.environ.get("SAMEN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("SAMEN_ACCESS_LOG", "-") or None
errorlog = "-"
# Method, path without the query string (%(U)s; a search could put a name in it), status, size,
# duration in microseconds. No client address, no user agent, no referrer: the audit trail says
# who did what; the access log only what the server did.
access_log_format = '"%(m)s %(U)s" %(s)s %(B)s %(D)s'
# Django, the settings and the apps are loaded once in the master, so workers fork ready.
preload_app = True


def when_ready(server: object) -> None:
    """In the master, after the preload and before the first fork: import every view through the
    URL configuration, so each worker starts warm instead of paying for it on its first request."""
    from django.urls import get_resolver  # Django is set up by the preload by now

    get_resolver().url_patterns  # noqa: B018  # evaluated for its imports


def pre_fork(server: object, worker: object) -> None:
    """In the master, before each worker is forked (the first ones and every replacement after
    max_requests): the garbage collected, then every object left moved out of the collector's
    reach (gc.freeze; ADR 0100). The preloaded app is some 200,000 tracked objects; without
    this, each new worker ran one full collection over all of them early in its life (150-190
    ms of CPU with the GIL held, so its four threads stood still), and that collection wrote to
    every object's header, copying the pages the worker shared with the master. Frozen objects
    are still freed by their reference counts as before; only cycles among them are never
    collected, and the collect() just before leaves none that are garbage already. The young
    collections the requests cause are unchanged (a raised threshold measured no better)."""
    gc.collect()
    gc.freeze()


def child_exit(server: object, worker: object) -> None:
    """A worker exited (restart after max_requests, timeout, crash): its counters stay in the
    metrics directory (they are part of the totals), its live gauges go (samen.observability)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess  # only where metrics span processes

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
