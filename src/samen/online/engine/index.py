"""The coordinator's index: compact columns for every ad, filled chunk by chunk.

This is the only state that grows with the input. Texts are not kept; the report re-reads the few
ads it quotes. What is large goes to temporary files as chunks arrive (``spill.SpillFile``): the
MinHash signatures (256 bytes an ad with 64 permutations), read back a band of columns at a time;
the shingle sets (about 200 bytes an ad), read back for the ads a verification step compares;
ids and URLs, read back one by one for the ads a report names. Memory keeps fixed-width numeric
columns of a few dozen bytes an ad, and the distinct contacts (nearly one an ad) as bytes in a
compiled table rather than as Python strings (ADR 0095).
"""

from __future__ import annotations

import operator
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import overload

import numpy as np

from .partition import ChunkResult
from .spill import SpillFile

try:
    from ._clusterc import intern_many as _intern_many
    from ._clusterc import intern_rehash as _intern_rehash
    from ._clusterc import intern_table as _intern_table
    from ._clusterc import pack_strings as _pack_strings
except ImportError:  # an install from before the extension (make install builds it): slower
    _intern_many = _pack_strings = _intern_table = _intern_rehash = None  # type: ignore[assignment]


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

    def many(self, items: list[str]) -> bytes:
        """``__call__`` on each item in turn, the numbers as int32 bytes: in one compiled loop
        (four million calls of ``__call__`` at a million ads were ~1.5 µs an ad of the
        coordinator's CPU while the workers run)."""
        if _intern_many is not None and type(items) is list:
            return _intern_many(self._ids, self.values, items)
        return array("i", map(self, items)).tobytes()

    def id_of(self, value: str) -> int:
        return self._ids[value]

    def starts_with(self, prefix: str) -> np.ndarray:
        """Whether each value starts with ``prefix``, a bool a value."""
        return np.array([value.startswith(prefix) for value in self.values], dtype=bool)


class _PackedValues(Sequence[str]):
    """The strings of a ``CompactInterner`` by number, decoded on demand."""

    def __init__(self, owner: CompactInterner) -> None:
        self._owner = owner

    def __len__(self) -> int:
        return self._owner._count

    @overload
    def __getitem__(self, number: int) -> str: ...
    @overload
    def __getitem__(self, number: slice) -> list[str]: ...
    def __getitem__(self, number: int | slice) -> str | list[str]:
        if isinstance(number, slice):
            return [self[i] for i in range(*number.indices(len(self)))]
        owner = self._owner
        number = operator.index(number)
        if number < 0:
            number += owner._count
        if not 0 <= number < owner._count:
            raise IndexError(number)
        ends = owner._ends  # an array("q"): its items are Python ints, read fast
        return owner._blob[ends[number - 1] if number else 0 : ends[number]].decode()

    def __iter__(self) -> Iterator[str]:
        blob, ends = self._owner._blob, self._owner._ends[: self._owner._count]
        start = 0
        for end in ends:
            yield blob[start:end].decode()
            start = end


class CompactInterner:
    """``Interner``'s numbers without a Python string and a dictionary entry a value (~110 bytes
    a distinct contact at a million ads, nearly one a ad, ADR 0095): the values UTF-8 one after
    the other in one bytearray, the end of each in an int64 array, and a compiled open-addressing
    table of uint64 slots (32 bits of the value's hash, its number). A slot whose hash bits match
    is compared byte for byte with the stored value: the same numbers as the dictionary."""

    def __init__(self) -> None:
        self._blob = bytearray()
        self._ends = array("q", bytes(8 * 1024))
        self._table = np.zeros(2048, dtype=np.uint64)
        self._count = 0
        self.values = _PackedValues(self)
        self.many([""])

    def _room(self, more: int) -> None:
        wanted = self._count + more
        if wanted > len(self._ends):
            grown = max(wanted, len(self._ends) + (len(self._ends) >> 1))
            self._ends.frombytes(bytes(8 * (grown - len(self._ends))))
        if wanted * 4 > len(self._table) * 3:
            size = len(self._table)
            while wanted * 4 > size * 3:
                size <<= 1
            self._table = np.zeros(size, dtype=np.uint64)
            _intern_rehash(self._table, self._ends, self._blob, self._count)

    def __call__(self, value: str) -> int:
        return int(np.frombuffer(self.many([value]), dtype=np.int32)[0])

    def __len__(self) -> int:
        return self._count

    def many(self, items: list[str]) -> bytes:
        """``Interner.many``: each item's number, new ones numbered in order, as int32 bytes."""
        items = items if type(items) is list else list(items)
        self._room(len(items))
        numbers, self._count = _intern_table(
            self._table, self._ends, self._blob, self._count, items, True
        )
        return numbers

    def id_of(self, value: str) -> int:
        numbers, _ = _intern_table(self._table, self._ends, self._blob, self._count, [value], False)
        number = int(np.frombuffer(numbers, dtype=np.int32)[0])
        if number < 0:
            raise KeyError(value)
        return number

    def starts_with(self, prefix: str) -> np.ndarray:
        """Whether each value starts with ``prefix``, a bool a value: on the bytes, in numpy."""
        raw = prefix.encode()
        ends = np.frombuffer(self._ends, dtype=np.int64)[: self._count]
        starts = np.zeros(self._count, dtype=np.int64)
        starts[1:] = ends[:-1]
        found = ends - starts >= len(raw)
        blob = np.frombuffer(self._blob, dtype=np.uint8)
        for k, byte in enumerate(raw):
            at = np.flatnonzero(found)
            found[at] = blob[starts[at] + k] == byte
        return found


def make_interner() -> Interner | CompactInterner:
    """A ``CompactInterner`` where the extension is built, else the dictionary."""
    return CompactInterner() if _intern_table is not None else Interner()


class StringColumn:
    """Strings packed into one byte file with end offsets in memory (8 bytes a string): ids and
    URLs are read back only for the ads a report names, or once in order for clusters.csv."""

    _BLOCK = 65_536

    def __init__(self) -> None:
        self._data = SpillFile("samen-online-strings-")
        self._ends = array("q")

    def extend(self, values: Iterable[str]) -> None:
        if _pack_strings is not None and type(values) is list:
            data, packed_ends = _pack_strings(values, self._data.size)
            self._ends.frombytes(packed_ends)
            self._data.append(data)
            return
        ends, position = self._ends, self._data.size
        encoded = [value.encode() for value in values]
        for raw in encoded:
            position += len(raw)
            ends.append(position)
        self._data.append(b"".join(encoded))

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, position: int) -> str:
        if position < 0:
            position += len(self._ends)
        start = self._ends[position - 1] if position else 0
        return self._data.read(start, self._ends[position] - start).decode()

    # Strings closer than this in the file are read together, up to about _MAX_READ bytes.
    _GAP = 16 << 10
    _MAX_READ = 4 << 20

    def take(self, positions: Iterable[int]) -> dict[int, str]:
        """The strings at ``positions``, by position: each distinct string once, strings that lie
        close together in the file in one read (a report names many ads of a cluster; one
        ``pread`` each costs more than the bytes between them)."""
        wanted = np.unique(np.fromiter(positions, dtype=np.int64))
        if not len(wanted):
            return {}
        ends = np.frombuffer(self._ends, dtype=np.int64)
        stop = ends[wanted]
        start = np.where(wanted > 0, ends[np.maximum(wanted - 1, 0)], 0)
        fresh = np.ones(len(wanted), dtype=bool)
        fresh[1:] = start[1:] - stop[:-1] > self._GAP
        # And at every multiple of _MAX_READ: when the wanted strings lie close together all
        # through the file (a third of all ads are in lead clusters) one read would otherwise
        # bring back the whole file, 500 MB of URLs at ten million ads (ADR 0090).
        fresh[1:] |= start[1:] // self._MAX_READ != start[:-1] // self._MAX_READ
        heads = np.flatnonzero(fresh)
        group_start = start[heads]
        group_stop = np.maximum.reduceat(stop, heads)
        out: dict[int, str] = {}
        bounds = [*heads.tolist(), len(wanted)]
        for g, (base, last) in enumerate(
            zip(group_start.tolist(), group_stop.tolist(), strict=True)
        ):
            data = self._data.read(base, last - base)
            lo, hi = bounds[g], bounds[g + 1]
            for position, begin, end in zip(
                wanted[lo:hi].tolist(), start[lo:hi].tolist(), stop[lo:hi].tolist(), strict=True
            ):
                out[position] = data[begin - base : end - base].decode()
        return out

    def __iter__(self) -> Iterator[str]:
        ends = self._ends
        for first in range(0, len(ends), self._BLOCK):
            last = min(first + self._BLOCK, len(ends))
            base = ends[first - 1] if first else 0
            data = self._data.read(base, ends[last - 1] - base)
            start = 0
            for end in ends[first:last]:
                yield data[start : end - base].decode()
                start = end - base

    def close(self) -> None:
        self._data.close()


def _extend(column: array, values: Iterable | np.ndarray) -> None:
    """Append to a fixed-width column from a list or, without a Python object an item, an array."""
    if isinstance(values, np.ndarray):
        column.frombytes(values.astype(column.typecode, copy=False).tobytes())
    else:
        column.extend(values)


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
    # Nearly one distinct contact an ad: without a Python object each (ADR 0095).
    contacts: Interner | CompactInterner = field(default_factory=make_interner)
    # Signatures spilled, row after row (uint32, num_perm a row).
    _signatures: SpillFile = field(default_factory=lambda: SpillFile("samen-online-signatures-"))
    _spilled_rows: int = 0
    num_perm: int = 0
    # Each ad's distinct shingle hashes (uint32, sorted), one run after the other, and the
    # length of each ad's run.
    shingles: SpillFile = field(default_factory=lambda: SpillFile("samen-online-shingles-"))
    shingle_count: array = field(default_factory=lambda: array("i"))
    bad: list[tuple[int, int, str]] = field(default_factory=list)
    _personas: dict[int, str] = field(default_factory=dict)
    # hash() of each ad's id, taken as chunks arrive (while the workers still run) rather than
    # by reading every id back from its file at the end, when the coordinator works alone.
    _id_hashes: array = field(default_factory=lambda: array("q"))

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, part: ChunkResult) -> None:
        """Append one chunk's results. Callers add chunks in input order, so that every engine
        numbers the ads the same way."""
        start = len(self.ids)
        n = len(part.ids)
        self.ids.extend(part.ids)
        self._id_hashes.frombytes(np.fromiter(map(hash, part.ids), np.int64, n).tobytes())
        self.file_index.frombytes(np.full(n, part.file_index, dtype=np.int32).tobytes())
        _extend(self.line_number, part.line_numbers)
        _extend(self.offset, part.offsets)
        self.urls.extend(part.urls)
        _extend(self.day, part.days)
        self.city.frombytes(self.cities.many(part.cities))
        self.name.frombytes(self.names.many(part.names))
        _extend(self.age, np.clip(np.asarray(part.ages, dtype=np.int64), -1, 32767))
        _extend(self.price, part.prices)
        languages = np.frombuffer(self.languages.many(part.languages), dtype=np.int32)
        if len(self.languages) > 128:
            self.language.extend(languages.tolist())  # overflows the column, as it always did
        else:
            self.language.frombytes(languages.astype(np.int8).tobytes())
        _extend(self.mask, part.masks)
        if part.contact_counts is not None:
            # Packed: every contact in one flat list, with the number of each ad's.
            owners = np.repeat(np.arange(start, start + n, dtype=np.int32), part.contact_counts)
            self.contact_ad.frombytes(owners.tobytes())
            self.contact_id.frombytes(self.contacts.many(part.contacts))
        else:
            for offset, contacts in enumerate(part.contacts):
                for contact in contacts:
                    self.contact_ad.append(start + offset)
                    self.contact_id.append(self.contacts(contact))
        if part.signatures is not None and len(part.signatures):
            if not self._spilled_rows:
                self.num_perm = part.signatures.shape[1]
            self._signatures.append(np.ascontiguousarray(part.signatures, dtype=np.uint32))
            self._spilled_rows += len(part.signatures)
        if part.shingle_counts is not None:
            self.shingles.append(np.ascontiguousarray(part.shingles, dtype=np.uint32))
            _extend(self.shingle_count, part.shingle_counts)
        else:
            _extend(self.shingle_count, np.zeros(n, dtype=np.int32))
        self.bad.extend(part.bad)

    _BLOCK_ROWS = 65_536

    def signature_blocks(self, start: int, stop: int) -> Iterator[tuple[int, np.ndarray]]:
        """``(first row, columns start:stop of a block of rows)`` over every ad's signature,
        read from the spill file: memory holds one block."""
        if not self._spilled_rows:
            return
        for first, block in self._signatures.blocks(np.uint32, self._BLOCK_ROWS * self.num_perm):
            rows = len(block) // self.num_perm
            yield first // self.num_perm, block.reshape(rows, self.num_perm)[:, start:stop]

    @property
    def signature_row_count(self) -> int:
        return self._spilled_rows

    def signature_rows(self, first: int, last: int) -> np.ndarray:
        """Rows ``first:last`` of the signatures, (last - first, num_perm) uint32, by one read
        (safe from several threads: ``pread``)."""
        block = self._signatures.array(np.uint32, first * self.num_perm, last * self.num_perm)
        return block.reshape(last - first, self.num_perm)

    def signature_columns(self, start: int, stop: int) -> np.ndarray:
        """Columns ``start:stop`` of every ad's signature, (n, stop - start) uint32."""
        out = np.zeros((self._spilled_rows, stop - start), dtype=np.uint32)
        for row, block in self.signature_blocks(start, stop):
            out[row : row + len(block)] = block
        return out

    @property
    def signatures(self) -> np.ndarray:
        """The whole (n, num_perm) signature matrix, read back from the spill file."""
        if not self._spilled_rows:
            return np.zeros((0, 1), dtype=np.uint32)
        return self.signature_columns(0, self.num_perm)

    def close(self) -> None:
        """Remove the spill files (they go anyway when the index is garbage collected)."""
        for spilled in (self._signatures, self.shingles):
            spilled.close()
        self.ids.close()
        self.urls.close()

    def shingle_starts(self) -> np.ndarray:
        """The start of each ad's shingle run (n + 1 offsets into ``shingles``)."""
        starts = np.zeros(len(self) + 1, dtype=np.int64)
        np.cumsum(np.frombuffer(self.shingle_count, dtype=np.int32), out=starts[1:])
        return starts

    def duplicate_ids(self) -> list[tuple[int, int, str]]:
        """``(file_index, line_number, reason)`` for every ad whose id an earlier ad already has.
        The ads are kept (a repost under the same id is still evidence); the analyst is told."""
        if len(self) < 2:
            return []
        hashes = np.frombuffer(self._id_hashes, dtype=np.int64)
        order = np.argsort(hashes, kind="stable")
        sorted_hashes = hashes[order]
        found: list[tuple[int, int, str]] = []
        # Each ad whose hash equals the one before it in hash order is compared with the first
        # ad of its run of equal hashes: found in numpy, so that Python walks only those ads
        # (a few), not every ad.
        positions = np.arange(len(order))
        same = np.zeros(len(order), dtype=bool)
        np.equal(sorted_hashes[1:], sorted_hashes[:-1], out=same[1:])
        heads = np.maximum.accumulate(np.where(same, 0, positions))
        repeated = np.flatnonzero(same)
        for ad, head in zip(order[repeated].tolist(), order[heads[repeated]].tolist(), strict=True):
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
        offsets), in memory: for small corpora and tests; a scan reads them per ad instead."""
        starts = self.shingle_starts()
        return self.shingles.array(np.uint32, 0, int(starts[-1])), starts

    def persona(self, ad: int) -> str:
        """A persona is the advertised name with the stated age: "Anna (21)". Empty when unnamed."""
        name_id, age = self.name[ad], self.age[ad]
        # The same few personas are asked for again and again (every ad of every lead cluster):
        # each text is built once.
        key = name_id << 16 | (age & 0xFFFF)
        found = self._personas.get(key)
        if found is None:
            name = self.names.values[name_id]
            found = self._personas[key] = (f"{name} ({age})" if age >= 0 else name) if name else ""
        return found
