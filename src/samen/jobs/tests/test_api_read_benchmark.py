"""benchmarks/api_read.py's arithmetic on fixed inputs: the ratio per round and pooled over
rounds, the pooled table rows, and which worker held which connection (ADR 0092)."""

import pytest

from samen.jobs.tests.test_serve_config import api_read

bench = api_read()
FLOOR_1 = [float(v) for v in range(1, 21)]  # p95 (interpolated, inclusive) 19.05
FLOOR_2 = [2 * v for v in FLOOR_1]  # p95 38.1
LIST = [3 * v for v in FLOOR_1]  # p95 57.15


def test_p95_interpolates_between_samples():
    assert bench.p95(FLOOR_1) == pytest.approx(19.05)
    assert bench.p95([7.0]) == 7.0


def test_ratio_per_round_and_pooled_over_all_samples():
    s = bench.ratio_summary([FLOOR_1, FLOOR_2], [LIST, LIST])
    assert s.per_round == pytest.approx([3.0, 1.5])
    # Pooled: the p95 of all 40 list samples over the p95 of all 40 floor samples (36.1), not
    # the mean of the rounds' ratios (2.25).
    assert s.pooled == pytest.approx(57.15 / 36.1)
    assert (s.floor_n, s.list_n) == (40, 40)
    assert s.spread == pytest.approx((1.5, 2.25, 3.0))


def test_rounds_must_pair_up():
    with pytest.raises(ValueError):
        bench.ratio_summary([FLOOR_1], [LIST, LIST])
    with pytest.raises(ValueError):
        bench.ratio_summary([], [])


def test_pooled_rows_take_every_round_sample_and_weigh_cpu_by_requests():
    def run(rnd, lat, wall, app):
        return {"key": "list", "label": "cases", "clients": 16, "count": None, "round": rnd,
                "n": len(lat), "latencies_ms": lat, "wall_s": wall,
                "cpu_ms": {"app": app, "db": 1.0, "client": 0.5}}  # fmt: skip

    (row,) = bench.pooled_rows([run(1, FLOOR_1, 1.0, 2.0), run(2, FLOOR_2 + FLOOR_2, 3.0, 5.0)])
    assert (row["n"], row["rounds"]) == (60, 2)
    assert row["rps"] == pytest.approx(60 / 4.0)
    assert row["p95"] == pytest.approx(bench.p95(FLOOR_1 + FLOOR_2 + FLOOR_2))
    assert row["cpu_ms"]["app"] == pytest.approx((20 * 2.0 + 40 * 5.0) / 60)
    assert row["cpu_ms"]["db"] == pytest.approx(1.0)


TCP = """\
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 111 1
   1: 0100007F:1F90 0100007F:A001 01 00000000:00000000 00:00000000 00000000  1000        0 222 1
   2: 0100007F:A001 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 333 1
   3: 0100007F:1F90 0100007F:A002 01 00000000:00000000 00:00000000 00000000  1000        0 444 1
   4: 0100007F:1F91 0100007F:A003 01 00000000:00000000 00:00000000 00000000  1000        0 555 1
   5: 0100007F:1F90 0100007F:A004 06 00000000:00000000 00:00000000 00000000     0        0 0 1
"""


def test_server_side_sockets_by_inode_without_the_listener():
    # Port 0x1F90 = 8080: the listener (0A), the client's own end and other ports do not count,
    # nor a socket in TIME_WAIT without an inode.
    assert bench.tcp_peers(TCP, 8080) == {222: 0xA001, 444: 0xA002}


def test_connections_per_worker_busiest_first():
    owners = [11, 22, 11, 11]
    by_client = [[1.0] * 5, [1.0] * 3, [1.0] * 2, [1.0] * 4]
    assert bench.worker_split(owners, by_client) == [(3, 11), (1, 3)]
    # One connection of unknown worker (closed after each request): no split at all.
    assert bench.worker_split([11, 0], [[1.0], [1.0]]) == []


def test_worker_cpu_shares_busiest_first_a_new_worker_from_its_start():
    before = {"workers": {1: 10.0, 2: 4.0}}
    after = {"workers": {1: 13.0, 2: 4.0, 3: 1.0}}  # worker 3 forked in between
    assert bench.CpuSampler.worker_shares(before, after) == pytest.approx([0.75, 0.25, 0.0])
    assert bench.shares([0.6, 0.4]) == "60/40"
    assert bench.CpuSampler.worker_shares(before, before) == []
