from typing import Any

def prepare(key: bytes, /) -> bytes: ...
def walk(
    state: bytes,
    messages: list[Any],
    start: int,
    expected: int,
    prev: bytes,
    present: bytearray,
    hashes: bytearray,
    kept: int,
    /,
) -> tuple[int, bytes]: ...
