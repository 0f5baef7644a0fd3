"""A worker's range and result hand-over of ADR 0113: the range read in one piece equals the
line-by-line reading (its definition), the chunks' columns gathered and packed once equal the
packed chunks joined, and a result pickled with its texts' columns joined comes back equal,
whatever its texts hold."""

import json
import pickle
from multiprocessing.reduction import ForkingPickler

import numpy as np
import pytest

from samen.online.engine import partition, reader
from samen.online.engine.partition import ChunkResult, FileRange, ScanConfig
from samen.online.engine.reader import Chunk
from samen.online.tests.corpora import three_corpora

_LIMIT = 300


def _lines() -> list[bytes]:
    """Lines of every kind ``range_items`` tells apart, the newline included where there is one."""
    ad = json.dumps({"id": "a", "title": "Anna (21)", "text": "Hi"}).encode()
    lines = []
    for n in range(30):
        lines.append(ad.replace(b'"a"', b'"a%d"' % n) + b"\n")
        if n % 5 == 1:
            lines.append(b"\n")
        if n % 5 == 2:
            lines.append(b" \t\r\x0b\x0c\n")  # blank: whitespace only
        if n % 7 == 3:
            lines.append(b'{"id": "cr", "title": "t"}\r\n')
        if n % 11 == 4:
            lines.append(b"{not json\n")
        if n == 12:
            # The longest line that is not too large (the newline beyond the limit), and one more.
            lines.append(b"x" * _LIMIT + b"\n")
            lines.append(b"x" * (_LIMIT + 1) + b"\n")
            lines.append(b"y" * 2000 + b"\n")  # too large, skipped in blocks
    lines.append(b'{"id": "last", "title": "no newline"}')
    return lines


@pytest.fixture
def small_limit(monkeypatch):
    monkeypatch.setattr(reader, "MAX_AD_BYTES", _LIMIT)
    monkeypatch.setattr(partition, "MAX_AD_BYTES", _LIMIT)


def _definition(task: FileRange) -> tuple[list, int]:
    with open(task.path, "rb") as raw:
        raw.seek(task.start)
        return partition._range_items_from(raw, task.start, task.stop, 0, [])


def _reason_or_line(items: list) -> list:
    return [(n, at, p.reason if isinstance(p, reader.Unreadable) else p) for n, at, p in items]


def test_a_range_read_in_one_piece_equals_reading_it_line_by_line(tmp_path, small_limit):
    lines = _lines()
    path = tmp_path / "ads.jsonl"
    path.write_bytes(b"".join(lines))
    size = path.stat().st_size
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line))
    # Stops at line starts, inside lines (the range's last line goes on past it), at the end
    # and past it; from every line start.
    stops = sorted({*starts, *(s + 3 for s in starts), size - 1, size, size + 50})
    compared = too_large = partial = 0
    for start in starts:
        for stop in stops:
            if stop <= start:
                continue
            task = FileRange(0, 0, str(path), start, stop)
            got, expected = partition.range_items(task), _definition(task)
            assert (_reason_or_line(got[0]), got[1]) == (_reason_or_line(expected[0]), expected[1])
            compared += 1
            too_large += any(isinstance(p, reader.Unreadable) for _, _, p in got[0])
            partial += stop not in starts and stop < size
    assert compared > 1000 and too_large > 100 and partial > 500
    # The file read whole: its blank lines left out, its too large lines with their reason.
    items, count = partition.range_items(FileRange(0, 0, str(path), 0, size))
    assert count == len(lines)
    assert len(items) == len(lines) - sum(line.isspace() for line in lines)
    reasons = [p.reason for _, _, p in items if isinstance(p, reader.Unreadable)]
    assert reasons == [
        f"ad of {_LIMIT + 2:,} bytes is larger than the limit of {_LIMIT:,} bytes",
        f"ad of 2,001 bytes is larger than the limit of {_LIMIT:,} bytes",
    ]
    assert items[-1][2] == lines[-1]


def test_a_range_larger_than_the_bound_is_never_read_whole(tmp_path, small_limit, monkeypatch):
    """A line far over the limit that runs across a range's end makes the range as large as
    the line: such a range is read line by line (memory bounded by the limit), not in one
    read, and gives the same items."""
    lines = _lines()
    path = tmp_path / "ads.jsonl"
    path.write_bytes(b"".join(lines))
    task = FileRange(0, 0, str(path), 0, path.stat().st_size)
    expected = _definition(task)
    reads: list[int] = []
    real_open = open

    class _Counting:
        def __init__(self, raw):
            self.raw = raw

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.raw.close()

        def read(self, size=-1):
            reads.append(size)
            return self.raw.read(size)

        def __getattr__(self, name):
            return getattr(self.raw, name)

    monkeypatch.setattr(
        partition, "open", lambda *a, **k: _Counting(real_open(*a, **k)), raising=False
    )
    monkeypatch.setattr(partition, "WHOLE_RANGE_BYTES", 1000)
    got = partition.range_items(task)
    assert (_reason_or_line(got[0]), got[1]) == (_reason_or_line(expected[0]), expected[1])
    assert reads == []  # only readline, bounded by the limit
    monkeypatch.setattr(partition, "WHOLE_RANGE_BYTES", task.stop)
    assert partition.range_items(task)[1] == got[1]
    assert reads == [task.stop]  # at the bound, read in one piece


def _parts(items: list, size: int) -> list[ChunkResult]:
    config = ScanConfig()
    return [
        partition._process_chunk(Chunk(4, 1, items[i : i + size], 0), config)
        for i in range(0, len(items), size)
    ]


def _items() -> list[tuple[int, int, object]]:
    items: list[tuple[int, int, object]] = []
    for n, ad in enumerate(three_corpora(120, seed=5)):
        items.append((len(items) + 1, n * 100, json.dumps(ad).encode()))
        if n % 37 == 0:
            items.append((len(items) + 1, n * 100 + 50, b'{"id": ""}'))
    return items


def _fields(result: ChunkResult) -> dict:
    return {
        name: (value.dtype.str, value.shape, value.tolist())
        if isinstance(value := getattr(result, name), np.ndarray)
        else value
        for name in ChunkResult.__slots__
    }


@pytest.mark.parametrize("size", [1000, 50, 7])
def test_chunks_gathered_and_packed_once_equal_the_packed_chunks_joined(size):
    items = _items()
    gathered = partition._gathered(_parts(items, size))
    joined = partition._joined([partition._packed(part) for part in _parts(items, size)])
    assert _fields(gathered) == _fields(joined)
    assert len(gathered.ids) > 300 and gathered.bad and len(gathered.contacts) > 200


def test_an_empty_range_gives_the_empty_packed_result(tmp_path):
    path = tmp_path / "ads.jsonl"
    path.write_bytes(b"\n\n")
    result = partition.run_task(FileRange(3, 0, str(path), 0, 2), ScanConfig())
    expected = partition._packed(partition._process_chunk(Chunk(3, 0, [], 0), ScanConfig()))
    expected.nbytes, expected.lines = 2, 2
    assert _fields(result) == _fields(expected)


def _round_trip(result: ChunkResult) -> ChunkResult:
    return pickle.loads(ForkingPickler.dumps(result))  # noqa: S301 (our own bytes)


def test_a_result_pickled_with_its_texts_joined_comes_back_equal():
    result = partition._gathered(_parts(_items(), 100))
    wire = result.__reduce__()[1]
    # The compact form is the one used: each column of texts is one string on the wire.
    assert all(type(wire[at]) is str for at in partition._TEXT_AT)
    assert _fields(_round_trip(result)) == _fields(result)


@pytest.mark.parametrize(
    "ids",
    [[], ["a"], [""], ["", ""], ["a\x00b", "c"], ["a", "b\x00"], ["\x00"], ["é", "😀", "a\nb"]],
)
def test_texts_holding_the_separator_or_empty_come_back_as_they_were(ids):
    result = ChunkResult(1, 2, 3, ids=list(ids), urls=list(reversed(ids)))
    result.contacts = [[f"tel:{n}"] for n in range(len(ids))]  # unpacked: lists, not texts
    back = _round_trip(result)
    assert back.ids == ids and back.urls == list(reversed(ids))
    assert back.contacts == result.contacts
    assert _fields(back) == _fields(result)
