"""The work that does not depend on the clusters, made on threads beside the cluster phase
(ADR 0102), gives what it gives made in line: the same clusters, contact edges, duplicates,
lead clusters and leads; and the contact edges as pair codes are those of the old definition."""

import threading

import numpy as np
import pytest

from samen.online.engine import ScanConfig, scan
from samen.online.engine import cluster as cluster_module
from samen.online.engine import runner as runner_module
from samen.online.engine import threads as threads_module
from samen.online.engine.analysis import label_free_facts
from samen.online.engine.cluster import _dedupe, contact_edges
from samen.online.engine.heldout import write_heldout
from samen.online.engine.indicators import load_indicators
from samen.online.engine.runner import InProcessEngine


@pytest.fixture(scope="module")
def inputs(synthetic_ads, tmp_path_factory):
    """Both generators' ads, each with a few ads repeated under the same id at the end, so
    that duplicates are found."""
    folder = tmp_path_factory.mktemp("beside")
    full, _, _ = write_heldout(3000, 4, folder / "heldout.jsonl")
    paths = []
    for number, source in enumerate((synthetic_ads[0], full)):
        lines = source.read_bytes().splitlines(keepends=True)
        path = folder / f"input-{number}.jsonl"
        path.write_bytes(b"".join(lines) + b"".join(lines[10:13]))
        paths.append(path)
    return paths


def _scan(path, monkeypatch, beside: bool):
    """A scan on two threads; with ``beside`` false the label-free work is made in line."""
    ran_on: dict[str, str] = {}

    with monkeypatch.context() as patched:

        def spied(module, name):
            original = getattr(module, name)

            def call(*args, **kwargs):
                ran_on[name] = threading.current_thread().name
                return original(*args, **kwargs)

            patched.setattr(module, name, call)

        patched.setattr(threads_module, "THREADS", 2)
        if not beside:
            patched.setattr(cluster_module, "shingles_in_memory", lambda index: False)
            patched.setattr(runner_module, "shingles_in_memory", lambda index: False)
        spied(cluster_module, "_contact_facts")
        spied(runner_module, "label_free_facts")
        spied(runner_module.Index, "duplicate_ids")
        result = scan([path], config=ScanConfig(chunk_size=500), engine=InProcessEngine(False))
    return result, ran_on


def test_the_label_free_work_beside_the_cluster_phase_gives_the_same_scan(inputs, monkeypatch):
    indicators = load_indicators(None)
    for path in inputs:
        (new, new_threads), (old, old_threads) = (
            _scan(path, monkeypatch, beside) for beside in (True, False)
        )
        # The paths taken: beside on threads of their own, else on the calling thread.
        assert new_threads["_contact_facts"].startswith("samen-contacts")
        assert new_threads["label_free_facts"].startswith("samen-beside")
        assert new_threads["duplicate_ids"].startswith("samen-beside")
        main = threading.main_thread().name
        assert set(old_threads.values()) == {main} and "label_free_facts" not in old_threads
        assert new.clustering.labels.tobytes() == old.clustering.labels.tobytes()
        assert new.clustering.template_labels.tobytes() == old.clustering.template_labels.tobytes()
        assert new.clustering.contact_edge_count == old.clustering.contact_edge_count > 100
        assert new.clustering.template_edge_count == old.clustering.template_edge_count
        assert new.clustering.hub_contacts == old.clustering.hub_contacts
        assert new.clustering.persona_links == old.clustering.persona_links
        assert new.duplicates == old.duplicates and len(new.duplicates) == 3
        assert new.analysis.price_medians == old.analysis.price_medians != {}
        assert [s.as_dict() for s in new.analysis.clusters] == [
            s.as_dict() for s in old.analysis.clusters
        ]
        assert any(
            c["id"] == "price_below_median" for s in new.analysis.clusters for c in s.contributions
        )
        assert new.leads["possible_victims"] == old.leads["possible_victims"]
        assert new.leads["possible_perpetrators"] == old.leads["possible_perpetrators"]
        assert new.leads["urls"] == old.leads["urls"]
        # What analyse was handed equals what it makes itself.
        made = label_free_facts(new.index, indicators)
        assert (
            made.price_flags.tobytes()
            == label_free_facts(old.index, indicators).price_flags.tobytes()
        )
        assert (
            made.contacts.persona_count.tobytes() == new.analysis.contacts.persona_count.tobytes()
        )
        assert made.contacts.ad_count.tobytes() == new.analysis.contacts.ad_count.tobytes()


def _contact_edges_as_they_were(contact_ad, contact_id):
    if not len(contact_ad):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    order = np.lexsort((contact_ad, contact_id))
    ids, ads = contact_id[order], contact_ad[order]
    same = ids[1:] == ids[:-1]
    return _dedupe(ads[:-1][same].astype(np.int64), ads[1:][same].astype(np.int64))


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_contact_edges_by_pair_codes_are_those_of_the_old_definition(dtype):
    rng = np.random.default_rng(3)
    for size, ads, contacts in ((0, 1, 1), (1, 5, 5), (40, 1000, 1000), (5000, 800, 300)):
        contact_ad = rng.integers(0, ads, size).astype(dtype)
        contact_id = rng.integers(0, contacts, size).astype(dtype)
        left, right = contact_edges(contact_ad, contact_id)
        old_left, old_right = _contact_edges_as_they_were(contact_ad, contact_id)
        assert left.dtype == right.dtype == np.int64
        assert left.tobytes() == old_left.tobytes() and right.tobytes() == old_right.tobytes()
        if size == 5000:
            assert len(left) > 1000 and (left <= right).all()
