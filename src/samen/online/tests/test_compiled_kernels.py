"""The compiled kernels of the engine give what their Python definitions give, to the bit (issue
18 item 4): the same clusters whether or not the extension is built."""

from dataclasses import asdict

import numpy as np

from samen.online.engine import _tokens
from samen.online.engine import cluster as cluster_module
from samen.online.engine import extract as extract_module
from samen.online.engine import partition as partition_module
from samen.online.engine import shingles as shingles_module
from samen.online.engine.cluster import _similarity, shingle_weights
from samen.online.engine.extract import extract
from samen.online.engine.indicators import _find_all_py, load_indicators
from samen.online.engine.partition import ScanConfig, chunk_sketches
from samen.online.engine.spill import SpillFile
from samen.online.tests.corpora import both_generators


def _runs(monkeypatch):
    """Both generators' ads as shingle runs, in memory and spilled (sorted 256 keys at a time,
    so several buckets), and pairs: every ad with the next 40 (unusable short texts included)."""
    ads = both_generators(60, seed=8)
    tokens = [extract(ad["title"], ad["text"]).tokens for ad in ads]
    _, values, counts = chunk_sketches(tokens, ScanConfig())
    starts = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    weights, totals = shingle_weights(values, starts)
    monkeypatch.setattr(shingles_module, "SORT_ITEMS", 256)
    spilled = SpillFile("test-")
    spilled.append(values)
    n = len(ads)
    left = np.repeat(np.arange(n), 40)
    right = (left + np.tile(np.arange(1, 41), n)) % n
    in_memory = shingles_module.ArrayRuns(values, starts, weights, totals)
    return in_memory, shingles_module.spill_weights(spilled, starts), left, right


def test_the_compiled_similarity_equals_the_vectorised_definition_on_both_generators(
    monkeypatch,
):
    in_memory, spilled, left, right = _runs(monkeypatch)
    for runs in (in_memory, spilled):
        compiled = _similarity(left, right, runs)
        with monkeypatch.context() as patched:
            patched.setattr(cluster_module, "_compiled_common", None)
            defined = _similarity(left, right, runs)
        assert compiled.tobytes() == defined.tobytes()
        assert (compiled > 0).sum() > 100 and (compiled >= 0.5).sum() > 10  # pairs that share
    spilled.close()


def test_the_compiled_common_weight_rejects_runs_outside_the_data():
    shingles = np.array([1, 2, 3], dtype=np.uint32)
    weights = np.ones(3, dtype=np.float32)
    first, length = np.array([0], dtype=np.int64), np.array([4], dtype=np.int64)
    out = np.zeros(1)
    try:
        _tokens.weighted_common(shingles, weights, 1, first, length, first, first, out)
    except IndexError:
        pass
    else:
        raise AssertionError("a run past the end was read")
    _tokens.weighted_common(shingles, weights, 1, first, length - 1, first, length - 2, out)
    assert out[0] == 2.0


def test_the_compiled_sketch_equals_the_numpy_definition_on_both_generators():
    token_lists = [extract(ad["title"], ad["text"]).tokens for ad in both_generators(60, seed=8)]
    # Short and empty lists (no signature), repeats within an ad, non-ASCII tokens.
    token_lists += [[], ["a"], ["é", "ж", "🔥"] * 4, ["same"] * 20]
    # Many repeats and lengths around the sort's cut-over: random words from a few.
    rng = np.random.default_rng(9)
    token_lists += [
        [f"w{k}" for k in rng.integers(0, vocabulary, size=length)]
        for vocabulary in (2, 5, 50)
        for length in (8, 17, 18, 40, 300)
    ]
    for config in (ScanConfig(), ScanConfig(min_shingles=0, shingle_size=2, num_perm=16)):
        compiled = partition_module.chunk_sketches(token_lists, config)
        defined = partition_module._chunk_sketches_numpy(token_lists, config)
        for got, expected in zip(compiled, defined, strict=True):
            assert got.dtype == expected.dtype and got.shape == expected.shape
            assert got.tobytes() == expected.tobytes()
        assert compiled[1].size > 1000 and compiled[0].any(axis=1).sum() > 100


def test_the_compiled_literal_search_equals_its_definition_on_both_generators():
    indicators = load_indicators()
    starts = [s for _, s in indicators._searches if s] + [("a", "an", "n"), ("aa",)]
    for ad in both_generators(40, seed=8):
        lowered = f"{ad['title']}\n{ad['text']}".lower()
        for literals in starts:
            assert _tokens.find_all(lowered, literals) == _find_all_py(lowered, literals)


def test_the_compiled_token_positions_equal_their_definition_on_both_generators():
    sets = [extract_module._CITY_FIRST_WORDS, extract_module._NAME_TRIGGER_LAST, {"xnumx"}, set()]
    for ad in both_generators(40, seed=8):
        tokens = extract(ad["title"], ad["text"]).tokens
        for words in sets:
            assert _tokens.indices_in(tokens, words) == extract_module._indices_in_py(tokens, words)


def test_extraction_is_the_same_without_any_compiled_helper(monkeypatch):
    ads = both_generators(60, seed=8)

    def run() -> list[dict]:
        return [asdict(extract(ad["title"], ad["text"], phone=ad.get("phone", ""))) for ad in ads]

    compiled = run()
    monkeypatch.setattr(extract_module, "_word_tokens", extract_module._word_tokens_re)
    monkeypatch.setattr(extract_module, "_scan_words", extract_module._scan_words_py)
    monkeypatch.setattr(extract_module, "_indices_in", extract_module._indices_in_py)
    assert run() == compiled
    assert sum(bool(found["cities"]) for found in compiled) > 20
    assert sum(bool(found["names"]) for found in compiled) > 20
