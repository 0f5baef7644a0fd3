"""Pairwise precision, recall, F1 and the adjusted Rand index, against hand-worked examples."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samen.online.engine.evaluate import compare


def test_perfect_clustering_scores_one():
    truth = {"a": "x", "b": "x", "c": "y", "d": "z"}
    quality = compare(truth, {"a": "1", "b": "1", "c": "2", "d": "3"})
    assert (quality.precision, quality.recall, quality.f1, quality.ari) == (1, 1, 1, 1)


def test_hand_worked_example():
    # truth {a,b,c}{d,e}; predicted {a,b}{c,d,e}. Pairs: truth 3+1=4, predicted 1+3=4,
    # together in both: ab, de = 2. Precision 2/4, recall 2/4. With 10 pairs in all:
    # expected index 4*4/10 = 1.6, ARI = (2-1.6)/(4-1.6) = 1/6.
    truth = {"a": "t1", "b": "t1", "c": "t1", "d": "t2", "e": "t2"}
    predicted = {"a": "p1", "b": "p1", "c": "p2", "d": "p2", "e": "p2"}
    quality = compare(truth, predicted)
    assert quality.precision == pytest.approx(0.5)
    assert quality.recall == pytest.approx(0.5)
    assert quality.f1 == pytest.approx(0.5)
    assert quality.ari == pytest.approx(1 / 6)


def test_lumping_everything_together_has_full_recall_and_poor_precision():
    truth = {str(n): str(n // 2) for n in range(10)}
    quality = compare(truth, dict.fromkeys(truth, "one"))
    assert quality.recall == 1
    assert quality.precision == pytest.approx(5 / 45)
    assert quality.ari == pytest.approx(0)


def test_only_ads_in_both_files_count():
    quality = compare({"a": "x", "b": "x"}, {"a": "1", "b": "1", "zz": "1"})
    assert quality.ads == 2 and quality.precision == 1


@given(st.lists(st.integers(0, 5), min_size=2, max_size=40), st.permutations(range(6)))
def test_renaming_clusters_changes_nothing(labels, renaming):
    truth = {str(n): f"t{label}" for n, label in enumerate(labels)}
    renamed = {str(n): f"p{renaming[label]}" for n, label in enumerate(labels)}
    quality = compare(truth, renamed)
    assert quality.precision == quality.recall == quality.f1 == 1
    assert quality.ari == pytest.approx(1)


@given(
    st.lists(st.integers(0, 4), min_size=3, max_size=30),
    st.lists(st.integers(0, 4), min_size=3, max_size=30),
)
def test_precision_and_recall_swap_when_truth_and_prediction_swap(a, b):
    n = min(len(a), len(b))
    first = {str(i): str(a[i]) for i in range(n)}
    second = {str(i): str(b[i]) for i in range(n)}
    forward, backward = compare(first, second), compare(second, first)
    assert forward.precision == pytest.approx(backward.recall)
    assert forward.ari == pytest.approx(backward.ari)
    assert -1 <= forward.ari <= 1
