"""The coordinator's index: compact columns for every ad, filled chunk by chunk.

This is the only state that grows with the input. Texts are not kept; the report re-reads the few
ads it quotes. The MinHash signatures, the largest column (256 bytes an ad with 64 permutations),
go to a temporary file as chunks arrive and are read back a band of columns at a time: the
banding needs a few columns of every ad at once, never whole signatures.
"""

from __future__ import annotations

import tempfile
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO

import numpy as np

from .partition import ChunkResult


class Interner:
    """Strings to small integers, so that a column of cities or names costs 4 bytes an ad."""

    def __init__(self) -> None:
        self.values: list[str] = [""]
        self._ids: dict[str, int] = {"": 0}

    def __call__(self, value: str) -> int:
        found = self._ids.get(value)
        if found is None:
            found = self._ids[value] = len(self.values)
            self.values.append(value)
        return found

    def __len__(self) -> int:
        return len(self.values)

    def id_of(self, value: str) -> int:
        return self._ids[value]


class StringColumn:
    """Strings packed into one byte buffer with end offsets: about a third of the memory of a list
    of str objects, which matters for ids and URLs at a million ads."""

    def __init__(self) -> None:
        self._data = bytearray()
        self._ends = array("q")

    def extend(self, values: Iterable[str]) -> None:
        data, ends = self._data, self._ends
        for value in values:
            data += value.encode()
            ends.append(len(data))

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, position: int) -> str:
        if position < 0:
            position += len(self._ends)
        start = self._ends[position - 1] if position else 0
        return self._data[start : self._ends[position]].decode()

    def __iter__(self) -> Iterator[str]:
        data, start = self._data, 0
        for end in self._ends:
            yield data[start:end].decode()
            start = end


@dataclass
class Index:
    ids: StringColumn = field(default_factory=StringColumn)
    file_index: array = field(default_factory=lambda: array("i"))
    line_number: array = field(default_factory=lambda: array("i"))
    offset: array = field(default_factory=lambda: array("q"))  # byte offset of the line, or -1
    urls: StringColumn = field(default_factory=StringColumn)
    day: array = field(default_factory=lambda: array("i"))
    city: array = field(default_factory=lambda: array("i"))
    name: array = field(default_factory=lambda: array("i"))
    age: array = field(default_factory=lambda: array("h"))
    price: array = field(default_factory=lambda: array("f"))
    language: array = field(default_factory=lambda: array("b"))
    mask: array = field(default_factory=lambda: array("q"))
    # The entity graph as an edge list: contact_of[k] is an ad index, contact_id[k] a contact.
    contact_ad: array = field(default_factory=lambda: array("i"))
    contact_id: array = field(default_factory=lambda: array("i"))
    cities: Interner = field(default_factory=Interner)
    names: Interner = field(default_factory=Interner)
    languages: Interner = field(default_factory=Interner)
    contacts: Interner = field(default_factory=Interner)
    # Signatures spilled to an anonymous temporary file, row after row (uint32, num_perm a row).
    _spill: IO[bytes] | None = None
    _spilled_rows: int = 0
    num_perm: int = 0
    shingle_parts: list[np.ndarray] = field(default_factory=list)
    shingle_count_parts: list[np.ndarray] = field(default_factory=list)
    bad: list[tuple[int, int, str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, part: ChunkResult) -> None:
        """Append one chunk's results. Callers add chunks in input order, so that every engine
        numbers the ads the same way."""
        start = len(self.ids)
        self.ids.extend(part.ids)
        self.file_index.extend([part.file_index] * len(part.ids))
        self.line_number.extend(part.line_numbers)
        self.offset.extend(part.offsets)
        self.urls.extend(part.urls)
        self.day.extend(part.days)
        self.city.extend(map(self.cities, part.cities))
        self.name.extend(map(self.names, part.names))
        self.age.extend(max(-1, min(a, 32767)) for a in part.ages)
        self.price.extend(part.prices)
        self.language.extend(map(self.languages, part.languages))
        self.mask.extend(part.masks)
        for offset, contacts in enumerate(part.contacts):
            for contact in contacts:
                self.contact_ad.append(start + offset)
                self.contact_id.append(self.contacts(contact))
        if part.signatures is not None and len(part.signatures):
            self._spill_signatures(part.signatures)
        if part.shingle_counts is not None:
            self.shingle_parts.append(part.shingles)
            self.shingle_count_parts.append(part.shingle_counts)
        self.bad.extend(part.bad)

    def _spill_signatures(self, signatures: np.ndarray) -> None:
        if self._spill is None:
            self._spill = tempfile.TemporaryFile(prefix="samen-online-signatures-")  # noqa: SIM115
            self.num_perm = signatures.shape[1]
        self._spill.seek(0, 2)
        self._spill.write(np.ascontiguousarray(signatures, dtype=np.uint32).tobytes())
        self._spilled_rows += len(signatures)

    _BLOCK_ROWS = 65_536

    def signature_columns(self, start: int, stop: int) -> np.ndarray:
        """Columns ``start:stop`` of every ad's signature, (n, stop - start) uint32, read from
        the spill file in blocks: memory holds these columns and one block, not the matrix."""
        out = np.zeros((self._spilled_rows, stop - start), dtype=np.uint32)
        if self._spill is None:
            return out
        row_bytes = self.num_perm * 4
        for first in range(0, self._spilled_rows, self._BLOCK_ROWS):
            rows = min(self._BLOCK_ROWS, self._spilled_rows - first)
            self._spill.seek(first * row_bytes)
            block = np.frombuffer(self._spill.read(rows * row_bytes), dtype=np.uint32)
            out[first : first + rows] = block.reshape(rows, self.num_perm)[:, start:stop]
        return out

    @property
    def signatures(self) -> np.ndarray:
        """The whole (n, num_perm) signature matrix, read back from the spill file."""
        if self._spill is None:
            return np.zeros((0, 1), dtype=np.uint32)
        return self.signature_columns(0, self.num_perm)

    def close(self) -> None:
        """Remove the spill file (it goes anyway when the index is garbage collected)."""
        if self._spill is not None:
            self._spill.close()
            self._spill = None

    def duplicate_ids(self) -> list[tuple[int, int, str]]:
        """``(file_index, line_number, reason)`` for every ad whose id an earlier ad already has.
        The ads are kept (a repost under the same id is still evidence); the analyst is told."""
        if len(self) < 2:
            return []
        hashes = np.fromiter(map(hash, self.ids), dtype=np.int64, count=len(self))
        order = np.argsort(hashes, kind="stable")
        sorted_hashes = hashes[order]
        found: list[tuple[int, int, str]] = []
        head = int(order[0])
        for position in range(1, len(order)):
            ad = int(order[position])
            if sorted_hashes[position] != sorted_hashes[position - 1]:
                head = ad
                continue
            if self.ids[ad] == self.ids[head]:
                found.append(
                    (
                        self.file_index[ad],
                        self.line_number[ad],
                        f"duplicate id: the same id as line {self.line_number[head]}"
                        + (
                            ""
                            if self.file_index[ad] == self.file_index[head]
                            else " of another file"
                        )
                        + "; the ad is kept",
                    )
                )
        return sorted(found)

    def shingle_sets(self) -> tuple[np.ndarray, np.ndarray]:
        """All ads' distinct shingle hashes concatenated, and the start of each ad's run (n + 1
        offsets). Empty runs for ads too short to take part in template matching."""
        if len(self.shingle_parts) > 1:
            self.shingle_parts = [_concatenate_dropping(self.shingle_parts)]
            self.shingle_count_parts = [_concatenate_dropping(self.shingle_count_parts)]
        if not self.shingle_parts:
            return np.zeros(0, dtype=np.uint32), np.zeros(len(self) + 1, dtype=np.int64)
        counts = self.shingle_count_parts[0].astype(np.int64)
        starts = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(counts, out=starts[1:])
        return self.shingle_parts[0], starts

    def persona(self, ad: int) -> str:
        """A persona is the advertised name with the stated age: "Anna (21)". Empty when unnamed."""
        name = self.names.values[self.name[ad]]
        if not name:
            return ""
        age = self.age[ad]
        return f"{name} ({age})" if age >= 0 else name


def _concatenate_dropping(parts: list[np.ndarray]) -> np.ndarray:
    """np.concatenate, dropping each part once copied: never the parts and the whole at once
    beyond one part, where np.concatenate would hold twice the column at its peak."""
    whole = np.empty(sum(len(p) for p in parts), dtype=parts[0].dtype)
    position = 0
    parts.reverse()
    while parts:
        part = parts.pop()
        whole[position : position + len(part)] = part
        position += len(part)
    return whole
