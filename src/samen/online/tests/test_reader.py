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


def _bad_and_ids(path, chunk_size=50):
    results = [process_chunk(c, ScanConfig()) for c in iter_chunks([path], chunk_size=chunk_size)]
    return {line: reason for r in results for _, line, reason in r.bad}, [
        ad for r in results for ad in r.ids
    ]


def test_a_deeply_nested_line_is_skipped_with_its_reason(tmp_path):
    path = tmp_path / "ads.jsonl"
    deep = '{"id": "x", "text": ' + "[" * 100_000 + "]" * 100_000 + "}"
    good = json.dumps({"id": "a1", "text": "Hi"})
    path.write_text(f"{good}\n{deep}\n{good.replace('a1', 'a2')}\n", encoding="utf-8")
    bad, ids = _bad_and_ids(path)
    assert ids == ["a1", "a2"]
    assert bad == {2: "JSON nested too deeply"}


def test_an_ad_over_the_size_limit_is_skipped_without_reading_it_whole(tmp_path, monkeypatch):
    from samen.online.engine import reader

    monkeypatch.setattr(reader, "MAX_AD_BYTES", 1000)
    path = tmp_path / "ads.jsonl"
    huge = json.dumps({"id": "big", "text": "x" * 5000})
    path.write_text(
        "\n".join(
            [json.dumps({"id": "a1", "text": "Hi"}), huge, json.dumps({"id": "a2", "text": "Ho"})]
        )
        + "\n",
        encoding="utf-8",
    )
    bad, ids = _bad_and_ids(path)
    assert ids == ["a1", "a2"]
    assert "larger than the limit of 1,000 bytes" in bad[2]


def test_a_truncated_gzip_keeps_every_ad_read_before_the_break(tmp_path):
    import gzip

    whole = tmp_path / "whole.jsonl.gz"
    with gzip.open(whole, "wt", encoding="utf-8") as handle:
        for n in range(2000):
            handle.write(json.dumps({"id": f"a{n}", "text": f"ad number {n} " * 20}) + "\n")
    data = whole.read_bytes()
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(data[: len(data) // 2])
    bad, ids = _bad_and_ids(cut, chunk_size=100)
    assert len(ids) > 500 and ids == [f"a{n}" for n in range(len(ids))]
    [(line, reason)] = bad.items()
    assert "ends early" in reason and line > len(ids)


def test_byte_ranges_read_by_workers_number_lines_like_chunks(tmp_path, monkeypatch):
    from samen.online.engine import partition, reader
    from samen.online.engine.runner import InProcessEngine, build_index

    monkeypatch.setattr(reader, "MAX_AD_BYTES", 300)
    monkeypatch.setattr(partition, "MAX_AD_BYTES", 300)
    path = tmp_path / "ads.jsonl"
    lines = []
    for n in range(40):
        lines.append(json.dumps({"id": f"a{n}", "title": "Anna (21)", "text": f"Hi {n}"}))
        if n % 7 == 3:
            lines.append("")
        if n % 9 == 4:
            lines.append("{not json")
        if n == 20:
            lines.append(json.dumps({"id": "big", "text": "x" * 1000}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = ScanConfig(chunk_size=5, task_bytes=150)
    chunks = build_index([path], config, InProcessEngine(reads_files=False))
    ranges = build_index([path], config, InProcessEngine(reads_files=True))
    assert list(ranges.ids) == list(chunks.ids)
    assert list(ranges.line_number) == list(chunks.line_number)
    assert list(ranges.offset) == list(chunks.offset)
    assert ranges.bad == chunks.bad
    assert any("larger than the limit" in reason for _, _, reason in ranges.bad)
