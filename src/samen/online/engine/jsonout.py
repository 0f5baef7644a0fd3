"""``json.dump(value, handle, ensure_ascii=False, indent=1)``, the same bytes, several times faster.

With ``indent`` the standard library encodes in Python, one generator step and one ``write``
per token: about a tenth of the coordinator's CPU per ad went there for ``leads.json`` (issue 18
item 4, ADR 0066). This encoder walks the value with the same rules (the same type checks in
the same order, the same float and string forms), joins each container's items at once, and
writes in large pieces. A test checks it byte for byte against ``json.dump`` on scan outputs
and on generated values with every kind of item.
"""

from __future__ import annotations

from json.encoder import encode_basestring  # the C function when it is built, as json uses
from typing import IO, Any

_INFINITY = float("inf")
# Pieces gathered before one write: a few megabytes.
_FLUSH_PIECES = 1 << 16


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == _INFINITY:
        return "Infinity"
    if value == -_INFINITY:
        return "-Infinity"
    return float.__repr__(value)


# The exact types first (one lookup); subclasses go through the checks json makes, in order.
_EXACT = {
    str: encode_basestring,
    int: int.__repr__,
    float: _float,
    bool: lambda value: "true" if value else "false",
    type(None): lambda value: "null",
}


def _scalar(value: Any) -> str | None:
    """The text of a scalar as ``json`` writes it, or None for a container or another type."""
    exact = _EXACT.get(type(value))
    if exact is not None:
        return exact(value)  # type: ignore[operator]
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value)
    return None


def _key(key: Any) -> str:
    if isinstance(key, str):
        return encode_basestring(key)
    if isinstance(key, float):
        return encode_basestring(_float(key))
    if key is True:
        return '"true"'
    if key is False:
        return '"false"'
    if key is None:
        return '"null"'
    if isinstance(key, int):
        return encode_basestring(int.__repr__(key))
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")


class _Writer:
    def __init__(self, handle: IO[str]) -> None:
        self.handle = handle
        self.pieces: list[str] = []

    def put(self, piece: str) -> None:
        self.pieces.append(piece)
        if len(self.pieces) >= _FLUSH_PIECES:
            self.flush()

    def flush(self) -> None:
        self.handle.write("".join(self.pieces))
        self.pieces = []

    def value(self, value: Any, level: int, markers: set[int]) -> None:
        text = _scalar(value)
        if text is not None:
            self.put(text)
        elif isinstance(value, list | tuple):
            self.sequence(value, level, markers)
        elif isinstance(value, dict):
            self.mapping(value, level, markers)
        else:
            raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")

    def _enter(self, value: Any, markers: set[int]) -> int:
        marker = id(value)
        if marker in markers:
            raise ValueError("Circular reference detected")
        markers.add(marker)
        return marker

    def sequence(self, items: list | tuple, level: int, markers: set[int]) -> None:
        if not items:
            self.put("[]")
            return
        marker = self._enter(items, markers)
        inner = "\n" + " " * (level + 1)
        separator = "," + inner
        texts = [_scalar(item) for item in items]
        if None not in texts:
            # Scalars only: one piece for the whole list.
            self.put("[" + inner + separator.join(texts) + "\n" + " " * level + "]")  # type: ignore[arg-type]
        else:
            self.put("[" + inner)
            for number, (item, text) in enumerate(zip(items, texts, strict=True)):
                if number:
                    self.put(separator)
                if text is not None:
                    self.put(text)
                else:
                    self.value(item, level + 1, markers)
            self.put("\n" + " " * level + "]")
        markers.discard(marker)

    def mapping(self, items: dict, level: int, markers: set[int]) -> None:
        if not items:
            self.put("{}")
            return
        marker = self._enter(items, markers)
        inner = "\n" + " " * (level + 1)
        separator = "," + inner
        self.put("{" + inner)
        first = True
        run: list[str] = []  # scalar items waiting to be joined
        for key, item in items.items():
            text = _scalar(item)
            if text is not None:
                run.append(_key(key) + ": " + text)
                continue
            if run:
                self.put(("" if first else separator) + separator.join(run))
                run, first = [], False
            self.put(("" if first else separator) + _key(key) + ": ")
            first = False
            self.value(item, level + 1, markers)
        if run:
            self.put(("" if first else separator) + separator.join(run))
        self.put("\n" + " " * level + "}")
        markers.discard(marker)


def dump_indented(value: Any, handle: IO[str]) -> None:
    """Write ``value`` as ``json.dump(value, handle, ensure_ascii=False, indent=1)`` does."""
    writer = _Writer(handle)
    writer.value(value, 0, set())
    writer.flush()
