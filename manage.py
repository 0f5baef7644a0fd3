#!/usr/bin/env python
"""Convenience wrapper; the installed `samen` command does the same."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from samen.manage import main

if __name__ == "__main__":
    main()
