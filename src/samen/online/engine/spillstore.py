"""The spilled clustering's band keys in files, one file a band (ADR 0081).

The band loop needs one band's keys at a time, for the ads that take part in template matching
(those with shingles). Kept in memory for every band at once they cost 8 bytes an ad a band
(168 bytes an ad with 21 bands); computed again band by band from the signatures they cost a
read of the whole signature file a band (256 bytes an ad, 21 times). Here one pass over the
signatures writes each band's keys of the usable ads, in ad order, to that band's file; the loop
reads one file back at a time (8 bytes a usable ad), on another thread while a band is verified.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .spill import SpillFile
from .threads import SERIAL, Pool


class BandKeyFiles:
    """``bands`` files of uint64 keys: file b holds, for every usable ad in ad order, the key of
    its band b (the same products and sums as the keys in memory)."""

    def __init__(self, bands: int) -> None:
        self.files = [SpillFile(f"samen-online-band{b}-") for b in range(bands)]

    @classmethod
    def write(
        cls,
        rows: int,
        bands: int,
        read_rows: Callable[[int, int], np.ndarray],
        fold_block: Callable[[np.ndarray], np.ndarray],
        usable_rows: np.ndarray,
        step: int,
        pool: Pool = SERIAL,
    ) -> BandKeyFiles:
        """Keys of rows ``0:rows`` (``read_rows(first, last)`` gives their signatures,
        ``fold_block`` a (bands, rows) array of their keys), kept where ``usable_rows`` (a bool
        per row) is set. Blocks of ``step`` rows, as many at once as the pool has threads,
        appended in row order."""
        out = cls(bands)
        firsts = list(range(0, rows, step))

        def keys_of(first: int) -> np.ndarray:
            last = min(first + step, rows)
            keys = fold_block(read_rows(first, last))
            return np.ascontiguousarray(keys[:, usable_rows[first:last]])

        for at in range(0, len(firsts), pool.threads):
            for keys in pool.map(keys_of, firsts[at : at + pool.threads]):
                for band, spilled in enumerate(out.files):
                    spilled.append(keys[band])
        return out

    def band(self, band: int) -> np.ndarray:
        """Band ``band``'s keys (uint64, one a usable ad), and the file let go."""
        spilled = self.files[band]
        keys = np.empty(spilled.size // 8, dtype=np.uint64)
        spilled.read_into(0, keys)  # straight into the array: no bytes object on the way
        spilled.close()
        return keys

    def close(self) -> None:
        for spilled in self.files:
            spilled.close()
