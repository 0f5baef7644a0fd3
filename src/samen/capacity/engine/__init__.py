"""The capacity-planning engine (no Django): a SimPy model of referral and shelter that matches
with the platform's own engine (samen.shelter.matching), fed by a calibration from the register.
"""

from samen.capacity.engine.capacity import apply_scenario
from samen.capacity.engine.model import (
    Calibration,
    PlaceChange,
    Scenario,
    Stream,
    Unit,
    profile_key,
)
from samen.capacity.engine.sim import RunResult, replicate, simulate
from samen.capacity.engine.summary import Estimate, compare, occupancy_by, summarise

__all__ = [
    "Calibration",
    "Estimate",
    "PlaceChange",
    "RunResult",
    "Scenario",
    "Stream",
    "Unit",
    "apply_scenario",
    "compare",
    "occupancy_by",
    "profile_key",
    "replicate",
    "simulate",
    "summarise",
]
