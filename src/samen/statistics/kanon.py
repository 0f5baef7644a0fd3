"""k-anonymity for case-level exports, and the check of one export against earlier ones.
Plain Python, no Django.

An export is a multiset of records over some columns. Every column that varies between records
is a quasi-identifier: the attacker groups on all of them. Each column has a ladder of one-step
coarsenings ending in ``NOT_RELEASED``; an export releases every record of a column at the same
level (global recoding), so the file says at which level it is and two files can be lifted to
a common level exactly. Groups smaller than k are withheld.

Because an export's pseudonyms are fresh and its row order random, what a file tells an
attacker is exactly its group counts. Two exports of an overlapping population are compared as
an attacker would: lift both to their common level and to every coarser level, and look at the
difference of each group. A difference of 1 to k - 1 isolates fewer than k people (new ones,
removed ones, or corrected ones), so the export is not released that way: newcomers are held
back until their group gains k, or a coarser level is chosen, or the export is refused.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product

#: The floor under k: no configuration and no caller can release groups smaller than this.
K_FLOOR = 10
#: Default smallest group size of a released combination of quasi-identifiers.
DEFAULT_K = K_FLOOR
#: The value of a column released at its top level: nothing of it leaves.
NOT_RELEASED = ""

Record = dict[str, str]
Key = tuple[str, ...]
Generaliser = tuple[str, Callable[[str], str]]  # (field, coarser value)


@dataclass(frozen=True)
class KAnonResult:
    released: list[Record]
    generalised: int
    withheld: int
    k: int


def _key(record: Mapping[str, str], fields: Sequence[str]) -> Key:
    return tuple(record[f] for f in fields)


def k_anonymise(
    records: list[Record], *, quasi: Sequence[str], ladder: Sequence[Generaliser], k: int
) -> KAnonResult:
    """Local generalisation of the small groups, then withholding (kept for small tables)."""
    if k < 1:
        raise ValueError("k must be at least 1")
    current = [dict(r) for r in records]
    touched: set[int] = set()
    for name, coarsen in ladder:
        sizes = Counter(_key(r, quasi) for r in current)
        small = [i for i, r in enumerate(current) if sizes[_key(r, quasi)] < k]
        if not small:
            break
        for i in small:
            coarse = coarsen(current[i][name])
            if coarse != current[i][name]:
                current[i][name] = coarse
                touched.add(i)
    sizes = Counter(_key(r, quasi) for r in current)
    released = [r for r in current if sizes[_key(r, quasi)] >= k]
    kept = {i for i, r in enumerate(current) if sizes[_key(r, quasi)] >= k}
    return KAnonResult(
        released=released,
        generalised=len(touched & kept),
        withheld=len(current) - len(released),
        k=k,
    )


def smallest_group(records: list[Record], quasi: Sequence[str]) -> int:
    sizes = Counter(_key(r, quasi) for r in records)
    return min(sizes.values()) if sizes else 0


# -- global recoding over ladders, checked against earlier releases ---------------------------


def _not_released(_: str) -> str:
    return NOT_RELEASED


@dataclass(frozen=True)
class Column:
    """A quasi-identifier column: ``steps[i]`` lifts a value of level i to level i + 1; the last
    level is ``NOT_RELEASED``. ``fixed`` columns are always released at level 0 (the lattice
    does not coarsen them) but the attacker may still coarsen them when comparing."""

    name: str
    steps: tuple[Callable[[str], str], ...] = (_not_released,)
    fixed: bool = False

    @property
    def top(self) -> int:
        return len(self.steps)

    def lift(self, value: str, start: int, end: int) -> str:
        for step in self.steps[start:end]:
            value = step(value)
        return value


Levels = dict[str, int]


@dataclass(frozen=True)
class Release:
    """What one export released, which is all an attacker learns from it: the level of each
    column and the count of each released group (keys in ``columns`` order)."""

    columns: tuple[str, ...]
    levels: Levels
    groups: dict[Key, int]
    k: int
    label: str = ""

    def restricted(self, name: str, values: Iterable[str]) -> Release:
        """Only the groups whose ``name`` is one of ``values`` (the overlapping population)."""
        keep, i = set(values), self.columns.index(name)
        groups = {g: n for g, n in self.groups.items() if g[i] in keep}
        return Release(self.columns, self.levels, groups, self.k, self.label)


@dataclass(frozen=True)
class Finding:
    """A difference an attacker can compute between two releases, smaller than k."""

    label: str
    difference: int
    view: Levels


@dataclass
class Recoding:
    levels: Levels
    released: list[Record]
    withheld: int
    held_back: int
    loss: float
    checked_against: list[str] = field(default_factory=list)


class ExportRefused(Exception):
    """No recoding passes the check against the earlier releases; ``findings`` say why."""

    def __init__(self, message: str, findings: Sequence[Finding]) -> None:
        super().__init__(message)
        self.findings = list(findings)


def _lift_key(key: Key, columns: Sequence[Column], start: Levels, end: Levels) -> Key:
    return tuple(c.lift(v, start[c.name], end[c.name]) for c, v in zip(columns, key, strict=True))


def group_counts(records: Iterable[Mapping[str, str]], columns: Sequence[Column]) -> Counter[Key]:
    names = [c.name for c in columns]
    return Counter(_key(r, names) for r in records)


def difference_finding(
    new: Release, old: Release, columns: Sequence[Column], *, k: int
) -> Finding | None:
    """The first group difference in 1..k-1 the attacker finds by lifting both releases to
    their common level and to every coarser level (projections included), or None."""
    common = {c.name: max(new.levels[c.name], old.levels[c.name]) for c in columns}
    diff: Counter[Key] = Counter()
    for key, n in new.groups.items():
        diff[_lift_key(key, columns, new.levels, common)] += n
    for key, n in old.groups.items():
        diff[_lift_key(key, columns, old.levels, common)] -= n
    nonzero = {g: d for g, d in diff.items() if d}
    if not nonzero:
        return None
    names = [c.name for c in columns]
    for view_levels in product(*(range(common[c.name], c.top + 1) for c in columns)):
        view = dict(zip(names, view_levels, strict=True))
        totals: Counter[Key] = Counter()
        for g, d in nonzero.items():
            totals[_lift_key(g, columns, common, view)] += d
        small = [d for d in totals.values() if 0 < abs(d) < k]
        if small:
            return Finding(old.label, min(small, key=abs), view)
    return None


def _hold_back(counts: Counter[Key], previous: Release) -> tuple[dict[Key, int], int]:
    """Release per group what the previous release of the same levels did unless the group
    changed by at least k: newcomers wait until their group has gained k; a group that lost
    fewer than k is withheld whole (its loss then is the whole group, at least k)."""
    quota: dict[Key, int] = {}
    held = 0
    for g, n in counts.items():
        before = previous.groups.get(g, 0)
        if 0 < n - before < previous.k:
            quota[g] = before
        elif 0 < before - n < previous.k:
            quota[g] = 0
        else:
            quota[g] = n
        held += n - quota[g]
    return quota, held


def recode(
    records: list[Record],
    *,
    columns: Sequence[Column],
    k: int,
    earlier: Sequence[Release] = (),
    published: Callable[[Release], Finding | None] | None = None,
) -> Recoding:
    """The least lossy global recoding whose groups are all at least k and whose differences
    with every earlier release are 0 or at least k; ``ExportRefused`` when there is none.

    ``records`` are at level 0, in the order in which they are released first (oldest first):
    when a group is held back, its newest records wait. ``earlier`` are the earlier releases
    restricted to the population this export shares with each of them."""
    if k < 1:
        raise ValueError("k must be at least 1")
    names = [c.name for c in columns]
    nodes = [
        dict(zip(names, levels, strict=True))
        for levels in product(*(range(1) if c.fixed else range(c.top + 1) for c in columns))
    ]
    base = group_counts(records, columns)
    # Per column and level, each value of level 0 lifted: the lattice walk then only looks up.
    lifted = [
        [{g[i]: c.lift(g[i], 0, level) for g in base} for level in range(c.top + 1)]
        for i, c in enumerate(columns)
    ]
    candidates: list[tuple[float, int, Levels, Counter[Key]]] = []
    for i, node in enumerate(nodes):
        tables = [lifted[j][node[c.name]] for j, c in enumerate(columns)]
        counts: Counter[Key] = Counter()
        for g, n in base.items():
            counts[tuple(t[v] for t, v in zip(tables, g, strict=True))] += n
        withheld = sum(n for n in counts.values() if n < k)
        released = len(records) - withheld
        # Information lost: a withheld record loses every column; a released one the share
        # of each column's ladder it climbed.
        loss = withheld * len(columns) + released * sum(
            node[c.name] / c.top for c in columns if not c.fixed
        )
        candidates.append((loss, i, node, counts))
    latest = earlier[-1] if earlier else None
    if latest is not None:
        # Releasing at the latest release's levels keeps exports stable: try it first.
        candidates.sort(key=lambda c: (c[2] != latest.levels, c[0], c[1]))
    else:
        candidates.sort(key=lambda c: (c[0], c[1]))
    findings: list[Finding] = []
    for _loss, _, node, counts in candidates:
        quota = {g: (n if n >= k else 0) for g, n in counts.items()}
        held = 0
        if latest is not None and node == latest.levels:
            quota, held = _hold_back(Counter({g: n for g, n in quota.items() if n}), latest)
            quota = {g: (n if n >= k else 0) for g, n in quota.items()}
        release = Release(tuple(names), node, {g: n for g, n in quota.items() if n}, k)
        finding = next(
            (
                f
                for old in earlier
                if (f := difference_finding(release, old, columns, k=max(k, old.k)))
            ),
            None,
        )
        if finding is None and published is not None:
            # The published tables of these years (crosscheck): what the export's groups,
            # summed, say about a table's cell.
            finding = published(release)
        if finding is not None:
            findings.append(finding)
            continue
        released = _take(records, columns, node, quota)
        return Recoding(
            levels=node,
            released=released,
            withheld=len(records) - len(released) - held,
            held_back=held,
            loss=_loss,
            checked_against=[old.label for old in earlier],
        )
    smallest = min(findings, key=lambda f: abs(f.difference) or k)
    if not smallest.difference:
        raise ExportRefused(f"every recoding gives away a cell of {smallest.label}", findings)
    raise ExportRefused(
        f"every recoding differs from {smallest.label} by fewer than {k} people in some group "
        f"(smallest difference {abs(smallest.difference)})",
        findings,
    )


def _take(
    records: list[Record], columns: Sequence[Column], levels: Levels, quota: Mapping[Key, int]
) -> list[Record]:
    zero = dict.fromkeys(levels, 0)
    names = [c.name for c in columns]
    left = dict(quota)
    out: list[Record] = []
    for r in records:
        key = _lift_key(_key(r, names), columns, zero, levels)
        if left.get(key, 0) > 0:
            left[key] -= 1
            out.append({**r, **dict(zip(names, key, strict=True))})
    return out
