"""Input: JSON Lines and CSV, bad lines reported and skipped, reading bounded by the workers."""

import csv
import json

from samen.online.engine.partition import ScanConfig, process_chunk
from samen.online.engine.reader import iter_chunks
from samen.online.engine.runner import _windowed


def test_bad_lines_are_reported_with_line_number_and_reason_and_skipped(tmp_path):
    path = tmp_path / "ads.jsonl"
    lines = [
        json.dumps({"id": "a1", "title": "Anna", "text": "Hi"}),
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"title": "no id", "text": "x"}),
        "",
        json.dumps({"id": "a2", "text": "x", "posted_at": "yesterday"}),
        json.dumps({"id": "a3", "text": "x", "price": "cheap"}),
        json.dumps({"id": "a4", "text": "Hi", "posted_at": "2026-03-01T10:00:00Z"}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    results = [process_chunk(c, ScanConfig()) for c in iter_chunks([path], chunk_size=3)]
    ids = [ad for r in results for ad in r.ids]
    bad = {line: reason for r in results for _, line, reason in r.bad}
    assert ids == ["a1", "a4"]
    assert sorted(bad) == [2, 3, 4, 6, 7]
    assert bad[2].startswith("not valid JSON")
    assert bad[3] == "not a JSON object"
    assert bad[4] == "missing 'id'"
    assert "posted_at" in bad[6]
    assert "price" in bad[7]


def test_csv_input_is_read_and_short_rows_are_bad(tmp_path):
    path = tmp_path / "ads.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "url", "city", "title", "text", "image_hashes"])
        writer.writerow(
            ["c1", "https://x.example/1", "Utrecht", "Mia (20)", "Bel 06-12345001", "aa;bb"]
        )
        writer.writerow(["c2", "only two"])
    [result] = [process_chunk(c, ScanConfig()) for c in iter_chunks([path], chunk_size=10)]
    assert result.ids == ["c1"]
    assert result.contacts[0] == ["img:aa", "img:bb", "tel:+31612345001"]
    assert result.cities == ["Utrecht"]
    assert [(line, reason) for _, line, reason in result.bad] == [(3, "wrong number of columns")]


class _Done:
    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value


def test_reading_never_runs_more_than_the_window_ahead_of_the_results():
    pulled = []

    def chunks():
        for n in range(50):
            pulled.append(n)
            yield n

    for consumed, value in enumerate(_windowed(_Done, chunks(), window=4), start=1):
        assert value == consumed - 1
        assert len(pulled) <= consumed + 4
