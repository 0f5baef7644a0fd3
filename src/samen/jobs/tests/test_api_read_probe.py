"""benchmarks/api_read.py's probe: how fast the shared machine ran Python during each run
(ADR 0104)."""

from samen.jobs.tests.test_serve_config import api_read

bench = api_read()


def test_the_probe_does_the_same_work_every_call():
    first = bench.probe_work()
    table, order = bench._probe_data
    assert len(order) == 20_000 and all(key in table for key in order)
    assert bench.probe_work() == first  # the same look-ups, not new ones


def test_a_runs_probe_figure_is_the_median_of_the_samples_taken_during_it():
    samples = [(10.0, 5.0), (10.25, 9.0), (10.5, 6.0), (10.75, 7.0), (11.0, 30.0)]
    assert bench.probe_between(samples, 10.2, 10.8) == 7.0  # 9, 6, 7: not the 5 or the 30
    assert bench.probe_between(samples, 10.0, 10.5) == 6.0  # both ends count
    assert bench.probe_between(samples, 12.0, 13.0) == 0.0  # none taken
    runs = [{"probe_ms": 8.0}, {"probe_ms": 0.0}, {"probe_ms": 6.0}, {}, {"probe_ms": 7.0}]
    assert bench.probe_spread(runs) == (6.0, 7.0, 8.0)  # runs without a sample left out
    assert bench.probe_spread([{}]) == (0.0, 0.0, 0.0)


def test_the_probe_process_samples_until_closed():
    import time

    probe = bench.Probe()
    try:
        t0 = time.time()
        deadline = t0 + 30
        while len(probe.samples) < 2 and time.time() < deadline:
            time.sleep(0.05)
        assert len(probe.samples) >= 2
        assert probe.between(t0 - 60, time.time()) > 0.0
        stamps = [t for t, _ in probe.samples]
        assert stamps == sorted(stamps) and stamps[1] - stamps[0] >= 0.2  # four a second
    finally:
        probe.close()
    assert probe.proc.poll() is not None  # stopped, not left running
