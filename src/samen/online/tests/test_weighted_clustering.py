"""Text-only clustering (issue 18): rarity-weighted verification, persona joins, hub contacts."""

import numpy as np

from samen.online.engine.cluster import (
    HUB_MIN_GROUPS,
    components,
    hub_contacts,
    persona_edges,
    shingle_weights,
    weighted_similarity,
    weighted_template_edges,
)
from samen.online.engine.extract import extract
from samen.online.engine.partition import ScanConfig, chunk_sketches


def _sets(token_lists, config=None):
    config = config or ScanConfig(min_shingles=3)
    sigs, shingles, counts = chunk_sketches(token_lists, config)
    starts = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    return sigs, shingles, starts


def test_weighted_similarity_equals_a_plain_set_computation():
    rng = np.random.default_rng(3)
    sets = [
        np.unique(rng.integers(0, 60, size=rng.integers(5, 40))).astype(np.uint32)
        for _ in range(30)
    ]
    shingles = np.concatenate(sets)
    starts = np.r_[0, np.cumsum([len(s) for s in sets])].astype(np.int64)
    weights, totals = shingle_weights(shingles, starts)
    weight_of = dict(zip(shingles.tolist(), weights.tolist(), strict=False))
    left, right = np.array([0, 1, 2, 5, 7]), np.array([1, 2, 9, 6, 29])
    ours = weighted_similarity(left, right, shingles, starts, weights, totals)
    for got, a, b in zip(ours, left, right, strict=True):
        sa, sb = set(sets[a].tolist()), set(sets[b].tolist())
        expected = sum(weight_of[x] for x in sa & sb) / sum(weight_of[x] for x in sa | sb)
        assert abs(got - expected) < 1e-5


def test_stock_phrases_shared_by_many_advertisers_do_not_join_them():
    stock = "discretion guaranteed clean apartment shower available serious gentlemen only call me"
    ads = [f"{stock} {' '.join(f'own{n}word{k}' for k in range(5))}".split() for n in range(40)]
    sigs, shingles, starts = _sets(ads)
    left, _, verified = weighted_template_edges(sigs, shingles, starts, 0.5, 0.3)
    assert verified > 0  # LSH proposed them: plain Jaccard is high
    assert len(left) == 0


def test_a_bucket_of_copies_is_joined_by_verifying_one_pair_per_ad():
    # Twelve copies of one template and ten unrelated ads: the copies share every LSH bucket.
    # Pairing each copy with its bucket's first ad joins them all, so no neighbour pair and no
    # later band needs verifying: 11 verified pairs, not about twice as many.
    template = "lieve meid met gouden handen zoenen massage en rollenspel half uur kusjes"
    copies = [[*template.split(), f"persona{n}"] for n in range(12)]
    others = [[f"other{n}word{k}" for k in range(14)] for n in range(10)]
    sigs, shingles, starts = _sets(copies + others)
    left, right, verified = weighted_template_edges(sigs, shingles, starts, 0.5, 0.3)
    labels = components(len(copies) + len(others), left, right)
    assert len(set(labels[:12].tolist())) == 1
    assert len(set(labels.tolist())) == 11
    assert verified == 11


def test_copies_of_one_template_with_other_personas_and_prices_are_joined():
    texts = [
        f"{name} ({age}) Hoi schatjes, ik ben {name}, {age} jaar. Lieve meid met gouden handen "
        f"uit {city}. Zoenen, massage en rollenspel. Half uur {price} euro. Kusjes"
        for name, age, city, price in [
            ("Anna", 21, "Utrecht", 80),
            ("Mia", 24, "Breda", 100),
            ("Lola", 19, "Tilburg", 70),
        ]
    ]
    stock = [
        f"Discretie staat voorop, bel voor een afspraak met dame nummer {n} vandaag"
        for n in range(30)
    ]
    ads = [extract("", t).tokens for t in texts + stock]
    sigs, shingles, starts = _sets(ads)
    left, right, _ = weighted_template_edges(sigs, shingles, starts, 0.5, 0.3)
    labels = components(len(ads), left, right)
    assert labels[0] == labels[1] == labels[2]
    assert labels[0] not in set(labels[3:].tolist())


def test_template_groups_sharing_several_rare_personas_are_joined_with_evidence():
    # 400 groups, each naming its own two personas; groups 0 and 1 share four more.
    names, ages, groups = [], [], []
    for g in range(400):
        for k in range(2):
            names.append(100 + 2 * g + k)
            ages.append(20 + k)
            groups.append(g)
    for name in (5000, 5001, 5002, 5003):
        for g in (0, 1):
            names.append(name)
            ages.append(22)
            groups.append(g)
    left, right, links = persona_edges(np.array(names), np.array(ages), np.array(groups))
    assert len(left) == 1
    assert {groups[left[0]], groups[right[0]]} == {0, 1}
    assert [p[0] for p in links[0].personas] == [5000, 5001, 5002, 5003]


def test_groups_sharing_one_persona_or_common_personas_stay_apart():
    names, ages, groups = [], [], []
    for g in range(40):
        # every group names "Anna (21)" and "Mia (22)": common, proves nothing
        for name, age in ((7, 21), (8, 22), (100 + g, 25)):
            names.append(name)
            ages.append(age)
            groups.append(g)
    left, _, _ = persona_edges(np.array(names), np.array(ages), np.array(groups))
    assert len(left) == 0


def test_a_contact_in_many_otherwise_identified_groups_is_a_hub():
    n = 2 * HUB_MIN_GROUPS + 2
    # ads 2g and 2g+1 form advertiser g with its own phone g+1; every advertiser also names
    # the support desk (contact 0).
    contact_ad, contact_id = [], []
    for g in range(n // 2):
        for ad in (2 * g, 2 * g + 1):
            contact_ad += [ad, ad]
            contact_id += [g + 1, 0]
    is_image = np.zeros(n // 2 + 1, dtype=bool)
    empty = np.zeros(0, dtype=np.int64)
    hubs = hub_contacts(n, np.array(contact_ad), np.array(contact_id), empty, empty, is_image)
    assert list(hubs) == [0]


def test_one_operators_only_number_across_unjoined_templates_is_not_a_hub():
    n = 3 * HUB_MIN_GROUPS
    contact_ad = np.arange(n)
    contact_id = np.zeros(n, dtype=np.int64)
    is_image = np.zeros(1, dtype=bool)
    empty = np.zeros(0, dtype=np.int64)
    assert hub_contacts(n, contact_ad, contact_id, empty, empty, is_image) == {}


def test_lead_clusters_carry_the_persona_links_that_joined_their_templates(tmp_path):
    from samen.online.engine import ScanConfig, scan
    from samen.online.engine.heldout import write_heldout

    _, plain, _ = write_heldout(4000, 3, tmp_path / "h.jsonl")
    result = scan([plain], config=ScanConfig())
    linked = [s.as_dict() for s in result.analysis.clusters if s.persona_links]
    assert linked
    link = linked[0]["persona_links"][0]
    assert len(link["shared_personas"]) >= 2 and link["evidence_beyond_chance"] >= 0
    assert result.stats["persona_links"] >= len(linked)
