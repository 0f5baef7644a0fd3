"""The configurable rules of disclosure control."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ZeroPolicy(enum.StrEnum):
    #: Zeros are published: "nobody in this group" is usually not a disclosure about a person.
    PUBLISH = "publish"
    #: Zeros are suppressed like small counts, for groups where "nobody" already says something
    #: about someone (e.g. "no men among the minors in region X" when one is known).
    SENSITIVE = "sensitive"


class RoundingMode(enum.StrEnum):
    #: Round half up to the nearest multiple of the base: deterministic, so repeated
    #: publications of the same count show the same figure (random rounding would let a reader
    #: average repeated releases back to the true count).
    NEAREST = "nearest"


@dataclass(frozen=True)
class DisclosureRules:
    """Rules applied to every cell of a release, margins included.

    ``min_count``: counts from 1 up to ``min_count - 1`` are primary-suppressed (default 10,
    i.e. 1-9 are suppressed). ``protection_margin``: the feasible interval of every suppressed
    cell, given everything published, must be at least this wide, so a reader cannot pin it
    down. ``rounding_base``: when set, published counts are rounded to this base after
    suppression (suppression decisions are always made on the exact counts).
    ``avoid_zero_secondary``: prefer non-zero cells when a secondary suppression is needed,
    because a suppressed zero can only move up and so protects its neighbours in one direction
    only; zeros are still used when nothing else is available.
    """

    min_count: int = 10
    zero_policy: ZeroPolicy = ZeroPolicy.PUBLISH
    rounding_base: int | None = None
    rounding_mode: RoundingMode = RoundingMode.NEAREST
    protection_margin: float = 1.0
    avoid_zero_secondary: bool = True
    max_repair_rounds: int = 200

    def __post_init__(self) -> None:
        if self.min_count < 1:
            raise ValueError("min_count must be at least 1 (1 disables the rule)")
        if self.rounding_base is not None and self.rounding_base < 2:
            raise ValueError("rounding_base must be at least 2")
        if self.protection_margin <= 0:
            raise ValueError("protection_margin must be positive")

    def primary_rule(self, value: int) -> str | None:
        """Name of the primary rule a count breaks, or None when it may be published."""
        if value == 0:
            return "zero" if self.zero_policy is ZeroPolicy.SENSITIVE else None
        if value < self.min_count:
            return "min-count"
        return None

    def is_sensitive(self, value: int) -> bool:
        return self.primary_rule(value) is not None

    def round(self, value: int) -> int:
        if self.rounding_base is None:
            return value
        base = self.rounding_base
        # Integer arithmetic: half up, never float rounding surprises on large counts.
        return ((value + base // 2) // base) * base

    def describe(self) -> list[str]:
        """Plain-language statement of the rules, for the methods note of a publication."""
        lines = []
        if self.min_count > 1:
            lines.append(
                f"Counts from 1 to {self.min_count - 1} are suppressed (primary suppression)."
            )
        if self.zero_policy is ZeroPolicy.SENSITIVE:
            lines.append("Zero counts are treated as sensitive and suppressed as well.")
        else:
            lines.append("Zero counts are published.")
        lines.append(
            "Further cells are suppressed (secondary suppression) so that no suppressed cell can "
            "be recalculated from published totals, also across the tables released together; "
            f"every suppressed cell keeps a feasible range at least {self.protection_margin:g} "
            "wide, given everything published (see the audit line for how this was checked)."
        )
        if self.rounding_base is not None:
            lines.append(
                f"Published counts are rounded to the nearest multiple of {self.rounding_base}; "
                "totals are rounded independently and may not equal the sum of rounded cells."
            )
        return lines
