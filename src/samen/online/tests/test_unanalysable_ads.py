"""One ad that breaks the analysis (not the reading) is skipped with its reason, on the compiled
and the plain path, and the scan goes on (issue #18, item 5). Found from outside: a title with a
superscript digit after a name ("Sophie ²") stopped a whole scan with a ValueError."""

import json

import pytest

from samen.online.engine import ScanConfig, partition, scan
from samen.online.engine.reader import iter_chunks


def _write(tmp_path, ads):
    path = tmp_path / "ads.jsonl"
    path.write_text("\n".join(json.dumps(ad) for ad in ads) + "\n", encoding="utf-8")
    return path


_ADS = [
    {"id": "a1", "title": "Anna (21)", "text": "Hallo, ik ben Anna. Bel 06-12345001"},
    {"id": "a2", "title": "Sophie ²", "text": "Hallo, ik ben Sophie. Bel 06-12345002"},
    {"id": "a3", "title": "Sophie ² 21", "text": "Nieuw in Breda"},
    {"id": "a4", "title": "Mia", "text": "Bel 06-12345003"},
]


@pytest.mark.parametrize("path_kind", ["compiled", "plain"])
def test_a_superscript_digit_in_a_title_is_read_as_no_age(tmp_path, path_kind):
    chunks = list(iter_chunks([_write(tmp_path, _ADS)], chunk_size=10))
    run = partition._process_chunk if path_kind == "compiled" else partition._process_chunk_plain
    [result] = [run(chunk, ScanConfig()) for chunk in chunks]
    assert result.ids == ["a1", "a2", "a3", "a4"]
    assert result.bad == []
    assert result.ages[:3] == [21, -1, -1]


@pytest.mark.parametrize("path_kind", ["compiled", "plain"])
def test_an_ad_that_breaks_the_extraction_is_skipped_with_a_reason_without_its_text(
    tmp_path, monkeypatch, path_kind
):
    secret = "Xantippe-canary-4711"
    ads = [*_ADS, {"id": "a5", "title": secret, "text": f"{secret} bel 06-12345004"}]
    if path_kind == "compiled" and partition._worker_extract is None:
        pytest.skip("the compiled worker is not built")
    name, run = (
        ("_worker_extract", partition._process_chunk)
        if path_kind == "compiled"
        else ("extract_with", partition._process_chunk_plain)
    )
    original = getattr(partition, name)

    def breaking(title, *args):
        if title == secret:
            raise ValueError(f"invalid literal: {secret!r}")
        return original(title, *args)

    monkeypatch.setattr(partition, name, breaking)
    [chunk] = list(iter_chunks([_write(tmp_path, ads)], chunk_size=10))
    result = run(chunk, ScanConfig())
    assert result.ids == ["a1", "a2", "a3", "a4"]
    # Every column has one value an ad: nothing half-added for the skipped one.
    columns = (result.urls, result.days, result.cities, result.names, result.ages)
    assert all(len(column) == 4 for column in columns)
    assert [(line, reason) for _, line, reason in result.bad] == [
        (5, "the ad could not be analysed (ValueError)")
    ]
    assert secret not in repr(result.bad)


def test_the_whole_scan_finishes_on_such_a_title(tmp_path):
    result = scan([_write(tmp_path, _ADS)], config=ScanConfig())
    assert result.stats["bad_lines"] == 0
    assert len(result.index) == 4
