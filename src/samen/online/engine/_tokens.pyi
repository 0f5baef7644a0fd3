from typing import Any

def word_tokens(lowered: str, /) -> tuple[list[str], set[str]]: ...
def scan_rules(
    lowered: str, table: dict[str, int], /
) -> tuple[list[str], set[str], int, bytes]: ...
def weighted_common(
    shingles: Any,
    weights: Any,
    stride: int,
    left_first: Any,
    left_length: Any,
    right_first: Any,
    right_length: Any,
    out: Any,
    /,
) -> None: ...
def find_all(text: str, literals: tuple[str, ...], /) -> list[int]: ...
def sketch(
    token_lists: list[list[str]],
    size: int,
    min_shingles: int,
    a: Any,
    b: Any,
    signatures: Any,
    shingles: Any,
    counts: Any,
    /,
) -> int: ...
def lower(text: str, /) -> str: ...
def indices_in(tokens: list[str], words: set[str] | frozenset[str], /) -> list[int]: ...
def scan_words(
    lowered: str, table: dict[str, int], /
) -> tuple[list[str], set[str], set[str], int]: ...
def mask_words(
    lowered: str,
    words: set[str] | frozenset[str],
    search_of: dict[str, int],
    searches: tuple[tuple[Any, tuple[str, ...]], ...],
    bits: dict[str, int],
    /,
) -> int: ...
def contact_matches(lowered: str, word_gates: int, /) -> list[tuple]: ...
def age_search(lowered: str, units: tuple[str, ...], labels: tuple[str, ...], /) -> int: ...
def price_in(lowered: str, start: int, end: int, /) -> float: ...
def price_search(lowered: str, /) -> float: ...
def slot_rules(
    original: str,
    lower: list[str],
    names: list[str],
    tables: tuple,
    marks: bytes | None = None,
    /,
) -> list[str]: ...
def capitalised_after(original: str, trigger: str, token: str, /) -> str | None: ...
def typed_fields(record: Any, /) -> tuple[Any, ...] | None: ...
