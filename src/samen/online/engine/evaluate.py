"""Cluster quality against ground truth: pairwise precision, recall, F1, adjusted Rand index."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


@dataclass(frozen=True)
class Quality:
    ads: int
    precision: float
    recall: float
    f1: float
    ari: float

    def as_dict(self) -> dict[str, float]:
        return {
            "ads": self.ads,
            "pairwise_precision": round(self.precision, 4),
            "pairwise_recall": round(self.recall, 4),
            "pairwise_f1": round(self.f1, 4),
            "ari": round(self.ari, 4),
        }


def compare(truth: dict[str, str], predicted: dict[str, str]) -> Quality:
    """Compare two labellings of the same ads (ads present in both are compared).

    A pair of ads counts as predicted together when they share a predicted cluster, and as truly
    together when they share an operator. With n_ij the contingency counts, a_i the truth class
    sizes and b_j the predicted cluster sizes: TP = Σ C(n_ij,2), precision = TP / Σ C(b_j,2),
    recall = TP / Σ C(a_i,2), and ARI = (TP − E) / (½(A+B) − E) with E = A·B / C(n,2).
    """
    common = [ad for ad in predicted if ad in truth]
    joint = Counter((truth[ad], predicted[ad]) for ad in common)
    same_both = sum(_pairs(c) for c in joint.values())
    same_truth = sum(_pairs(c) for c in Counter(truth[ad] for ad in common).values())
    same_pred = sum(_pairs(c) for c in Counter(predicted[ad] for ad in common).values())
    precision = same_both / same_pred if same_pred else 1.0
    recall = same_both / same_truth if same_truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    total = _pairs(len(common))
    expected = same_truth * same_pred / total if total else 0.0
    maximum = (same_truth + same_pred) / 2
    ari = (same_both - expected) / (maximum - expected) if maximum != expected else 1.0
    return Quality(len(common), precision, recall, f1, ari)


def read_labels(path: Path, key: str, value: str) -> dict[str, str]:
    with open(path, encoding="utf-8", newline="") as handle:
        return {row[key]: row[value] for row in csv.DictReader(handle)}


def evaluate_files(truth_path: Path, clusters_path: Path) -> Quality:
    return compare(
        read_labels(truth_path, "ad_id", "operator_id"),
        read_labels(clusters_path, "ad_id", "cluster_id"),
    )
