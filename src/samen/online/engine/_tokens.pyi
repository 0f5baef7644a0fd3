from typing import Any

def word_tokens(lowered: str, /) -> tuple[list[str], set[str]]: ...
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
def indices_in(tokens: list[str], words: set[str] | frozenset[str], /) -> list[int]: ...
