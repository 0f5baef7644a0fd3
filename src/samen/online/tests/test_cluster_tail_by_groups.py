"""After the band loop ``cluster`` joins template groups, not ads (ADR 0119): the hubs and the
final labels over the groups equal those found over every ad and every edge, as before."""

import numpy as np
import pytest

from samen.online.engine import ScanConfig, scan
from samen.online.engine import cluster as cluster_module
from samen.online.engine.cluster import (
    _contact_codes,
    _without_contact_conflicts,
    components,
    hub_contacts,
    persona_edges,
)
from samen.online.engine.heldout import write_heldout
from samen.online.engine.runner import InProcessEngine
from samen.online.tests.test_spilled_bound import _with_hub


@pytest.fixture(scope="module")
def corpora(synthetic_ads, tmp_path_factory):
    folder = tmp_path_factory.mktemp("tail-by-groups")
    full, plain, _ = write_heldout(3000, 11, folder / "heldout.jsonl")
    hub = _with_hub(synthetic_ads[0], folder / "hub.jsonl")
    return {"synth": synthetic_ads[0], "heldout": full, "textonly": plain, "hub": hub}


def _by_ads(index, template_labels, t_left, t_right):
    """The steps after the band loop as they were: over every ad, with every template edge."""
    n = len(index)
    contact_ad = np.frombuffer(index.contact_ad, dtype=np.int32)
    contact_id = np.frombuffer(index.contact_id, dtype=np.int32)
    is_image = index.contacts.starts_with("img:")
    p_left, p_right, links = persona_edges(
        np.frombuffer(index.name, dtype=np.int32),
        np.frombuffer(index.age, dtype=np.int16),
        template_labels,
    )
    if links:
        p_left, p_right, links = _without_contact_conflicts(
            template_labels, contact_ad, contact_id, is_image, links
        )
    base_left = np.concatenate([t_left, p_left]).astype(np.int64)
    base_right = np.concatenate([t_right, p_right]).astype(np.int64)
    hubs = hub_contacts(n, contact_ad, contact_id, base_left, base_right, is_image)
    keep = ~np.isin(contact_id, list(hubs))
    codes = _contact_codes(contact_ad[keep], contact_id[keep])
    labels = components(
        n,
        np.concatenate([base_left, codes >> 32]),
        np.concatenate([base_right, codes & 0xFFFFFFFF]),
    )
    return labels, hubs, links, len(codes)


@pytest.mark.parametrize("name", ["synth", "heldout", "textonly", "hub"])
def test_labels_and_hubs_over_the_groups_equal_those_over_the_ads(corpora, monkeypatch, name):
    config = ScanConfig(chunk_size=500)
    edges = []
    loop = cluster_module._weighted_template_edges

    def kept(*args, **kwargs):
        found = loop(*args, **kwargs)
        edges.append(found)
        return found

    monkeypatch.setattr(cluster_module, "_weighted_template_edges", kept)
    result = scan([corpora[name]], config=config, engine=InProcessEngine(False))
    clustering = result.clustering
    ((t_left, t_right, _),) = edges
    labels, hubs, links, contact_edges = _by_ads(
        result.index, clustering.template_labels, t_left, t_right
    )
    assert clustering.labels.dtype == labels.dtype
    assert clustering.labels.tobytes() == labels.tobytes()
    assert dict((c, g) for c, _, g in clustering.hub_contacts) == hubs
    assert clustering.persona_links == links
    assert clustering.contact_edge_count == contact_edges
    # Groups that only the contacts or personas join: the step has something to do.
    assert len(np.unique(labels)) < len(np.unique(clustering.template_labels))
    if name == "hub":
        assert hubs
