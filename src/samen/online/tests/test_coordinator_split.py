"""The coordinator's serial phase on two cores gives what it gives on one (issue 18 item 4,
ADR 0080): lead clusters described half in a forked process, the rejected pairs
looked up before the sort, the price medians by city in one sort, the ids hashed as chunks
arrive. Checked on both generators' ads (``corpora.both_generators``)."""

import json
import os

import numpy as np
import pytest

from samen.online.engine import ScanConfig, scan
from samen.online.engine import analysis as analysis_module
from samen.online.engine import cluster as cluster_module
from samen.online.engine import threads as threads_module
from samen.online.engine.analysis import (
    _price_flags,
    _price_flags_reference,
    analyse,
    build_leads,
)
from samen.online.engine.index import Index
from samen.online.engine.indicators import load_indicators
from samen.online.engine.partition import ChunkResult
from samen.online.engine.runner import InProcessEngine
from samen.online.engine.threads import Pool, in_child_and_here
from samen.online.tests.corpora import both_generators

# A threshold that always splits, and one that never does.
ALWAYS, NEVER = 1, 1 << 62


@pytest.fixture(scope="module")
def scans(tmp_path_factory):
    """A scan of each generator's ads: ``online synth``'s, then the held-out generator's (each
    ad with its text-only twin)."""
    ads = both_generators(1500, seed=12)
    folder = tmp_path_factory.mktemp("split")
    results = []
    for name, part in (("synth", ads[:1500]), ("heldout", ads[1500:])):
        path = folder / f"{name}.jsonl"
        path.write_text("".join(json.dumps(ad) + "\n" for ad in part), encoding="utf-8")
        results.append(scan([path], config=ScanConfig(chunk_size=500), engine=InProcessEngine()))
    return results


def _described(analysis) -> str:
    """Everything a summary holds, its ads and label too, in order, as text."""
    return json.dumps([s.as_dict() | {"ads": s.ads, "label": s.label} for s in analysis.clusters])


@pytest.fixture
def forks(monkeypatch):
    """The calls that went through a forked process."""
    calls = []

    def counted(child, here):
        calls.append(1)
        return in_child_and_here(child, here)

    monkeypatch.setattr(analysis_module, "in_child_and_here", counted)
    return calls


def test_analysis_split_with_a_child_equals_one_process(scans, forks):
    """Summaries (ads, scores, contributions, contacts, personas), in order, and the leads built
    from them: the same bytes whether a forked process described half of the clusters or not.
    A summary lost, doubled or reordered, or ads not rebuilt, fails."""
    indicators = load_indicators(ScanConfig().indicators_path)
    for result in scans:
        index, clustering = result.index, result.clustering
        alone = analyse(index, clustering, indicators, split_ads=NEVER)
        assert not forks
        split = analyse(index, clustering, indicators, split_ads=ALWAYS)
        assert len(forks) == 1
        assert _described(split) == _described(alone)
        assert len(alone.clusters) > 20
        leads = build_leads(index, split, indicators)
        assert json.dumps(leads) == json.dumps(build_leads(index, alone, indicators))
        assert json.dumps(leads) == json.dumps(result.leads)
        assert len(leads["possible_victims"]) > 20 and len(leads["possible_perpetrators"]) > 5
        forks.clear()


def test_a_child_runs_in_another_process_and_its_failures_run_here():
    parent = os.getpid()
    assert in_child_and_here(os.getpid, os.getpid) != (parent, parent)
    assert in_child_and_here(os.getpid, os.getpid)[1] == parent

    def fails_in_the_child():
        if os.getpid() != parent:
            raise RuntimeError("lost")
        return "here"

    def dies_in_the_child():
        if os.getpid() != parent:
            os._exit(3)
        return "here too"

    assert in_child_and_here(fails_in_the_child, lambda: 1) == ("here", 1)
    assert in_child_and_here(dies_in_the_child, lambda: 2) == ("here too", 2)

    def broken():
        raise ValueError("this side")

    with pytest.raises(ValueError, match="this side"):
        in_child_and_here(lambda: list(range(100_000)), broken)  # more than a pipe holds
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # every child reaped


def test_the_split_is_skipped_where_it_cannot_fork(scans, forks, monkeypatch):
    monkeypatch.setattr(analysis_module, "can_fork", lambda: False)
    indicators = load_indicators(ScanConfig().indicators_path)
    result = scans[0]
    split = analyse(result.index, result.clustering, indicators, split_ads=ALWAYS)
    alone = analyse(result.index, result.clustering, indicators, split_ads=NEVER)
    assert _described(split) == _described(alone)
    assert not forks


def _priced_index(prices: list[float], cities: list[int]) -> Index:
    index = Index()
    for city in range(1, max(cities) + 1):
        index.cities(f"city {city}")
    index.price.frombytes(np.asarray(prices, dtype=np.float32).tobytes())
    index.city.frombytes(np.asarray(cities, dtype=np.int32).tobytes())
    return index


def test_price_medians_by_one_sort_equal_a_mask_per_city(scans):
    """The flags and medians of the definition, on both generators' ads and on prices placed
    at the limit itself, one float32 step either side (even and odd counts, cities too small
    to count, unpriced ads and ads without a city)."""
    for result in scans:
        for ratio, least in ((0.6, 10), (0.9, 3), (1.0, 1)):
            flags, medians = _price_flags(result.index, ratio, least)
            want_flags, want_medians = _price_flags_reference(result.index, ratio, least)
            assert flags.tobytes() == want_flags.tobytes()
            assert list(medians.items()) == list(want_medians.items())
        assert flags.any() and len(medians) > 3
    # Ads priced at each city's limit and one float32 step either side of it, among enough
    # ads at one price that the median stays that price: where the limit is rounded to a
    # float32 (what the definition's comparison does) and where it is not makes a difference.
    rng = np.random.default_rng(4)
    bases = [100.3, 87.7, 151.1, 64.9, 249.99]
    for ratio in (0.6, 0.65, 0.7, 0.75, 0.8, 0.9, 1.0):
        prices, cities = [], []
        for city, base in enumerate(bases, start=1):
            limit = np.float32(ratio * float(np.float32(base)))
            near = [limit, np.nextafter(limit, np.float32(0)), np.nextafter(limit, np.float32(1e9))]
            prices += [base] * 41 + [float(p) for p in near] + [0.0]
            cities += [city] * 45
        prices += rng.uniform(1, 300, 20).tolist()
        cities += [0] * 20  # priced ads without a city
        index = _priced_index(prices, cities)
        for least in (1, 44, 45):
            flags, medians = _price_flags(index, ratio, least)
            want_flags, want_medians = _price_flags_reference(index, ratio, least)
            assert flags.tobytes() == want_flags.tobytes() and medians == want_medians
            assert list(medians) == list(want_medians)
    flags, medians = _price_flags(_priced_index([0.0, 5.0], [3, 0]), 0.5, 1)
    assert not flags.any() and medians == {}  # nothing priced in a city


def test_ids_hashed_as_chunks_arrive_report_the_duplicates_reading_them_gives(monkeypatch):
    index = Index()
    # Ids that share their first characters: a hash of anything less than the id mixes them up.
    ids = ["ad-a", "ad-b", "ad-a", "ad-c", "ad-b", "ad-a", "ad-d", "", "", "ad-é"]
    for first in range(0, len(ids), 3):
        part = ChunkResult(first, 0, 0)
        part.ids = ids[first : first + 3]
        part.line_numbers = list(range(first, first + len(part.ids)))
        n = len(part.ids)
        part.offsets, part.days, part.ages, part.prices, part.masks = ([0] * n for _ in range(5))
        part.urls = part.cities = part.names = part.languages = [""] * n
        part.contacts = [[] for _ in range(n)]
        index.add(part)
    found = index.duplicate_ids()
    assert [line for _, line, _ in found] == [2, 4, 5, 8]
    # The definition: the hashes of the ids read back from their file, walked ad by ad.
    read_back = np.fromiter(map(hash, index.ids), dtype=np.int64, count=len(ids))
    assert np.frombuffer(index._id_hashes, dtype=np.int64).tobytes() == read_back.tobytes()
    assert _duplicates_one_by_one(index, read_back) == found
    # Hashes that collide (runs of equal hashes holding different ids): the same reports.
    for modulus in (1, 2, 3):
        monkeypatch.setattr(index, "_id_hashes", read_back % modulus)
        assert index.duplicate_ids() == _duplicates_one_by_one(index, read_back % modulus)


def _duplicates_one_by_one(index, hashes):
    """``Index.duplicate_ids`` as it was: every ad walked in hash order, compared with the first
    ad of its run of equal hashes."""
    order = np.argsort(hashes, kind="stable")
    sorted_hashes = hashes[order]
    found = []
    head = int(order[0])
    for position in range(1, len(order)):
        ad = int(order[position])
        if sorted_hashes[position] != sorted_hashes[position - 1]:
            head = ad
            continue
        if index.ids[ad] == index.ids[head]:
            found.append(
                (
                    index.file_index[ad],
                    index.line_number[ad],
                    f"duplicate id: the same id as line {index.line_number[head]}; the ad is kept",
                )
            )
    return sorted(found)


@pytest.mark.parametrize("threads", [1, 2])
def test_rejected_pairs_looked_up_before_the_sort_give_the_edges_in_order(
    scans, monkeypatch, threads
):
    """The band loop with the exact hash set (looked up before the sort) and with a plain
    sorted array (sorted first, the definition): each band's edges in the same order and the
    same number of verified pairs."""
    config = ScanConfig()
    for result in scans:
        index = result.index
        starts = index.shingle_starts()
        outcomes = []
        for exact in (True, False):
            with monkeypatch.context() as patched:
                if not exact:
                    patched.setattr(cluster_module, "CodeSet", lambda: np.zeros(0, np.int64))
                with Pool(threads) as pool:
                    runs = threads_module.weights_in_memory(index.shingles, starts, pool)
                    outcomes.append(
                        cluster_module._weighted_template_edges(
                            index, runs, config.threshold, config.candidate_threshold, pool
                        )
                    )
        (left, right, verified), (left_0, right_0, verified_0) = outcomes
        assert left.tobytes() == left_0.tobytes() and right.tobytes() == right_0.tobytes()
        assert verified == verified_0 and len(left) > 100 and verified > len(left)
