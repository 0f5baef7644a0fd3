"""Reading ads from JSON Lines and CSV files, streaming, with bad lines reported and skipped."""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from io import BufferedIOBase
from pathlib import Path
from typing import IO

import msgspec

REQUIRED = ("id",)
CSV_LIST_SEPARATOR = ";"
# The largest ad read: real ads are a few kilobytes. A longer line is skipped with its reason
# instead of being parsed (one 50 MB line took gigabytes).
MAX_AD_BYTES = 1_000_000
_READ_BLOCK = 1 << 16


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A payload that could not be read as a line: the reason travels to the worker, which
    reports it like any other bad line."""

    reason: str


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
    return _number_value(record.get(name), name)


def _number_value(value: object, name: str) -> float:
    if value in (None, ""):
        return -1.0
    kind = type(value)
    try:
        if kind is float or (kind is int and -(1 << 53) < value < 1 << 53):  # type: ignore[operator]
            # What the text route gives for these (exactly representable), without the text.
            number = float(value)  # type: ignore[arg-type]
        else:
            number = float(str(value).replace(",", ".").strip().lstrip("€").strip())
    except ValueError as exc:
        raise BadRecord(f"field {name!r} is not a number") from exc
    if not math.isfinite(number) or number < 0:
        raise BadRecord(f"field {name!r} is not a usable number")
    return number


# The shape most posting times come in ("2026-06-14T21:44:00Z"): a time of day that
# datetime.fromisoformat always reads, so the day is that of the date as written, and only
# the date can make the text invalid. ASCII digits only (re's \d would take any script's).
_UTC_TIME_SHAPE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z"
)


@lru_cache(maxsize=4096)
def _date_ordinal(day: str) -> int:
    """The ordinal of a date written YYYY-MM-DD (ValueError when it is none): cached, as many
    ads are posted on each day."""
    return date.fromisoformat(day).toordinal()


def _day(posted_at: str) -> int:
    if not posted_at:
        return -1
    if len(posted_at) == 20 and _UTC_TIME_SHAPE.fullmatch(posted_at):
        try:
            return _date_ordinal(posted_at[:10])
        except ValueError:
            pass  # an impossible date: the full reading below gives the reason
    try:
        if len(posted_at) == 10:
            return date.fromisoformat(posted_at).toordinal()
        return datetime.fromisoformat(posted_at.replace("Z", "+00:00")).date().toordinal()
    except ValueError as exc:
        raise BadRecord("field 'posted_at' is not an ISO 8601 date or time") from exc


class _Fields(msgspec.Struct, forbid_unknown_fields=True):
    """The fields of an ad as the typed decoder reads them. Only the shapes whose reading is
    certain to equal ``json.loads``'s: text fields as text, numbers as integers, hashes as text;
    no other field, so nothing nested deeper than the hash list. Anything else (a float, a
    nested value, an unknown field, a syntax or UTF-8 error, a lone surrogate) makes the
    decoder fail, and the line is read by ``json.loads`` as before, with its reason if bad."""

    id: str | None = None
    url: str | None = None
    platform: str | None = None
    posted_at: str | None = None
    city: str | None = None
    title: str | None = None
    text: str | None = None
    phone: str | None = None
    email: str | None = None
    image_hashes: list[str] | str | None = None
    price: int | str | None = None
    age: int | str | None = None


_decode_fields = msgspec.json.Decoder(_Fields).decode
# What the typed decoder raises for a line it does not read (UnicodeDecodeError is a ValueError).
_NOT_TYPED = (msgspec.MsgspecError, ValueError, RecursionError)


def _typed_record(payload: bytes) -> _Fields | None:
    """The fields of a JSON line that opens an object, by the typed decoder (a third of
    ``json.loads``'s time), or None when the line must be read by ``json.loads``. Absent fields
    come as None, which ``_typed_ad`` treats as absent. A test checks that every line, good or
    bad, gives the same ad or the same reason either way."""
    try:
        return _decode_fields(payload)
    except _NOT_TYPED:
        return None


def _typed_ad(record: _Fields) -> Ad:
    """``parse_ad``'s checks and fields, in the same order (so the same first reason), read from
    the typed fields: text fields are text or None there, so ``_text_field`` is ``value or ""``,
    without a dictionary of the fields and a call per field."""
    ad_id = (record.id or "").strip()
    if not ad_id:
        raise BadRecord("missing 'id'")
    title, text = record.title or "", record.text or ""
    if not (title or text):
        raise BadRecord("no 'title' and no 'text'")
    posted_at = (record.posted_at or "").strip()
    age = _number_value(record.age, "age")
    hashes = record.image_hashes or ()
    return Ad(
        id=ad_id,
        url=(record.url or "").strip(),
        platform=(record.platform or "").strip(),
        posted_at=posted_at,
        day=_day(posted_at),
        city=(record.city or "").strip(),
        title=title,
        text=text,
        phone=record.phone or "",
        email=record.email or "",
        image_hashes=(hashes,) if isinstance(hashes, str) else tuple(hashes),
        price=_number_value(record.price, "price"),
        age=int(age) if age >= 0 else -1,
    )


# What ``typed_fields`` returns: id, url, day, city, title, text, phone, email, image hashes,
# price, age (the fields of ``Ad`` that a scan's worker reads).
TypedFields = tuple[str, str, int, str, str, str, str, str, tuple[str, ...], float, int]


def typed_fields(record: _Fields) -> TypedFields:
    """``_typed_ad``'s checks in the same order (so the same first reason) and the values of
    the fields a worker reads, as a tuple instead of an ``Ad`` (a test compares them)."""
    ad_id = (record.id or "").strip()
    if not ad_id:
        raise BadRecord("missing 'id'")
    title, text = record.title or "", record.text or ""
    if not (title or text):
        raise BadRecord("no 'title' and no 'text'")
    age = _number_value(record.age, "age")
    day = _day((record.posted_at or "").strip())
    hashes = record.image_hashes or ()
    return (
        ad_id,
        (record.url or "").strip(),
        day,
        (record.city or "").strip(),
        title,
        text,
        record.phone or "",
        record.email or "",
        (hashes,) if isinstance(hashes, str) else tuple(hashes),
        _number_value(record.price, "price"),
        int(age) if age >= 0 else -1,
    )


def ad_fields(ad: Ad) -> TypedFields:
    """An ``Ad``'s fields in the order of ``typed_fields``."""
    return (
        ad.id,
        ad.url,
        ad.day,
        ad.city,
        ad.title,
        ad.text,
        ad.phone,
        ad.email,
        ad.image_hashes,
        ad.price,
        ad.age,
    )


def parse_ad(payload: object) -> Ad:
    """One ad from a raw JSON line (bytes or str) or a CSV row (dict). Raises BadRecord."""
    typed = _typed_record(payload) if type(payload) is bytes and payload[:1] == b"{" else None
    if typed is not None:
        return _typed_ad(typed)
    return untyped_ad(payload)


def untyped_ad(payload: object) -> Ad:
    """``parse_ad`` of a payload that the typed decoder does not read (or was not given):
    ``json.loads`` and the checks of each field, with the reason of the first that fails."""
    if isinstance(payload, Unreadable):
        raise BadRecord(payload.reason)
    if isinstance(payload, bytes | str):
        try:
            if type(payload) is bytes and payload[:1] == b"{":
                # What json.loads decodes bytes as when they open an object (no byte order mark
                # and no UTF-16/32 starts with "{"), without its encoding detection.
                payload = payload.decode("utf-8", "surrogatepass")
            record = json.loads(payload)
        except RecursionError as exc:
            raise BadRecord("JSON nested too deeply") from exc
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


# What a damaged compressed file raises part way through.
_BROKEN_STREAM = (EOFError, gzip.BadGzipFile, zlib.error)


def _truncated(line_number: int) -> tuple[int, object, int, int]:
    reason = (
        "the compressed file ends early or is damaged here: the ads before this line were "
        "read, the rest of the file is lost"
    )
    return line_number, Unreadable(reason), 0, -1


def _too_large(size: int) -> Unreadable:
    return Unreadable(f"ad of {size:,} bytes is larger than the limit of {MAX_AD_BYTES:,} bytes")


def _iter_csv(path: Path) -> Iterator[tuple[int, object, int, int]]:
    with _open_binary(path) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="")
        reader = csv.DictReader(text)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                # A field over the limit, a stray NUL: this record is bad, the next may not be.
                reason = str(exc)
                if "field larger than field limit" in reason:
                    reason = f"a field is longer than {csv.field_size_limit():,} characters"
                yield reader.line_num, Unreadable(f"not a valid CSV record ({reason})"), 0, -1
                continue
            except _BROKEN_STREAM:
                yield _truncated(reader.line_num + 1)
                return
            # DictReader's line_num is the line the record ends on: quoted text may span lines.
            yield (
                reader.line_num,
                row,
                sum(len(v) for v in row.values() if isinstance(v, str)) + 8,
                -1,
            )


def skip_rest_of_line(raw: BufferedIOBase | IO[bytes], size: int) -> int:
    """Read past the rest of a line longer than MAX_AD_BYTES in blocks, never holding it whole;
    the whole line's size in bytes (``size`` read so far)."""
    while True:
        block = raw.readline(_READ_BLOCK)
        size += len(block)
        if not block or block.endswith(b"\n"):
            return size


def _iter_jsonl(path: Path) -> Iterator[tuple[int, object, int, int]]:
    with _open_binary(path) as raw:
        offset = 0
        line_number = 0
        while True:
            try:
                line = raw.readline(MAX_AD_BYTES + 1)
                if not line:
                    return
                line_number += 1
                size = len(line)
                if size > MAX_AD_BYTES and not line.endswith(b"\n"):
                    size = skip_rest_of_line(raw, size)
                    yield line_number, _too_large(size), 0, offset
                    offset += size
                    continue
            except _BROKEN_STREAM:
                yield _truncated(line_number + 1)
                return
            if line.strip():
                yield line_number, line, size, offset
            offset += size


def iter_lines(path: Path) -> Iterator[tuple[int, object, int, int]]:
    """``(line_number, payload, size_in_bytes, byte_offset)`` for every non-blank record of one
    file; the offset is -1 for CSV, where a record may span lines. A line that cannot be read
    (too large, a broken CSV record, a compressed file that ends early) comes as an
    ``Unreadable`` payload, so that it is reported with its line number and reading goes on."""
    if input_format(path) == "csv":
        yield from _iter_csv(path)
    else:
        yield from _iter_jsonl(path)


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
