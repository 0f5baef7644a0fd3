"""Leads kept in a temporary file as the text ``leads.json`` gives them, not as dictionaries
(issue 18 item 4, ADR 0090).

A scan's victim and perpetrator leads grow with its size (about 1.3 million at ten million ads,
each a dictionary of a dozen fields with its URLs and explanation): held in memory until
``leads.json`` is written they were ~200 bytes an ad, the largest part of the scan's peak. Here
each lead is encoded as it is made (a batch at a time) into the indented JSON text that
``json.dump(document, handle, ensure_ascii=False, indent=1)`` writes for it, and appended to a
spill file; memory keeps its score and where its text starts (16 bytes a lead). Leads are
listed highest score first, ties in the order they were made (a stable sort by ``-score``, as
``list.sort`` gave); ``leads.json`` copies their texts in that order, the same bytes.

The list also reads as a sequence of dictionaries (``len``, index, slice, iteration, ``==``),
decoded from their texts on demand: the report reads the first few hundred, tests compare.
"""

from __future__ import annotations

import io
import json
from array import array
from collections.abc import Iterator, Sequence
from itertools import accumulate, chain
from operator import itemgetter
from typing import IO, Any, overload

import msgspec
import numpy as np

from . import jsonout
from .spill import SpillFile

# The list's place in the document: a value of the document's top-level dict (level 1), its items
# one level deeper. Each item's text starts with its line break and indent.
_ITEM_START = "\n  {"
_ITEM_START_BYTES = _ITEM_START.encode()
# Leads encoded at once: a few MB of text in flight, one encoder call a batch.
BATCH = 4096
# Text gathered before one write of leads.json.
_WRITE_BYTES = 1 << 22


def item_texts(items: list[dict]) -> list[str]:
    """Each dict of ``items`` as it appears as an item of a list at level 1 of an indented
    document: ``"\\n  {...\\n  }"``, without the comma between items.

    The list is encoded at once and cut where an item starts: a line that is two spaces and
    ``{`` after a comma is an item of this list and nothing else (deeper lines are indented
    further, and a string never holds a raw line break). Should the cut not give one text an
    item, each is encoded on its own."""
    if not items:
        return []
    if jsonout._indent_json is not None:
        body = jsonout._indented(items, 1)[1:-3]  # "[" ... "\n ]" off
        texts = body.split("," + _ITEM_START)
        if len(texts) == len(items) and texts[0].startswith(_ITEM_START):
            return texts[:1] + [_ITEM_START + text for text in texts[1:]]
    out = []
    for item in items:
        handle = io.StringIO()
        writer = jsonout._Writer(handle)
        writer.value(item, 2, set())
        writer.flush()
        out.append("\n  " + handle.getvalue())
    return out


# The types of a lead's values, and of the items of its lists, for which msgspec's compact text
# is json.dumps's (below); a float only where both write it alike.
_PLAIN_VALUES = frozenset({str, int, float, bool, type(None), list})
_PLAIN_ITEMS = frozenset({str, int, bool, type(None)})
_SCORE = itemgetter("score")


def _compact(items: list[dict], shaped: bool = False) -> bytes | None:
    """``json.dumps(items, ensure_ascii=False, separators=(",", ":"))`` in UTF-8, written by
    msgspec's encoder (five to seven times faster, ADR 0120) when the items are such that its
    text is the same bytes: dicts with text keys whose values are text, ints, bools, None,
    floats of magnitude 0 or in [1e-4, 1e16) (where both write ``float.__repr__``'s digits;
    outside it msgspec writes "1e16" for "1e+16", "0.00001" for "1e-05" and null for NaN), or
    lists of text, ints, bools and None; and no lone surrogate (msgspec refuses it, json writes
    it). The strings' escapes are the same (``"``, ``\\`` and control characters, the same
    forms, nothing else escaped). None when any of that does not hold: json then encodes them.

    ``shaped``: the caller vouches that the items are dicts with text keys whose values are
    text, ints, bools, None or lists of those but floats, and whose only float is ``"score"``
    (the leads of ``analysis._describe_leads``; a test holds it to that): then only the
    scores' magnitudes are checked, not every key, value and list item (ADR 0124)."""
    if shaped:
        scores = np.fromiter(map(_SCORE, items), dtype=np.float64, count=len(items))
        return _encoded(items) if _plain_floats(scores) else None
    if set(map(type, items)) != {dict}:
        return None
    if not set(map(type, chain.from_iterable(items))) <= {str}:
        return None
    values = list(chain.from_iterable(map(dict.values, items)))
    types = set(map(type, values))
    if not types <= _PLAIN_VALUES:
        return None
    if float in types and not _plain_floats(
        np.array([v for v in values if type(v) is float], dtype=np.float64)
    ):
        return None
    if list in types:
        inner = chain.from_iterable(v for v in values if type(v) is list)
        if not set(map(type, inner)) <= _PLAIN_ITEMS:
            return None
    return _encoded(items)


def _plain_floats(floats: np.ndarray) -> bool:
    """Whether msgspec writes each of ``floats`` as json does: magnitude 0 or in [1e-4, 1e16)."""
    magnitudes = np.abs(floats)
    # NaN fails every comparison, so it is refused too.
    return bool(np.all((magnitudes == 0) | ((magnitudes >= 1e-4) & (magnitudes < 1e16))))


def _encoded(items: list[dict]) -> bytes | None:
    try:
        return msgspec.json.encode(items)
    except (UnicodeEncodeError, TypeError, ValueError, OverflowError):
        return None


def item_bytes(items: list[dict], shaped: bool = False) -> tuple[bytes, list[int], bool]:
    """``item_texts(items)`` encoded in UTF-8 (``surrogatepass``) and joined, with each text's
    length in bytes, and whether the joined text is valid UTF-8 (it holds no lone surrogate).

    The same cut as ``item_texts``, made on the laid-out bytes: a line break is one byte that
    never occurs inside a character's encoding, so the items start where they start in the
    text; nothing is decoded, split as text and encoded again (ADR 0120). ``shaped``: as for
    ``_compact``."""
    if not items:
        return b"", [], True
    if jsonout._indent_json is not None:
        compact = _compact(items, shaped)
        valid = compact is not None
        if compact is None:
            compact = json.dumps(items, ensure_ascii=False, separators=(",", ":")).encode(
                "utf-8", "surrogatepass"
            )
        body = jsonout._indent_json(compact, 1)[1:-3]  # "[" ... "\n ]" off
        pieces = body.split(b"," + _ITEM_START_BYTES)
        if len(pieces) == len(items) and pieces[0].startswith(_ITEM_START_BYTES):
            lengths = [len(piece) + len(_ITEM_START_BYTES) for piece in pieces]
            lengths[0] = len(pieces[0])
            joined = _ITEM_START_BYTES.join(pieces)
            return joined, lengths, valid or _valid_utf8(joined)
    encoded = [text.encode("utf-8", "surrogatepass") for text in item_texts(items)]
    joined = b"".join(encoded)
    return joined, list(map(len, encoded)), _valid_utf8(joined)


def _valid_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class SpooledLeads(Sequence[dict]):
    """A list of leads (dicts) in a spill file, read highest score first; built by ``append``
    and ``finish``."""

    def __init__(self, shaped: bool = False) -> None:
        """``shaped``: every lead appended has the shape ``_compact`` names (only its score a
        float), as ``analysis._describe_leads`` makes them."""
        self._shaped = shaped
        self._file = SpillFile("samen-online-leads-")
        self._scores = array("d")
        self._starts = array("q")
        self._pending: list[dict] = []
        self._order: np.ndarray | None = None
        # Whether every text is valid UTF-8 (no lone surrogate): then leads.json takes the
        # bytes as they are; else each is decoded and encoded by the file, which refuses it.
        self._valid = True

    # Building.

    def append(self, lead: dict) -> None:
        if self._order is not None:
            raise ValueError("the leads are finished")
        self._pending.append(lead)
        if len(self._pending) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        joined, lengths, valid = item_bytes(self._pending, self._shaped)
        self._scores.extend(map(_SCORE, self._pending))
        self._starts.extend(accumulate(lengths[:-1], initial=self._file.size) if lengths else ())
        self._valid = self._valid and valid
        # One write a batch: a seek and write a lead cost a system call each.
        self._file.append(joined)
        self._pending = []

    # Sharing the work with a forked process (ADR 0094).

    def open(self) -> None:
        """Make the spill file now: before a fork, so that a child's text stays in it."""
        self._file._handle()

    def raw(self) -> tuple[bytes, bytes, int, bool]:
        """Encode the last batch and give the scores, the starts, the file's size and whether
        the text is valid UTF-8, for ``adopt`` in the process that made the file (the text
        itself stays in the file)."""
        self._flush()
        if self._file._file is not None:
            self._file._file.flush()
        return self._scores.tobytes(), self._starts.tobytes(), self._file.size, self._valid

    def adopt(self, scores: bytes, starts: bytes, size: int, valid: bool) -> None:
        """Take what ``raw`` gave in the process that wrote this list's file."""
        if self._pending or len(self._scores):
            raise ValueError("only an empty list adopts another's leads")
        self._scores.frombytes(scores)
        self._starts.frombytes(starts)
        self._file.size = size
        self._valid = valid

    def extend(self, other: SpooledLeads) -> None:
        """Append ``other``'s leads (not finished) after this list's, as if appended here one by
        one: their texts are copied into this file, their starts moved by its size."""
        if self._order is not None or other._order is not None:
            raise ValueError("the leads are finished")
        self._flush()
        other._flush()
        base = self._file.size
        self._valid = self._valid and other._valid
        self._scores.extend(other._scores)
        starts = np.frombuffer(other._starts, dtype=np.int64) + base
        self._starts.frombytes(starts.tobytes())
        if other._file.size:
            source = other._file._handle()
            source.flush()
            for first in range(0, other._file.size, _WRITE_BYTES):
                self._file.append(
                    other._file.read(first, min(_WRITE_BYTES, other._file.size - first))
                )

    def finish(self) -> SpooledLeads:
        """Encode the last batch and order the leads: highest score first, ties as made."""
        if self._order is None:
            self._flush()
            scores = np.frombuffer(self._scores, dtype=np.float64)
            self._order = np.argsort(-scores, kind="stable")
            self._starts.append(self._file.size)
        return self

    def _ordered(self) -> np.ndarray:
        if self._order is None:
            raise ValueError("the leads are not finished")
        return self._order

    # Reading.

    def texts(self, first: int = 0, stop: int | None = None) -> Iterator[str]:
        """The items' texts in order, from ``first`` to ``stop``."""
        for raw in self._encoded(first, stop):
            yield raw.decode("utf-8", "surrogatepass")

    def _encoded(self, first: int = 0, stop: int | None = None) -> Iterator[bytes]:
        """``texts`` as they are in the file: UTF-8, lone surrogates passed."""
        order = self._ordered()[first:stop]
        starts = np.frombuffer(self._starts, dtype=np.int64)
        for block in range(0, len(order), BATCH):
            rows = order[block : block + BATCH]
            lengths = starts[rows + 1] - starts[rows]
            # Leads next to each other in the file and in the order (most: they were made
            # nearly in score order) in one read.
            cuts = np.flatnonzero(np.diff(rows) != 1) + 1
            first_rows = rows[np.concatenate(([0], cuts))]
            last_rows = rows[np.concatenate((cuts - 1, [len(rows) - 1]))]
            raw = self._file.read_groups(
                starts[first_rows], starts[last_rows + 1] - starts[first_rows]
            ).tobytes()
            edges = np.concatenate(([0], np.cumsum(lengths))).tolist()
            yield from map(raw.__getitem__, map(slice, edges[:-1], edges[1:]))

    def write_json(self, handle: IO[str]) -> None:
        """The list as ``json.dump`` writes it as a value of the document's top-level dict."""
        if not len(self):
            handle.write("[]")
            return
        handle.write("[")
        pieces: list[str] = []
        size = 0
        for number, text in enumerate(self.texts()):
            pieces.append("," + text if number else text)
            size += len(text)
            if size >= _WRITE_BYTES:
                handle.write("".join(pieces))
                pieces, size = [], 0
        handle.write("".join(pieces) + "\n ]")

    def write_json_bytes(self, handle: IO[bytes]) -> None:
        """``write_json`` into a binary file, as a UTF-8 text file writes it: the texts' bytes
        copied without being decoded and encoded again (ADR 0120) when they are valid UTF-8;
        else each is decoded and encoded strictly, which raises as the text file did."""
        if not len(self):
            handle.write(b"[]")
            return
        handle.write(b"[")
        separator = b""  # "," before each piece but the first
        pieces: list[bytes] = []
        size = 0
        for raw in self._encoded():
            if not self._valid:
                raw = raw.decode("utf-8", "surrogatepass").encode("utf-8")
            pieces.append(raw)
            size += len(raw)
            if size >= _WRITE_BYTES:
                handle.write(separator + b",".join(pieces))
                separator, pieces, size = b",", [], 0
        if pieces:
            handle.write(separator + b",".join(pieces))
        handle.write(b"\n ]")

    def __len__(self) -> int:
        return len(self._ordered())

    @overload
    def __getitem__(self, position: int) -> dict: ...

    @overload
    def __getitem__(self, position: slice) -> list[dict]: ...

    def __getitem__(self, position: int | slice) -> dict | list[dict]:
        if isinstance(position, slice):
            first, stop, step = position.indices(len(self))
            if step != 1:
                return list(self)[position]
            return [json.loads(text) for text in self.texts(first, max(first, stop))]
        count = len(self)
        if position < 0:
            position += count
        if not 0 <= position < count:
            raise IndexError("lead index out of range")
        return json.loads(next(self.texts(position, position + 1)))

    def __iter__(self) -> Iterator[dict]:
        return (json.loads(text) for text in self.texts())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SpooledLeads | list):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def close(self) -> None:
        self._file.close()


def is_spooled(value: Any) -> bool:
    return isinstance(value, SpooledLeads)
