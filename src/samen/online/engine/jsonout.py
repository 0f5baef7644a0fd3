"""``json.dump(value, handle, ensure_ascii=False, indent=1)``, the same bytes, several times faster.

With ``indent`` the standard library encodes in Python, one generator step and one ``write``
per token: about a tenth of the coordinator's CPU per ad went there for ``leads.json`` (issue 18
item 4, ADR 0066). This encoder walks the value with the same rules (the same type checks in
the same order, the same float and string forms), joins each container's items at once, and
writes in large pieces. A test checks it byte for byte against ``json.dump`` on scan outputs
and on generated values with every kind of item.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring  # the C function when it is built, as json uses
from typing import IO, Any, Protocol

try:
    from ._clusterc import indent_json as _indent_json
except ImportError:  # an install from before the extension (make install builds it): slower
    _indent_json = None  # type: ignore[assignment]

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


class _Text(Protocol):
    def write(self, text: str, /) -> int: ...


class _Writer:
    def __init__(self, handle: _Text) -> None:
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
        elif level == 1 and _spooled(value):
            self.flush()
            _write_spooled(value, self.handle)
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


def dump_indented(value: Any, handle: IO[str] | _Text) -> None:
    """Write ``value`` as ``json.dump(value, handle, ensure_ascii=False, indent=1)`` does."""
    if _indent_json is not None:
        _dump_compiled(value, handle)
        return
    writer = _Writer(handle)
    writer.value(value, 0, set())
    writer.flush()


class _Utf8File:
    """A binary file written as a UTF-8 text file on POSIX writes (``open(path, "w",
    encoding="utf-8")``: strict, line breaks as they are), the same bytes; the leads kept as
    their UTF-8 text in a file copy their bytes into it without decoding them (ADR 0120)."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle

    def write(self, text: str, /) -> int:
        self.handle.write(text.encode("utf-8"))
        return len(text)


def dump_indented_utf8(value: Any, handle: IO[bytes]) -> None:
    """``dump_indented`` into a binary file: the bytes a text file opened with ``encoding="utf-8"``
    (and line breaks not translated, as on POSIX) holds after ``dump_indented``."""
    dump_indented(value, _Utf8File(handle))


def _write_spooled(value: Any, handle: _Text) -> None:
    if isinstance(handle, _Utf8File) and hasattr(value, "write_json_bytes"):
        value.write_json_bytes(handle.handle)
    else:
        value.write_json(handle)


def _spooled(value: Any) -> bool:
    """Whether ``value`` is a list of leads kept as their text in a file (``spooled.py``, ADR
    0090), which writes itself as a value of the document's top-level dict."""
    return hasattr(type(value), "write_json")


# Items of a long list encoded at once by the compiled path: a few MB of text in flight.
_SLICE_ITEMS = 4096


def _indented(value: Any, level: int) -> str:
    """``value`` as ``json.dumps(value, ensure_ascii=False, indent=1)`` writes it, nested at
    ``level``: encoded compactly by json's C encoder (which json.dump with ``indent`` does not
    use: the same type checks, scalar forms and errors), then laid out by ``indent_json``."""
    compact = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8", "surrogatepass"
    )
    assert _indent_json is not None  # the caller checked
    return _indent_json(compact, level).decode("utf-8", "surrogatepass")


def _dump_compiled(value: Any, handle: _Text) -> None:
    """ADR 0076: a document (a dict) key by key, its long lists a slice of items at a time, so
    that memory holds a slice's text, not the whole file's (130 MB at a million ads)."""
    if not isinstance(value, dict) or not value:
        handle.write(_indented(value, 0))
        return
    handle.write("{")
    for number, (key, item) in enumerate(value.items()):
        handle.write(("," if number else "") + "\n " + _key(key) + ": ")
        if _spooled(item):
            _write_spooled(item, handle)
            continue
        if not isinstance(item, list) or len(item) <= _SLICE_ITEMS or item is value:
            handle.write(_indented(item, 1))
            continue
        handle.write("[")
        for first in range(0, len(item), _SLICE_ITEMS):
            # "[\n  a,\n  b\n ]" without its brackets: "\n  a,\n  b", slices joined by ",".
            text = _indented(item[first : first + _SLICE_ITEMS], 1)
            handle.write(("," if first else "") + text[1:-3])
        handle.write("\n ]")
    handle.write("\n}")
