"""The spilled clustering path keeps its memory bounded and clusters as the in-memory path does
(issue 18 item 4, ADR 0077): reads bounded per block, rejected pairs in a table of fixed size.
Identical edges (in order), labels, links, hubs and leads on varied corpora, with the bounds
made small enough to bite."""

import json

import numpy as np
import pytest

from samen.online.engine import ScanConfig, scan
from samen.online.engine import cluster as cluster_module
from samen.online.engine import shingles as shingles_module
from samen.online.engine.cluster import RejectedCache, _similarity
from samen.online.engine.heldout import write_heldout
from samen.online.engine.runner import InProcessEngine
from samen.online.engine.spill import SpillFile
from samen.online.engine.threads import Pool
from samen.online.tests.test_compiled_kernels import _runs


def _with_hub(source, out, every=40):
    """``source`` with one telephone number (a site's support desk) added to every
    ``every``-th ad, across unrelated advertisers."""
    lines = []
    with open(source, encoding="utf-8") as handle:
        for n, line in enumerate(handle):
            try:
                ad = json.loads(line)
            except ValueError:
                lines.append(line.rstrip("\n"))
                continue
            if n % every == 0:
                ad["text"] = ad.get("text", "") + " Support: +31 20 555 0199"
            lines.append(json.dumps(ad))
    out.write_text("\n".join(lines) + "\n")
    return out


@pytest.fixture(scope="module")
def corpora(synthetic_ads, tmp_path_factory):
    folder = tmp_path_factory.mktemp("spilled-bound")
    full, plain, _ = write_heldout(3000, 11, folder / "heldout.jsonl")
    hub = _with_hub(synthetic_ads[0], folder / "hub.jsonl")
    return {"synth": synthetic_ads[0], "heldout": full, "textonly": plain, "hub": hub}


def test_bridged_gaps_are_the_smallest_within_the_waste():
    rng = np.random.default_rng(5)
    for size in (0, 1, 7, 300):
        gaps = rng.integers(0, 40, size)
        for gap, waste in ((10, 0), (10, 25), (30, 10**6), (0, 5), (39, 300)):
            bridge = shingles_module.bridged(gaps, gap, waste)
            assert not bridge[gaps > gap].any()
            assert gaps[bridge].sum() <= waste or (gaps[gaps <= gap].sum() <= waste)
            # No gap left out is smaller than one taken, and none fits what is left.
            left_out = gaps[~bridge & (gaps <= gap)]
            if bridge.any() and len(left_out):
                assert left_out.min() >= gaps[bridge].max()
                assert left_out.min() > waste - gaps[bridge].sum()
            if gaps[gaps <= gap].sum() <= waste:
                assert np.array_equal(bridge, gaps <= gap)


@pytest.mark.parametrize("gap,waste", [(16 << 10, 16 << 20), (16 << 10, 0), (0, 0), (64, 200)])
def test_spilled_reads_bounded_give_the_similarities_in_memory(monkeypatch, gap, waste):
    """Every way of bridging the gaps between runs (all, none, some) reads each ad's records
    whole and in place: the similarities equal the in-memory ones to the bit."""
    in_memory, spilled, left, right = _runs(monkeypatch)
    monkeypatch.setattr(shingles_module, "READ_GAP", gap)
    monkeypatch.setattr(shingles_module, "READ_WASTE", waste)
    with Pool(2) as pool:
        got = _similarity(left, right, spilled, pool)
    assert got.tobytes() == _similarity(left, right, in_memory).tobytes()
    assert (got >= 0.5).sum() > 10
    spilled.close()


def test_reading_groups_equals_reading_each_range():
    spilled = SpillFile("test-")
    data = np.arange(10_000, dtype=np.uint32)
    spilled.append(data)
    starts = np.array([0, 400, 400, 4_000, 39_996], dtype=np.int64)
    lengths = np.array([8, 0, 1_000, 3, 4], dtype=np.int64)
    got = spilled.read_groups(starts, lengths)
    expected = b"".join(spilled.read(s, n) for s, n in zip(starts, lengths, strict=True))
    assert got.tobytes() == expected and len(got) == lengths.sum()
    with pytest.raises(ValueError):
        spilled.read_groups(np.array([39_990]), np.array([100]))
    assert not len(SpillFile("t-").read_groups(np.zeros(0, np.int64), np.zeros(0, np.int64)))
    spilled.close()


def test_the_rejected_table_knows_only_what_it_was_told():
    rng = np.random.default_rng(9)
    table = RejectedCache(1000)
    told = rng.integers(0, 1 << 50, 3000)
    table.add(told)
    others = rng.integers(0, 1 << 50, 3000)
    others = others[~np.isin(others, told)]
    assert not table.known(others).any()  # never a pair it was not told
    kept = table.known(told)
    assert kept.sum() > 1000  # most of what fits, some pushed out
    assert not table.known(np.array([-1, 0], dtype=np.int64)).any()


@pytest.mark.parametrize("bits", [1, 23])
def test_spilled_edges_equal_the_in_memory_edges_in_order(corpora, monkeypatch, bits):
    """The band loop over spilled runs, with a rejected table of two slots (nearly everything
    verified again) or of full size, gives each band's edges in the order the exact sorted set
    gives in memory: a pair dropped, doubled or reordered fails."""
    monkeypatch.setattr(RejectedCache, "MAX_BITS", bits)
    monkeypatch.setattr(shingles_module, "READ_WASTE", 1 << 12)
    monkeypatch.setattr(shingles_module, "SORT_ITEMS", 4096)
    config = ScanConfig(chunk_size=500)
    for name in ("synth", "heldout"):
        result = scan([corpora[name]], config=config, engine=InProcessEngine(False))
        index = result.index
        starts = index.shingle_starts()
        memory = shingles_module.weights_in_memory(index.shingles, starts)
        spilled = shingles_module.spill_weights(index.shingles, starts)
        with Pool(2) as pool:
            # The in-memory loop that remembers every rejected pair (ADR 0119: only on
            # request).
            exact = cluster_module._weighted_template_edges(
                index,
                memory,
                config.threshold,
                config.candidate_threshold,
                pool,
                remember_rejected=True,
            )
            bounded = cluster_module._weighted_template_edges(
                index, spilled, config.threshold, config.candidate_threshold, pool
            )
        spilled.close()
        # The spilled loop's ads are 32-bit (ADR 0103): the same numbers in the same order.
        assert bounded[0].astype(np.int64).tobytes() == exact[0].astype(np.int64).tobytes()
        assert bounded[1].astype(np.int64).tobytes() == exact[1].astype(np.int64).tobytes()
        assert len(exact[0]) > 100
        # The table only ever saves work: with two slots nearly every rejection is verified
        # again; never fewer verifications than the exact set needs.
        assert bounded[2] >= exact[2]
        if bits == 1:
            assert bounded[2] > exact[2]


@pytest.mark.parametrize("name", ["synth", "heldout", "textonly", "hub"])
def test_a_spilled_scan_equals_an_in_memory_scan(corpora, monkeypatch, name):
    config = ScanConfig(chunk_size=500)
    loaded = scan([corpora[name]], config=config, engine=InProcessEngine(False))
    monkeypatch.setattr(cluster_module, "IN_MEMORY_RECORDS", 0)
    monkeypatch.setattr(cluster_module, "ALL_BAND_KEYS_BYTES", 0)
    monkeypatch.setattr(RejectedCache, "MAX_BITS", 4)
    monkeypatch.setattr(shingles_module, "READ_WASTE", 1 << 12)
    monkeypatch.setattr(shingles_module, "SORT_ITEMS", 4096)
    spilled = scan([corpora[name]], config=config, engine=InProcessEngine(False))
    one, two = loaded.clustering, spilled.clustering
    assert two.labels.tobytes() == one.labels.tobytes()
    assert two.template_labels.tobytes() == one.template_labels.tobytes()
    assert two.template_edge_count == one.template_edge_count > 50
    assert two.contact_edge_count == one.contact_edge_count
    assert two.persona_links == one.persona_links
    assert two.hub_contacts == one.hub_contacts
    assert spilled.leads == loaded.leads
    if name == "hub":
        assert one.hub_contacts  # the support desk is found, and not used to join


def test_pruned_persona_joins_equal_the_full_ones(corpora):
    """Leaving out the pairs of groups that cannot reach two shared facts gives the same links,
    with their evidence, in the same order, with and without cities."""
    from samen.online.engine.cluster import persona_edges

    config = ScanConfig(chunk_size=500)
    joined = 0
    for name in ("synth", "heldout", "textonly"):
        result = scan([corpora[name]], config=config, engine=InProcessEngine(False))
        index, groups = result.index, result.clustering.template_labels
        names = np.frombuffer(index.name, dtype=np.int32)
        ages = np.frombuffer(index.age, dtype=np.int16)
        cities = np.frombuffer(index.city, dtype=np.int32)
        for with_cities in (None, cities):
            full = persona_edges(names, ages, groups, with_cities, prune=False)
            pruned = persona_edges(names, ages, groups, with_cities)
            assert pruned[0].tobytes() == full[0].tobytes()
            assert pruned[1].tobytes() == full[1].tobytes()
            assert pruned[2] == full[2]
            joined += len(full[2])
    assert joined > 5
