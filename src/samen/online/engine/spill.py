"""Columns that live in anonymous temporary files, so that the coordinator's memory does not grow
with the number of ads.

Reading goes through ``os.pread`` (or sequential reads in blocks), never through a memory map:
pages of a mapped file count in the process's resident memory, and the kernel maps neighbouring
pages on every fault, so random reads through a map would bring a file back into memory. With
explicit reads the file stays in the page cache, which the kernel can drop under pressure.
"""

from __future__ import annotations

import os
import tempfile
import weakref
from collections.abc import Callable, Iterator
from typing import IO

import numpy as np

# Rows per block of the sequential passes: a few tens of megabytes at a time.
BLOCK = 1 << 22


class SpillFile:
    """An append-only anonymous temporary file (in ``TMPDIR``), removed when closed or collected."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self._file: IO[bytes] | None = None
        self._closer: weakref.finalize | None = None
        self.size = 0

    def _handle(self) -> IO[bytes]:
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix=self.prefix)  # noqa: SIM115
            # A scan drops its columns rather than closing each one: closed here when this
            # object is collected, not by the file's own finaliser, which warns (ResourceWarning)
            # about every file it has to close.
            self._closer = weakref.finalize(self, self._file.close)
        return self._file

    def append(self, data: bytes | bytearray | memoryview | np.ndarray) -> None:
        raw = data.tobytes() if isinstance(data, np.ndarray) else data
        if not raw:
            return
        handle = self._handle()
        handle.seek(0, 2)
        handle.write(raw)
        self.size += len(raw)

    def read(self, start: int, nbytes: int) -> bytes:
        """``nbytes`` bytes from byte ``start``."""
        if self._file is None or nbytes <= 0:
            return b""
        self._file.flush()
        return os.pread(self._file.fileno(), nbytes, start)

    def read_many(self, starts: np.ndarray, lengths: np.ndarray) -> bytes:
        """The byte ranges ``(start, length)`` one after the other: one read each."""
        if self._file is None:
            return b""
        self._file.flush()
        fd, pread = self._file.fileno(), os.pread
        return b"".join(
            [
                pread(fd, length, start)
                for start, length in zip(starts.tolist(), lengths.tolist(), strict=True)
                if length
            ]
        )

    def read_groups(self, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """``read_many`` into one array (uint8) made for it: each range read straight into its
        place, with no bytes object a range and no join (which held everything twice)."""
        total = int(lengths.sum()) if len(lengths) else 0
        out = np.empty(total, dtype=np.uint8)
        if not total:
            return out
        if self._file is None:
            raise ValueError("read past the end of an empty spill file")
        self._file.flush()
        fd, view, done = self._file.fileno(), out.data, 0
        for start, length in zip(starts.tolist(), lengths.tolist(), strict=True):
            got = 0
            while got < length:
                read = os.preadv(fd, [view[done + got : done + length]], start + got)
                if read <= 0:
                    raise ValueError("read past the end of a spill file")
                got += read
            done += length
        return out

    def read_into(self, start: int, out: np.ndarray) -> None:
        """Fill ``out`` (a contiguous array) with the bytes from byte ``start``, without a copy
        in between (the file may be a large part of memory)."""
        if not out.nbytes:
            return
        if self._file is None:
            raise ValueError("read past the end of an empty spill file")
        if not out.flags.c_contiguous:
            raise ValueError("read_into needs a contiguous array")
        view = out.reshape(-1).view(np.uint8).data
        self._file.flush()
        fd, done = self._file.fileno(), 0
        while done < len(view):
            got = os.preadv(fd, [view[done:]], start + done)
            if got <= 0:
                raise ValueError("read past the end of a spill file")
            done += got

    def array(self, dtype: np.dtype | type, start: int, stop: int) -> np.ndarray:
        """Items ``start:stop`` of the file read as an array of ``dtype``."""
        itemsize = np.dtype(dtype).itemsize
        raw = self.read(start * itemsize, (stop - start) * itemsize)
        return np.frombuffer(raw, dtype=dtype).copy() if raw else np.zeros(0, dtype=dtype)

    def blocks(self, dtype: np.dtype | type, rows: int = BLOCK) -> Iterator[tuple[int, np.ndarray]]:
        """``(first item, items)`` over the whole file, ``rows`` items at a time."""
        total = self.size // np.dtype(dtype).itemsize
        for first in range(0, total, rows):
            yield first, self.array(dtype, first, min(first + rows, total))

    def close(self) -> None:
        if self._file is not None:
            if self._closer is not None:
                self._closer()
            self._file = None
            self.size = 0


def _load_trim() -> Callable[[int], int] | None:
    try:
        import ctypes

        trim: Callable[[int], int] = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to hand back this way
        return None
    return trim


_MALLOC_TRIM = _load_trim()


def release_free_memory() -> None:
    """Hand the allocator's free pages back to the system (glibc's ``malloc_trim``; nothing
    elsewhere). Arrays below its mmap threshold (up to 32 MB) come from the heap and the threads'
    arenas, and freeing them keeps the pages: after the spilled weighing and the band files,
    whose blocks are made on several threads, that was ~200 MB of the cluster phase's resident
    memory at two million ads with nothing live in it (ADR 0081). A few milliseconds a call."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)
