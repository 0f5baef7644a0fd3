"""MinHash signatures, LSH banding and union-find, checked against datasketch itself."""

import itertools

import numpy as np
from datasketch import MinHash, MinHashLSH

from samen.online.engine.cluster import UnionFind, components, lsh_params, template_edges
from samen.online.engine.extract import extract
from samen.online.engine.partition import (
    ScanConfig,
    _permutations,
    chunk_signatures,
    shingle_hashes,
    signatures,
)


def _datasketch_signature(hashes, config):
    permutations, scheme = _permutations(config.num_perm, config.seed)
    minhash = MinHash(
        num_perm=config.num_perm,
        seed=config.seed,
        hashfunc=int,
        permutations=permutations,
        scheme=scheme,
    )
    minhash.update_batch(hashes.tolist())
    return minhash.hashvalues


def test_chunk_signatures_equal_datasketch_minhash():
    config = ScanConfig()
    texts = [
        "new in town call me tonight kisses",
        "we have new girls every week in the city",
        "a b",
        "price is one hundred euro per hour and no rush",
    ]
    shingle_sets = [shingle_hashes(extract("", t).tokens) for t in texts]
    ours = signatures(shingle_sets, config)
    for row, hashes in zip(ours, shingle_sets, strict=True):
        if len(hashes):
            assert np.array_equal(row, _datasketch_signature(hashes, config))
        else:
            assert not row.any()


def test_chunk_shingling_equals_shingling_ad_by_ad():
    config = ScanConfig(min_shingles=3)
    token_lists = [
        extract("", t).tokens
        for t in [
            "we have new girls every week in the city call me",
            "a b c",
            "",
            "x y z w",
            "only bitcoin pay my driver on arrival and no rush please",
        ]
    ]
    expected = signatures(
        [h if len(h) >= 3 else h[:0] for h in (shingle_hashes(t) for t in token_lists)], config
    )
    assert np.array_equal(chunk_signatures(token_lists, config), expected)


def _components(n, left, right):
    uf = UnionFind(n)
    uf.union_edges(np.asarray(left), np.asarray(right))
    return uf.labels().tolist()


def test_banding_finds_the_same_groups_as_datasketch_lsh():
    config = ScanConfig()
    rng = np.random.default_rng(3)
    vocabulary = [f"w{i}" for i in range(400)]
    texts = []
    for _ in range(40):  # 40 templates, 5 noisy copies each
        base = list(rng.choice(vocabulary, 30))
        for _ in range(5):
            copy = list(base)
            for position in rng.choice(30, 1, replace=False):
                copy[position] = str(rng.choice(vocabulary))
            texts.append(" ".join(copy))
    sigs = signatures([shingle_hashes(t.split()) for t in texts], config)
    bands, rows = lsh_params(config.threshold, config.num_perm)
    lsh = MinHashLSH(num_perm=config.num_perm, params=(bands, rows))
    _, scheme = _permutations(config.num_perm, config.seed)
    minhashes = [MinHash(num_perm=config.num_perm, hashvalues=s, scheme=scheme) for s in sigs]
    for n, minhash in enumerate(minhashes):
        lsh.insert(n, minhash)
    pairs = {
        (min(n, m), max(n, m)) for n, mh in enumerate(minhashes) for m in lsh.query(mh) if m != n
    }
    expected = _components(len(texts), *zip(*pairs, strict=True)) if pairs else None
    left, right = template_edges(sigs, config.threshold, verify=False)
    assert _components(len(texts), left, right) == expected
    # Noisy copies of one template do end up together.
    assert len(set(expected)) < len(texts) / 2


def test_verification_drops_candidates_below_the_threshold():
    sigs = np.zeros((2, 64), dtype=np.uint32) + 1
    sigs[1, 16:] = 2  # identical in the first band only: candidates, but similarity 0.25
    assert len(template_edges(sigs, 0.5, verify=False)[0]) == 1
    assert len(template_edges(sigs, 0.5)[0]) == 0


def test_union_find_labels_follow_the_first_ad_of_each_component():
    uf = UnionFind(6)
    for a, b in [(4, 5), (1, 3), (3, 5)]:
        uf.union(a, b)
    assert uf.labels().tolist() == [0, 1, 2, 1, 1, 1]
    assert uf.labels().tolist() == _components(6, [5, 3, 1], [4, 5, 3])


def test_lsh_parameters_come_from_datasketch():
    bands, rows = lsh_params(0.5, 64)
    assert bands * rows <= 64
    assert all(isinstance(v, int) for v in (bands, rows))
    assert list(itertools.islice([bands, rows], 2)) == [bands, rows]


def test_vectorised_components_equal_union_find_on_random_graphs():
    rng = np.random.default_rng(11)
    for n, m in [(1, 0), (10, 3), (200, 150), (2000, 1900), (500, 2000)]:
        left, right = rng.integers(0, n, m), rng.integers(0, n, m)
        assert components(n, left, right).tolist() == _components(n, left, right)
