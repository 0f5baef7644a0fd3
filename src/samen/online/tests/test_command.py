"""``manage.py online synth|scan|evaluate``: the Django adapter end to end."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command


def test_synth_scan_evaluate(tmp_path):
    ads, out = tmp_path / "ads.jsonl", tmp_path / "out"
    call_command(
        "online",
        "synth",
        "--ads",
        "800",
        "--seed",
        "3",
        "--out",
        str(ads),
        "--bad-lines",
        "2",
        stdout=StringIO(),
    )
    truth = tmp_path / "ads.truth.csv"
    assert truth.exists()
    stdout, stderr = StringIO(), StringIO()
    call_command("online", "scan", str(ads), "--out", str(out), stdout=stdout, stderr=stderr)
    assert {p.name for p in out.iterdir()} >= {"clusters.csv", "leads.json", "report.html"}
    assert "skipped" in stderr.getvalue() and "not valid JSON" in stderr.getvalue()
    assert "ads/s" in stderr.getvalue()
    stdout = StringIO()
    call_command(
        "online",
        "evaluate",
        "--truth",
        str(truth),
        "--clusters",
        str(out / "clusters.csv"),
        stdout=stdout,
    )
    quality = json.loads(stdout.getvalue())
    assert quality["ads"] == 800
    assert quality["pairwise_precision"] > 0.9


def test_scan_refuses_a_missing_input(tmp_path):
    with pytest.raises(CommandError, match="input not found"):
        call_command("online", "scan", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path))


@pytest.mark.parametrize("threshold", ["-0.2", "1.5", "nan"])
def test_a_threshold_outside_zero_to_one_is_a_one_line_error(tmp_path, threshold):
    ads = tmp_path / "ads.jsonl"
    ads.write_text(json.dumps({"id": "a", "text": "hi"}) + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match="--threshold"):
        call_command("online", "scan", str(ads), "--out", str(tmp_path / "o"),
                     "--threshold", threshold)  # fmt: skip


def test_duplicate_ids_are_reported_with_both_lines(tmp_path):
    ads = tmp_path / "ads.jsonl"
    rows = [
        {"id": "a", "text": "hi there"},
        {"id": "b", "text": "ho"},
        {"id": "a", "text": "again"},
    ]
    ads.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    stdout, stderr = StringIO(), StringIO()
    call_command("online", "scan", str(ads), "--out", str(tmp_path / "o"), "--no-progress",
                 stdout=stdout, stderr=stderr)  # fmt: skip
    assert "ads.jsonl:3: duplicate id: the same id as line 1" in stderr.getvalue()
    assert '"duplicate_ids": 1' in stdout.getvalue()
    assert "duplicate id" in (tmp_path / "o" / "bad_lines.csv").read_text(encoding="utf-8")
