"""Statistical disclosure control for the chain's published figures (plain Python, no Django).

Build ``CountTable`` objects from person-level counts, pass the tables released together to
``protect`` and render the returned ``ProtectedRelease``. ``check_differencing`` checks a
release against earlier ones; ``audit_release`` re-proves a release on its own.
"""

from .audit import HAVE_SCIPY, AuditReport, CellInterval
from .engine import (
    DifferencingReport,
    audit_release,
    check_differencing,
    protect,
    release_from_pattern,
)
from .result import (
    ProtectedRelease,
    ProtectedTable,
    ResultCell,
    Suppression,
    SuppressionKind,
)
from .rules import DisclosureRules, RoundingMode, ZeroPolicy
from .system import Hierarchy, Origin
from .table import TOTAL, CellKey, CountTable, Dimension, describe_key, make_key

__all__ = [
    "HAVE_SCIPY",
    "TOTAL",
    "AuditReport",
    "CellInterval",
    "CellKey",
    "CountTable",
    "DifferencingReport",
    "Dimension",
    "DisclosureRules",
    "Hierarchy",
    "Origin",
    "ProtectedRelease",
    "ProtectedTable",
    "ResultCell",
    "RoundingMode",
    "Suppression",
    "SuppressionKind",
    "ZeroPolicy",
    "audit_release",
    "check_differencing",
    "describe_key",
    "make_key",
    "protect",
    "release_from_pattern",
]
