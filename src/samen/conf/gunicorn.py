"""gunicorn's configuration for Samen (`samen serve`; read with `gunicorn -c`).

Environment: SAMEN_WORKERS (processes, default cores + 1, at most 9), SAMEN_THREADS (per worker,
default 4), SAMEN_WORKER_CONNECTIONS (per worker, default gunicorn's 1,000), SAMEN_KEEPALIVE
(seconds a connection may wait for its next request, default 5; 0: one request per connection),
SAMEN_TIMEOUT (default 60 s: the longest request is a report export), SAMEN_ACCESS_LOG
("-" for stdout, the default; empty for none). With PROMETHEUS_MULTIPROC_DIR set, a worker that
exits is marked dead for the metrics (child_exit below).
"""

import os

_cores = os.cpu_count() or 1
workers = int(os.environ.get("SAMEN_WORKERS", str(min(_cores + 1, 9))))
# Threads serve the waits on PostgreSQL and on the signal pacing (ADR 0008) without a process each.
worker_class = "gthread"
threads = int(os.environ.get("SAMEN_THREADS", "4"))
# A worker holds at most this many connections (in flight, waiting, kept alive) and accepts no
# more beyond it; the rest wait in the kernel's queue for a worker with room. gunicorn's default
# (1,000) lets one worker take every kept-alive connection of a proxy's pool or a load run while
# the others idle: measured 16/0/0 connections, 100/0/0 of the workers' CPU, the list's requests
# per second halved (ADR 0092). Twice the threads spread them but closed kept-alive connections
# so often that the floor lost requests per second; so the default stays gunicorn's, and the
# knob is here for deployments whose proxy keeps a pool of connections.
worker_connections = int(os.environ.get("SAMEN_WORKER_CONNECTIONS", "1000"))
timeout = int(os.environ.get("SAMEN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = int(os.environ.get("SAMEN_KEEPALIVE", "5"))
# A worker is replaced after this many requests (with jitter), so a slow leak cannot grow forever.
max_requests = 2000
max_requests_jitter = 200
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


def child_exit(server: object, worker: object) -> None:
    """A worker exited (restart after max_requests, timeout, crash): its counters stay in the
    metrics directory (they are part of the totals), its live gauges go (samen.observability)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess  # only where metrics span processes

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
