"""The per-worker timeline's summary (core/tests/timeline.py, ADR 0125)."""

from __future__ import annotations

from samen.core.tests.timeline import Recorder, Row, main, read, summary


def test_the_summary_names_how_long_one_worker_ran_alone_and_on_what():
    workers = {
        "gw0": [Row(0.0, 10.0, "a.py::t1"), Row(10.0, 20.0, "a.py::t2")],
        "gw1": [Row(0.0, 5.0, "b.py::t3"), Row(5.0, 95.0, "b.py::walk")],
    }
    lines = summary(workers)
    assert lines[0] == "gw0: 2 tests, 20 s in tests, last ended 20 s after the first began"
    assert lines[1] == "gw1: 2 tests, 95 s in tests, last ended 95 s after the first began"
    assert lines[2] == "one worker alone at the end for 75 s"
    assert lines[3] == "    75.0 s of it in b.py::walk"
    assert len(lines) == 4


def test_each_worker_writes_its_rows_and_the_controller_reads_them(tmp_path):
    recorder = Recorder()
    recorder.start("x.py::t")
    recorder.finish("x.py::t")
    recorder.finish("x.py::never_started")
    recorder.write(tmp_path, "gw3")
    [row] = read(tmp_path)["gw3"]
    assert row.nodeid == "x.py::t" and row.start <= row.end
    assert summary({}) == []


def test_the_ci_command_prints_the_summary_of_a_folder(tmp_path, capsys):
    recorder = Recorder()
    recorder.start("x.py::t")
    recorder.finish("x.py::t")
    recorder.write(tmp_path, "gw0")
    assert main([str(tmp_path)]) == 0
    assert capsys.readouterr().out.startswith("gw0: 1 tests, ")
    assert main([str(tmp_path / "none")]) == 0
    assert capsys.readouterr().out == "no timeline written\n"
    assert main([]) == 2
