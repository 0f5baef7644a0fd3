"""Check (or raise) the per-app coverage floors: a floor only rises.

    python scripts/coverage_floor.py var/coverage.json           # fail when an app is below
    python scripts/coverage_floor.py var/coverage.json --raise   # lift floors to what was measured

The floors live in coverage-floor.json ({"app": percent}); an app without a floor must get one
(run with --raise once) so that a new app cannot slip in untested. The JSON report may be of
several runs combined (`make coverage-check COVERAGE_PASSES=...`, as .ci/run does with its SQLite
and PostgreSQL passes): a line counts as covered when any of them ran it.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import defaultdict
from pathlib import Path

FLOORS = Path(__file__).resolve().parent.parent / "coverage-floor.json"


def per_app(coverage_json: Path) -> dict[str, float]:
    return {app: 100 * cov / tot for app, (cov, tot) in app_lines(coverage_json).items() if tot}


def app_lines(coverage_json: Path) -> dict[str, list[int]]:
    """{app: [covered statements, statements]}; pyproject's [tool.coverage] omits the tests."""
    data = json.loads(coverage_json.read_text())
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for name, info in data["files"].items():
        parts = Path(name).parts
        if "samen" not in parts:
            continue
        rest = parts[parts.index("samen") + 1 :]
        app = rest[0][:-3] if len(rest) == 1 else rest[0]  # a top-level module is its own "app"
        totals[app][0] += info["summary"]["covered_lines"]
        totals[app][1] += info["summary"]["num_statements"]
    return dict(sorted(totals.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("coverage_json", type=Path)
    parser.add_argument("--raise", dest="lift", action="store_true", help="raise the floors")
    parser.add_argument("--floors", type=Path, default=FLOORS, help="the floors' file")
    args = parser.parse_args(argv)
    measured = per_app(args.coverage_json)
    floors_file: Path = args.floors
    floors: dict[str, float] = json.loads(floors_file.read_text()) if floors_file.exists() else {}
    if args.lift:
        # Rounded down to a tenth, so the same run passes the next time; never lowered.
        lifted = {
            app: max(floors.get(app, 0.0), math.floor(pct * 10) / 10)
            for app, pct in measured.items()
        }
        floors_file.write_text(json.dumps(lifted, indent=2, sort_keys=True) + "\n")
        print(f"coverage floors written to {floors_file.name}")
        return 0
    failed = False
    print(f"{'app':16s} covered (floor)")
    for app, pct in measured.items():
        floor = floors.get(app)
        if floor is None:
            print(f"{app:16s} {pct:5.1f}%  no floor: run `make coverage-floor`")
            failed = True
        elif pct + 1e-9 < floor:
            print(f"{app:16s} {pct:5.1f}%  below its floor {floor:.1f}%")
            failed = True
        else:
            print(f"{app:16s} {pct:5.1f}%  (floor {floor:.1f}%)")
    lines = app_lines(args.coverage_json).values()
    covered, statements = sum(c for c, _ in lines), sum(n for _, n in lines)
    print(
        f"{'all apps':16s} {100 * covered / max(statements, 1):5.1f}%  of {statements} statements"
    )
    slack = [app for app, pct in measured.items() if pct - floors.get(app, pct) > 1.0]
    if slack:
        # A floor far below the measure lets coverage fall unnoticed: say so on every run.
        print(f"!! more than a point above the floor: {', '.join(slack)}: `make coverage-floor`")
    print("coverage floors: " + ("FAILED" if failed else "all kept"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
