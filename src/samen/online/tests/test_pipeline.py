"""The whole scan on synthetic ads with ground truth: clusters, leads, outputs, report."""

import json

import pytest

from samen.online.engine import ScanConfig, compare, scan, write_outputs
from samen.online.engine.evaluate import read_labels
from samen.online.engine.runner import labels_of
from samen.online.engine.synth import generate


@pytest.fixture(scope="module")
def scanned(synthetic_ads):
    path, _ = synthetic_ads
    return scan([path], config=ScanConfig())


def test_clusters_recover_the_operators(scanned, synthetic_ads):
    _, truth_path = synthetic_ads
    quality = compare(read_labels(truth_path, "ad_id", "operator_id"), labels_of(scanned))
    assert quality.ads == 3000
    assert quality.precision >= 0.9
    assert quality.recall >= 0.9
    assert quality.ari >= 0.9


def test_bad_lines_are_skipped_and_counted(scanned):
    assert scanned.stats["bad_lines"] == 3
    assert len(scanned.index) == 3000


def test_top_leads_are_exploitative_operators(scanned, synthetic_ads):
    _, truth_path = synthetic_ads
    exploitative = read_labels(truth_path, "ad_id", "is_exploitative")
    top = [s for s in scanned.analysis.clusters if s.score >= 3.0][:20]
    assert len(top) == 20
    majority = [
        sum(exploitative[scanned.index.ids[a]] == "1" for a in s.ads) * 2 > len(s.ads) for s in top
    ]
    assert sum(majority) >= 18


def test_perpetrator_leads_explain_the_shared_contact(scanned):
    lead = scanned.leads["possible_perpetrators"][0]
    assert lead["value"] in lead["explanation"]
    assert len(lead["personas"]) >= 2
    assert f"{len(lead['personas'])} different personas" in lead["explanation"]
    scores = [p["score"] for p in scanned.leads["possible_perpetrators"]]
    assert scores == sorted(scores, reverse=True)


def test_victim_leads_name_a_persona_in_a_lead_cluster(scanned):
    lead = scanned.leads["possible_victims"][0]
    assert lead["persona"] in lead["explanation"]
    assert lead["urls"] and all(u.startswith("https://") for u in lead["urls"])


def test_outputs_are_written(scanned, synthetic_ads, tmp_path):
    path, _ = synthetic_ads
    files = write_outputs(scanned, [path], tmp_path)
    header, *rows = files["clusters"].read_text().splitlines()
    assert header == "ad_id,cluster_id" and len(rows) == 3000
    document = json.loads(files["leads"].read_text())
    assert document["stats"]["indicator_set_version"]
    assert document["clusters"][0]["template"]
    assert (
        "{NAME}" in document["clusters"][0]["template"]
        or "{CITY}" in document["clusters"][0]["template"]
    )
    html = files["report"].read_text()
    assert "<svg" in html and "Top leads, explained" in html
    assert "<script src" not in html and "<link" not in html  # self-contained


def test_report_escapes_ad_text(tmp_path):
    ads = tmp_path / "ads.jsonl"
    evil = "<script>alert(1)</script>"
    rows = [
        {
            "id": f"x{n}",
            "url": f"https://site.example/{n}",
            "city": city,
            "title": f"{evil} Anna ({20 + n % 3})",
            "text": f"Hi I am {name}, we have new girls every week. Call 06-12345{n % 1:03d}. "
            "Only bitcoin. Pay my driver on arrival. Kisses and see you soon tonight.",
            "posted_at": "2026-05-01",
        }
        for n, (name, city) in enumerate(
            [("Anna", "Utrecht"), ("Mia", "Breda"), ("Lola", "Delft"), ("Nina", "Leiden")] * 2
        )
    ]
    ads.write_text("\n".join(json.dumps(r) for r in rows))
    result = scan([ads])
    html = write_outputs(result, [ads], tmp_path / "out")["report"].read_text()
    assert evil not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_generator_is_deterministic_and_clearly_synthetic():
    first = list(generate(300, seed=9))
    assert first == list(generate(300, seed=9))
    for ad, _, _ in first:
        assert ad["url"].split("/")[2].endswith(".example")
        if "phone" in ad:
            assert ad["phone"].startswith("+3161234")


def test_csv_input_gives_the_same_clusters_as_json_lines(tmp_path):
    from samen.online.engine import write_synthetic

    jsonl, csv_path = tmp_path / "ads.jsonl", tmp_path / "ads.csv"
    write_synthetic(600, seed=8, out=jsonl)
    write_synthetic(600, seed=8, out=csv_path)
    from_jsonl, from_csv = scan([jsonl]), scan([csv_path])
    assert labels_of(from_jsonl) == labels_of(from_csv)
    top_jsonl, top_csv = from_jsonl.analysis.clusters[0], from_csv.analysis.clusters[0]
    assert top_csv.template and top_csv.template == top_jsonl.template


def test_template_marks_slots_and_varying_words():
    from samen.online.engine.runner import template_with_slots

    template = template_with_slots(
        ["hi i am xnamex xnumx new in xcityx call xnumx", "hi i am xnamex xnumx back in xcityx"]
    )
    assert template == "hi i am {NAME} {NUM} {…} in {CITY} {…} {NUM}"
