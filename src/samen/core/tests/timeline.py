"""When each xdist worker ran which test, and how long one worker ran alone at the end of a pass
(ADR 0125). With SAMEN_TEST_TIMELINE set to a folder, each worker writes its tests' start and
end times there, and `.ci/run` prints after each pass (``python -m samen.core.tests.timeline
FOLDER``) when each worker finished and what the last one ran while the other had nothing left:
the time a pass loses to its order and to xdist's scheduling, which the two passes' wall-clock
times alone do not show."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ENV = "SAMEN_TEST_TIMELINE"
# The tests named as running alone at the end: the longest few.
SHOWN = 5


@dataclass(frozen=True)
class Row:
    start: float
    end: float
    nodeid: str


def folder() -> Path | None:
    value = os.environ.get(ENV)
    return Path(value) if value else None


class Recorder:
    """One process's tests, in the order it ran them."""

    def __init__(self) -> None:
        self.rows: list[Row] = []
        self._started: dict[str, float] = {}

    def start(self, nodeid: str) -> None:
        self._started[nodeid] = time.time()

    def finish(self, nodeid: str) -> None:
        started = self._started.pop(nodeid, None)
        if started is not None:
            self.rows.append(Row(started, time.time(), nodeid))

    def write(self, where: Path, worker: str) -> None:
        where.mkdir(parents=True, exist_ok=True)
        lines = (f"{r.start:.3f}\t{r.end:.3f}\t{r.nodeid}\n" for r in self.rows)
        (where / f"{worker}.tsv").write_text("".join(lines), encoding="utf-8")


def read(where: Path) -> dict[str, list[Row]]:
    workers = {}
    for path in sorted(where.glob("*.tsv")):
        rows = []
        for line in path.read_text(encoding="utf-8").splitlines():
            start, end, nodeid = line.split("\t", 2)
            rows.append(Row(float(start), float(end), nodeid))
        if rows:
            workers[path.stem] = rows
    return workers


def summary(workers: dict[str, list[Row]]) -> list[str]:
    """Each worker's busy span, and the tail: from the moment the first worker ran out of tests
    to the end, what the others ran."""
    if not workers:
        return []
    begin = min(rows[0].start for rows in workers.values())
    ends = {name: rows[-1].end for name, rows in workers.items()}
    lines = [
        f"{name}: {len(rows)} tests, {sum(r.end - r.start for r in rows):.0f} s in tests, "
        f"last ended {ends[name] - begin:.0f} s after the first began"
        for name, rows in workers.items()
    ]
    if len(workers) < 2:
        return lines
    first_done = min(ends.values())
    tail = max(ends.values()) - first_done
    lines.append(f"one worker alone at the end for {tail:.0f} s")
    late = [r for rows in workers.values() for r in rows if r.end > first_done]
    late.sort(key=lambda r: r.end - max(r.start, first_done), reverse=True)
    for r in late[:SHOWN]:
        lines.append(f"  {r.end - max(r.start, first_done):6.1f} s of it in {r.nodeid}")
    return lines


def main(argv: list[str]) -> int:
    """Prints the summary of the timeline in ``argv[0]``: run by ``.ci/run`` after a pass, not by
    pytest's controller, which under xdist with ``testpaths`` never loads ``src/samen/conftest.py``
    and so never runs a hook of it."""
    if len(argv) != 1:
        print("usage: python -m samen.core.tests.timeline FOLDER", file=sys.stderr)
        return 2
    for line in summary(read(Path(argv[0]))) or ["no timeline written"]:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
