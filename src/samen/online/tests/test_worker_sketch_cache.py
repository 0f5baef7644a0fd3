"""The compiled sketch's crc32 of a token found by the token's address (ADR 0118) against the
numpy definition, where such a cache goes wrong: token objects freed between calls (their
addresses taken by other texts), more distinct tokens than the cache has slots, the same
object in many ads and lists, and equal texts in different objects."""

import random

import numpy as np
import pytest

from samen.online.engine import partition as partition_module
from samen.online.engine.partition import ScanConfig

pytest.importorskip("samen.online.engine._tokens")
if partition_module._compiled_sketch is None:  # pragma: no cover - the extension is built
    pytest.skip("the compiled sketch is not built", allow_module_level=True)


def _assert_equal(token_lists: list[list[str]], config: ScanConfig) -> None:
    compiled = partition_module.chunk_sketches(token_lists, config)
    defined = partition_module._chunk_sketches_numpy(token_lists, config)
    for got, expected in zip(compiled, defined, strict=True):
        assert got.dtype == expected.dtype and got.shape == expected.shape
        assert got.tobytes() == expected.tobytes()


def _fresh(sample: random.Random, vocabulary: int) -> str:
    # A new str object each time (not interned, not a cached constant).
    return "".join(sample.choices("abcéжz🔥", k=sample.randint(1, 3))) + str(
        sample.randrange(vocabulary)
    )


def test_tokens_freed_between_calls_are_not_taken_for_others():
    sample = random.Random(118)
    config = ScanConfig(min_shingles=1, num_perm=16)
    for _ in range(150):
        # Each round's tokens are freed when the round ends; the next round's new texts are
        # allocated at the same addresses, with other crc32s.
        token_lists = [
            [_fresh(sample, 50) for _ in range(sample.randint(0, 30))] for _ in range(20)
        ]
        _assert_equal(token_lists, config)


def test_more_distinct_tokens_than_slots_and_shared_objects():
    sample = random.Random(7)
    words = [f"word{n}é" if n % 3 else f"w{n}" for n in range(20000)]
    # The same objects in many lists and positions, and equal texts in distinct objects.
    token_lists = [sample.choices(words, k=sample.randint(3, 60)) for _ in range(400)]
    token_lists += [[("".join(["sa", "me"])) for _ in range(12)] for _ in range(5)]
    for config in (ScanConfig(), ScanConfig(min_shingles=0, shingle_size=2, num_perm=8)):
        _assert_equal(token_lists, config)
        _assert_equal(token_lists[::-1], config)


def test_a_token_that_is_not_a_str_is_refused_even_after_a_str_at_its_place():
    config = ScanConfig(min_shingles=1)
    _assert_equal([["a", "b", "c"]], config)
    with pytest.raises(TypeError):
        partition_module.chunk_sketches([["a", "b", 3]], config)
    # Refused again: a refused token leaves nothing behind that would let it through.
    with pytest.raises(TypeError):
        partition_module.chunk_sketches([["a", "b", 3]], config)
    assert np.array_equal(
        partition_module.chunk_sketches([["a", "b", "c"]], config)[0],
        partition_module._chunk_sketches_numpy([["a", "b", "c"]], config)[0],
    )
