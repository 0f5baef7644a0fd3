"""The independent held-out generator: deterministic, labelled, and its text-only ads carry no
contact the engine can read."""

import csv
import json
from collections import Counter

from samen.online.engine.extract import extract
from samen.online.engine.heldout import write_heldout


def _write(tmp_path, ads=600, seed=2):
    return write_heldout(ads, seed, tmp_path / "ho.jsonl")


def test_same_seed_writes_the_same_corpus(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = [p.read_bytes() for p in _write(tmp_path / "a")]
    second = [p.read_bytes() for p in _write(tmp_path / "b")]
    assert first == second


def test_truth_labels_every_ad_with_operator_kind_and_persona(tmp_path):
    full, _plain, truth = _write(tmp_path)
    rows = list(csv.DictReader(truth.open(encoding="utf-8")))
    ids = [json.loads(line)["id"] for line in full.open(encoding="utf-8")]
    assert [r["ad_id"] for r in rows] == ids
    kinds = Counter(r["kind"] for r in rows)
    assert set(kinds) == {"exploitative", "agency", "independent"}
    assert all(r["persona_name"] and 18 <= int(r["persona_age"]) <= 34 for r in rows)


def test_text_only_variant_has_no_contacts_the_full_one_has_many(tmp_path):
    full, plain, _ = _write(tmp_path)

    def contacts(path):
        total = 0
        for line in path.open(encoding="utf-8"):
            ad = json.loads(line)
            total += len(extract(ad["title"], ad["text"], phone=ad["phone"]).contacts)
        return total

    assert contacts(plain) == 0
    assert contacts(full) > 100


def test_operators_use_several_languages_and_templates(tmp_path):
    full, _, truth = _write(tmp_path, ads=3000)
    rows = list(csv.DictReader(truth.open(encoding="utf-8")))
    ads = [json.loads(line) for line in full.open(encoding="utf-8")]
    langs = Counter(extract(a["title"], a["text"]).language for a in ads)
    assert {"nl", "en", "pl", "ro"} <= set(langs)
    # Several operators are big enough to write with more than one greeting or title form.
    operators = Counter(r["operator_id"] for r in rows)
    assert sum(1 for n in operators.values() if n >= 20) >= 10
