"""k-anonymity by local generalisation, then withholding. Plain Python, no Django.

Records whose quasi-identifier combination occurs fewer than k times are generalised one level
at a time (each level coarsens one quasi-identifier); what is still in a group smaller than k
after the last level is withheld. The result says how many records were generalised and
withheld, so the export can report it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

#: Default smallest group size of a released combination of quasi-identifiers.
DEFAULT_K = 10

Record = dict[str, str]
Generaliser = tuple[str, Callable[[str], str]]  # (field, coarser value)


@dataclass(frozen=True)
class KAnonResult:
    released: list[Record]
    generalised: int
    withheld: int
    k: int


def _key(record: Record, fields: Sequence[str]) -> tuple[str, ...]:
    return tuple(record[f] for f in fields)


def k_anonymise(
    records: list[Record], *, quasi: Sequence[str], ladder: Sequence[Generaliser], k: int
) -> KAnonResult:
    if k < 1:
        raise ValueError("k must be at least 1")
    current = [dict(r) for r in records]
    touched: set[int] = set()
    for field, coarsen in ladder:
        sizes = Counter(_key(r, quasi) for r in current)
        small = [i for i, r in enumerate(current) if sizes[_key(r, quasi)] < k]
        if not small:
            break
        for i in small:
            coarse = coarsen(current[i][field])
            if coarse != current[i][field]:
                current[i][field] = coarse
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
