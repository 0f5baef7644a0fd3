"""/metrics under `samen serve` (gunicorn, two workers) with PROMETHEUS_MULTIPROC_DIR: the counts
add up over the workers whichever answers the scrape, and a worker that exits keeps its counts
while its live gauge is dropped (gunicorn's child_exit)."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from django.db import connection
from prometheus_client.parser import text_string_to_metric_families

TOKEN = "metrics-token-multiprocess-0123456789"
REQUESTS_BEFORE, REQUESTS_AFTER = 24, 8

# Summing over gunicorn workers does not depend on the database engine; a real server is costly.
pytestmark = pytest.mark.once


def _database_url(tmp_path: Path) -> str:
    """The test database, for the server's processes: a file copy of SQLite's in-memory one (it
    has the migrated tables the scrape reads), or the PostgreSQL test database itself."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        copy = sqlite3.connect(tmp_path / "samen.sqlite3")
        connection.connection.backup(copy)
        copy.close()
        return f"sqlite:///{tmp_path / 'samen.sqlite3'}"
    return (
        f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST']}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


def _until(condition, what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)  # waiting on another process; there is nothing to block on


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=10).status_code == 401
    except requests.RequestException:  # not listening yet, or still importing
        return False


@pytest.fixture
def server(tmp_path, transactional_db) -> Iterator[tuple[str, Path]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "samen.conf.base",
        "DATABASE_URL": _database_url(tmp_path),
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "SAMEN_METRICS_TOKEN": TOKEN,
        "SAMEN_WORKERS": "2",
        "SAMEN_THREADS": "1",
        "SAMEN_ACCESS_LOG": "",
        "SAMEN_LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(  # noqa: S603  # our interpreter, our command
        [sys.executable, "-m", "samen.manage", "serve", "--bind", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "serve.log").open("w"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        started = time.monotonic()
        # Asked on /metrics without the token, so the /healthz count starts at nought.
        _until(lambda: _answers(f"{base}/metrics") or process.poll() is not None, "gunicorn")
        print(f"gunicorn answered after {time.monotonic() - started:.1f} s")
        assert process.poll() is None, (tmp_path / "serve.log").read_text()[-2000:]
        yield base, metrics_dir
    finally:
        process.send_signal(signal.SIGQUIT)  # gunicorn's quick shutdown
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _healthz_count(base: str) -> tuple[float, float]:
    """The scrape's count of /healthz requests and the requests in progress."""
    response = requests.get(
        f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30
    )
    assert response.status_code == 200
    count = in_progress = 0.0
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            if (
                sample.name == "samen_http_request_duration_seconds_count"
                and sample.labels["route"] == "healthz"
            ):
                count += sample.value
            if sample.name == "samen_http_requests_in_progress":
                in_progress += sample.value
    return count, in_progress


def _worker_pids(metrics_dir: Path) -> set[int]:
    # Only workers serve requests, so only workers write the latency histogram.
    return {int(p.stem.rsplit("_", 1)[1]) for p in metrics_dir.glob("histogram_*.db")}


def test_metrics_add_up_over_gunicorn_workers_and_survive_a_dead_one(server):
    base, metrics_dir = server
    for _ in range(REQUESTS_BEFORE):  # a new connection each: the kernel spreads them
        requests.get(f"{base}/healthz", timeout=5, headers={"Connection": "close"})
    # One worker that answered exits; gunicorn starts another.
    dead = min(_worker_pids(metrics_dir))
    live_gauge = metrics_dir / f"gauge_livesum_{dead}.db"
    assert live_gauge.exists()
    os.kill(dead, signal.SIGTERM)
    _until(lambda: not live_gauge.exists(), "the dead worker's live gauge to be dropped")
    for _ in range(REQUESTS_AFTER):
        requests.get(f"{base}/healthz", timeout=5, headers={"Connection": "close"})
    # Its counts stay, added to the others': the sum is read from two processes at least.
    assert len(_worker_pids(metrics_dir)) >= 2
    for _ in range(4):  # whichever worker answers the scrape
        count, in_progress = _healthz_count(base)
        assert count == REQUESTS_BEFORE + REQUESTS_AFTER
        assert in_progress == 1  # the scrape itself; the dead worker no longer counts
