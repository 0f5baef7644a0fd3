"""`samen serve`'s gunicorn configuration (samen/conf/gunicorn.py): its defaults for a machine,
and that the API benchmark's --production serves with exactly these (ADR 0092)."""

import importlib.util
import runpy
import sys
from pathlib import Path

import pytest

from samen.jobs.management.commands import serve

ROOT = Path(__file__).resolve().parents[4]
KNOBS = ("SAMEN_WORKERS", "SAMEN_THREADS", "SAMEN_WORKER_CONNECTIONS", "SAMEN_KEEPALIVE")


def conf(monkeypatch: pytest.MonkeyPatch, cores: int, **env: str) -> dict[str, object]:
    for name in KNOBS:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("os.cpu_count", lambda: cores)
    return runpy.run_path(str(serve.CONFIG))


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


def test_two_cores_get_three_workers_of_four_threads_kept_alive_five_seconds(monkeypatch):
    c = conf(monkeypatch, 2)
    assert (c["workers"], c["threads"], c["worker_class"]) == (3, 4, "gthread")
    # gunicorn's bound on a worker's connections and keep-alive: bounding it to twice the
    # threads cost the floor more than it gave (ADR 0092), so the defaults stay.
    assert (c["worker_connections"], c["keepalive"]) == (1000, 5)


def test_each_knob_overrides_and_the_workers_stay_at_most_nine(monkeypatch):
    c = conf(monkeypatch, 16, SAMEN_THREADS="6")
    assert (c["workers"], c["threads"]) == (9, 6)
    c = conf(monkeypatch, 1, SAMEN_WORKERS="2", SAMEN_WORKER_CONNECTIONS="8", SAMEN_KEEPALIVE="0")
    assert (c["workers"], c["worker_connections"], c["keepalive"]) == (2, 8, 0)


def test_the_benchmark_serves_as_samen_serve_would(monkeypatch):
    bench = api_read()
    assert bench.CONF == serve.CONFIG
    for cores, env in ((2, {}), (8, {}), (2, {"SAMEN_WORKERS": "2", "SAMEN_THREADS": "3"})):
        c = conf(monkeypatch, cores, **env)
        assert bench.serve_defaults() == {"workers": c["workers"], "threads": c["threads"]}
