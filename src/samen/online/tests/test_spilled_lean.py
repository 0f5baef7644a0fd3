"""The spilled band loop with its band keys in files, 32-bit labels and codes made a step at a
time (issue 18 item 4, ADR 0081) clusters exactly as the in-memory path does: the same edges in
the same order, the same labels, links, hubs and leads, on both generators' ads, with every
bound made small enough that each spill, step and block boundary is crossed many times."""

import json

import numpy as np
import pytest

from samen.online.engine import ScanConfig, scan
from samen.online.engine import cluster as cluster_module
from samen.online.engine import shingles as shingles_module
from samen.online.engine.cluster import RejectedCache, _all_band_keys, _fold_block, lsh_params
from samen.online.engine.index import Index
from samen.online.engine.runner import InProcessEngine
from samen.online.engine.spillstore import BandKeyFiles
from samen.online.engine.threads import Pool
from samen.online.tests.corpora import both_generators

CONFIG = ScanConfig(chunk_size=400)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """1,200 synth ads, then 1,200 held-out ads each followed by its text-only twin; after
    every 50th ad a copy too short to have shingles (left out of template matching)."""
    path = tmp_path_factory.mktemp("spilled-lean") / "both.jsonl"
    ads = []
    for n, ad in enumerate(both_generators(1200, seed=3)):
        ads.append(ad)
        if n % 50 == 0:
            ads.append({**ad, "id": f"{ad['id']}-short", "title": "", "text": "Hi"})
    path.write_text("".join(json.dumps(ad) + "\n" for ad in ads))
    return path


@pytest.fixture(scope="module")
def loaded(corpus):
    """The in-memory path's scan: the reference."""
    return scan([corpus], config=CONFIG, engine=InProcessEngine(False))


def _tiny(monkeypatch):
    """Every bound of the spilled path small: it runs, and spills, at this size."""
    monkeypatch.setattr(cluster_module, "IN_MEMORY_RECORDS", 0)
    monkeypatch.setattr(cluster_module, "ALL_BAND_KEYS_BYTES", 0)
    monkeypatch.setattr(cluster_module, "_LEAN_STEP", 7)
    monkeypatch.setattr(cluster_module, "_LEAN_PART", 64)
    monkeypatch.setattr(RejectedCache, "MAX_BITS", 4)
    monkeypatch.setattr(Index, "_BLOCK_ROWS", 97)
    monkeypatch.setattr(shingles_module, "READ_WASTE", 1 << 12)
    monkeypatch.setattr(shingles_module, "SORT_ITEMS", 4096)


def test_a_lean_spilled_scan_equals_the_in_memory_scan(corpus, loaded, monkeypatch):
    _tiny(monkeypatch)
    spilled = scan([corpus], config=CONFIG, engine=InProcessEngine(False))
    for threads in (1, 3):
        one = loaded.clustering
        two = cluster_module.cluster(
            spilled.index, CONFIG.threshold, CONFIG.candidate_threshold, threads=threads
        )
        assert two.labels.tobytes() == one.labels.tobytes()
        assert two.template_labels.tobytes() == one.template_labels.tobytes()
        assert two.template_edge_count == one.template_edge_count > 500
        assert two.contact_edge_count == one.contact_edge_count
        assert two.persona_links == one.persona_links
        assert two.hub_contacts == one.hub_contacts
    assert spilled.clustering.labels.tobytes() == loaded.clustering.labels.tobytes()
    assert spilled.leads == loaded.leads
    assert loaded.leads["possible_victims"]


@pytest.mark.parametrize("threads", [1, 2])
def test_lean_edges_equal_the_in_memory_edges_in_order(loaded, monkeypatch, threads):
    """The lean loop gives every edge of the in-memory loop, in its order: a pair dropped,
    doubled or reordered, or a label joined wrongly (which changes what is verified next), fails.
    It never verifies fewer pairs than the exact rejected set needs."""
    _tiny(monkeypatch)
    index = loaded.index
    starts = index.shingle_starts()
    memory = shingles_module.weights_in_memory(index.shingles, starts)
    spilled = shingles_module.spill_weights(index.shingles, starts)
    with Pool(threads) as pool:
        # The in-memory loop that remembers every rejected pair (ADR 0119: only on request).
        exact = cluster_module._weighted_template_edges(
            index,
            memory,
            CONFIG.threshold,
            CONFIG.candidate_threshold,
            pool,
            remember_rejected=True,
        )
        lean = cluster_module._spilled_template_edges(
            index, spilled, CONFIG.threshold, CONFIG.candidate_threshold, pool
        )
    spilled.close()
    # The lean loop's ads are 32-bit (ADR 0103): the same numbers, in the same order.
    assert lean[0].dtype == lean[1].dtype == np.int32
    assert lean[0].astype(np.int64).tobytes() == exact[0].astype(np.int64).tobytes()
    assert lean[1].astype(np.int64).tobytes() == exact[1].astype(np.int64).tobytes()
    assert len(exact[0]) > 500
    assert lean[2] >= exact[2]


@pytest.mark.parametrize("part", [1, 16, 300, 1 << 21])
def test_band_pairs_made_a_part_at_a_time_equal_those_of_all_keys(loaded, monkeypatch, part):
    """The lean loop's bucketing in parts of the keys (ADR 0103) gives the star pairs and the
    neighbour pairs of the bucketing of all keys at once: the same pairs (a list's order is
    sorted away), in 32-bit ads. On a band's real keys and on keys with long runs."""
    if cluster_module._band_pairs is None:
        pytest.skip("the compiled bucketing is not built")
    monkeypatch.setattr(cluster_module, "_LEAN_PART", part)
    index = loaded.index
    _, rows = lsh_params(CONFIG.candidate_threshold, index.num_perm)
    usable = np.flatnonzero(np.diff(index.shingle_starts()) > 0).astype(np.int32)
    band = cluster_module._band_keys(index, usable, rows, 2 * rows)
    rng = np.random.default_rng(5)
    # Keys of every top bits, with repeats: long runs, pairs, singles.
    drawn = rng.integers(0, 2**63, 400, dtype=np.int64).astype(np.uint64) * np.uint64(2)
    crowded = drawn[rng.integers(0, 400, len(usable))]
    for keys in (band, crowded):
        whole = cluster_module._bucket_pairs(keys, usable)
        parted = cluster_module._parted_bucket_pairs(keys, usable)
        for (left, right), (left_0, right_0) in zip(parted, whole, strict=True):
            assert left.dtype == right.dtype == np.int32
            codes = np.sort(left.astype(np.int64) << 32 | right)
            codes_0 = np.sort(left_0.astype(np.int64) << 32 | right_0)
            assert codes.tobytes() == codes_0.tobytes()
            assert len(codes) > 50


def test_band_key_files_hold_the_keys_in_memory(loaded):
    """Each band's file holds the keys of the usable ads, in ad order, as computed in memory,
    whatever the block size and the number of threads."""
    index = loaded.index
    bands, rows = lsh_params(CONFIG.candidate_threshold, index.num_perm)
    starts = index.shingle_starts()
    has_run = starts[1:] > starts[:-1]
    assert 0 < has_run.sum() < len(index)  # short texts are left out
    with Pool(2) as pool:
        expected = _all_band_keys(index, bands, rows, pool)
    for step, threads in ((97, 2), (4096, 1), (1, 3)):
        with Pool(threads) as pool:
            files = BandKeyFiles.write(
                len(index),
                bands,
                index.signature_rows,
                lambda block: _fold_block(block, bands, rows),
                has_run,
                step,
                pool,
            )
        for band in range(bands):
            assert files.band(band).tobytes() == expected[band][has_run].tobytes()
        files.close()


def test_fold_block_without_the_kernel_equals_the_kernel(loaded, monkeypatch):
    index = loaded.index
    bands, rows = lsh_params(CONFIG.candidate_threshold, index.num_perm)
    block = index.signature_rows(0, 500)
    compiled = _fold_block(block, bands, rows)
    monkeypatch.setattr(cluster_module, "_fold_bands", None)
    assert _fold_block(block, bands, rows).tobytes() == compiled.tobytes()
