"""Pure-Python reader for the minister's progress letters (no Django here).

Public API: `read_letter(path)` -> `LetterReading`; `find_citations(text)`; `statuses_in(sentence)`.
"""

from .citations import Reference, find_citations
from .reader import Item, LetterReading, read, read_letter
from .status import LetterStatus, statuses_in

__all__ = [
    "Item",
    "LetterReading",
    "LetterStatus",
    "Reference",
    "find_citations",
    "read",
    "read_letter",
    "statuses_in",
]
