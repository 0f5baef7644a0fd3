"""Persona joins with their per-group counts and representatives in arrays (ADR 0081) give the
links the dictionaries gave: the same pairs, representatives, shared personas and evidence, in
the same order, on both generators' ads, with and without cities, pruned or not. The reference
below is ``persona_edges`` as it was before (a7bca76), kept verbatim but for its docstring."""

import json
import math
from collections import Counter
from itertools import combinations

import numpy as np
import pytest

from samen.online.engine import ScanConfig, scan
from samen.online.engine.cluster import (
    _PERSONA_MAX_GROUPS,
    PersonaLink,
    _ageless_pairs,
    _impute_ages,
    _pairs_worth_keeping,
    _share_names_without_age,
    persona_edges,
    sorted_unique,
    unique_columns,
)
from samen.online.engine.runner import InProcessEngine
from samen.online.tests.corpora import both_generators


def _reference(
    names: np.ndarray,
    ages: np.ndarray,
    groups: np.ndarray,
    cities: np.ndarray | None = None,
    prune: bool = True,
) -> tuple[np.ndarray, np.ndarray, list[PersonaLink]]:
    empty = np.zeros(0, dtype=np.int64)
    named = np.flatnonzero(names > 0)
    if not len(named):
        return empty, empty, []
    ages = _impute_ages(names, ages, groups)
    keys = names[named].astype(np.int64) * 256 + np.clip(ages[named] + 1, 0, 255)
    pairs, first = np.unique(groups[named].astype(np.int64) << 32 | keys, return_index=True)
    pair_group, pair_key = pairs >> 32, pairs & 0xFFFFFFFF
    representative = dict(zip(pair_group.tolist(), named[first].tolist(), strict=True))
    per_group = Counter(pair_group.tolist())
    if sum(1 for count in per_group.values() if count >= 2) < 2:
        return empty, empty, []  # nothing to join
    where: dict[tuple[int, int], set[int]] = {}
    key_city: Counter[tuple[int, int]] = Counter()
    if cities is not None:
        city_of = cities[named].astype(np.int64)
        triples = unique_columns([groups[named].astype(np.int64), keys, city_of])[0].T.tolist()
        for group, key, city in triples:
            if city:
                where.setdefault((group, key), set()).add(city)
                key_city[(key, city)] += 1
    order = np.argsort(pair_key, kind="stable")
    sorted_keys, sorted_groups = pair_key[order], pair_group[order]
    bounds = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1], True])
    # Shared facts per pair of groups: {name: (key, how many groups name the fact)}.
    shared: dict[tuple[int, int], dict[int, tuple[int, int]]] = {}
    # Only groups naming at least two personas can be joined: they are the hypotheses, and the
    # chance that one of them names a fact is counted among them.
    eligible = np.fromiter((per_group[g] >= 2 for g in pair_group.tolist()), bool, len(pair_group))
    frequency = Counter(pair_key[eligible].tolist())
    candidates = sum(1 for count in per_group.values() if count >= 2)
    ageless = _ageless_pairs(pair_group[eligible], pair_key[eligible])
    worth = (
        _pairs_worth_keeping(bounds, sorted_keys, sorted_groups, eligible[order], ageless[0])
        if prune
        else None
    )
    for start, stop in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        key = int(sorted_keys[start])
        if not 2 <= stop - start <= _PERSONA_MAX_GROUPS or key % 256 == 0:
            continue
        members = [g for g in sorted_groups[start:stop].tolist() if per_group[g] >= 2]
        for a, b in combinations(members, 2):
            if worth is None or a << 32 | b in worth:
                shared.setdefault((a, b), {})[key // 256] = (key, frequency[key])
    name_frequency = Counter(
        (sorted_unique(pair_key[eligible] // 256 << 32 | pair_group[eligible]) >> 32).tolist()
    )
    _share_names_without_age(*ageless, shared, name_frequency)
    bar = math.log(candidates * (candidates - 1) / 2)
    # The chance that one persona of a group is a given fact: the fact's share of all the
    # personas these groups name (the ways of choosing which ones are counted below).
    slots = int(np.count_nonzero(eligible))
    lefts, rights, links = [], [], []
    for (a, b), facts in shared.items():
        m = len(facts)
        if m < 2:
            continue
        evidence = 0.0
        for k, count in facts.values():
            both = where.get((a, k), set()) & where.get((b, k), set())
            if both:
                # The best of the shared cities, paid for by how many cities were tried.
                count = min(count, min(key_city[(k, c)] for c in both) * len(where[(a, k)]))
            evidence += math.log(slots / count)
        evidence -= math.log(math.comb(per_group[a], m) * math.comb(per_group[b], m))
        evidence -= math.lgamma(m + 1)
        common = [key for key, _ in facts.values()]
        if evidence >= bar:
            lefts.append(representative[a])
            rights.append(representative[b])
            links.append(
                PersonaLink(
                    representative[a],
                    representative[b],
                    [(k // 256, k % 256 - 1) for k in sorted(common)],
                    round(evidence - bar, 2),
                )
            )
    return np.array(lefts, dtype=np.int64), np.array(rights, dtype=np.int64), links


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    path = tmp_path_factory.mktemp("persona-arrays") / "both.jsonl"
    path.write_text("".join(json.dumps(ad) + "\n" for ad in both_generators(1500, seed=4)))
    return scan([path], config=ScanConfig(chunk_size=500), engine=InProcessEngine(False))


@pytest.mark.parametrize("prune", [True, False])
@pytest.mark.parametrize("with_cities", [False, True])
def test_persona_joins_in_arrays_equal_the_dictionaries(scanned, prune, with_cities):
    index = scanned.index
    names = np.frombuffer(index.name, dtype=np.int32)
    ages = np.frombuffer(index.age, dtype=np.int16)
    cities = np.frombuffer(index.city, dtype=np.int32) if with_cities else None
    # The template groups, and a coarser grouping that makes groups share many personas.
    links = []
    for groups in (scanned.clustering.template_labels, scanned.clustering.template_labels // 7):
        got = persona_edges(names, ages, groups, cities, prune=prune)
        expected = _reference(names, ages, groups, cities, prune=prune)
        assert got[0].tobytes() == expected[0].tobytes()
        assert got[1].tobytes() == expected[1].tobytes()
        assert got[2] == expected[2]
        links += expected[2]
    assert len(links) >= 2
