"""The online-signals engine: plain Python, no Django. From ads (JSON Lines or CSV) to clusters,
explained leads and a report. ``samen.online.management.commands.online`` is only an adapter."""

from .evaluate import Quality, compare, evaluate_files
from .partition import ScanConfig
from .runner import DaskEngine, LocalEngine, make_engine, run_scan, scan, write_outputs
from .synth import write_synthetic

__all__ = [
    "DaskEngine",
    "LocalEngine",
    "Quality",
    "ScanConfig",
    "compare",
    "evaluate_files",
    "make_engine",
    "run_scan",
    "scan",
    "write_outputs",
    "write_synthetic",
]
