"""`python benchmarks/statistics.py`: the statistics benchmark (see statistics_tableset.py for
what it measures and how to run it).

This file's name shadows the standard library's `statistics` module for every script run from
this folder (Python puts the script's folder first on sys.path), and Django's SQLite backend
and the other benchmarks import that module. So when it is imported rather than run, it loads
the standard module in its place, and the importer hands that out under the name.
"""

from __future__ import annotations

import importlib.util
import sys
import sysconfig
from pathlib import Path

if __name__ == "__main__":
    from statistics_tableset import main

    main()
else:
    _spec = importlib.util.spec_from_file_location(
        "statistics", Path(sysconfig.get_path("stdlib")) / "statistics.py"
    )
    _standard = importlib.util.module_from_spec(_spec)
    sys.modules["statistics"] = _standard
    _spec.loader.exec_module(_standard)
