"""The audit append prepares each value of an entry as the model's own field does (ADR 0105):
the shortcut per field class gives what `get_db_prep_save` gives, value and type, for the
values an entry holds and for odd ones (which take the field's own method)."""

import warnings
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections
from django.utils.translation import gettext_lazy

from samen.core import audit

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
VALUES = [
    None, "", "x", "é ‘quoted’", "12", 0, 1, -7, 2**40, True, False, 1.5, Decimal("3"),
    datetime(2026, 10, 25, 1, 30, tzinfo=UTC), datetime(2026, 10, 25, 2, 30, tzinfo=AMSTERDAM),
    datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=AMSTERDAM), datetime(1, 1, 1, tzinfo=UTC),
    datetime(2026, 3, 29, 2, 30), gettext_lazy("allowed"), ["a"], {"a": [1, "b"]}, [], {},
]  # fmt: skip


def _seen(prepare, value):
    """What preparing gives (its type and repr, Jsonb by its value), or the error it raises."""
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        try:
            out = prepare(value)
        except Exception as exc:
            return ("raised", type(exc))
    if hasattr(out, "obj") and hasattr(out, "dumps"):  # psycopg's Jsonb
        return (type(out), repr(out.obj))
    return (type(out), repr(out))


def test_each_fields_shortcut_prepares_as_the_field():
    db = connections[connection.alias]
    named = audit._tables().named_fields
    preparers = audit._preparers(db)
    assert len(preparers) == len(named)
    for (name, field), prepare in zip(named, preparers, strict=True):
        for value in VALUES:
            expected = _seen(lambda v: field.get_db_prep_save(v, db), value)  # noqa: B023
            assert _seen(prepare, value) == expected, (name, value)


def test_the_shortcuts_cover_the_entrys_plain_fields(monkeypatch):
    """The fields an entry fills with str, int, bool and times take a shortcut for those values
    (so the test above compares the shortcuts with the fields' own method): with that method
    made to fail, they still prepare them."""
    db = connections[connection.alias]
    named = dict(audit._tables().named_fields)
    plain = {
        "seq": 5, "at": datetime(2026, 1, 2, tzinfo=UTC), "actor_id": 3, "actor_username": "u",
        "organisation_id": 4, "emergency": True, "form": 2, "hash": "0" * 64,
    }  # fmt: skip
    for name, value in plain.items():
        field = named[name]
        with monkeypatch.context() as m:
            m.setattr(field, "get_db_prep_save", lambda *a: pytest.fail(name))  # noqa: B023
            shortcut = audit._preparer(field, db)(value)
        assert _seen(lambda v: v, shortcut) == _seen(
            lambda v: field.get_db_prep_save(v, db),  # noqa: B023
            value,
        ), name
