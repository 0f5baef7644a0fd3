"""`samen serve`'s gunicorn configuration (samen/conf/gunicorn.py): its defaults for a machine,
and that the API benchmark's --production serves with exactly these (ADR 0092)."""

import importlib.util
import sys
from pathlib import Path

import pytest

from samen.jobs.management.commands import serve

ROOT = Path(__file__).resolve().parents[4]
KNOBS = (
    "SAMEN_WORKERS",
    "SAMEN_THREADS",
    "SAMEN_WORKER_CONNECTIONS",
    "SAMEN_KEEPALIVE",
    "SAMEN_FAIR_ACCEPT",
    "SAMEN_MAX_REQUESTS",
)


def conf(monkeypatch: pytest.MonkeyPatch, cores: int, **env: str) -> dict[str, object]:
    for name in KNOBS:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("os.cpu_count", lambda: cores)
    # Loaded as the module it is (not runpy's "<run_path>"), so coverage counts its lines: it
    # attributes a file to the package by the module's name. A new module object each call.
    spec = importlib.util.spec_from_file_location("samen.conf.gunicorn", serve.CONFIG)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return vars(module)


def api_read():
    """benchmarks/api_read.py as a module; its folder goes last on sys.path, so its helper
    module is found and benchmarks/statistics.py does not hide the standard one."""
    folder = str(ROOT / "benchmarks")
    if folder not in sys.path:
        sys.path.append(folder)
    if "api_read_bench" not in sys.modules:
        path = ROOT / "benchmarks" / "api_read.py"
        spec = importlib.util.spec_from_file_location("api_read_bench", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["api_read_bench"] = module  # its dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules["api_read_bench"]


def test_two_cores_get_three_fair_workers_of_four_threads_kept_alive_five_seconds(monkeypatch):
    c = conf(monkeypatch, 2)
    assert (c["workers"], c["threads"]) == (3, 4)
    assert c["worker_class"] is c["FairThreadWorker"]
    # gunicorn's bound on a worker's connections and keep-alive: bounding it to twice the
    # threads cost the floor more than it gave (ADR 0092), so the defaults stay.
    assert (c["worker_connections"], c["keepalive"]) == (1000, 5)


def test_each_knob_overrides_and_the_workers_stay_at_most_nine(monkeypatch):
    c = conf(monkeypatch, 16, SAMEN_THREADS="6")
    assert (c["workers"], c["threads"]) == (9, 6)
    c = conf(monkeypatch, 1, SAMEN_WORKERS="2", SAMEN_WORKER_CONNECTIONS="8", SAMEN_KEEPALIVE="0")
    assert (c["workers"], c["worker_connections"], c["keepalive"]) == (2, 8, 0)
    c = conf(monkeypatch, 2, SAMEN_FAIR_ACCEPT="0")
    assert c["worker_class"] == "gthread"


def test_the_benchmark_serves_as_samen_serve_would(monkeypatch):
    bench = api_read()
    assert bench.CONF == serve.CONFIG
    for cores, env in ((2, {}), (8, {}), (2, {"SAMEN_WORKERS": "2", "SAMEN_THREADS": "3"})):
        c = conf(monkeypatch, cores, **env)
        assert bench.serve_defaults() == {"workers": c["workers"], "threads": c["threads"]}


def test_a_worker_is_replaced_after_twenty_thousand_requests_give_or_take_a_tenth(monkeypatch):
    """Each replacement closes the worker's kept-alive connections and starts a cold worker
    (ADR 0104); the bound on a slow leak stays, 0 lifts it."""
    from gunicorn.config import Config
    from gunicorn.workers.base import Worker

    def replaced_after(**env: str) -> tuple[int, int, set[int]]:
        c = conf(monkeypatch, 2, **env)
        cfg = Config()
        cfg.set("max_requests", c["max_requests"])
        cfg.set("max_requests_jitter", c["max_requests_jitter"])
        # What gunicorn's worker draws from the two, as it does for each new worker.
        drawn = {Worker(0, 1, [], None, 30, cfg, None).max_requests for _ in range(200)}
        return c["max_requests"], c["max_requests_jitter"], drawn

    limit, jitter, drawn = replaced_after()
    assert (limit, jitter) == (20_000, 2_000)
    assert min(drawn) >= 20_000 and max(drawn) <= 22_000 and len(drawn) > 1
    limit, jitter, drawn = replaced_after(SAMEN_MAX_REQUESTS="5000")
    assert (limit, jitter) == (5_000, 500) and max(drawn) <= 5_500
    limit, jitter, drawn = replaced_after(SAMEN_MAX_REQUESTS="0")
    assert (limit, jitter) == (0, 0) and drawn == {sys.maxsize}  # never replaced


def worker(monkeypatch, threads: int, *, fair: bool = True):
    """A gthread worker as gunicorn builds it in the master, its pool replaced by one that never
    runs (each request stays in flight until finish_request), listening on a loopback port."""
    import selectors
    import socket
    from concurrent.futures import Future
    from unittest import mock

    from gunicorn.config import Config
    from gunicorn.workers.gthread import ThreadWorker

    c = conf(monkeypatch, 2)
    cfg = Config()
    cfg.set("threads", threads)
    cfg.set("worker_connections", c["worker_connections"])
    listener = socket.create_server(("127.0.0.1", 0))
    cls = c["FairThreadWorker"] if fair else ThreadWorker
    w = cls(0, 1, [listener], None, 30, cfg, mock.Mock())
    w.poller = selectors.DefaultSelector()
    w.tpool = mock.Mock(submit=lambda *args: Future())
    w.alive = True
    w.set_accept_enabled(True)
    return w, listener


def accepting(w, listener) -> bool:
    return listener in [key.fileobj for key in w.poller.get_map().values()]


def test_a_worker_with_every_thread_busy_leaves_new_connections_to_the_others(monkeypatch):
    from concurrent.futures import Future
    from unittest import mock

    w, listener = worker(monkeypatch, threads=2)
    assert w.__class__.__name__ == "FairThreadWorker" and accepting(w, listener)
    conns = [mock.Mock(), mock.Mock()]
    w.nr_conns = 1
    w.enqueue_req(conns[0])
    assert accepting(w, listener)  # one thread still free
    w.nr_conns = 2
    w.enqueue_req(conns[1])
    assert not accepting(w, listener)  # both threads busy: the kernel's queue keeps it
    w.set_accept_enabled(w.nr_conns < w.worker_connections)  # what run() asks each turn
    assert not accepting(w, listener)
    done = Future()
    done.set_result(False)  # answered, connection to close
    w.finish_request(conns[0], done)
    assert w.nr_conns == 1 and accepting(w, listener)  # a thread is free again
    w.alive = False  # stopping: finishing a request does not open the door again
    w.set_accept_enabled(False)
    w.finish_request(conns[1], done)
    assert not accepting(w, listener)
    listener.close()


def test_gunicorns_own_worker_accepts_with_every_thread_busy(monkeypatch):
    # What the fair worker changes (and the reason for it): the stock one keeps accepting.
    from unittest import mock

    w, listener = worker(monkeypatch, threads=2, fair=False)
    for n in (1, 2, 3):
        w.nr_conns = n
        w.enqueue_req(mock.Mock())
    w.set_accept_enabled(w.nr_conns < w.worker_connections)
    assert accepting(w, listener)
    listener.close()


class _Node:
    """A container the collector tracks; two of them referring to each other are a cycle only the
    collector frees."""

    other: object = None


def test_the_master_collects_then_freezes_before_each_fork(monkeypatch):
    """pre_fork leaves the collector nothing of the master's to scan in the worker: what lives is
    frozen (out of every generation), what was cyclic garbage is freed first, not frozen with it."""
    import gc
    import weakref

    c = conf(monkeypatch, 2)
    assert gc.get_freeze_count() == 0  # nothing of the suite's is frozen before the hook runs
    kept = _Node()
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    garbage = weakref.ref(a)
    del a, b
    try:
        c["pre_fork"](None, None)
        assert garbage() is None  # collected before the freeze
        assert gc.get_freeze_count() > 0
        assert not any(o is kept for o in gc.get_objects())  # out of the generations
        assert gc.is_tracked(kept)  # still an object the collector knows, only frozen
        # What the worker allocates after the fork is collected as before.
        x, y = _Node(), _Node()
        x.other, y.other = y, x
        young = weakref.ref(x)
        del x, y
        gc.collect()
        assert young() is None
    finally:
        gc.unfreeze()
    assert any(o is kept for o in gc.get_objects())
