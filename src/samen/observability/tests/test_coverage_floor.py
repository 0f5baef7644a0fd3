"""scripts/coverage_floor.py, as `.ci/run` runs it (`make coverage-check`): a process reading a
coverage JSON report, its table and its exit status. CI fails when one app falls below its
floor, when an app has no floor, and a floor only rises (ADR 0049, 0060)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from samen.conftest import traced

SCRIPT = Path(__file__).resolve().parents[4] / "scripts" / "coverage_floor.py"


def report(tmp_path: Path, files: dict[str, tuple[int, int]]) -> Path:
    """A coverage JSON report (coverage's own shape) of {file: (covered, statements)}."""
    path = tmp_path / "coverage.json"
    path.write_text(
        json.dumps(
            {
                "files": {
                    name: {"summary": {"covered_lines": cov, "num_statements": num}}
                    for name, (cov, num) in files.items()
                }
            }
        )
    )
    return path


def check(tmp_path: Path, floors: dict[str, float], *args: str) -> tuple[int, str, Path]:
    floors_file = tmp_path / "floors.json"
    floors_file.write_text(json.dumps(floors))
    measured = report(
        tmp_path,
        {
            "src/samen/shelter/services.py": (90, 100),
            "src/samen/shelter/views.py": (10, 20),
            "src/samen/jobs/queue.py": (45, 50),
            "src/samen/urls.py": (4, 4),
        },
    )
    done = subprocess.run(  # noqa: S603 (our own script)
        [sys.executable, str(SCRIPT), str(measured), "--floors", str(floors_file), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, done.stdout, floors_file


def test_every_app_at_or_above_its_floor_passes_and_the_table_shows_each(tmp_path):
    code, out, _ = check(tmp_path, {"shelter": 83.3, "jobs": 90.0, "urls": 100.0})
    assert code == 0, out
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert "83.3%" in lines["shelter"]  # 100 of 120 statements, the app's files summed
    assert "90.0%" in lines["jobs"] and "100.0%" in lines["urls"]
    assert "!! more than a point above the floor" not in out


def test_a_floor_far_below_the_measure_is_named_for_raising(tmp_path):
    code, out, _ = check(tmp_path, {"shelter": 50.0, "jobs": 90.0, "urls": 100.0})
    assert code == 0
    assert "!! more than a point above the floor: shelter:" in out


def test_one_app_below_its_floor_fails_the_check_and_names_it(tmp_path):
    code, out, _ = check(tmp_path, {"shelter": 83.4, "jobs": 90.0, "urls": 100.0})
    assert code == 1
    assert "below its floor 83.4%" in next(line for line in out.splitlines() if "shelter" in line)


def test_an_app_without_a_floor_fails_the_check(tmp_path):
    code, out, _ = check(tmp_path, {"shelter": 80.0, "urls": 100.0})
    assert code == 1
    assert "no floor" in next(line for line in out.splitlines() if "jobs" in line)


def test_raising_lifts_a_floor_to_the_tenth_below_and_never_lowers_one(tmp_path):
    code, _, floors_file = check(tmp_path, {"shelter": 50.0, "jobs": 95.5}, "--raise")
    assert code == 0
    floors = json.loads(floors_file.read_text())
    assert floors == {"shelter": 83.3, "jobs": 95.5, "urls": 100.0}


class FakeItem:
    """What `traced` reads of a collected test: its markers."""

    def __init__(self, *markers: str) -> None:
        self.markers = set(markers)

    def get_closest_marker(self, name: str) -> object | None:
        return name if name in self.markers else None


def test_each_test_is_traced_in_one_pass_and_an_untraced_one_in_none(monkeypatch):
    monkeypatch.delenv("SAMEN_COVERAGE_TRACE_UNTRACED", raising=False)
    monkeypatch.setenv("SAMEN_COVERAGE_ONCE_ONLY", "1")  # as .ci/run's SQLite pass runs
    assert traced(FakeItem("once")) and traced(FakeItem("browser"))
    assert not traced(FakeItem())  # both passes run it: the PostgreSQL pass traces it
    assert not traced(FakeItem("browser", "untraced")) and not traced(FakeItem("untraced"))
    monkeypatch.delenv("SAMEN_COVERAGE_ONCE_ONLY")  # the PostgreSQL pass; `make test COVERAGE=1`
    assert traced(FakeItem()) and not traced(FakeItem("untraced"))
    monkeypatch.setenv("SAMEN_COVERAGE_TRACE_UNTRACED", "1")  # to measure what they add
    assert traced(FakeItem("untraced"))
