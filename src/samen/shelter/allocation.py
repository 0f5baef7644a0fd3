"""Allocation proposal: place as many waiting referrals as possible, with the best fit.

Plain Python + NumPy/SciPy (no Django). The result is a proposal: a person confirms it place by
place (services.hold_place does the real work and may still refuse).

How it is computed, and why this way:

1. **Feasibility and score as matrices.** For R referrals and P places the rules of
   `matching.exclusion_for` and the number of `matching.score` are evaluated on whole arrays
   (`pair_matrices`): each rule is a boolean R x P array built from per-place and per-referral
   vectors, combined exactly as the engine combines them. Contra-indications are evaluated by
   calling `matching.CONTRA_RULES` once per (referral, rule code), so the rule table stays the
   single source of truth; a test compares both matrices with `exclusion_for`/`score` on random
   inputs. 1,000 x 10,000 pairs take about a second instead of minutes in a Python double loop.
   The matrices are built in blocks of referrals so memory stays at tens of MB.

2. **Assignment on a pruned, bed-expanded sparse graph.** Every free bed is a column (beds of a
   place are interchangeable copies). A dense referral x bed matrix would be 1,000 x ~20,000
   and the Hungarian method on it is slow, and min-cost flow on place columns with capacities
   is not in SciPy. So the graph is pruned first, without losing optimality: with R referrals,
   a referral never needs more than its R best beds — if an optimal solution gave it a worse bed,
   at most R-1 of its R best beds are used by others, so one is free and swapping to it does not
   lower the total. Each referral keeps its best places until they hold R beds (at most
   min(R, P) places), and each place at most min(free, R) bed copies. The sparse graph is then
   solved with `scipy.sparse.csgraph.min_weight_full_bipartite_matching` (LAPJVsp). Every
   referral also gets its own "not placed" column costing 2*BIG, so a full matching always exists,
   and a fitting bed costs BIG - score: placing one more referral always saves more than any fit
   difference, so the result maximises first the number placed and then the total fit.

`allocate_greedy` is the baseline to beat: each referral in turn takes the first fitting place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from samen.shelter.matching import (
    CONTRA_RULES,
    FIRST_RECEPTION_TYPES,
    PROTECTED_MINORS,
    SECURITY_ORDER,
    SPECIALISED,
    URGENCY_ORDER,
    Needs,
    PlaceInfo,
    Weights,
    hard_exclusion,
    hard_needs_key,
    hard_place_key,
    is_stale,
    score,
)

BIG = 1000.0  # larger than any score difference: placing one more always wins
UNPLACED = 2 * BIG
BLOCK = 128  # referrals per block of the pair matrices


@dataclass(frozen=True)
class Proposal:
    referral: int  # caller's referral key
    place: int
    score: float


def _onehot(sets: Sequence[frozenset[str]], vocab: dict[str, int]) -> np.ndarray:
    out = np.zeros((len(sets), max(len(vocab), 1)), dtype=np.float32)
    for i, values in enumerate(sets):
        for v in values:
            out[i, vocab[v]] = 1.0
    return out


class PlaceArrays:
    """The places as column vectors, built once and reused for every block of referrals."""

    def __init__(self, places: Sequence[PlaceInfo], now: datetime, weights: Weights):
        self.places = places
        self.free = np.array([p.free for p in places], dtype=np.int64)
        self.first = np.array([p.type in FIRST_RECEPTION_TYPES for p in places])
        self.column = {p.id: j for j, p in enumerate(places)}
        # The hard rules read a few attributes only: one column per distinct combination.
        keys: dict[tuple, int] = {}
        self.hard_key = np.array([keys.setdefault(hard_place_key(p), len(keys)) for p in places])
        self.hard_places: list[PlaceInfo] = [None] * len(keys)  # type: ignore[list-item]
        for p in places:
            k = keys[hard_place_key(p)]
            if self.hard_places[k] is None:
                self.hard_places[k] = p
        self.protected_minors = np.array([p.type == PROTECTED_MINORS for p in places])
        self.specialised = np.array([p.type == SPECIALISED for p in places])
        group = np.array([p.target_group for p in places], dtype=object)
        self.group_women = group == "women"
        self.group_men = group == "men"
        self.group_all = group == "all"
        self.security = np.array([SECURITY_ORDER.get(p.security, 0) for p in places])
        self.accessible = np.array([p.accessible for p in places])
        self.stale = np.array([is_stale(p, now, weights) for p in places])
        # Regions and provinces as integer codes: comparing 10 million strings is slow.
        self.codes: dict[str, int] = {}
        self.region = np.array([self.code(p.region) for p in places])
        self.province = np.array([self.code(p.province) for p in places])
        self.has_forms = np.array([bool(p.forms) for p in places])
        self.vocab_forms: dict[str, int] = {}
        self.vocab_care: dict[str, int] = {}
        self.vocab_lang: dict[str, int] = {}
        self.contra_codes: list[str] = sorted({c.code for p in places for c in p.contra})
        contra_index = {code: i for i, code in enumerate(self.contra_codes)}
        self.contra = np.zeros((len(places), max(len(self.contra_codes), 1)), dtype=np.float32)
        for i, p in enumerate(places):
            for c in p.contra:
                self.contra[i, contra_index[c.code]] = 1.0

    def code(self, value: str) -> int:
        return self.codes.setdefault(value, len(self.codes))

    def needs_code(self, value: str) -> int:
        # An empty preference or one no place has never matches (-1 is no place's code).
        return self.codes.get(value, -1) if value else -1

    def vocabularies(self, needs: Sequence[Needs]) -> None:
        for attr, place_attr, needs_attr in (
            ("vocab_forms", "forms", "forms"),
            ("vocab_care", "care", "care"),
            ("vocab_lang", "languages", "languages"),
        ):
            values = {v for p in self.places for v in getattr(p, place_attr)}
            values |= {v for n in needs for v in getattr(n, needs_attr)}
            setattr(self, attr, {v: i for i, v in enumerate(sorted(values))})
        self.forms = _onehot([p.forms for p in self.places], self.vocab_forms)
        self.care = _onehot([p.care for p in self.places], self.vocab_care)
        self.lang = _onehot([p.languages for p in self.places], self.vocab_lang)


def pair_matrices(
    needs: Sequence[Needs], pa: PlaceArrays, weights: Weights
) -> tuple[np.ndarray, np.ndarray]:
    """(feasible, score) for every pair of `needs` x places: feasible[r, j] is
    `exclusion_for(place_j, needs_r) is None` and score[r, j] equals
    `score(place_j, needs_r, ...).score` before rounding. `pa.vocabularies(needs)` first."""
    col = np.newaxis
    minor = np.array([n.minor for n in needs])[:, col]
    gender = np.array([n.gender for n in needs], dtype=object)
    female_ok = np.isin(gender, ["female", "unknown"])[:, col]
    male_ok = np.isin(gender, ["male", "unknown"])[:, col]
    n_forms = _onehot([n.forms for n in needs], pa.vocab_forms)
    n_care = _onehot([n.care for n in needs], pa.vocab_care)
    n_lang = _onehot([n.languages for n in needs], pa.vocab_lang)
    needs_has_forms = np.array([bool(n.forms) for n in needs])[:, col]
    care_count = n_care.sum(axis=1)[:, col]
    security = np.array([SECURITY_ORDER.get(n.security, 0) for n in needs])[:, col]
    non_standard = np.array([n.security != "standard" for n in needs])[:, col]
    access = np.array([n.accessibility for n in needs])[:, col]

    # --- exclusion_for, rule by rule --------------------------------------------------------
    # Hard rules: evaluated by matching.hard_exclusion once per distinct (needs, place) key pair.
    needs_keys: dict[tuple, int] = {}
    needs_key = np.array([needs_keys.setdefault(hard_needs_key(n), len(needs_keys)) for n in needs])
    representatives = {}
    for n in needs:
        representatives.setdefault(needs_keys[hard_needs_key(n)], n)
    hard_table = np.array(
        [
            [hard_exclusion(p, representatives[k]) is not None for p in pa.hard_places]
            for k in range(len(needs_keys))
        ],
        dtype=bool,
    ).reshape(len(needs_keys), len(pa.hard_places))
    hard_refuses = hard_table[needs_key[:, col], pa.hard_key[np.newaxis, :]]
    declined = np.zeros((len(needs), len(pa.places)), dtype=bool)
    for r, n in enumerate(needs):
        for place_id in n.refused:
            if place_id in pa.column:
                declined[r, pa.column[place_id]] = True
    group_refuses = (pa.group_women & ~female_ok) | (pa.group_men & ~male_ok)
    form_overlap = (n_forms @ pa.forms.T) > 0
    form_refuses = pa.has_forms & needs_has_forms & ~form_overlap
    care_on_site = n_care @ pa.care.T
    care_missing = care_on_site < care_count
    not_accessible = access & ~pa.accessible
    # A code the engine does not know refuses everyone, as in exclusion_for.
    refuses = np.array(
        [
            [CONTRA_RULES[code](n) if code in CONTRA_RULES else True for code in pa.contra_codes]
            or [False]
            for n in needs
        ],
        dtype=np.float32,
    )
    contra_refuses = (refuses @ pa.contra.T) > 0
    intake = group_refuses | form_refuses | care_missing | not_accessible | contra_refuses
    feasible = (pa.free >= 1) & ~declined & ~hard_refuses & (pa.first | ~intake)

    # --- score, term by term in the engine's order (so the floats agree exactly) ------------
    fit = 0.4 * (needs_has_forms & pa.has_forms & form_overlap)
    fit = fit + 0.2 * ((care_count > 0) & ~care_missing)
    fit = fit + 0.2 * ((n_lang @ pa.lang.T) > 0)
    fit = fit + 0.4 * (minor & pa.protected_minors)
    fit = fit + 0.1 * (pa.specialised & needs_has_forms & pa.has_forms)
    fit = fit + 0.1 * (non_standard & (pa.security >= security))
    urgency = np.array([URGENCY_ORDER.get(n.urgency, 1) for n in needs])[:, col]
    region_factor = np.where(urgency >= 2, weights.urgent_region_factor, 1.0)
    total = weights.fit * fit
    n_region = np.array([pa.needs_code(n.region) for n in needs])[:, col]
    n_province = np.array([pa.needs_code(n.province) for n in needs])[:, col]
    same_region = pa.region == n_region
    same_province = ~same_region & (pa.province == n_province)
    total = total + np.where(same_region, weights.same_region * region_factor, 0.0)
    total = total + np.where(same_province, weights.same_province * region_factor, 0.0)
    total = total + np.where((urgency >= 3) & pa.first, weights.urgent_first_reception, 0.0)
    total = total - np.where(pa.stale, weights.stale_penalty, 0.0)
    return feasible, total


def _candidate_edges(
    feasible: np.ndarray, scores: np.ndarray, free: np.ndarray, keep_beds: int
) -> list[tuple[int, np.ndarray]]:
    """Per referral (row of the block): its best feasible places until they hold `keep_beds`
    beds. See the module docstring for why this keeps an optimal solution."""
    out = []
    masked = np.where(feasible, scores, -np.inf)
    k = min(keep_beds, masked.shape[1])
    for r in range(masked.shape[0]):
        row = masked[r]
        count = int(feasible[r].sum())
        if count == 0:
            out.append((r, np.empty(0, dtype=np.int64)))
            continue
        top = np.argpartition(-row, k - 1)[:k] if count > k else np.flatnonzero(feasible[r])
        top = top[np.argsort(-row[top], kind="stable")]
        beds = np.cumsum(np.minimum(free[top], keep_beds))
        cut = int(np.searchsorted(beds, keep_beds)) + 1
        out.append((r, top[:cut]))
    return out


def allocate(
    referrals: Sequence[tuple[int, Needs]],
    places: Sequence[PlaceInfo],
    *,
    now: datetime,
    weights: Weights | None = None,
) -> list[Proposal]:
    weights = weights or Weights()
    if not referrals or not any(p.free > 0 for p in places):
        return []
    places = [p for p in places if p.free > 0]
    pa = PlaceArrays(places, now, weights)
    all_needs = [n for _, n in referrals]
    pa.vocabularies(all_needs)
    n_ref = len(referrals)
    rows: list[np.ndarray] = []
    places_of: list[np.ndarray] = []
    costs: list[np.ndarray] = []
    for start in range(0, n_ref, BLOCK):
        block = all_needs[start : start + BLOCK]
        feasible, scores = pair_matrices(block, pa, weights)
        for r, top in _candidate_edges(feasible, scores, pa.free, n_ref):
            rows.append(np.full(len(top), start + r, dtype=np.int64))
            places_of.append(top)
            costs.append(BIG - scores[r, top])
    row = np.concatenate(rows)
    place_of = np.concatenate(places_of)
    cost = np.concatenate(costs)
    # Bed columns: place j gets min(free_j, R) copies, only for places some referral kept.
    used = np.unique(place_of)
    copies = np.minimum(pa.free[used], n_ref)
    first_col = np.zeros(len(places), dtype=np.int64)
    first_col[used] = np.concatenate(([0], np.cumsum(copies)[:-1]))
    n_beds = int(copies.sum())
    per_edge = np.minimum(pa.free[place_of], n_ref)
    edge_rows = np.repeat(row, per_edge)
    offsets = np.arange(per_edge.sum()) - np.repeat(np.cumsum(per_edge) - per_edge, per_edge)
    edge_cols = np.repeat(first_col[place_of], per_edge) + offsets
    edge_cost = np.repeat(cost, per_edge)
    # One "not placed" column per referral keeps a full matching possible.
    edge_rows = np.concatenate((edge_rows, np.arange(n_ref)))
    edge_cols = np.concatenate((edge_cols, n_beds + np.arange(n_ref)))
    edge_cost = np.concatenate((edge_cost, np.full(n_ref, UNPLACED)))
    graph = csr_array((edge_cost, (edge_rows, edge_cols)), shape=(n_ref, n_beds + n_ref))
    matched_rows, matched_cols = min_weight_full_bipartite_matching(graph)
    col_place = np.repeat(used, copies)
    out = []
    for r, c in zip(matched_rows, matched_cols, strict=True):
        if c >= n_beds:
            continue
        place = places[int(col_place[c])]
        key, needs = referrals[int(r)]
        # The reported score comes from the engine itself, not from the matrix.
        out.append(Proposal(key, place.id, score(place, needs, now, weights).score))
    out.sort(key=lambda p: (-p.score, p.referral))
    return out


def allocate_greedy(
    referrals: Sequence[tuple[int, Needs]],
    places: Sequence[PlaceInfo],
    *,
    now: datetime | None = None,
    weights: Weights | None = None,
) -> list[Proposal]:
    """The baseline to beat: each referral in turn takes the first fitting place with a bed.
    Feasibility from the same matrices as `allocate`, so both see the same rules."""
    if not referrals or not places:
        return []
    weights = weights or Weights()
    now = now or datetime.now().astimezone()
    pa = PlaceArrays(places, now, weights)
    all_needs = [n for _, n in referrals]
    pa.vocabularies(all_needs)
    free = pa.free.copy()
    out = []
    for start in range(0, len(referrals), BLOCK):
        feasible, _scores = pair_matrices(all_needs[start : start + BLOCK], pa, weights)
        for r in range(feasible.shape[0]):
            hits = np.flatnonzero(feasible[r] & (free > 0))
            if len(hits):
                j = int(hits[0])
                free[j] -= 1
                out.append(Proposal(referrals[start + r][0], places[j].id, 0.0))
    return out
