"""benchmarks/statistics.py must not break the standard `statistics` module for the other
benchmark scripts in its folder (Python puts a script's folder first on sys.path)."""

import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[4] / "benchmarks"


def test_scripts_in_the_benchmark_folder_get_the_standard_statistics_module():
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import statistics; "
        "print(statistics.median([1, 2, 3]), statistics.pstdev([1, 1]))"
    )
    done = subprocess.run(  # noqa: S603 (fixed argv: this interpreter, a file of this repo)
        [sys.executable, "-c", code, str(BENCHMARKS)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["2", "0.0"]


def test_the_statistics_benchmark_still_runs_as_a_script():
    done = subprocess.run(  # noqa: S603 (fixed argv: this interpreter, a file of this repo)
        [sys.executable, str(BENCHMARKS / "statistics.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "--cases" in done.stdout
