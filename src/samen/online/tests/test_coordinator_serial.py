"""The coordinator's serial phase, less of it (issue 18 item 4, ADR 0080): ids hashed as chunks
arrive and their duplicates found in numpy, the exact rejected pairs looked up before the band's
sort. Each gives what its definition gives, on both generators' ads
(``corpora.both_generators``)."""

import numpy as np
import pytest

from samen.online.engine import ScanConfig, scan
from samen.online.engine import cluster as cluster_module
from samen.online.engine import threads as threads_module
from samen.online.engine.index import Index, SpilledColumn
from samen.online.engine.partition import ChunkResult
from samen.online.engine.runner import InProcessEngine
from samen.online.engine.threads import Pool
from samen.online.tests.corpora import both_generators, generator_files


@pytest.fixture(scope="module")
def scans(tmp_path_factory):
    """A scan of each generator's ads: ``online synth``'s, then the held-out generator's (each
    ad with its text-only twin)."""
    ads = both_generators(1500, seed=12)
    folder = tmp_path_factory.mktemp("split")
    results = []
    for path in generator_files(ads, 1500, folder):
        results.append(scan([path], config=ScanConfig(chunk_size=500), engine=InProcessEngine()))
    return results


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
    assert index._id_hashes.tobytes() == read_back.tobytes()
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
    """The band loop that remembers rejected pairs (ADR 0119: only on request), with the exact
    hash set (looked up before the sort) and with a plain sorted array (sorted first, the
    definition): each band's edges in the same order and the same number of verified pairs."""
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
                            index,
                            runs,
                            config.threshold,
                            config.candidate_threshold,
                            pool,
                            remember_rejected=True,
                        )
                    )
        (left, right, verified), (left_0, right_0, verified_0) = outcomes
        assert left.tobytes() == left_0.tobytes() and right.tobytes() == right_0.tobytes()
        assert verified == verified_0 and len(left) > 100 and verified > len(left)


def test_duplicates_of_both_generators_are_those_the_old_walk_finds(scans, monkeypatch):
    # The hashes read back in blocks of 97 (ADR 0103): an ad misplaced across blocks fails.
    monkeypatch.setattr(SpilledColumn, "BLOCK_ROWS", 97)
    for result in scans:
        index = result.index
        read_back = np.fromiter(map(hash, index.ids), dtype=np.int64, count=len(index))
        assert index._id_hashes.tobytes() == read_back.tobytes()
        assert index.duplicate_ids() == _duplicates_one_by_one(index, read_back)
        for modulus in (97, 1 << 20):  # runs of colliding hashes, many of them
            monkeypatch.setattr(index, "_id_hashes", read_back % modulus)
            assert index.duplicate_ids() == _duplicates_one_by_one(index, read_back % modulus)
    assert any(result.duplicates for result in scans)
