"""The engine's own MinHash permutations, finaliser and LSH optimiser equal datasketch's, and the
engine no longer imports datasketch (nor SciPy) at run time."""

import subprocess
import sys

import numpy as np
import pytest
from datasketch import MinHash
from datasketch.lsh import _optimal_param
from datasketch.minhash import _fmix

from samen.online.engine.minhash import fmix32, optimal_param, permutations


@pytest.mark.parametrize(("num_perm", "seed"), [(64, 7), (128, 1), (16, 99)])
def test_permutations_equal_datasketch(num_perm, seed):
    assert np.array_equal(
        permutations(num_perm, seed), MinHash(num_perm=num_perm, seed=seed).permutations
    )


def test_finaliser_equals_datasketch():
    values = np.random.default_rng(1).integers(0, 2**32, 1000, dtype=np.uint64).astype(np.uint32)
    assert np.array_equal(fmix32(values), _fmix(values, 32))


@pytest.mark.parametrize("threshold", [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
@pytest.mark.parametrize("num_perm", [32, 64, 128])
def test_lsh_parameters_equal_datasketch(threshold, num_perm):
    assert optimal_param(threshold, num_perm, 0.5, 0.5) == _optimal_param(
        threshold, num_perm, 0.5, 0.5
    )


def test_the_engine_starts_without_datasketch_or_scipy():
    code = (
        "import sys, samen.online.engine.runner; "
        "print(sorted(m for m in ('datasketch', 'scipy') if m in sys.modules))"
    )
    # A fresh interpreter: this test process has datasketch imported already.
    out = subprocess.run(  # noqa: S603 - our own interpreter and a fixed program
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
