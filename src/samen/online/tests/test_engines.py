"""Local worker processes and Dask give the same clusters as scanning in one process.

The reference reads the lines in this process and hands them over in chunks; the engines under
test have their workers read byte ranges of the file themselves, several per file."""

import os
import sys

import numpy as np
import pytest

from samen.online.engine import ScanConfig, scan
from samen.online.engine.runner import DaskEngine, InProcessEngine, LocalEngine

RANGES = ScanConfig(task_bytes=20_000)


@pytest.fixture(scope="module")
def in_process(synthetic_ads):
    path, _ = synthetic_ads
    return scan([path], config=ScanConfig(chunk_size=250), engine=InProcessEngine(False))


def test_local_workers_give_the_same_clusters(synthetic_ads, in_process):
    path, _ = synthetic_ads
    engine = LocalEngine(workers=2)
    try:
        result = scan([path], config=RANGES, engine=engine)
    finally:
        engine.close()
    assert list(result.index.ids) == list(in_process.index.ids)
    assert np.array_equal(result.clustering.labels, in_process.clustering.labels)
    assert result.leads == in_process.leads
    assert list(result.index.line_number) == list(in_process.index.line_number)


def test_dask_gives_the_same_clusters_as_the_local_engine(synthetic_ads, in_process):
    distributed = pytest.importorskip("dask.distributed")
    path, _ = synthetic_ads
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        engine = DaskEngine(client=client)
        result = scan([path], config=RANGES, engine=engine)
        engine.close()
    assert list(result.index.ids) == list(in_process.index.ids)
    assert np.array_equal(result.clustering.labels, in_process.clustering.labels)
    assert np.array_equal(result.clustering.template_labels, in_process.clustering.template_labels)
    assert result.leads == in_process.leads
    assert list(result.index.line_number) == list(in_process.index.line_number)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _same_outputs(result, reference) -> None:
    assert list(result.index.ids) == list(reference.index.ids)
    assert np.array_equal(result.clustering.labels, reference.clustering.labels)
    assert np.array_equal(result.clustering.template_labels, reference.clustering.template_labels)
    assert result.leads == reference.leads
    assert list(result.index.line_number) == list(reference.index.line_number)
    assert result.index.bad == reference.index.bad


def test_a_cluster_of_its_own_runs_worker_processes_and_gives_the_same_clusters(
    synthetic_ads, in_process
):
    """The engine's own LocalCluster: two worker processes (on Linux forked from this one, so
    they start with the engine imported instead of importing it again), stopped once the last
    result is in, started again for another pass; the same outputs each time."""
    pytest.importorskip("dask.distributed")
    path, _ = synthetic_ads
    engine = DaskEngine(workers=2)
    try:
        pids = engine.client.run(os.getpid)
        # eval, a builtin, is sent by name: a function of this module would import the engine.
        loaded = engine.client.run(
            eval, "'samen.online.engine.partition' in __import__('sys').modules"
        )
        first = scan([path], config=RANGES, engine=engine)
        stopped = not any(map(_alive, pids.values()))
        again = scan([path], config=RANGES, engine=engine)
    finally:
        engine.close()
    assert len(set(pids.values())) == 2 and os.getpid() not in pids.values()
    if sys.platform == "linux":
        assert all(loaded.values())
    assert stopped
    _same_outputs(first, in_process)
    _same_outputs(again, in_process)
