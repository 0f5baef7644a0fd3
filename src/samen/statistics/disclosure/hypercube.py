"""Secondary suppression by hypercubes, for tables too large for the audit/repair loop
(issue #13 item 5, ADR 0025).

The idea is Repsilber's hypercube method (GHMITER in tau-ARGUS, ``HYPERCUBE`` in sdcTable):
a hidden cell of a k-dimensional table is safe when it is a corner of 2^k hidden cells
spanning a k-dimensional box, because adding +d and -d in turn around the box's corners
changes no total. Along each dimension the box pairs the cell's category with another
category (the signs alternate) or with the total (the signs agree: a part and its total rise
together). The box can move by as much as its corners that go down allow, in each direction,
so the range of every corner is at least ``up + down``; the box is chosen so that this is at
least every corner's protection interval, at the least cost (fewest and smallest newly hidden
counts, so totals are spared).

This module only *proposes*: it returns the cells to hide and, for each box, the two moves that
prove its corners' ranges. The audit (``IntervalSolver.add_witnesses``) checks each move against
every equation of the release and earlier releases before it counts, and anything it cannot
prove goes to the linear programs as before. The search is greedy over the dimensions with a
small beam, so it is fast and not optimal.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np

from .result import Suppression, SuppressionKind

logger = logging.getLogger(__name__)

#: Partial boxes kept per dimension while searching (a beam); wider finds cheaper boxes.
BEAM = 3


@dataclass(frozen=True)
class Witness:
    """A move of the hidden cells that changes no published figure: ``signs`` (+1/-1) on
    ``cells``; the true table plus ``up * signs`` and minus ``down * signs`` are both
    tables a reader cannot tell from the true one."""

    cells: np.ndarray
    signs: np.ndarray
    up: int
    down: int


class _Table:
    """One table of the release as flat arrays over its cells with margins, kept in step
    with the suppressor while boxes are added."""

    def __init__(self, ids: np.ndarray, values: np.ndarray, state, floor: np.ndarray) -> None:
        self.shape = ids.shape
        self.ids = ids.reshape(-1)
        self.values = values[self.ids]
        self.strides = np.array(
            [int(np.prod(self.shape[axis + 1 :])) for axis in range(len(self.shape))],
            dtype=np.int64,
        )
        self.room = (self.values - floor[self.ids]).astype(float)  # how far a cell can fall
        self.hidden = state.hidden[self.ids].copy()
        self.usable = self.hidden | state.candidate[self.ids]
        self.cost = np.where(self.hidden, 0.0, self.values + 1.0)
        self.ask = np.zeros(len(self.ids))

    def refresh(
        self,
        state,
        required: np.ndarray,
        low: np.ndarray,
        high: np.ndarray,
        where: np.ndarray | slice = slice(None),
    ) -> None:
        """What each cell asks of a box: its interval, unless it is hidden and covered
        (``where``: only these cells changed)."""
        ids = self.ids[where]
        hidden = state.hidden[ids]
        self.hidden[where] = hidden
        self.usable[where] = hidden | state.candidate[ids]
        self.cost[where] = np.where(hidden, 0.0, self.values[where] + 1.0)
        covered = hidden & (high[ids] - low[ids] >= required[ids])
        self.ask[where] = np.where(covered, 0.0, required[ids])


def propose(state, required: np.ndarray, floor: np.ndarray) -> list[Witness]:
    """Hide the corners of a box around every cell that needs protection and is not yet
    covered by a box; ``state`` is the engine's ``_Suppressor``. Returns the moves."""
    system = state.joint.system
    values = np.array([-1 if v is None else v for v in system.values], dtype=np.int64)
    home: dict[int, tuple[int, int]] = {}
    places: dict[int, list[tuple[int, int]]] = {}  # every (table, cell) a variable is shown in
    tables = []
    for number, ids in enumerate(state.joint.current_ids):
        table = _Table(ids, values, state, floor)
        tables.append(table)
        for flat, var in enumerate(table.ids.tolist()):
            home.setdefault(var, (number, flat))
            places.setdefault(var, []).append((number, flat))
    low = values.astype(float)
    high = values.astype(float)
    for table in tables:
        table.refresh(state, required, low, high)
    witnesses: list[Witness] = []
    targets = [v for v in np.flatnonzero(state.need & state.hidden).tolist() if v in home]
    # The smallest counts first: they are the hardest to protect and their boxes cover many
    # of the cells that come after.
    targets.sort(key=lambda v: (values[v], v))
    for var in targets:
        if high[var] - low[var] >= required[var]:
            continue
        number, flat = home[var]
        found = _search(tables[number], flat, BEAM) or _search(tables[number], flat, 8 * BEAM)
        if found is None:
            logger.debug("no box around %s", system.describe(var))
            continue  # left to the audit's linear programs and the repair loop
        cells, signs, up, down = found
        for cell in cells.tolist():
            if not state.hidden[cell]:
                state.suppress(
                    cell,
                    Suppression(
                        SuppressionKind.SECONDARY,
                        "hypercube",
                        f"hidden so that {system.describe(var)} cannot be recalculated from "
                        "the totals around it",
                    ),
                )
        np.minimum.at(low, cells, values[cells] - down * signs)
        np.maximum.at(high, cells, values[cells] + up * signs)
        witnesses.append(Witness(cells, signs, up, down))
        touched: dict[int, list[int]] = {}
        for cell in cells.tolist():
            for number, flat in places[cell]:
                touched.setdefault(number, []).append(flat)
        for number, flats in touched.items():
            tables[number].refresh(state, required, low, high, np.array(flats, dtype=np.int64))
    return witnesses


def _search(table: _Table, flat: int, width: int) -> tuple[np.ndarray, np.ndarray, int, int] | None:
    """The cheapest box found around ``flat`` whose moves cover what its corners ask:
    dimension by dimension, keeping the ``width`` cheapest partial boxes (the range a box
    gives only shrinks and what its corners ask only grows as corners are added, so a
    partial box that falls short is dropped)."""
    shape = table.shape
    start = np.unravel_index(flat, shape)
    room, ask, usable, cost = table.room, table.ask, table.usable, table.cost
    inf = np.inf
    # A partial box: corners (flat indices), signs, cost, up, down, ask.
    beam = [
        (np.array([flat], dtype=np.int64), np.array([1], dtype=np.int64), cost[flat], inf,
         room[flat], ask[flat])
    ]  # fmt: skip
    for axis, length in enumerate(shape):
        if length == 2:
            continue  # one category: its total is that category, nothing to pair with
        here = int(start[axis])
        others = np.array([q for q in range(length) if q != here], dtype=np.int64)
        total = length - 1
        # Pairing two categories alternates the signs; a category with its total does not.
        flips = np.where((here == total) | (others == total), 1, -1)
        shift = (others - here) * table.strides[axis]
        options: list[tuple] = []
        for corners, signs, spent, up, down, asked in beam:
            moved = corners[None, :] + shift[:, None]  # (alternatives, corners)
            new_signs = signs[None, :] * flips[:, None]
            rooms = room[moved]
            ups = np.minimum(up, np.where(new_signs < 0, rooms, inf).min(axis=1))
            downs = np.minimum(down, np.where(new_signs > 0, rooms, inf).min(axis=1))
            asks = np.maximum(asked, ask[moved].max(axis=1))
            fine = usable[moved].all(axis=1) & (ups + downs >= asks)
            extra = spent + cost[moved].sum(axis=1)
            for option in np.flatnonzero(fine).tolist():
                options.append(
                    (extra[option], -(ups[option] + downs[option]), len(options), corners,
                     moved[option], signs, new_signs[option], ups[option], downs[option],
                     asks[option])
                )  # fmt: skip
        if not options:
            return None
        # The cheapest partial boxes, and the roomiest (later corners can only shrink the
        # range, so a cheap box with no room to spare often dies a dimension later).
        options.sort(key=lambda o: o[:3])
        kept = {o[2]: o for o in options[:width]}
        for o in sorted(options, key=lambda o: (o[1], o[0], o[2]))[:width]:
            kept.setdefault(o[2], o)
        beam = [
            (np.concatenate([o[3], o[4]]), np.concatenate([o[5], o[6]]), o[0], o[7], o[8], o[9])
            for o in sorted(kept.values(), key=lambda o: o[:3])
        ]
    corners, signs, _spent, up, down, asked = beam[0]
    if np.isinf(up):  # nothing goes down when the box goes up: as far as it must
        up = max(math.ceil(asked - down - 1e-9), 1)
    return table.ids[corners], signs, int(up), int(down)


def _capacity(room: np.ndarray, signs: np.ndarray) -> tuple[float, float]:
    """How far a box can move up (its minus corners go down) and down (its plus corners go
    down)."""
    minus = room[signs < 0]
    plus = room[signs > 0]
    up = float(minus.min()) if len(minus) else np.inf
    down = float(plus.min())
    return max(up, 0.0), max(down, 0.0)
