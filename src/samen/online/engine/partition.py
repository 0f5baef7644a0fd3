"""Work on one chunk of ads: parse, extract, find text indicators, MinHash. Runs in any worker.

A task is either a ``Chunk`` (lines the coordinator read) or a ``FileRange`` of a plain JSON
Lines file that the worker reads itself: then only a few numbers travel to the worker, which
is what keeps a Dask scheduler (or a process pool's pipe) out of the data path. The result is
columnar and small (no ad text; numbers in numpy arrays, one flat list of contacts), so that
sending it back to the coordinating process is cheap and the coordinator's memory holds only the
index.
"""

from __future__ import annotations

import gc
import io
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, chain, count
from typing import IO

import numpy as np

from .arrays import sorted_unique
from .extract import _compiled_scan_rules, canonical_city, extract_with, scan_table
from .extract import worker_extract as _worker_extract_py
from .indicators import IndicatorSet, load_indicators
from .minhash import fmix32, permutations
from .reader import (
    _NOT_TYPED,
    MAX_AD_BYTES,
    BadRecord,
    Chunk,
    _decode_fields,
    _too_large,
    ad_fields,
    parse_ad,
    skip_rest_of_line,
    typed_fields,
    untyped_ad,
)

try:
    from ._tokens import sketch as _compiled_sketch  # by name: see extract.py
    from ._tokens import typed_fields as _compiled_typed_fields
except ImportError:  # an install from before the extension (make install builds it): slower
    _compiled_sketch = None  # type: ignore[assignment]
    _compiled_typed_fields = None  # type: ignore[assignment]


def _typed_fields_py(record: object) -> None:
    """Without the compiled ``_tokens.typed_fields``: no common case, the definition decides."""
    return None


# ``reader.typed_fields`` of a typed record in the common case, or None: then the definition.
_typed_fields_fast = (
    _compiled_typed_fields if _compiled_typed_fields is not None else _typed_fields_py
)

# The fused chunk loop needs the compiled scanner (``worker_extract`` calls it directly).
_worker_extract = _worker_extract_py if _compiled_scan_rules is not None else None


@dataclass(frozen=True, slots=True)
class ScanConfig:
    """Tuning of one scan. The same config gives the same clusters, whatever the engine."""

    num_perm: int = 64
    # Weighted Jaccard similarity (rare shingles count more, see ``cluster.shingle_weights``) of
    # slot-normalised word shingles from which two ads share a template. Verified exactly.
    threshold: float = 0.5
    # MinHash LSH proposes pairs from this estimated (unweighted) Jaccard; each is then verified.
    candidate_threshold: float = 0.3
    shingle_size: int = 3
    # Texts with fewer shingles are too short to call a template; they link only through contacts.
    min_shingles: int = 8
    seed: int = 7
    chunk_size: int = 1000
    indicators_path: str | None = None
    # Bytes of a plain JSON Lines file a worker reads itself in one task: large enough that
    # a task's fixed cost (scheduling, a result's framing) is small next to its work.
    task_bytes: int = 4 << 20


@dataclass(slots=True)
class ChunkResult:
    seq: int
    file_index: int
    nbytes: int
    ids: list[str] = field(default_factory=list)
    line_numbers: list[int] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    days: list[int] = field(default_factory=list)
    cities: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    ages: list[int] = field(default_factory=list)
    prices: list[float] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    masks: list[int] = field(default_factory=list)
    # Each ad's contacts; once packed, one flat list with ``contact_counts`` of them an ad.
    contacts: list = field(default_factory=list)
    contact_counts: np.ndarray | None = None
    # For a FileRange: line numbers (here and in ``bad``) count from the range's first line,
    # and ``lines`` is how many lines the range held, so that the coordinator, which takes
    # results in input order, can number them in the file. -1 when numbers are the file's.
    lines: int = -1
    # (n, num_perm) uint32; a row of zeros marks a text too short to take part in template matching.
    signatures: np.ndarray | None = None
    # Each ad's distinct shingle hashes, sorted, concatenated; shingle_counts[i] of them for ad i.
    shingles: np.ndarray | None = None
    shingle_counts: np.ndarray | None = None
    bad: list[tuple[int, int, str]] = field(
        default_factory=list
    )  # (file_index, line_number, reason)

    def __reduce__(self) -> tuple:
        """Pickled (a worker's result on its way to the coordinator) with each column of texts
        as one string (``_text_on_wire``): one object for the pickler and the unpickler
        instead of one per ad and column, with the pickler's memo entry for each."""
        values = [getattr(self, name) for name in _RESULT_FIELDS]
        for at in _TEXT_AT:
            values[at] = _text_on_wire(values[at])
        return _result_from_wire, tuple(values)


# A ``ChunkResult``'s fields in order, and where its columns of texts are among them.
_RESULT_FIELDS = tuple(ChunkResult.__dataclass_fields__)
# Only the columns of mostly distinct texts: the cities' and languages' few texts are the same
# objects ad after ad, which the pickler's memo sends once each and the unpickler does not
# build again (joined, they cost more to split than they save).
_TEXT_COLUMNS = ("ids", "urls", "contacts")
_TEXT_AT = tuple(_RESULT_FIELDS.index(name) for name in _TEXT_COLUMNS)
# What joins a column's texts on the wire. Texts from JSON may hold any character, this one
# too: such a column goes as its list.
_WIRE_SEPARATOR = "\x00"


def _text_on_wire(values: list) -> str | list:
    """A list of texts as one string, when splitting it gives the list back: there is a text,
    each is a ``str`` (a packed result's contacts are; unpacked, they are lists) and none holds
    the separator. Else the list itself. The separator is looked for in the texts joined
    without it (``in`` is a ``memchr``; ``str.count`` read them a character at a time)."""
    if not values:
        return values
    try:
        if _WIRE_SEPARATOR in "".join(values):
            return values
    except TypeError:
        return values
    return _WIRE_SEPARATOR.join(values)


def _result_from_wire(*values: object) -> ChunkResult:
    """A pickled ``ChunkResult`` back (``ChunkResult.__reduce__``), its texts' columns split."""
    result = ChunkResult(*values)  # type: ignore[arg-type]
    for name in _TEXT_COLUMNS:
        column = getattr(result, name)
        if type(column) is str:
            setattr(result, name, column.split(_WIRE_SEPARATOR))
    return result


def unanalysable(exc: Exception) -> str:
    """The reason a line is skipped when analysing its ad failed (not its reading): the kind
    of error only. An error's own text can quote the ad (``int()`` names the literal it could
    not read), and the reasons go into the report: no ad text there. One ad that breaks the
    extraction must not stop the scan (issue #18, item 5)."""
    return f"the ad could not be analysed ({type(exc).__name__})"


def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, str]:
    """The permutations and scheme name of a datasketch MinHash with this seed."""
    return permutations(num_perm, seed), "affine32"


class _TokenHashes(dict):
    """crc32 of each token, remembered: an ad's words mostly come from a small vocabulary.
    (Python's own hash() would differ between processes, and between engines.)"""

    limit = 500_000

    def __missing__(self, token: str) -> int:
        if len(self) > self.limit:
            self.clear()
        value = self[token] = zlib.crc32(token.encode())
        return value


_token_hashes = _TokenHashes()
_MIX1, _MIX2 = np.uint32(0x9E3779B1), np.uint32(0x85EBCA77)


def shingle_hashes(tokens: list[str], size: int = 3) -> np.ndarray:
    """32-bit hashes of the word ``size``-shingles of a slot-normalised token list."""
    hashes = np.fromiter(map(_token_hashes.__getitem__, tokens), dtype=np.uint32, count=len(tokens))
    if len(tokens) < size:
        return hashes[:0]
    count = len(tokens) - size + 1
    combined = hashes[:count].copy()
    with np.errstate(over="ignore"):
        for offset in range(1, size):
            combined = combined * _MIX1 + hashes[offset : offset + count] * _MIX2
    return combined


def signatures(shingle_sets: list[np.ndarray], config: ScanConfig) -> np.ndarray:
    """datasketch MinHash signatures of many shingle-hash arrays at once.

    This is datasketch's own "affine32" computation (its permutations and its MurmurHash3
    finaliser; a test checks equality with ``MinHash.update_batch``), done for a whole chunk in one
    numpy expression instead of one MinHash object per ad, which would cost more than all the
    extraction.
    """
    out = np.zeros((len(shingle_sets), config.num_perm), dtype=np.uint32)
    present = [n for n, hashes in enumerate(shingle_sets) if len(hashes)]
    if not present:
        return out
    values = np.concatenate([shingle_sets[n] for n in present])
    starts = np.cumsum([0] + [len(shingle_sets[n]) for n in present[:-1]])
    out[present] = _min_hash(values, starts, config)
    return out


def chunk_signatures(token_lists: list[list[str]], config: ScanConfig) -> np.ndarray:
    """Signatures of a whole chunk of slot-normalised token lists: equal to
    ``signatures([shingle_hashes(tokens) ...])`` (a test checks it) but with numpy doing the
    shingling for all ads at once, instead of a dozen small array operations per ad."""
    return chunk_sketches(token_lists, config)[0]


def chunk_sketches(
    token_lists: list[list[str]], config: ScanConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Signatures, and each ad's distinct shingle hashes (sorted, concatenated) with their count
    per ad: the coordinator weighs shingles by rarity over the whole corpus and verifies LSH
    candidates exactly on these sets.

    Computed by the compiled ``_tokens.sketch`` (one pass per ad, no Python object per token or
    shingle) when it is built, else by ``_chunk_sketches_numpy``, the definition: the same
    arrays (a test checks it on both generators' ads)."""
    if _compiled_sketch is None:
        return _chunk_sketches_numpy(token_lists, config)
    size, least = config.shingle_size, max(config.min_shingles, 1)
    lengths = np.fromiter(map(len, token_lists), dtype=np.int64, count=len(token_lists))
    counts = np.maximum(lengths - size + 1, 0)
    room = int(counts[counts >= least].sum())
    a, b = (
        np.ascontiguousarray(p, dtype=np.uint32) for p in permutations(config.num_perm, config.seed)
    )
    out = np.zeros((len(token_lists), config.num_perm), dtype=np.uint32)
    shingles = np.empty(room, dtype=np.uint32)
    per_ad = np.zeros(len(token_lists), dtype=np.int32)
    written = _compiled_sketch(token_lists, size, least, a, b, out, shingles, per_ad)
    return out, shingles[:written].copy(), per_ad


def _chunk_sketches_numpy(
    token_lists: list[list[str]], config: ScanConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``chunk_sketches`` in numpy: the definition of the compiled path."""
    size = config.shingle_size
    lengths = np.fromiter(map(len, token_lists), dtype=np.int64, count=len(token_lists))
    counts = np.maximum(lengths - size + 1, 0)
    usable = counts >= max(config.min_shingles, 1)
    out = np.zeros((len(token_lists), config.num_perm), dtype=np.uint32)
    if not usable.any():
        return out, np.zeros(0, dtype=np.uint32), np.zeros(len(token_lists), dtype=np.int32)
    flat = [
        token
        for tokens, ok in zip(token_lists, usable.tolist(), strict=True)
        if ok
        for token in tokens
    ]
    hashes = np.fromiter(map(_token_hashes.__getitem__, flat), dtype=np.uint32, count=len(flat))
    used_lengths, used_counts = lengths[usable], counts[usable]
    token_offsets = np.cumsum(used_lengths) - used_lengths
    shingle_offsets = np.cumsum(used_counts) - used_counts
    # The first token of every shingle: each ad's token offset plus 0..count-1.
    first = np.repeat(token_offsets - shingle_offsets, used_counts) + np.arange(used_counts.sum())
    combined = hashes[first]
    with np.errstate(over="ignore"):
        for offset in range(1, size):
            combined = combined * _MIX1 + hashes[first + offset] * _MIX2
    out[usable] = _min_hash(combined, shingle_offsets, config)
    # Distinct shingles per ad: sort by (ad, hash) and drop repeats within an ad.
    owner = np.repeat(np.arange(len(used_counts), dtype=np.int64), used_counts)
    keys = sorted_unique(owner << 32 | combined.astype(np.int64))
    per_ad = np.zeros(len(token_lists), dtype=np.int32)
    per_ad[usable] = np.bincount(keys >> 32, minlength=len(used_counts))
    return out, (keys & 0xFFFFFFFF).astype(np.uint32), per_ad


def _min_hash(values: np.ndarray, starts: np.ndarray, config: ScanConfig) -> np.ndarray:
    permutations, _ = _permutations(config.num_perm, config.seed)
    a, b = (p.astype(np.uint32).reshape(-1, 1) for p in permutations)
    # Permutations along rows, shingles along columns: the min-reduction then runs over
    # contiguous memory, several times faster than the other way round.
    with np.errstate(over="ignore"):
        permuted = fmix32(values.reshape(1, -1).astype(np.uint32)) * a
        permuted += b
    return np.minimum.reduceat(permuted, starts, axis=1).T


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: the engine makes no reference cycles, and with a large
    index in memory each automatic collection walks every live object for nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True, slots=True)
class FileRange:
    """Bytes ``start:stop`` of a plain JSON Lines file; ``start`` is the start of a line, and
    the range holds the lines that start before ``stop``."""

    seq: int
    file_index: int
    path: str
    start: int
    stop: int


# The most bytes a range is read in one piece: twice the size in memory for a moment (the bytes and
# their lines). A range goes past its task's size only by the line that runs across its end, so a
# larger one holds a line far beyond ``MAX_AD_BYTES`` (or ``task_bytes`` was set large): it is
# read line by line, whose memory ``MAX_AD_BYTES`` bounds, as the reader does.
WHOLE_RANGE_BYTES = 16 << 20


def range_items(task: FileRange) -> tuple[list[tuple[int, int, object]], int]:
    """The range's ``(line_number, offset, payload)`` items, numbered from 1 at its first line,
    as ``reader.iter_lines`` reads them (a too large line skipped with its reason, blank lines
    left out), and how many lines it held.

    The range is read in one piece and cut after each newline in C (``BytesIO.readlines``),
    instead of a ``readline`` and a few Python steps a line (about 1 µs an ad). A line that
    goes on past ``stop`` (or ends the file without a newline) is read on by
    ``_range_items_from``, the definition; so is the whole range when one of its lines is
    longer than ``MAX_AD_BYTES``, whose limit that reading applies (a test compares both), and a
    range larger than ``WHOLE_RANGE_BYTES``, which is not read whole."""
    with open(task.path, "rb") as raw:
        raw.seek(task.start)
        if task.stop - task.start > WHOLE_RANGE_BYTES:
            return _range_items_from(raw, task.start, task.stop, 0, [])
        lines = io.BytesIO(raw.read(max(0, task.stop - task.start))).readlines()
        if lines and not lines[-1].endswith(b"\n"):
            lines.pop()
        if lines and max(map(len, lines)) > MAX_AD_BYTES:
            raw.seek(task.start)
            return _range_items_from(raw, task.start, task.stop, 0, [])
        offsets = accumulate(map(len, lines), initial=task.start)
        # ``isspace`` of a line with its newline is ``not line.strip()``, without a copy.
        items: list[tuple[int, int, object]] = [
            item for item in zip(count(1), offsets, lines) if not item[2].isspace()
        ]
        offset = task.start + sum(map(len, lines))
        if offset >= task.stop:
            return items, len(lines)
        raw.seek(offset)
        return _range_items_from(raw, offset, task.stop, len(lines), items)


def _range_items_from(
    raw: IO[bytes], offset: int, stop: int, line_number: int, items: list[tuple[int, int, object]]
) -> tuple[list[tuple[int, int, object]], int]:
    """``range_items`` from ``offset`` (``raw``'s position, the start of line ``line_number``
    + 1) to ``stop``, line by line, appended to ``items``: the definition."""
    while offset < stop:
        line = raw.readline(MAX_AD_BYTES + 1)
        if not line:
            break
        line_number += 1
        size = len(line)
        if size > MAX_AD_BYTES and not line.endswith(b"\n"):
            size = skip_rest_of_line(raw, size)
            items.append((line_number, offset, _too_large(size)))
        elif line.strip():
            items.append((line_number, offset, line))
        offset += size
    return items, line_number


def process_chunk(chunk: Chunk, config: ScanConfig) -> ChunkResult:
    with gc_paused():
        return _process_chunk(chunk, config)


def run_task(task: Chunk | FileRange, config: ScanConfig) -> ChunkResult:
    """What an engine's worker runs: a chunk, or a range it reads itself; the result packed."""
    with gc_paused():
        if not isinstance(task, FileRange):
            return _packed(_process_chunk(task, config))
        items, lines = range_items(task)
        # A range holds thousands of ads; they are worked on chunk_size at a time, so that
        # the worker's memory (the MinHash matrix above all) stays that of a chunk. Their
        # columns are gathered as they come and packed once (``_gathered``).
        step = max(1, config.chunk_size)
        result = _gathered(
            [
                _process_chunk(Chunk(task.seq, task.file_index, items[i : i + step], 0), config)
                for i in range(0, max(len(items), 1), step)
            ]
        )
        result.nbytes, result.lines = task.stop - task.start, lines
        return result


# The columns of a ``ChunkResult`` that are lists until packed, and its sketch arrays.
_LIST_COLUMNS = (
    "ids",
    "line_numbers",
    "offsets",
    "urls",
    "days",
    "cities",
    "names",
    "ages",
    "prices",
    "languages",
    "masks",
    "contacts",
    "bad",
)
_SKETCH_COLUMNS = ("signatures", "shingles", "shingle_counts")


def _gathered(parts: list[ChunkResult]) -> ChunkResult:
    """Unpacked results of consecutive chunks of one file as one packed result: the lists
    extended (in C) and packed once, the sketches concatenated. Equal to packing each and
    joining them (``_joined``, the definition; a test compares them), without a Python step
    a value to join the packed parts' lists."""
    first = parts[0]
    if len(parts) == 1:
        return _packed(first)
    gathered = ChunkResult(first.seq, first.file_index, 0)
    for name in _LIST_COLUMNS:
        column = getattr(gathered, name)
        for part in parts:
            column.extend(getattr(part, name))
    for name in _SKETCH_COLUMNS:
        setattr(gathered, name, np.concatenate([getattr(part, name) for part in parts]))
    return _packed(gathered)


def _joined(parts: list[ChunkResult]) -> ChunkResult:
    """Packed results of consecutive chunks of one file as one: the definition of
    ``_gathered`` (which takes them unpacked)."""
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    joined = ChunkResult(first.seq, first.file_index, 0)
    for name in ("ids", "urls", "cities", "names", "languages", "contacts", "bad"):
        setattr(joined, name, [value for part in parts for value in getattr(part, name)])
    for name in (
        "line_numbers",
        "offsets",
        "days",
        "ages",
        "prices",
        "masks",
        "contact_counts",
        "shingles",
        "shingle_counts",
    ):
        setattr(joined, name, np.concatenate([getattr(part, name) for part in parts]))
    joined.signatures = np.concatenate([part.signatures for part in parts])
    return joined


def _packed(result: ChunkResult) -> ChunkResult:
    """Numbers as arrays and contacts as one flat list: a fraction of the objects to pickle."""
    result.line_numbers = np.asarray(result.line_numbers, dtype=np.int32)  # type: ignore[assignment]
    result.offsets = np.asarray(result.offsets, dtype=np.int64)  # type: ignore[assignment]
    result.days = np.asarray(result.days, dtype=np.int32)  # type: ignore[assignment]
    result.ages = np.asarray(result.ages, dtype=np.int64)  # type: ignore[assignment]
    result.prices = np.asarray(result.prices, dtype=np.float32)  # type: ignore[assignment]
    result.masks = np.asarray(result.masks, dtype=np.int64)  # type: ignore[assignment]
    result.contact_counts = np.fromiter(map(len, result.contacts), np.int32, len(result.contacts))
    result.contacts = list(chain.from_iterable(result.contacts))
    return result


@lru_cache(maxsize=8)
def _mask_table(indicators: IndicatorSet) -> dict[str, int]:
    """The word table for ``extract_with`` that keeps the indicator set's trigger words among
    an ad's words: all that its mask asks of them (``IndicatorSet.mask`` looks up only these)."""
    return scan_table(indicators.triggers)


def _process_chunk(chunk: Chunk, config: ScanConfig) -> ChunkResult:
    """A chunk's result: each ad parsed, extracted and masked, then the chunk's sketches.

    One pass with one row (a tuple) an ad, turned into the result's columns at the end: the
    typed decoder's fields read directly (``reader.typed_fields``), extraction by
    ``extract.worker_extract``; the same result as ``_process_chunk_plain``, the definition
    (a test compares them on both generators' ads, odd texts and bad lines)."""
    if _worker_extract is None:
        return _process_chunk_plain(chunk, config)
    indicators = load_indicators(config.indicators_path)
    table = _mask_table(indicators)
    mask = indicators.mask
    extract_row = _worker_extract
    fast_fields = _typed_fields_fast
    rows: list[tuple] = []
    add_row = rows.append
    token_lists: list[list[str]] = []
    add_tokens = token_lists.append
    bad: list[tuple[int, int, str]] = []
    file_index = chunk.file_index
    decode, not_typed = _decode_fields, _NOT_TYPED
    for line_number, offset, payload in chunk.items:
        try:
            # ``reader._typed_record``, without a Python call an ad.
            if type(payload) is bytes and payload[:1] == b"{":
                try:
                    typed = decode(payload)
                except not_typed:
                    typed = None
            else:
                typed = None
            if typed is not None:
                # The compiled reading of the common case; None: the definition decides.
                fields = fast_fields(typed)
                ad_id, url, day, city, title, text, phone, email, hashes, price, age = (
                    typed_fields(typed) if fields is None else fields
                )
            else:
                ad_id, url, day, city, title, text, phone, email, hashes, price, age = ad_fields(
                    untyped_ad(payload)
                )
        except BadRecord as exc:
            bad.append((file_index, line_number, str(exc)))
            continue
        try:
            contacts, name, found_age, found_price, found_city, language, tokens, lowered, words = (
                extract_row(title, text, phone, email, hashes, table)
            )
            row = (
                ad_id,
                line_number,
                offset,
                url,
                day,
                canonical_city(city) if city else found_city,
                name,
                age if age >= 0 else found_age,
                price if price >= 0 else found_price,
                language,
                # ``words`` holds the trigger words the mask asks about (``_mask_table``).
                mask(lowered, words),
                contacts,
            )
        except Exception as exc:  # one ad, whatever breaks it, is skipped
            bad.append((file_index, line_number, unanalysable(exc)))
            continue
        add_row(row)
        add_tokens(tokens)
    result = ChunkResult(chunk.seq, file_index, chunk.nbytes)
    if rows:
        (
            result.ids,
            result.line_numbers,
            result.offsets,
            result.urls,
            result.days,
            result.cities,
            result.names,
            result.ages,
            result.prices,
            result.languages,
            result.masks,
            result.contacts,
        ) = map(list, zip(*rows, strict=True))
    result.bad = bad
    result.signatures, result.shingles, result.shingle_counts = chunk_sketches(token_lists, config)
    return result


def _process_chunk_plain(chunk: Chunk, config: ScanConfig) -> ChunkResult:
    """``_process_chunk`` ad by ad through ``parse_ad`` and ``extract_with``: its definition,
    and the path when the compiled ``_tokens`` is not built."""
    indicators = load_indicators(config.indicators_path)
    table = _mask_table(indicators)
    mask = indicators.mask
    result = ChunkResult(chunk.seq, chunk.file_index, chunk.nbytes)
    token_lists: list[list[str]] = []
    # Bound once: a chunk appends a dozen values an ad.
    add_token_list, add_id, add_line = (
        token_lists.append,
        result.ids.append,
        result.line_numbers.append,
    )
    add_offset, add_url, add_day = result.offsets.append, result.urls.append, result.days.append
    add_city, add_name, add_age = result.cities.append, result.names.append, result.ages.append
    add_price, add_language = result.prices.append, result.languages.append
    add_mask, add_contacts = result.masks.append, result.contacts.append
    for line_number, offset, payload in chunk.items:
        try:
            ad = parse_ad(payload)
        except BadRecord as exc:
            result.bad.append((chunk.file_index, line_number, str(exc)))
            continue
        try:
            found = extract_with(ad.title, ad.text, ad.phone, ad.email, ad.image_hashes, table)
            # ``found.words`` holds the trigger words the mask asks about (``_mask_table``).
            ad_mask = mask(found.lowered, found.words)
            city = canonical_city(ad.city) if ad.city else (found.cities[0] if found.cities else "")
        except Exception as exc:  # one ad, whatever breaks it, is skipped
            result.bad.append((chunk.file_index, line_number, unanalysable(exc)))
            continue
        add_id(ad.id)
        add_line(line_number)
        add_offset(offset)
        add_url(ad.url)
        add_day(ad.day)
        add_city(city)
        add_name(found.names[0] if found.names else "")
        add_age(ad.age if ad.age >= 0 else found.age)
        add_price(ad.price if ad.price >= 0 else found.price)
        add_language(found.language)
        add_mask(ad_mask)
        add_contacts(found.contacts)
        add_token_list(found.tokens)
    result.signatures, result.shingles, result.shingle_counts = chunk_sketches(token_lists, config)
    return result
