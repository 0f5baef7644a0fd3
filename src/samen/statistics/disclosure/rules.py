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
    #: The feasible range must also be at least this share of the cell's count (tau-ARGUS's
    #: relative protection level); the wider of the two applies.
    protection_relative: float = 0.0
    avoid_zero_secondary: bool = True
    #: With zeros published: never hide a zero (not even as a secondary), so every hidden cell
    #: is at least 1, and audit as a reader who knows that (integer counts, hidden >= 1).
    never_hide_zeros: bool = False
    #: Check cells whose LP range is close to the protection interval again over whole
    #: numbers (a MILP): the LP over real numbers can be optimistic for three or more
    #: dimensions and lower bounds.
    integer_audit: bool = False
    max_repair_rounds: int = 200

    def __post_init__(self) -> None:
        if self.min_count < 1:
            raise ValueError("min_count must be at least 1 (1 disables the rule)")
        if self.rounding_base is not None and self.rounding_base < 2:
            raise ValueError("rounding_base must be at least 2")
        if self.protection_margin <= 0:
            raise ValueError("protection_margin must be positive")
        if self.protection_relative < 0:
            raise ValueError("protection_relative must not be negative")
        if self.never_hide_zeros and self.zero_policy is ZeroPolicy.SENSITIVE:
            raise ValueError("never_hide_zeros needs zeros to be published")

    def required_width(self, value: int | None) -> float:
        """The protection interval of a hidden cell: absolute, or relative to its count."""
        return max(self.protection_margin, self.protection_relative * (value or 0))

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
            + (
                f"(and at least {self.protection_relative:.0%} of its count) "
                if self.protection_relative
                else ""
            )
            + "wide, given everything published (see the audit line for how this was checked)."
        )
        if self.rounding_base is not None:
            lines.append(
                f"Published counts are rounded to the nearest multiple of {self.rounding_base}; "
                "totals are rounded independently and may not equal the sum of rounded cells."
            )
        return lines
