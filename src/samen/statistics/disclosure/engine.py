"""Primary and secondary suppression, the audit loop, and the check between releases."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from . import hypercube
from .audit import DEFAULT_EXACT_LIMIT, AuditMethod, AuditReport, CellInterval, IntervalSolver
from .result import (
    ProtectedRelease,
    ProtectedTable,
    ResultCell,
    Suppression,
    SuppressionKind,
)
from .rules import DisclosureRules, ZeroPolicy
from .system import RELEASE_DIMENSION, Hierarchy, LinearSystem, Origin
from .table import CellKey, Coordinate, CountTable, describe_key, make_key

logger = logging.getLogger(__name__)

SecondaryMethod = Literal["auto", "lines", "hypercube"]
#: With ``secondary="auto"``, a release with a table of at least this many cells (margins
#: included) gets its secondary suppressions from hypercubes (ADR 0025): the audit/repair
#: loop's linear programs over one component of ten thousand hidden cells take minutes.
HYPERCUBE_FROM = 5000


@dataclass
class _Joint:
    """A system built from the current tables plus what earlier releases made public."""

    system: LinearSystem
    current_ids: list[np.ndarray]
    previously_published: np.ndarray
    previously_suppressed: np.ndarray
    #: Cells published in two releases with different counts (register corrections).
    revisions: list[tuple[CellKey, int, int, str]]
    #: Cells of the current tables that an earlier version of the same table (same name,
    #: categories and scope: the same period) hid.
    hidden_before: list[int] = field(default_factory=list)


def _build(
    tables: Sequence[CountTable],
    previous: Sequence[ProtectedRelease],
    hierarchies: Iterable[Hierarchy],
) -> _Joint:
    names = [table.name for table in tables]
    if len(set(names)) != len(names):
        raise ValueError("table names in a release must be unique")
    system = LinearSystem()
    current_ids = [system.add_table(table, Origin.CURRENT) for table in tables]
    published_keys: set[CellKey] = set()
    suppressed_keys: set[CellKey] = set()
    revisions: list[tuple[CellKey, int, int, str]] = []
    versions = {(t.name, t.dimensions, tuple(sorted(t.scope.items()))) for t in tables}
    hidden_before: set[CellKey] = set()
    for number, release in enumerate(previous):
        label = release.label or f"previous-{number + 1}"
        for table in release.source_tables:
            # A count that changed since (late registrations, corrections) is a different
            # quantity: give the old one its own variable so the two are not equated.
            rename: dict[CellKey, CellKey] = {}
            for coordinates, value in table.cells():
                key = table.canonical_key(coordinates)
                var = system.index.get(key)
                if var is not None and system.values[var] not in (None, value):
                    renamed = make_key((*key, (RELEASE_DIMENSION, label)))
                    rename[key] = renamed
                    current_value = system.values[var]
                    assert current_value is not None
                    revisions.append((key, value, current_value, label))
            ids = system.add_table(table, Origin.PREVIOUS, rename)
            if (table.name, table.dimensions, tuple(sorted(table.scope.items()))) in versions:
                hidden_before.update(
                    key
                    for coordinates, _value in table.cells()
                    if (key := table.canonical_key(coordinates)) in release.suppressed_keys
                )
            for index in np.ndindex(*ids.shape):
                key = table.canonical_key(table.coordinates_at(index))
                target = rename.get(key, key)
                if key in release.suppressed_keys:
                    suppressed_keys.add(target)
                else:
                    published_keys.add(target)
    system.apply_hierarchies(hierarchies)
    system.infer_latent_values()
    n = len(system)
    previously_published = np.zeros(n, dtype=bool)
    previously_suppressed = np.zeros(n, dtype=bool)
    for key in published_keys:
        previously_published[system.index[key]] = True
    for key in suppressed_keys - published_keys:
        previously_suppressed[system.index[key]] = True
    current = {int(v) for ids in current_ids for v in ids.reshape(-1).tolist()}
    before = sorted(system.index[key] for key in hidden_before if system.index[key] in current)
    return _Joint(
        system, current_ids, previously_published, previously_suppressed, revisions, before
    )


class _Suppressor:
    """Mutable state of one protection run."""

    def __init__(self, joint: _Joint, rules: DisclosureRules) -> None:
        self.joint = joint
        self.rules = rules
        system = joint.system
        n = len(system)
        origin = np.array(system.origin, dtype=np.int64)
        self.current = origin == Origin.CURRENT
        self.latent = origin == Origin.LATENT
        self.values = system.values
        self.suppressed = np.zeros(n, dtype=bool)
        self.reasons: dict[int, Suppression] = {}
        # Hidden from the reader: neither published now nor in an earlier release.
        self.hidden = ~(self.current | joint.previously_published)
        self.hidden_count = np.array(
            [int(self.hidden[members].sum()) for members in system.equations], dtype=np.int64
        )
        # A latent cell only needs protecting when its own count would be sensitive.
        latent_sensitive = np.array(
            [
                is_latent and (value is None or rules.is_sensitive(value))
                for is_latent, value in zip(self.latent, system.values, strict=True)
            ],
            dtype=bool,
        )
        self.need = (joint.previously_suppressed | latent_sensitive) & self.hidden
        self.candidate = self.current & ~joint.previously_published
        if rules.never_hide_zeros:
            # Readers are told every hidden cell is at least 1: keep that true.
            self.candidate &= np.array([v != 0 for v in system.values], dtype=bool)
        self._queue: list[int] = []

    # -- primitive ----------------------------------------------------------------------

    def cost(self, var: int) -> tuple[int, ...]:
        """Order of preference among cells that could be hidden: interior cells before
        totals (a hidden total costs readers a whole row, and with linked tables a total is
        shared by all of them, so hiding it for one sparse table blanks the main figures of
        the others); among those a cell whose other lines also have a single hidden cell
        settles those lines at once (fewer suppressions in all), then the smallest count."""
        value = self.values[var] or 0
        zero_last = int(value == 0 and self.rules.avoid_zero_secondary)
        settles = sum(1 for e in self.joint.system.var_equations[var] if self.hidden_count[e] == 1)
        # How broad the population is: fewer key items (year alone) is a broader total than
        # more (year, form and age band), whatever table the cell sits in.
        breadth = -len(self.joint.system.keys[var])
        return (zero_last, breadth, self.joint.system.level[var], -settles, value, var)

    def suppress(self, var: int, reason: Suppression) -> None:
        self.suppressed[var] = True
        self.reasons[var] = reason
        self.candidate[var] = False
        if self.hidden[var] or self.joint.previously_published[var]:
            # Already hidden, or public for good through an earlier release: hiding it now
            # changes nothing a reader can combine.
            return
        self.need[var] = True
        self.hidden[var] = True
        for equation in self.joint.system.var_equations[var]:
            self.hidden_count[equation] += 1
            if self.hidden_count[equation] == 1:
                self._queue.append(equation)

    # -- rules ---------------------------------------------------------------------------

    def primary(self) -> None:
        for var in np.flatnonzero(self.current).tolist():
            value = self.values[var]
            assert value is not None
            rule = self.rules.primary_rule(value)
            if rule is None:
                continue
            if rule == "zero":
                explanation = "zero counts are treated as sensitive"
            else:
                explanation = f"count below the minimum of {self.rules.min_count}"
            self.suppress(var, Suppression(SuppressionKind.PRIMARY, rule, explanation))
        self.corrections()
        for var in self.joint.hidden_before:
            # A new version of a released period (a correction) hides at least what the
            # released version hid: publishing one of those cells now is new information
            # next to everything released since, which the archive was not checked against.
            if self.candidate[var] and not self.suppressed[var]:
                self.suppress(
                    var,
                    Suppression(
                        SuppressionKind.SECONDARY,
                        "version",
                        "hidden in the released version of this period",
                    ),
                )
        # Lines that already had a single hidden cell before this run (an earlier release's
        # suppression, a sensitive latent cell) must be looked at too.
        self._queue.extend(np.flatnonzero(self.hidden_count == 1).tolist())

    def corrections(self) -> None:
        """A count an earlier release published differently (a correction, a late
        registration) tells readers its difference: a group of people who changed. Where that
        group is smaller than the minimum, the cell is hidden now, and the audit then keeps
        its new count (so the difference) from being recalculated."""
        system = self.joint.system
        for key, old, new, _label in self.joint.revisions:
            var = system.index[key]
            if not self.current[var] or self.suppressed[var]:
                continue
            if 0 < abs(new - old) < self.rules.min_count:
                self.suppress(
                    var,
                    Suppression(
                        SuppressionKind.SECONDARY,
                        "correction",
                        f"changed by fewer than {self.rules.min_count} since an earlier release",
                    ),
                )

    def lines(self) -> None:
        """Secondary suppression by lines: a total with exactly one hidden part (or a hidden
        total with all parts known) gives that cell away, so hide one more member of it."""
        system = self.joint.system
        while self._queue:
            equation = self._queue.pop()
            if self.hidden_count[equation] != 1:
                continue
            members = system.equations[equation]
            exposed = next(v for v in members if self.hidden[v])
            if not self.need[exposed]:
                continue
            options = self._useful([v for v in members if self.candidate[v]], exposed)
            if not options:
                continue  # nothing useful left to hide here; the audit repair goes further
            chosen = min(options, key=self.cost)
            total = members[0]
            where = "its parts" if total == exposed else f"the total {system.describe(total)}"
            self.suppress(
                chosen,
                Suppression(
                    SuppressionKind.SECONDARY,
                    self._rule_for(exposed, "line"),
                    f"hidden so that {system.describe(exposed)} cannot be recalculated "
                    f"from {where}",
                ),
            )

    def release(self, var: int) -> None:
        """Publish a secondary suppression after all: the audit found it pinned to its true
        value, so it protects nothing, and publishing a value every feasible table already
        has changes no other cell's interval."""
        self.suppressed[var] = False
        self.reasons.pop(var, None)
        self.need[var] = False
        self.candidate[var] = False  # never pick it again: it cannot help
        self.hidden[var] = False
        for equation in self.joint.system.var_equations[var]:
            self.hidden_count[equation] -= 1
            if self.hidden_count[equation] == 1:
                self._queue.append(equation)

    def is_secondary(self, var: int) -> bool:
        reason = self.reasons.get(var)
        return reason is not None and reason.kind is SuppressionKind.SECONDARY

    def repair(self, violations: Sequence[CellInterval]) -> bool:
        """Hide more cells around each exposed one; False when nothing can be hidden."""
        system = self.joint.system
        progress = False
        for violation in violations:
            exposed = system.index[violation.key]
            for chosen in self._repair_candidates(exposed):
                if not self.candidate[chosen]:
                    continue  # already taken for another exposed cell this round
                progress = True
                self.suppress(
                    chosen,
                    Suppression(
                        SuppressionKind.SECONDARY,
                        self._rule_for(exposed, "audit"),
                        f"hidden because {system.describe(exposed)} could otherwise be "
                        "recalculated by combining published totals",
                    ),
                )
        return progress

    def _repair_candidates(self, exposed: int) -> list[int]:
        """One cell for each line in which the exposed cell has nothing to trade with (so one
        round fixes all its lines), or failing that the nearest useful cell."""
        system = self.joint.system
        picks = []
        for equation in system.var_equations[exposed]:
            if self._has_slack(equation, exposed):
                continue
            members = system.equations[equation]
            options = self._useful([v for v in members if self.candidate[v]], exposed)
            if options:
                picks.append(min(options, key=self.cost))
        if picks:
            return picks
        nearest = self._nearest_candidate(exposed)
        return [] if nearest is None else [nearest]

    def _has_slack(self, equation: int, var: int) -> bool:
        """Whether another hidden member of the line can absorb a change of ``var``."""
        total, *parts = self.joint.system.equations[equation]
        margin = self.rules.protection_margin
        if var == total:
            return any(self.hidden[p] for p in parts)
        if self.hidden[total]:
            return True
        own = self.values[var] or 0
        for part in parts:
            if part == var or not self.hidden[part]:
                continue
            if (self.values[part] or 0) >= margin or own >= margin:
                return True
        return False

    def _nearest_candidate(self, start: int) -> int | None:
        """Cheapest useful publishable cell sharing an equation with the exposed cell, or
        failing that with the hidden cells linked to it (breadth first)."""
        system = self.joint.system
        frontier = [start]
        seen = {start}
        while frontier:
            options: list[int] = []
            next_frontier: list[int] = []
            for var in frontier:
                for equation in system.var_equations[var]:
                    for other in system.equations[equation]:
                        if self.candidate[other]:
                            options.append(other)
                        elif self.hidden[other] and other not in seen:
                            seen.add(other)
                            next_frontier.append(other)
            options = self._useful(options, start)
            if options:
                return min(options, key=self.cost)
            frontier = next_frontier
        return None

    def _useful(self, options: list[int], exposed: int) -> list[int]:
        """Drop partners that cannot move a small hidden cell: a part can only go up if
        another part goes down, so next to a hidden zero another zero protects nothing (both
        are pinned at zero by the total)."""
        value = self.values[exposed]
        if value is None or value >= self.rules.protection_margin:
            return options
        return [v for v in options if (self.values[v] or 0) >= self.rules.protection_margin]

    def _rule_for(self, exposed: int, default: str) -> str:
        # Protecting an earlier release's cell or a difference between releases.
        if not self.current[exposed]:
            return "differencing"
        return default

    def check_mask(self) -> np.ndarray:
        return self.need & self.hidden


def protect(
    tables: Sequence[CountTable],
    rules: DisclosureRules | None = None,
    *,
    previous: Sequence[ProtectedRelease] = (),
    hierarchies: Iterable[Hierarchy] = (),
    label: str = "",
    audit_method: AuditMethod = "auto",
    exact: bool | None = None,
    exact_limit: int = DEFAULT_EXACT_LIMIT,
    secondary: SecondaryMethod = "auto",
) -> ProtectedRelease:
    """Protect a set of tables released together.

    Tables sharing a margin are protected jointly. ``previous`` releases are public already:
    what they published is treated as known and what they suppressed must stay hidden, so the
    current release is protected against differencing with them. ``hierarchies`` declare how
    categories nest (e.g. minor + adult = all), which links a table to sub-tables.
    ``secondary``: how secondary suppressions are first proposed -- by lines and the
    audit/repair loop, or by hypercubes (large tables; ``auto`` picks by size). Either way
    the same audit decides, and the repair loop adds what a proposal left exposed.
    """
    rules = rules or DisclosureRules()
    joint = _build(tables, previous, hierarchies)
    state = _Suppressor(joint, rules)
    state.primary()
    solver = IntervalSolver(
        joint.system,
        rules.protection_margin,
        method=audit_method,
        exact=exact,
        exact_limit=exact_limit,
        **_attacker(joint.system, rules),
    )
    solver.certify_first = True
    if secondary == "hypercube" or (
        secondary == "auto" and max(t.extended_array().size for t in tables) >= HYPERCUBE_FROM
    ):
        witnesses = hypercube.propose(state, solver.required, solver.floor)
        state.lines()  # for the cells no box could protect
        accepted = solver.add_witnesses(witnesses, ~state.hidden)
        logger.info("hypercubes: %d proposed, %d proven", len(witnesses), accepted)
    else:
        state.lines()
    unresolved: list[str] = []
    _relax(state, solver)
    report = solver.audit(~state.hidden, state.check_mask(), settle_exposed=False)
    system = joint.system
    for round_number in range(rules.max_repair_rounds):
        logger.info(
            "round %d: %d hidden, %d exposed",
            round_number,
            int(state.hidden.sum()),
            len(report.violations),
        )
        if report.ok:
            break
        violations = report.violations
        pinned = np.zeros(len(system), dtype=bool)
        for violation in violations:
            var = system.index[violation.key]
            # Only cells no LP solution could move at all are candidates for being pinned.
            pinned[var] = state.is_secondary(var) and violation.width <= 1e-6
        released: set[CellKey] = set()
        releasable = [
            var
            for var in np.flatnonzero(pinned).tolist()
            if system.values[var] is not None
            and not rules.is_sensitive(system.values[var])  # type: ignore[arg-type]
            and state.reasons[var].rule != "correction"
        ]
        unproven = [v for v in releasable if not report.interval(system.keys[v]).exact]
        if unproven and solver.method == "linprog":
            # The bulk pass moved them nowhere: their own LPs say whether they are pinned.
            only = np.zeros(len(system), dtype=bool)
            only[unproven] = True
            exact_report = solver.audit(~state.hidden, only & state.check_mask())
            proven = {i.key: i for i in exact_report.intervals}
            report.intervals = [proven.get(i.key, i) for i in report.intervals]
        exactly = [
            var
            for var in releasable
            if (interval := report.interval(system.keys[var])).exact and interval.width <= 1e-6
        ]
        for var in _pinned_for_good(state, exactly):
            # A secondary the equations fix exactly whatever else this release hides (its
            # parts are public in an earlier release: four single years published, their sum
            # hidden) shields nothing: publish it (what every feasible table has, a reader
            # knows already). Only counts no rule protects (zero or at least the minimum),
            # and never a correction: its new count published next to the old one would be a
            # difference no audit checks. One pinned only by what is published *now* stays
            # hidden and is repaired like any exposed cell: published and struck off, it would
            # take with it the partner its neighbours need (ADR 0039).
            state.release(var)
            released.add(system.keys[var])
            pinned[var] = False
        if pinned.any() and solver.method == "linprog":
            # A secondary zero the reader can pin down exactly is useless as a shield: publish
            # it instead of hiding ever more cells around it.
            zeros = [v for v in np.flatnonzero(pinned).tolist() if system.values[v] == 0]
            for var in solver.pinned_zeros(~state.hidden, zeros):
                state.release(var)
                released.add(system.keys[var])
        remaining = [v for v in violations if v.key not in released]
        if not state.repair(remaining) and not released:
            unresolved.extend(
                f"{v.explain()} and no publishable cell is left to hide it"
                for v in report.violations
            )
            break
        state.lines()
        _relax(state, solver)
        report = solver.audit(~state.hidden, state.check_mask(), settle_exposed=False)
    else:
        if not report.ok:
            unresolved.append(f"gave up after {rules.max_repair_rounds} repair rounds")
    if not report.ok:
        # Exact intervals for what is left exposed, so the report says how far it is exposed.
        report = solver.audit(~state.hidden, state.check_mask())
        if report.ok:
            # The bulk pass could not prove some cells that their own LPs now do.
            unresolved.clear()
    suppressed_keys = frozenset(
        joint.system.keys[var] for var in np.flatnonzero(state.suppressed).tolist()
    )
    protected = [
        _result_table(table, ids, state, rules)
        for table, ids in zip(tables, joint.current_ids, strict=True)
    ]
    return ProtectedRelease(
        label=label,
        rules=rules,
        tables=protected,
        audit=report,
        source_tables=list(tables),
        suppressed_keys=suppressed_keys,
        unresolved=unresolved,
    )


def _pinned_for_good(state: _Suppressor, cells: Sequence[int]) -> list[int]:
    """Those of ``cells`` (hidden, pinned now) that stay pinned even if every cell this
    release may still hide were hidden: pinned by what earlier releases published. Hiding
    more only widens the set of feasible tables, so a cell that no LP can move with all of
    them hidden can never shield anything, and one that moves there could once its
    neighbours are hidden too."""
    if not cells:
        return []
    system = state.joint.system
    solver = IntervalSolver(
        system, state.rules.protection_margin, exact=True, **_attacker(system, state.rules)
    )
    if solver.method != "linprog":
        return list(cells)  # no LP to tell the two apart: as before, publish them
    movable = state.hidden | state.candidate
    check = np.zeros(len(system), dtype=bool)
    check[list(cells)] = True
    report = solver.audit(~movable, check)
    return [var for var in cells if report.interval(system.keys[var]).width <= 1e-6]


def _relax(state: _Suppressor, solver: IntervalSolver) -> None:
    """Against earlier releases, a hidden cell whose own count no rule protects (zero or at
    least the minimum) needs the absolute margin (never pinned), not the relative one (which
    is what tau-ARGUS does for every cell that is not itself unsafe). Releases of overlapping
    periods tie such cells to cells released before: a period's total over years whose
    single years were released already has at most their range, and a year's total hidden
    in the five-year release and in the year's own is narrowed by both. The sensitive cells
    keep the full interval; a release on its own keeps it for every hidden cell."""
    if not state.joint.revisions and not (
        state.joint.previously_published.any() or state.joint.previously_suppressed.any()
    ):
        return
    margin = state.rules.protection_margin
    system = state.joint.system
    for var in np.flatnonzero(state.hidden).tolist():
        value = system.values[var]
        reason = state.reasons.get(var)
        if (
            value is not None
            and not state.rules.is_sensitive(value)
            and (reason is None or reason.rule != "correction")
        ):
            solver.required[var] = margin


def _result_table(
    table: CountTable, ids: np.ndarray, state: _Suppressor, rules: DisclosureRules
) -> ProtectedTable:
    cells = []
    extended = table.extended_array()
    for index in np.ndindex(*extended.shape):
        var = int(ids[index])
        coordinates = table.coordinates_at(index)
        reason = state.reasons.get(var)
        if reason is not None:
            cells.append(ResultCell(coordinates, None, reason))
        else:
            cells.append(ResultCell(coordinates, rules.round(int(extended[index]))))
    return ProtectedTable(table.name, table.dimensions, dict(table.scope), tuple(cells))


def release_from_pattern(
    tables: Sequence[CountTable],
    suppressed: Mapping[str, Iterable[Sequence[Coordinate]]],
    rules: DisclosureRules | None = None,
    *,
    label: str = "",
) -> ProtectedRelease:
    """Rebuild an earlier release as it was published: its true counts plus the cells it
    suppressed (by table name and coordinates), e.g. from an archived publication, so the
    next release can be checked against exactly what readers have seen."""
    rules = rules or DisclosureRules()
    by_name = {table.name: table for table in tables}
    keys: set[CellKey] = set()
    hidden: dict[str, set[tuple[Coordinate, ...]]] = {}
    for name, cells in suppressed.items():
        table = by_name[name]
        for coordinates in cells:
            table.value(coordinates)  # validates the coordinates
            keys.add(table.canonical_key(coordinates))
            hidden.setdefault(name, set()).add(tuple(coordinates))
    result_tables = []
    archived = Suppression(SuppressionKind.PRIMARY, "archived", "suppressed in this release")
    for table in tables:
        cells = []
        for coordinates, value in table.cells():
            if table.canonical_key(coordinates) in keys:
                cells.append(ResultCell(coordinates, None, archived))
            else:
                cells.append(ResultCell(coordinates, rules.round(value)))
        result_tables.append(
            ProtectedTable(table.name, table.dimensions, dict(table.scope), tuple(cells))
        )
    return ProtectedRelease(
        label=label,
        rules=rules,
        tables=result_tables,
        audit=AuditReport(method="not audited", margin=rules.protection_margin),
        source_tables=list(tables),
        suppressed_keys=frozenset(keys),
    )


def audit_release(
    release: ProtectedRelease,
    *,
    margin: float | None = None,
    method: AuditMethod = "auto",
    exact: bool | None = None,
    hierarchies: Iterable[Hierarchy] = (),
) -> AuditReport:
    """Re-audit a release on its own: the feasible interval of each suppressed cell."""
    return _joint_audit([release], hierarchies, margin, method, exact)[0]


@dataclass
class DifferencingReport:
    """Result of checking a release against earlier ones."""

    audit: AuditReport
    #: Published in two releases with different counts; the difference is a group of people
    #: (late registrations or corrections). Reported when that group is itself sensitive.
    revisions: list[str] = field(default_factory=list)

    @property
    def findings(self) -> list[str]:
        findings = []
        for interval in self.audit.violations:
            if interval.origin is Origin.LATENT:
                findings.append(
                    f"the difference between the releases reveals {interval.label} "
                    f"= {interval.lower:g}"
                )
            else:
                findings.append(f"suppressed cell revealed: {interval.explain()}")
        return findings

    @property
    def ok(self) -> bool:
        return self.audit.ok


def check_differencing(
    current: ProtectedRelease,
    previous: ProtectedRelease | Sequence[ProtectedRelease],
    *,
    hierarchies: Iterable[Hierarchy] = (),
    margin: float | None = None,
    method: AuditMethod = "auto",
    exact: bool | None = None,
) -> DifferencingReport:
    """Can a reader who holds all these releases recalculate any suppressed cell, or a small
    group that only shows up as the difference between them (this year minus last year, a
    table minus its sub-table)?"""
    earlier = [previous] if isinstance(previous, ProtectedRelease) else list(previous)
    report, joint = _joint_audit([current, *earlier], hierarchies, margin, method, exact)
    rules = current.rules
    revisions = [
        f"{describe_key(key)} was {old} in {label} and is {new} now: the difference of "
        f"{abs(new - old)} is below the minimum of {rules.min_count}"
        for key, old, new, label in joint.revisions
        if rules.is_sensitive(abs(new - old)) and key not in current.suppressed_keys and old != new
    ]
    return DifferencingReport(report, revisions)


def _joint_audit(
    releases: Sequence[ProtectedRelease],
    hierarchies: Iterable[Hierarchy],
    margin: float | None,
    method: AuditMethod,
    exact: bool | None,
) -> tuple[AuditReport, _Joint]:
    first, *rest = releases
    # The first release is "current" only to build the system: nothing is decided here, each
    # release's own suppression pattern is applied as it was published.
    joint = _build(first.source_tables, rest, hierarchies)
    system = joint.system
    rules = first.rules
    suppressed_now = np.zeros(len(system), dtype=bool)
    for key in first.suppressed_keys:
        suppressed_now[system.index[key]] = True
    origin = np.array(system.origin, dtype=np.int64)
    current = origin == Origin.CURRENT
    latent = origin == Origin.LATENT
    known = (current & ~suppressed_now) | joint.previously_published
    latent_sensitive = np.array(
        [
            is_latent and (value is None or rules.is_sensitive(value))
            for is_latent, value in zip(latent, system.values, strict=True)
        ],
        dtype=bool,
    )
    check = (suppressed_now | joint.previously_suppressed | latent_sensitive) & ~known
    solver = IntervalSolver(
        system,
        margin if margin is not None else rules.protection_margin,
        method,
        exact,
        **_attacker(system, rules),
    )
    if rest:
        # As ``protect`` does against earlier releases (``_relax``): cells whose own count
        # no rule protects need the absolute margin, except the revised ones (corrections).
        revised = {key for key, *_ in joint.revisions}
        for var, value in enumerate(system.values):
            if (
                value is not None
                and not rules.is_sensitive(value)
                and system.keys[var] not in revised
            ):
                solver.required[var] = solver.margin
    return solver.audit(known, check), joint


def _attacker(system: LinearSystem, rules: DisclosureRules) -> dict:
    """The reader's model for the audit: the relative protection interval, whole numbers
    where the LP is close, and (when hidden cells are never zero) a floor of 1 for every
    cell of a published table."""
    floor = None
    if rules.never_hide_zeros:
        floor = np.array(
            [
                1.0 if origin != Origin.LATENT and (value or 0) >= 1 else 0.0
                for origin, value in zip(system.origin, system.values, strict=True)
            ]
        )
    return {
        "relative": rules.protection_relative,
        "floor": floor,
        "integer": rules.integer_audit,
        "zeros_public": rules.zero_policy is ZeroPolicy.PUBLISH,
    }
