"""The outside attack on the HTCDS export, on the database the environment names (the demo).

Runs `samen statistics export-htcds` as demo-registrar: once with the configured k, then asking
for k = 2, then once more, and attacks the files with the independent attacker of
src/samen/statistics/tests/test_htcds_attacker.py (which reads only the files): records joined
on a shared pseudonym, records in groups smaller than 10 within a file and after the join,
group differences of 1..9 between two files on any subset of columns, unique combinations
matched across files. It writes exports into the database's export record, like any export.

Run:  SAMEN_VAR_DIR=/tmp/demo DATABASE_URL=sqlite:////tmp/demo/samen.sqlite3 \\
      .venv/bin/python benchmarks/htcds_attack.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import benchlib  # noqa: F401  (puts src/ on sys.path)

K = 10


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samen.conf.base")
    import django

    django.setup()
    from django.core.management import CommandError, call_command

    from samen.statistics.tests import test_htcds_attacker as attacker

    out = Path(tempfile.mkdtemp(prefix="htcds-attack-"))

    def export(name: str, *extra: str) -> list[dict[str, str]] | None:
        started = time.perf_counter()
        try:
            rows = attacker.export(out, name, *extra)
        except CommandError as refused:
            print(f"{name}: refused ({refused}) in {time.perf_counter() - started:.1f} s")
            return None
        print(f"{name}: {len(rows)} records in {time.perf_counter() - started:.1f} s")
        return rows

    call_command("check")
    files = {"k10": export("k10"), "k2": export("k2", "--k", "2"), "again": export("again")}
    for name, rows in files.items():
        if rows:
            columns = attacker.quasi(rows)
            sizes = Counter(tuple(r[c] for c in columns) for r in rows)
            small = sum(n for n in sizes.values() if n < K)
            print(f"{name}: columns {columns}; smallest group {min(sizes.values())}, "
                  f"{small} records in groups below {K}")  # fmt: skip
    pairs = [("k10", "k2"), ("k10", "again")]
    for a_name, b_name in pairs:
        a, b = files[a_name], files[b_name]
        if not a or not b:
            continue
        id_a, id_b = attacker.identifiers(a), attacker.identifiers(b)
        by_id = {r[c]: r for r in b for c in id_b}
        joined = [
            {**{f"a.{c}": v for c, v in ra.items()}, **{f"b.{c}": v for c, v in rb.items()}}
            for ra in a
            for c in id_a
            if (rb := by_id.get(ra[c]))
        ]
        line = f"{a_name} x {b_name}: {len(joined)} records joined on a pseudonym"
        if joined:
            cols = [c for c in joined[0] if not any(c.endswith(i) for i in id_a + id_b)]
            sizes = Counter(tuple(r[c] for c in cols) for r in joined)
            small = sum(n for n in sizes.values() if n < K)
            line += f", {small} of them in groups below {K} (smallest {min(sizes.values())})"
        differences = attacker.differences_below_k(a, b)
        line += (
            f"; {len(differences)} group differences of 1..{K - 1} "
            f"(smallest {min((abs(d) for *_, d in differences), default='-')}); "
            f"{len(attacker.linkable(a, b))} linkable"
        )
        print(line)


if __name__ == "__main__":
    sys.exit(main())
