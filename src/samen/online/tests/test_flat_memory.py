"""The cluster and analysis steps rewritten for memory give the numbers of their earlier forms
(ADR 0108): the contacts' pair codes from one sorted key, the hub contacts from pairs sorted in
place, the per-cluster facts from one key a fact (or the lexsort where names do not fit)."""

import numpy as np
import pytest

from samen.online.engine import ScanConfig, scan
from samen.online.engine import analysis as analysis_module
from samen.online.engine import cluster as cluster_module
from samen.online.engine.analysis import ContactIndex, _cluster_facts
from samen.online.engine.arrays import sorted_unique
from samen.online.engine.cluster import (
    HUB_MIN_GROUPS,
    _contact_codes,
    components,
    contact_edges,
    hub_contacts,
)
from samen.online.engine.index import CompactInterner, SpilledColumn, StringColumn
from samen.online.engine.runner import InProcessEngine
from samen.online.tests.test_beside_cluster_phase import _contact_edges_as_they_were
from samen.online.tests.test_coordinator_fast_paths import _facts_one_by_one


@pytest.fixture(scope="module")
def result(synthetic_ads):
    return scan(
        [synthetic_ads[0]], config=ScanConfig(chunk_size=500), engine=InProcessEngine(False)
    )


@pytest.mark.parametrize("step", [1, 7, 1 << 18])
def test_contact_codes_across_steps_equal_the_lexsort(monkeypatch, step):
    monkeypatch.setattr(cluster_module, "_LEAN_STEP", step)
    rng = np.random.default_rng(11)
    for size, ads, contacts in ((1, 5, 5), (2, 3, 1), (60, 40, 9), (3000, 900, 200)):
        contact_ad = rng.integers(0, ads, size).astype(np.int32)
        contact_id = rng.integers(0, contacts, size).astype(np.int32)
        left, right = contact_edges(contact_ad, contact_id)
        old_left, old_right = _contact_edges_as_they_were(contact_ad, contact_id)
        assert left.tobytes() == old_left.tobytes() and right.tobytes() == old_right.tobytes()
        codes = _contact_codes(contact_ad, contact_id)
        assert (codes == np.sort(codes)).all() and len(np.unique(codes)) == len(codes)


def _hub_contacts_as_they_were(n, contact_ad, contact_id, base_left, base_right, is_image):
    base = components(n, base_left, base_right)
    ad_group = base[contact_ad]
    pairs = sorted_unique(contact_id.astype(np.int64) << 32 | ad_group.astype(np.int64))
    spread = np.bincount(pairs >> 32)
    candidates = np.flatnonzero(spread >= HUB_MIN_GROUPS)
    if not len(candidates):
        return {}
    keep = ~np.isin(contact_id, candidates)
    c_left, c_right = _contact_edges_as_they_were(contact_ad[keep], contact_id[keep])
    groups = components(
        n, np.concatenate([base_left, c_left]), np.concatenate([base_right, c_right])
    )
    own = keep & ~is_image[contact_id]
    identified = sorted_unique(groups[contact_ad[own]])
    hubs = {}
    for contact in candidates.tolist():
        ads = contact_ad[contact_id == contact]
        joined = np.intersect1d(sorted_unique(groups[ads]), identified, assume_unique=True)
        if len(joined) >= HUB_MIN_GROUPS:
            hubs[contact] = len(joined)
    return hubs


def test_hub_contacts_equal_their_earlier_form():
    rng = np.random.default_rng(5)
    found = 0
    for n, groups in ((400, 60), (3000, 300), (3000, 40)):
        # Groups of ads joined by template edges, each with an own contact; a few hub contacts
        # used across many groups.
        group = rng.integers(0, groups, n)
        order = np.argsort(group, kind="stable")
        same = group[order][1:] == group[order][:-1]
        base_left = order[:-1][same].astype(np.int32)
        base_right = order[1:][same].astype(np.int32)
        own_ads = np.arange(n)
        own_ids = group + 10
        hub_ads = rng.integers(0, n, 200)
        hub_ids = rng.integers(0, 5, 200)
        contact_ad = np.concatenate([own_ads, hub_ads]).astype(np.int32)
        contact_id = np.concatenate([own_ids, hub_ids]).astype(np.int32)
        is_image = np.zeros(groups + 10, dtype=bool)
        is_image[3] = True
        new = hub_contacts(n, contact_ad, contact_id, base_left, base_right, is_image)
        old = _hub_contacts_as_they_were(n, contact_ad, contact_id, base_left, base_right, is_image)
        assert new == old
        found += len(new)
    assert found  # hubs were found, so the comparison covers them


@pytest.mark.parametrize("packed_below", [1 << 15, 0])
def test_cluster_facts_from_one_key_or_the_lexsort_equal_the_definitions(
    result, monkeypatch, packed_below
):
    monkeypatch.setattr(analysis_module, "_PACKED_NAMES_BELOW", packed_below)
    index, labels = result.index, result.clustering.labels
    contacts = ContactIndex(index)
    order = np.argsort(labels, kind="stable").astype(np.int32)
    sizes = np.bincount(labels)
    starts = np.cumsum(sizes) - sizes
    multi = np.flatnonzero(sizes >= 2)
    facts = _cluster_facts(index, contacts, labels, order, starts, multi, 3)
    facts = [column.tolist() for column in facts]
    expected = [
        _facts_one_by_one(index, contacts, order[starts[g] : starts[g] + sizes[g]].tolist(), 3)
        for g in multi.tolist()
    ]
    assert list(zip(*facts, strict=True)) == expected
    assert len({personas for *_, personas in expected}) > 2
    assert any(many for _, many, _, _ in expected)


@pytest.mark.parametrize("rows", [1, 2, 3, 1 << 16])
def test_settled_string_ends_are_read_by_take_block_by_block(monkeypatch, rows):
    """A column whose ends went to a file on ``settle`` (the URLs) gives what it gave with them
    in memory: by ``take`` (the blocks of ends holding the wanted positions and the ones before
    them), one by one and in order."""
    monkeypatch.setattr(StringColumn, "_TAKE_ROWS", rows)
    chunks = [["u-1", "", "é-ü", "x" * 70_000], [], ["日本", "last", ""], ["a", "b", "c", "d"]]
    settled, memory = StringColumn(), StringColumn()
    for chunk in chunks:
        settled.extend(chunk)
        memory.extend(chunk)
    settled.settle()
    assert isinstance(settled._ends, SpilledColumn)
    flat = [s for chunk in chunks for s in chunk]
    for wanted in ([0], [10], [9, 0, 3, 3, 5], [4, 5, 6, 7], list(range(len(flat))), []):
        assert settled.take(wanted) == memory.take(wanted) == {k: flat[k] for k in wanted}
    assert [settled[k] for k in range(len(flat))] == list(settled) == flat


def test_a_settled_interner_finds_every_value_through_its_table_in_a_file():
    compact = CompactInterner()
    values = [f"tel:+31{k:08d}" for k in range(5000)]
    numbers = np.frombuffer(compact.many(values), dtype=np.int32).tolist()
    compact.settle()
    assert len(compact._table) == 0 and compact._table_file is not None
    assert [compact.id_of(v) for v in values] == numbers
    with pytest.raises(KeyError):
        compact.id_of("tel:+3100000000x")
    # Adding brings the table back first.
    assert np.frombuffer(compact.many(["new", values[7]]), dtype=np.int32).tolist() == [
        5001,
        numbers[7],
    ]
