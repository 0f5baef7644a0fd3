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
import struct
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import overload

import numpy as np

from .arrays import sorted_unique
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

    def settle(self) -> None:
        """Nothing to move: a few thousand values (``CompactInterner.settle``)."""


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
        return owner._raw(number).decode()

    def __iter__(self) -> Iterator[str]:
        for blob, ends, start in self._owner._blocks():
            for end in ends.tolist():
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

    # Once the index is complete (``settle``), the values and their ends are in files and read
    # back by number (a few hundred thousand reads at ten million ads, for the contacts of the
    # lead clusters): ~33 bytes an ad less from the cluster phase on (ADR 0103). The table stays.
    _values_file: SpillFile | None = None
    _ends_file: SpillFile | None = None
    # The table too (8 bytes a slot, ~13-17 bytes an ad, ADR 0108): ``id_of`` reads the slots it
    # probes, one ``pread`` each.
    _table_file: SpillFile | None = None
    _BLOCK = 1 << 16

    def settle(self) -> None:
        """Move the values, their ends and the table to files: nothing is added after this
        (``many`` brings them back first)."""
        if self._values_file is not None:
            return
        values, ends = SpillFile("samen-online-contacts-"), SpillFile("samen-online-ends-")
        table = SpillFile("samen-online-contact-table-")
        values.append(memoryview(self._blob))
        ends.append(memoryview(self._ends).cast("B")[: 8 * self._count])
        table.append(self._table)
        self._values_file, self._ends_file, self._table_file = values, ends, table
        self._blob, self._ends = bytearray(), array("q")
        self._table = np.zeros(0, dtype=np.uint64)

    def _unsettle(self) -> None:
        values, ends, table = self._values_file, self._ends_file, self._table_file
        if values is None or ends is None or table is None:
            return
        self._blob = bytearray(values.read(0, values.size))
        self._ends = array("q", ends.read(0, ends.size))
        self._table = table.array(np.uint64, 0, table.size // 8)
        self._values_file = self._ends_file = self._table_file = None
        values.close()
        ends.close()
        table.close()

    def _raw(self, number: int) -> bytes:
        """The UTF-8 bytes of value ``number`` (0 <= number < count)."""
        if self._ends_file is None or self._values_file is None:
            ends = self._ends  # an array("q"): its items are Python ints, read fast
            return bytes(self._blob[ends[number - 1] if number else 0 : ends[number]])
        if number:
            start, end = struct.unpack("=qq", self._ends_file.read((number - 1) * 8, 16))
        else:
            start, end = 0, struct.unpack("=q", self._ends_file.read(0, 8))[0]
        return self._values_file.read(start, end - start)

    def _blocks(self) -> Iterator[tuple[bytes | bytearray, np.ndarray, int]]:
        """``(bytes, ends, start)`` over the values a block at a time: value k of a block is
        ``bytes[ends[k - 1] - base : ends[k] - base]`` with ``start`` its first one's start,
        all relative to the block's bytes."""
        if self._ends_file is None or self._values_file is None:
            yield self._blob, np.frombuffer(self._ends, dtype=np.int64)[: self._count], 0
            return
        base = 0
        for _, ends in self._ends_file.blocks(np.int64, self._BLOCK):
            last = int(ends[-1])
            yield self._values_file.read(base, last - base), ends - base, 0
            base = last

    def _room(self, more: int) -> None:
        self._unsettle()
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
        if self._values_file is not None:
            return self._settled_id_of(value)
        numbers, _ = _intern_table(self._table, self._ends, self._blob, self._count, [value], False)
        number = int(np.frombuffer(numbers, dtype=np.int32)[0])
        if number < 0:
            raise KeyError(value)
        return number

    def _settled_id_of(self, value: str) -> int:
        """``id_of`` with the values in their file: the compiled table's probe (``table_find``
        in ``_clusterc.c``: its hash, its slots) in Python, each value whose hash bits match
        read back and compared byte for byte."""
        data = value.encode()
        h = _FNV_OFFSET
        for byte in data:
            h = ((h ^ byte) * _FNV_PRIME) & _MASK64
        h = _mix64(h ^ len(data))
        table = self._table_file
        if table is None:
            raise KeyError(value)
        mask, high = table.size // 8 - 1, h >> 32
        at = h & mask
        while True:
            slot = _SLOT.unpack(table.read(at * 8, 8))[0]
            if not slot:
                raise KeyError(value)
            if slot >> 32 == high:
                number = (slot & 0xFFFFFFFF) - 1
                if self._raw(number) == data:
                    return number
            at = (at + 1) & mask

    def starts_with(self, prefix: str) -> np.ndarray:
        """Whether each value starts with ``prefix``, a bool a value: on the bytes, in numpy, a
        block of values at a time."""
        raw = prefix.encode()
        parts = []
        for blob_bytes, ends, first in self._blocks():
            starts = np.empty(len(ends), dtype=np.int64)
            starts[:1] = first
            starts[1:] = ends[:-1]
            found = ends - starts >= len(raw)
            blob = np.frombuffer(blob_bytes, dtype=np.uint8)
            for k, byte in enumerate(raw):
                at = np.flatnonzero(found)
                found[at] = blob[starts[at] + k] == byte
            parts.append(found)
        return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)


_SLOT = struct.Struct("=Q")
_FNV_OFFSET, _FNV_PRIME, _MASK64 = 0xCBF29CE484222325, 0x100000001B3, (1 << 64) - 1


def _mix64(x: int) -> int:
    """``mix64`` of ``_clusterc.c``."""
    x ^= x >> 33
    x = (x * 0xFF51AFD7ED558CCD) & _MASK64
    x ^= x >> 33
    x = (x * 0xC4CEB9FE1A85EC53) & _MASK64
    x ^= x >> 33
    return x


def make_interner() -> Interner | CompactInterner:
    """A ``CompactInterner`` where the extension is built, else the dictionary."""
    return CompactInterner() if _intern_table is not None else Interner()


class StringColumn:
    """Strings packed into one byte file with end offsets in memory (8 bytes a string): ids and
    URLs are read back only for the ads a report names, or once in order for clusters.csv."""

    _BLOCK = 65_536

    def __init__(self, spill_ends: bool = False) -> None:
        self._data = SpillFile("samen-online-strings-")
        # With ``spill_ends`` the ends too are in a file (8 bytes an ad less, ADR 0103): for a
        # column read in order or string by string, never by ``take`` in bulk (the ids).
        self._ends: array | SpilledColumn = (
            SpilledColumn("q", "samen-online-string-ends-") if spill_ends else array("q")
        )

    def extend(self, values: Iterable[str]) -> None:
        if _pack_strings is not None and type(values) is list:
            data, packed_ends = _pack_strings(values, self._data.size)
            self._ends.frombytes(packed_ends)
            self._data.append(data)
            return
        ends, position = array("q"), self._data.size
        encoded = [value.encode() for value in values]
        for raw in encoded:
            position += len(raw)
            ends.append(position)
        self._ends.frombytes(ends.tobytes())
        self._data.append(b"".join(encoded))

    def settle(self) -> None:
        """Move the ends to a file too, once the column is complete (the URLs': 8 bytes an ad
        through the cluster and analysis phases, ADR 0108). ``take`` then reads the blocks of
        ends it needs."""
        if isinstance(self._ends, SpilledColumn):
            return
        spilled = SpilledColumn("q", "samen-online-string-ends-")
        spilled.frombytes(memoryview(self._ends).cast("B"))
        self._ends = spilled

    # Ends read at once by ``take`` from a file: 512 KB.
    _TAKE_ROWS = 1 << 16

    def _ends_at(self, positions: np.ndarray) -> np.ndarray:
        """The ends at ``positions`` (non-decreasing): from memory, or from the blocks of the
        file that hold some of them."""
        ends = self._ends
        if not isinstance(ends, SpilledColumn):
            return np.frombuffer(ends, np.int64)[positions]
        out = np.empty(len(positions), dtype=np.int64)
        rows, size, lo = self._TAKE_ROWS, len(ends), 0
        while lo < len(positions):
            first = int(positions[lo]) // rows * rows
            hi = int(np.searchsorted(positions, first + rows))
            out[lo:hi] = ends.array(first, min(first + rows, size))[positions[lo:hi] - first]
            lo = hi
        return out

    def _end_blocks(self) -> Iterator[np.ndarray]:
        """The ends, ``_BLOCK`` at a time."""
        ends = self._ends
        if isinstance(ends, SpilledColumn):
            for _, block in ends.blocks(self._BLOCK):
                yield block
            return
        every = np.frombuffer(ends, dtype=np.int64)
        for first in range(0, len(every), self._BLOCK):
            yield every[first : first + self._BLOCK]

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
        stop = self._ends_at(wanted)
        start = np.where(wanted > 0, self._ends_at(np.maximum(wanted - 1, 0)), 0)
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
        base = 0
        for block in self._end_blocks():
            last = int(block[-1])
            data = self._data.read(base, last - base)
            start = 0
            for end in block.tolist():
                yield data[start : end - base].decode()
                start = end - base
            base = last

    def close(self) -> None:
        self._data.close()
        if isinstance(self._ends, SpilledColumn):
            self._ends.close()


class SpilledColumn:
    """A fixed-width column kept in a spill file instead of memory: for the columns that a scan
    reads back for a handful of ads only (the line and byte offset of the ads a report quotes,
    of the repeated ids) or once in order (the ids' hashes, by ``Index.duplicate_ids``). Filled
    as ``array`` is (``frombytes``, ``extend``); an item is one ``pread`` (ADR 0103)."""

    def __init__(self, typecode: str, prefix: str) -> None:
        self.typecode = typecode
        self.dtype = np.dtype(typecode)
        self.itemsize = self.dtype.itemsize
        self._unpack = struct.Struct("=" + typecode).unpack
        self._data = SpillFile(prefix)

    def frombytes(self, raw: bytes) -> None:
        self._data.append(raw)

    def extend(self, values: Iterable[int]) -> None:
        self._data.append(array(self.typecode, values).tobytes())

    def __len__(self) -> int:
        return self._data.size // self.itemsize

    def __getitem__(self, position: int) -> int:
        size = len(self)
        position = operator.index(position)
        if position < 0:
            position += size
        if not 0 <= position < size:
            raise IndexError(position)
        return int(self._unpack(self._data.read(position * self.itemsize, self.itemsize))[0])

    def array(self, first: int = 0, last: int | None = None) -> np.ndarray:
        """Items ``first:last`` as a numpy array (one read)."""
        return self._data.array(self.dtype, first, len(self) if last is None else last)

    # Items a block of ``blocks``: 8 MB of int64.
    BLOCK_ROWS = 1 << 20

    def blocks(self, rows: int | None = None) -> Iterator[tuple[int, np.ndarray]]:
        """``(first item, items)`` over the column, ``rows`` at a time."""
        return self._data.blocks(self.dtype, rows or self.BLOCK_ROWS)

    def __iter__(self) -> Iterator[int]:
        for _, block in self.blocks():
            yield from block.tolist()

    def tobytes(self) -> bytes:
        return self._data.read(0, self._data.size)

    def close(self) -> None:
        self._data.close()


def _extend(column: array | SpilledColumn, values: Iterable | np.ndarray) -> None:
    """Append to a fixed-width column from a list or, without a Python object an item, an array."""
    if isinstance(values, np.ndarray):
        column.frombytes(values.astype(column.typecode, copy=False).tobytes())
    else:
        column.extend(values)


@dataclass
class Index:
    # Read in order (clusters.csv) or one by one (the ads a report names): ends in a file too.
    ids: StringColumn = field(default_factory=lambda: StringColumn(spill_ends=True))
    # Where each ad is in its input, read back for the few ads a report quotes or whose id
    # repeats: in files, not memory (16 bytes an ad, ADR 0103).
    file_index: SpilledColumn = field(
        default_factory=lambda: SpilledColumn("i", "samen-online-file-")
    )
    line_number: SpilledColumn = field(
        default_factory=lambda: SpilledColumn("i", "samen-online-line-")
    )
    # Byte offset of the line, or -1.
    offset: SpilledColumn = field(
        default_factory=lambda: SpilledColumn("q", "samen-online-offset-")
    )
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
    # by reading every id back from its file at the end, when the coordinator works alone; in a
    # file, read back once by ``duplicate_ids`` (8 bytes an ad, ADR 0103).
    _id_hashes: SpilledColumn = field(
        default_factory=lambda: SpilledColumn("q", "samen-online-id-hashes-")
    )

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
        for column in (self.file_index, self.line_number, self.offset, self._id_hashes):
            if isinstance(column, SpilledColumn):
                column.close()

    def settle(self) -> None:
        """The index is complete: what only a few reads need from now on goes to files (the
        contacts' values, ADR 0103; their table and the URLs' ends, ADR 0108). Adding to it
        afterwards still works, slower."""
        self.contacts.settle()
        self.urls.settle()

    def shingle_starts(self) -> np.ndarray:
        """The start of each ad's shingle run (n + 1 offsets into ``shingles``)."""
        starts = np.zeros(len(self) + 1, dtype=np.int64)
        np.cumsum(np.frombuffer(self.shingle_count, dtype=np.int32), out=starts[1:])
        return starts

    def duplicate_ids(self) -> list[tuple[int, int, str]]:
        """``(file_index, line_number, reason)`` for every ad whose id an earlier ad already has.
        The ads are kept (a repost under the same id is still evidence); the analyst is told.

        An ad is compared with the first ad of its run of equal hashes (in hash order, ads in
        input order within a run). Found with one sorted copy of the hashes (the hash values
        that repeat) and a pass over the hashes in blocks (the ads with such a hash): 8 bytes an
        ad for a moment, where an argsort with its companions held ~50 (ADR 0103)."""
        if len(self) < 2:
            return []
        column: SpilledColumn | np.ndarray = self._id_hashes
        if isinstance(column, SpilledColumn):
            ordered = column.array()
            blocks: Iterable[tuple[int, np.ndarray]] = column.blocks()
        else:  # an array given in its place (tests)
            given = np.asarray(column, dtype=np.int64)
            ordered = given.copy()
            rows = SpilledColumn.BLOCK_ROWS
            blocks = ((first, given[first : first + rows]) for first in range(0, len(given), rows))
        ordered.sort()
        repeated_hashes = sorted_unique(ordered[1:][ordered[1:] == ordered[:-1]])
        del ordered
        if not len(repeated_hashes):
            return []
        ads, hashes = [], []
        for first, block in blocks:
            at = np.minimum(np.searchsorted(repeated_hashes, block), len(repeated_hashes) - 1)
            hit = np.flatnonzero(repeated_hashes[at] == block)
            ads.append(hit + first)
            hashes.append(block[hit])
        ad_of = np.concatenate(ads)
        hash_of = np.concatenate(hashes)
        # The ads with a repeated hash in hash order, input order within a run (stable).
        order = np.argsort(hash_of, kind="stable")
        sorted_hashes, sorted_ads = hash_of[order], ad_of[order]
        positions = np.arange(len(order))
        same = np.zeros(len(order), dtype=bool)
        np.equal(sorted_hashes[1:], sorted_hashes[:-1], out=same[1:])
        heads = np.maximum.accumulate(np.where(same, 0, positions))
        repeated = np.flatnonzero(same)
        found: list[tuple[int, int, str]] = []
        for ad, head in zip(
            sorted_ads[repeated].tolist(), sorted_ads[heads[repeated]].tolist(), strict=True
        ):
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
