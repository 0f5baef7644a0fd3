"""Reading ads from JSON Lines and CSV files, streaming, with bad lines reported and skipped."""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

REQUIRED = ("id",)
CSV_LIST_SEPARATOR = ";"


class BadRecord(ValueError):
    """A line that is not a usable ad; the message is the reason shown to the analyst."""


@dataclass(slots=True)
class Ad:
    id: str
    url: str
    platform: str
    posted_at: str
    day: int  # proleptic Gregorian ordinal of posted_at, or -1 when absent
    city: str
    title: str
    text: str
    phone: str = ""
    email: str = ""
    image_hashes: tuple[str, ...] = ()
    price: float = -1.0
    age: int = -1


@dataclass(slots=True)
class Chunk:
    """A slice of one input file. ``items`` are ``(line_number, offset, payload)``: the byte
    offset of the line (JSON Lines; -1 for CSV) lets the report re-read a quoted ad directly.
    Payload is the raw line (bytes) for JSON Lines and a dict for CSV, so parsing happens in the
    worker."""

    seq: int
    file_index: int
    items: list[tuple[int, int, object]]
    nbytes: int


def _text_field(record: dict, name: str) -> str:
    value = record.get(name)
    if type(value) is str:  # the common case first: this runs for every field of every ad
        return value
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise BadRecord(f"field {name!r} must be text")


def _number(record: dict, name: str) -> float:
    value = record.get(name)
    if value in (None, ""):
        return -1.0
    try:
        number = float(str(value).replace(",", ".").strip().lstrip("€").strip())
    except ValueError as exc:
        raise BadRecord(f"field {name!r} is not a number") from exc
    if not math.isfinite(number) or number < 0:
        raise BadRecord(f"field {name!r} is not a usable number")
    return number


def _day(posted_at: str) -> int:
    if not posted_at:
        return -1
    try:
        if len(posted_at) == 10:
            return date.fromisoformat(posted_at).toordinal()
        return datetime.fromisoformat(posted_at.replace("Z", "+00:00")).date().toordinal()
    except ValueError as exc:
        raise BadRecord("field 'posted_at' is not an ISO 8601 date or time") from exc


def parse_ad(payload: object) -> Ad:
    """One ad from a raw JSON line (bytes or str) or a CSV row (dict). Raises BadRecord."""
    if isinstance(payload, bytes | str):
        try:
            record = json.loads(payload)
        except UnicodeDecodeError as exc:
            raise BadRecord("not valid UTF-8") from exc
        except json.JSONDecodeError as exc:
            raise BadRecord(f"not valid JSON ({exc.msg} at character {exc.pos + 1})") from exc
        if not isinstance(record, dict):
            raise BadRecord("not a JSON object")
        hashes = record.get("image_hashes") or ()
        if isinstance(hashes, str):
            hashes = (hashes,)
        if not isinstance(hashes, list | tuple) or not all(isinstance(h, str) for h in hashes):
            raise BadRecord("field 'image_hashes' must be a list of text")
    elif isinstance(payload, dict):
        record = payload
        if None in record or any(v is None for v in record.values()):
            raise BadRecord("wrong number of columns")
        hashes = [h for h in (record.get("image_hashes") or "").split(CSV_LIST_SEPARATOR) if h]
    else:
        raise BadRecord("unsupported record")
    ad_id = _text_field(record, "id").strip()
    if not ad_id:
        raise BadRecord("missing 'id'")
    title, text = _text_field(record, "title"), _text_field(record, "text")
    if not (title or text):
        raise BadRecord("no 'title' and no 'text'")
    posted_at = _text_field(record, "posted_at").strip()
    age = _number(record, "age")
    return Ad(
        id=ad_id,
        url=_text_field(record, "url").strip(),
        platform=_text_field(record, "platform").strip(),
        posted_at=posted_at,
        day=_day(posted_at),
        city=_text_field(record, "city").strip(),
        title=title,
        text=text,
        phone=_text_field(record, "phone"),
        email=_text_field(record, "email"),
        image_hashes=tuple(hashes),
        price=_number(record, "price"),
        age=int(age) if age >= 0 else -1,
    )


def _open_binary(path: Path) -> io.BufferedIOBase:
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def input_format(path: Path) -> str:
    suffixes = [s for s in path.suffixes if s != ".gz"]
    return "csv" if suffixes and suffixes[-1].lower() == ".csv" else "jsonl"


def iter_lines(path: Path) -> Iterator[tuple[int, object, int, int]]:
    """``(line_number, payload, size_in_bytes, byte_offset)`` for every non-blank record of one
    file; the offset is -1 for CSV, where a record may span lines."""
    if input_format(path) == "csv":
        with _open_binary(path) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="")
            reader = csv.DictReader(text)
            for row in reader:
                # DictReader's line_num is the line the record ends on: quoted text may span lines.
                yield (
                    reader.line_num,
                    row,
                    sum(len(v) for v in row.values() if isinstance(v, str)) + 8,
                    -1,
                )
        return
    with _open_binary(path) as raw:
        offset = 0
        for line_number, line in enumerate(raw, start=1):
            if line.strip():
                yield line_number, line, len(line), offset
            offset += len(line)


def iter_chunks(paths: Iterable[Path], chunk_size: int) -> Iterator[Chunk]:
    """Chunks of at most ``chunk_size`` records, never spanning two files. Streams: one chunk is
    in memory at a time."""
    seq = 0
    for file_index, path in enumerate(paths):
        items: list[tuple[int, int, object]] = []
        nbytes = 0
        for line_number, payload, size, offset in iter_lines(path):
            items.append((line_number, offset, payload))
            nbytes += size
            if len(items) >= chunk_size:
                yield Chunk(seq, file_index, items, nbytes)
                seq += 1
                items, nbytes = [], 0
        if items:
            yield Chunk(seq, file_index, items, nbytes)
            seq += 1


def total_bytes(paths: Iterable[Path]) -> int:
    """Input size for the ETA. Compressed files count their compressed size: the ETA is a guess."""
    return sum(p.stat().st_size for p in paths)
