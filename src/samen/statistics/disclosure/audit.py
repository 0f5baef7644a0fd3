"""The audit: how precisely can a reader pin down each hidden cell from what is published?

For every suppressed (or latent, sensitive) cell the audit computes the feasible interval: the
smallest and largest value the cell can take in any non-negative table that agrees with every
published figure. A cell whose interval is narrower than the protection margin is exposed.

With scipy the interval comes from linear programming (``scipy.optimize.linprog``, HiGHS). The
LP relaxation gives the interval over real-valued tables, which contains the interval over whole
numbers; for two-dimensional tables both coincide, for larger tables the LP can be slightly
optimistic (the usual caveat of LP-based auditing, shared with tau-argus). Without scipy the
audit falls back to propagation: it finds every cell that a chain of single equations
determines, which catches the common attacks but is not a proof of safety.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from .system import LinearSystem, Origin
from .table import CellKey, describe_key

try:  # scipy is a project dependency, but the engine stays usable without it.
    from scipy.optimize import Bounds, LinearConstraint, linprog, milp
    from scipy.sparse import csr_matrix

    HAVE_SCIPY = True
except ImportError:  # pragma: no cover - exercised only where scipy is missing
    HAVE_SCIPY = False

AuditMethod = Literal["auto", "linprog", "propagation"]

#: Slack for floating-point LP results; counts are whole numbers, so this never hides a gap.
_TOLERANCE = 1e-6
#: Components with at most this many cells to check get exact intervals for every cell; larger
#: ones are first certified in bulk (see ``_lp_component``) and solved exactly only where the
#: bulk pass could not prove the margin.
DEFAULT_EXACT_LIMIT = 150
#: Number of hidden cells in a component from which its LPs use the interior-point method.
IPM_FROM = 5000
#: Seconds a MILP of the integer check may take; past it the best whole-number tables found
#: so far count (they are feasible, so the range they show is never wider than the truth).
MILP_TIME_LIMIT = 5.0
#: Components with more hidden cells than this get no MILP: their integer check rests on the
#: whole-number tables the LPs happened to find (vertices of these tables mostly are).
MILP_MAX_CELLS = 2000


@dataclass(frozen=True)
class CellInterval:
    """What a reader can learn about one hidden cell.

    ``lower``/``upper`` are the feasible interval when ``exact``; otherwise they are values the
    cell was shown to be able to take, so the true interval is at least that wide. ``upper`` is
    ``math.inf`` when nothing published bounds the cell from above. ``value`` is the true
    count: this report is for the producer of the statistics, never for publication.
    """

    key: CellKey
    value: int | None
    lower: float
    upper: float
    exact: bool
    protected: bool
    origin: Origin

    @property
    def width(self) -> float:
        return self.upper - self.lower

    @property
    def label(self) -> str:
        return describe_key(self.key)

    def explain(self) -> str:
        upper = "unbounded" if math.isinf(self.upper) else f"{self.upper:g}"
        bounds = f"[{self.lower:g}, {upper}]"
        if self.protected:
            qualifier = "at least" if not self.exact else "exactly"
            return f"{self.label}: feasible range {qualifier} {bounds}"
        return f"{self.label}: can be recalculated to within {bounds} from published figures"


@dataclass
class AuditReport:
    method: str
    margin: float
    intervals: list[CellInterval] = field(default_factory=list)

    @property
    def violations(self) -> list[CellInterval]:
        return [interval for interval in self.intervals if not interval.protected]

    @property
    def ok(self) -> bool:
        return not self.violations

    def interval(self, key: CellKey) -> CellInterval:
        for interval in self.intervals:
            if interval.key == key:
                return interval
        raise KeyError(describe_key(key))

    def summary(self) -> str:
        if self.ok:
            return (
                f"audit ({self.method}): all {len(self.intervals)} hidden cells keep a feasible "
                f"range of at least {self.margin:g}"
            )
        return (
            f"audit ({self.method}): {len(self.violations)} of {len(self.intervals)} hidden "
            f"cells can be recalculated: " + "; ".join(v.explain() for v in self.violations[:5])
        )


class IntervalSolver:
    """Computes intervals for the hidden cells of a system; keeps results per component so the
    repeated audits of the suppression loop only solve what changed."""

    def __init__(
        self,
        system: LinearSystem,
        margin: float,
        method: AuditMethod = "auto",
        exact: bool | None = None,
        exact_limit: int = DEFAULT_EXACT_LIMIT,
        *,
        relative: float = 0.0,
        floor: np.ndarray | None = None,
        integer: bool = False,
        zeros_public: bool = False,
    ) -> None:
        if method == "auto":
            method = "linprog" if HAVE_SCIPY else "propagation"
        if method == "linprog" and not HAVE_SCIPY:
            raise RuntimeError("the linprog audit needs scipy; use method='propagation'")
        self.system = system
        self.margin = margin
        self.method = method
        self.exact = exact
        self.exact_limit = exact_limit
        known_values = [v for v in system.values if v is not None]
        # Any cell is at most the grand total; the cap only keeps LPs bounded, and a cell that
        # reaches it is reported as unbounded.
        self.cap = float(4 * max(known_values, default=0) + 100)
        # The protection interval of each cell: the absolute margin, or a share of its count.
        self.required = np.array(
            [max(margin, relative * (v or 0)) for v in system.values], dtype=float
        )
        # What the reader knows from below: 0 for any count, 1 for a hidden cell when hidden
        # cells are never zero (zeros published, never hidden) -- the attacker's model.
        self.floor = (
            np.zeros(len(system.values)) if floor is None else np.asarray(floor, dtype=float)
        )
        self.integer = integer
        self.zeros_public = zeros_public
        # Values each cell was seen to take in feasible tables. They stay valid across the
        # audits of one protection run because hiding more cells only enlarges the set of
        # feasible tables, and a cell is only published again when every feasible table
        # already has its value.
        self._seen_low = np.array([np.inf if v is None else v for v in system.values], float)
        self._seen_high = np.array([-np.inf if v is None else v for v in system.values], float)
        # The same, over the whole-number tables among them (the true table is one).
        self._int_low = self._seen_low.copy()
        self._int_high = self._seen_high.copy()
        self.certify_rounds = 6
        #: Certify cells in bulk before solving their own LPs even when exact: used inside the
        #: suppression loop, where a proven width is all that is needed.
        self.certify_first = False
        self._cache: dict[
            tuple[frozenset[int], frozenset[int], bool], dict[int, tuple[float, float, bool]]
        ] = {}
        self._rng = np.random.default_rng(20240101)
        self._incidence: Any = None

    # -- public --------------------------------------------------------------------------

    def audit(
        self, known: np.ndarray, check: np.ndarray, *, settle_exposed: bool = True
    ) -> AuditReport:
        """``known``: variables the reader knows (published anywhere). ``check``: hidden
        variables that must be protected. With ``settle_exposed=False`` cells the bulk pass
        could not prove are reported as exposed without solving their own LPs: cheaper inside
        the suppression loop, which only needs to know where to add suppressions."""
        system = self.system
        values = np.array([np.nan if v is None else v for v in system.values], dtype=float)
        determined = self._propagate(known, values)
        results: dict[int, tuple[float, float, bool]] = {
            var: (value, value, True) for var, value in determined.items()
        }
        hidden = ~known
        hidden[list(determined)] = False
        if self.method == "linprog":
            for component in self._components(hidden):
                if not any(check[v] for v in component):
                    continue
                signature = (
                    frozenset(component),
                    frozenset(v for v in component if check[v]),
                    settle_exposed,
                )
                cached = self._cache.get(signature)
                if cached is None:
                    cached = self._lp_component(component, hidden, values, check, settle_exposed)
                    self._cache[signature] = cached
                results.update(cached)
        else:
            results.update(self._outer_bounds(hidden, values, determined))
        report = AuditReport(method=self.method, margin=self.margin)
        for var in np.flatnonzero(check).tolist():
            lower, upper, exact = results[var]
            if upper >= self.cap - _TOLERANCE:
                upper = math.inf
            protected = upper - lower >= self.required[var] - _TOLERANCE
            if not protected and self.zeros_public and upper <= _TOLERANCE:
                # A cell no table publishes (a difference between releases, a sub-total),
                # pinned at zero: "nobody" is what the rules publish for any empty group.
                protected = system.origin[var] == Origin.LATENT
            report.intervals.append(
                CellInterval(
                    key=system.keys[var],
                    value=system.values[var],
                    lower=_clean(lower),
                    upper=_clean(upper),
                    exact=exact,
                    protected=protected,
                    origin=system.origin[var],
                )
            )
        return report

    def add_witnesses(self, witnesses: Sequence[Any], known: np.ndarray) -> int:
        """Take moves proposed by a heuristic (``hypercube.Witness``: cells, signs, up, down)
        as feasible tables, after checking each against every equation of the system: it
        moves hidden cells only, changes no total (each equation's change sums to zero),
        and keeps every cell within [floor, cap]. A move that passes gives two whole-number
        tables a reader cannot tell from the true one, so the ranges they show are proven
        (over real and whole numbers alike). Returns how many were accepted; the others are
        ignored and their cells left to the linear programs."""
        if not witnesses:
            return 0
        system = self.system
        n = len(system)
        if self._incidence is None:
            rows: list[int] = []
            cols: list[int] = []
            coefficients: list[float] = []
            for equation, (total, *parts) in enumerate(system.equations):
                rows.append(equation)
                cols.append(total)
                coefficients.append(1.0)
                rows.extend([equation] * len(parts))
                cols.extend(parts)
                coefficients.extend([-1.0] * len(parts))
            self._incidence = csr_matrix(
                (coefficients, (rows, cols)), shape=(len(system.equations), n)
            )
        values = np.array([np.nan if v is None else v for v in system.values], dtype=float)
        cells = np.concatenate([w.cells for w in witnesses])
        signs = np.concatenate([w.signs for w in witnesses]).astype(float)
        which = np.repeat(np.arange(len(witnesses)), [len(w.cells) for w in witnesses])
        moves = csr_matrix((signs, (cells, which)), shape=(n, len(witnesses)))
        change = abs(self._incidence @ moves)
        broken = np.asarray(change.sum(axis=0)).reshape(-1) > _TOLERANCE
        accepted = 0
        for number, witness in enumerate(witnesses):
            cells = np.asarray(witness.cells, dtype=np.int64)
            if broken[number] or len(np.unique(cells)) != len(cells) or known[cells].any():
                continue
            truth = values[cells]
            up = truth + witness.up * witness.signs
            down = truth - witness.down * witness.signs
            floor = self.floor[cells]
            if np.isnan(truth).any() or min(up.min(), down.min()) < 0:
                continue
            if (up < floor - _TOLERANCE).any() or (down < floor - _TOLERANCE).any():
                continue
            if max(up.max(), down.max()) > self.cap:
                continue
            for table in (up, down):
                self._seen_low[cells] = np.minimum(self._seen_low[cells], table)
                self._seen_high[cells] = np.maximum(self._seen_high[cells], table)
                self._int_low[cells] = np.minimum(self._int_low[cells], table)
                self._int_high[cells] = np.maximum(self._int_high[cells], table)
            accepted += 1
        return accepted

    # -- propagation ---------------------------------------------------------------------

    def _propagate(self, known: np.ndarray, values: np.ndarray) -> dict[int, float]:
        """Cells fixed by a chain of single equations: one hidden member left, or the hidden
        parts of a known total that has nothing left to share out (all must be zero)."""
        system = self.system
        resolved = known.copy()
        determined: dict[int, float] = {}
        pending = list(range(len(system.equations)))
        while pending:
            equation = pending.pop()
            total, *parts = system.equations[equation]
            open_members = [v for v in (total, *parts) if not resolved[v]]
            if not open_members:
                continue
            if len(open_members) == 1:
                (var,) = open_members
                if var == total:
                    value = float(sum(values[p] for p in parts))
                else:
                    value = float(values[total] - sum(values[p] for p in parts if p != var))
                newly = {var: value}
            elif total not in open_members and (
                values[total] - sum(values[p] for p in parts if resolved[p]) <= _TOLERANCE
            ):
                newly = {var: 0.0 for var in open_members}
            else:
                continue
            for var, value in newly.items():
                resolved[var] = True
                determined[var] = value
                if np.isnan(values[var]):
                    values[var] = value
                pending.extend(system.var_equations[var])
        return determined

    def _outer_bounds(
        self, hidden: np.ndarray, values: np.ndarray, determined: dict[int, float]
    ) -> dict[int, tuple[float, float, bool]]:
        """Without an LP: simple bounds from each equation on its own. They contain the true
        interval, so a cell flagged here is certainly exposed, but a cell passing is not
        proven safe."""
        system = self.system
        lower = np.zeros(len(system))
        upper = np.full(len(system), self.cap)
        for members in system.equations:
            total, *parts = members
            open_parts = [p for p in parts if hidden[p]]
            if hidden[total]:
                lower[total] = max(lower[total], sum(values[p] for p in parts if not hidden[p]))
                continue
            residual = values[total] - sum(values[p] for p in parts if not hidden[p])
            for part in open_parts:
                upper[part] = min(upper[part], residual)
        return {
            int(var): (float(lower[var]), float(upper[var]), False)
            for var in np.flatnonzero(hidden)
        }

    # -- linear programming --------------------------------------------------------------

    def _components(self, hidden: np.ndarray) -> Iterable[list[int]]:
        system = self.system
        seen = np.zeros(len(system), dtype=bool)
        for start in np.flatnonzero(hidden).tolist():
            if seen[start]:
                continue
            seen[start] = True
            component = [start]
            stack = [start]
            while stack:
                var = stack.pop()
                for equation in system.var_equations[var]:
                    for other in system.equations[equation]:
                        if hidden[other] and not seen[other]:
                            seen[other] = True
                            component.append(other)
                            stack.append(other)
            yield component

    def _lp_component(
        self,
        component: list[int],
        hidden: np.ndarray,
        values: np.ndarray,
        check: np.ndarray,
        settle_exposed: bool,
    ) -> dict[int, tuple[float, float, bool]]:
        n = len(component)
        floor = self.floor[np.array(component, dtype=np.int64)]
        required = self.required[np.array(component, dtype=np.int64)]
        # Built on first use: a component whose cells proven moves already cover (see
        # ``add_witnesses``) needs no linear program at all.
        built: list[Any] = []

        def system() -> tuple[Any, np.ndarray]:
            if not built:
                built.extend(self._equations(component, hidden, values))
            return built[0], built[1]

        def solve(objective: np.ndarray) -> np.ndarray:
            matrix, b = system()
            return self._solve(objective, matrix, b, floor)

        truth = np.array([values[var] for var in component])
        local = {var: i for i, var in enumerate(component)}
        to_check = [local[var] for var in component if check[var]]
        exact = self.exact if self.exact is not None else len(to_check) <= self.exact_limit
        if np.isnan(truth).any():
            # A latent cell the data does not fix: start from any feasible table instead.
            truth = solve(np.zeros(n))
            exact = True
        results: dict[int, tuple[float, float, bool]] = {}

        if not exact or self.certify_first:
            # Bulk certification: any feasible table in which a cell is a margin away from its
            # true value proves the cell's interval is at least that wide. A random mix of
            # minimising and maximising moves many cells at once, so a few LPs settle
            # thousands of cells; only the rest need their own pair of LPs. What earlier
            # audits of the same run proved is kept (see ``_seen_low``).
            global_ids = np.array(component, dtype=np.int64)
            lowest = np.minimum(self._seen_low[global_ids], truth)
            highest = np.maximum(self._seen_high[global_ids], truth)
            check_ids = np.array(to_check, dtype=np.int64)
            pending = check_ids[
                highest[check_ids] - lowest[check_ids] < required[check_ids] - _TOLERANCE
            ]
            signs = self._rng.choice([-1.0, 1.0], size=n)
            for attempt in range(self.certify_rounds):
                if not len(pending):
                    break
                objective = np.zeros(n)
                objective[pending] = signs[pending]
                solution = solve(objective)
                np.minimum(lowest, solution, out=lowest)
                np.maximum(highest, solution, out=highest)
                self._note_integral(global_ids, solution)
                still = pending[highest[pending] - lowest[pending] < required[pending] - _TOLERANCE]
                if len(still) == len(pending) and attempt > 0:
                    break
                # A cell that did not move far enough tries the other direction next time.
                signs[still] = -signs[still]
                pending = still
            self._seen_low[global_ids] = lowest
            self._seen_high[global_ids] = highest
            for i in to_check:
                results[component[i]] = (lowest[i], highest[i], False)
            # Exact mode still settles every cell the bulk pass could not prove, so the
            # decisions are those of solving each cell's own LPs, at a fraction of the cost.
            to_check = pending.tolist() if (settle_exposed or exact) else []
        global_ids = np.array(component, dtype=np.int64)
        for i in to_check:
            objective = np.zeros(n)
            objective[i] = 1.0
            low = solve(objective)
            objective[i] = -1.0
            high = solve(objective)
            self._note_integral(global_ids, low)
            self._note_integral(global_ids, high)
            results[component[i]] = (float(low[i]), float(high[i]), True)
        if self.integer:
            self._integer_check(component, results, system, floor, required)
        return results

    def _note_integral(self, global_ids: np.ndarray, solution: np.ndarray) -> None:
        if np.abs(solution - np.round(solution)).max(initial=0.0) < _TOLERANCE:
            rounded = np.round(solution)
            self._int_low[global_ids] = np.minimum(self._int_low[global_ids], rounded)
            self._int_high[global_ids] = np.maximum(self._int_high[global_ids], rounded)

    def _integer_check(
        self,
        component: list[int],
        results: dict[int, tuple[float, float, bool]],
        system: Any,
        floor: np.ndarray,
        required: np.ndarray,
    ) -> None:
        """Where the LP range is close to the protection interval, the range over whole
        numbers decides: a reader knows the counts are integers, and the integer range can be
        narrower than the LP's (three or more dimensions, lower bounds of 1)."""
        for i, var in enumerate(component):
            if var not in results:
                continue
            lower, upper, _exact = results[var]
            if upper >= self.cap - _TOLERANCE:
                continue  # unbounded above: no integer check can pin it
            integer_width = math.floor(upper + _TOLERANCE) - math.ceil(lower - _TOLERANCE)
            if lower == upper or integer_width >= required[i] + 1 - _TOLERANCE:
                continue  # pinned already, or far enough from the interval
            if self._int_high[var] - self._int_low[var] >= required[i] - _TOLERANCE:
                continue  # whole-number tables that far apart were found already
            if len(component) > MILP_MAX_CELLS:
                continue  # too large for a MILP per cell: the LP's verdict stands
            matrix, b = system()
            low = self._milp(i, 1.0, matrix, b, floor)
            high = self._milp(i, -1.0, matrix, b, floor)
            if low is None or high is None:
                continue  # no whole-number table found in time: keep the LP's verdict
            results[var] = (low, high, True)

    def _milp(
        self, i: int, sign: float, matrix: Any, b: np.ndarray, floor: np.ndarray
    ) -> float | None:
        n = matrix.shape[1]
        objective = np.zeros(n)
        objective[i] = sign
        result = milp(
            objective,
            constraints=LinearConstraint(matrix, b, b),
            integrality=np.ones(n),
            bounds=Bounds(floor, np.full(n, self.cap)),
            options={"time_limit": MILP_TIME_LIMIT},
        )
        if result.x is None:
            return None
        return float(round(result.x[i]))

    def pinned_zeros(self, known: np.ndarray, candidates: Sequence[int]) -> list[int]:
        """Those hidden cells among ``candidates`` (all with true value 0) that are zero in
        every table consistent with what is published. Each LP maximises the sum of the
        cells still in question: the ones it lifts above zero are free, and once it lifts
        none, the maximum of their sum is zero and so every one of them is pinned."""
        if not candidates:
            return []
        hidden = ~known
        component = np.flatnonzero(hidden).tolist()
        values = np.array([np.nan if v is None else v for v in self.system.values], dtype=float)
        matrix, b = self._equations(component, hidden, values)
        if np.isnan(b).any():
            return []  # a latent cell the data does not fix: prove nothing, release nothing
        floor = self.floor[np.array(component, dtype=np.int64)]
        local = {var: i for i, var in enumerate(component)}
        remaining = [local[var] for var in candidates]
        for _ in range(4):  # each LP frees some; give up (release none) if it takes longer
            objective = np.zeros(len(component))
            objective[remaining] = -1.0
            solution = self._solve(objective, matrix, b, floor)
            free = [i for i in remaining if solution[i] > _TOLERANCE]
            if not free:
                return [component[i] for i in remaining]
            remaining = [i for i in remaining if solution[i] <= _TOLERANCE]
            if not remaining:
                break
        return []

    def _solve(
        self, objective: np.ndarray, matrix: Any, b: np.ndarray, floor: np.ndarray
    ) -> np.ndarray:
        # Large sparse systems (a cube with all its margins) solve about twice as fast with
        # the interior-point method (with crossover, so still a vertex); small ones with the
        # simplex method, which HiGHS picks itself.
        method = "highs-ipm" if matrix.shape[1] >= IPM_FROM else "highs"
        bounds = (
            (0, self.cap)
            if not floor.any()
            else np.column_stack([floor, np.full(len(floor), self.cap)])
        )
        result = linprog(objective, A_eq=matrix, b_eq=b, bounds=bounds, method=method)
        if result.status != 0:
            raise RuntimeError(f"audit LP failed: {result.message}")
        return np.asarray(result.x)

    def _equations(
        self, component: Sequence[int], hidden: np.ndarray, values: np.ndarray
    ) -> tuple[Any, np.ndarray]:
        """Equality constraints on the hidden cells of a component, with the published values
        moved to the right-hand side."""
        system = self.system
        local = {var: i for i, var in enumerate(component)}
        rows: list[int] = []
        cols: list[int] = []
        coefficients: list[float] = []
        rhs: list[float] = []
        equations = sorted({e for var in component for e in system.var_equations[var]})
        for row, equation in enumerate(equations):
            total, *parts = system.equations[equation]
            constant = 0.0
            for var, sign in ((total, 1.0), *((p, -1.0) for p in parts)):
                if hidden[var]:
                    rows.append(row)
                    cols.append(local[var])
                    coefficients.append(sign)
                else:
                    constant += sign * values[var]
            rhs.append(-constant)
        matrix = csr_matrix((coefficients, (rows, cols)), shape=(len(equations), len(component)))
        return matrix, np.array(rhs)


def _clean(value: float) -> float:
    """Round LP noise away so reports show 3.0 rather than 2.9999999997."""
    if math.isinf(value):
        return value
    rounded = round(value)
    return float(rounded) if abs(value - rounded) < 1e-6 else value
