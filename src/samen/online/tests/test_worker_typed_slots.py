"""ADR 0106: the compiled ``typed_fields`` reads a struct's fields from their slots only while
that is what attribute access reads: for the typed decoder's records it gives the definition's
values (``test_worker_gate_pass`` compares them on thousands), and here a type of the same
fields in another order, a subclass that makes a field a property, a type changed after its
slots were read, and an object that is not a struct each give what the definition gives."""

from types import SimpleNamespace

import msgspec
import pytest

from samen.online.engine import reader

_tokens = pytest.importorskip("samen.online.engine._tokens")

_VALUES = {
    "id": "a1",
    "url": " https://example.test/1 ",
    "platform": "p",
    "posted_at": "2024-01-02T03:04:05Z",
    "city": " Utrecht ",
    "title": "Title",
    "text": "Text",
    "phone": "0612345678",
    "email": "x@example.nl",
    "image_hashes": ["ab"],
    "price": 80,
    "age": 25,
}


class _Reversed(msgspec.Struct):
    """The decoder's fields in the reverse order: each at another offset."""

    age: int | str | None = None
    price: int | str | None = None
    image_hashes: list[str] | str | None = None
    email: str | None = None
    phone: str | None = None
    text: str | None = None
    title: str | None = None
    city: str | None = None
    posted_at: str | None = None
    platform: str | None = None
    url: str | None = None
    id: str | None = None


class _TextAsProperty(reader._Fields):
    @property
    def text(self) -> str:  # type: ignore[override]
        return "from the property"


def _same(record) -> None:
    assert _tokens.typed_fields(record) == reader.typed_fields(record)


def test_each_kind_of_record_gives_the_definitions_fields():
    plain = reader._Fields(**_VALUES)
    for record in (
        plain,
        _Reversed(**_VALUES),
        plain,
        _TextAsProperty(**_VALUES),
        SimpleNamespace(**_VALUES),
        plain,
    ):
        _same(record)
    assert _tokens.typed_fields(_TextAsProperty(**_VALUES))[5] == "from the property"
    assert _tokens.typed_fields(_Reversed(**_VALUES))[0] == "a1"


def test_a_type_changed_after_its_slots_were_read_is_read_anew():
    class Changing(msgspec.Struct):
        id: str | None = None
        url: str | None = None
        posted_at: str | None = None
        city: str | None = None
        title: str | None = None
        text: str | None = None
        phone: str | None = None
        email: str | None = None
        image_hashes: list[str] | str | None = None
        price: int | str | None = None
        age: int | str | None = None

    values = {k: v for k, v in _VALUES.items() if k != "platform"}
    record = Changing(**values)
    _same(record)
    Changing.title = property(lambda self: "changed")  # type: ignore[assignment]
    assert _tokens.typed_fields(record)[4] == "changed"
    _same(record)
