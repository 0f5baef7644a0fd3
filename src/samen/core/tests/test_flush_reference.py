"""The flush between transactional tests puts the reference list back before post_migrate
(src/samen/conftest.py, `reference_back_on_flush`; ADR 0078)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samen.conftest import _REFERENCE, reference_back_on_flush, reference_rows
from samen.core.tests import approle
from samen.organisations.reference import load_reference, read_municipalities

WRITES = ("INSERT", "UPDATE")


def _writes(queries: list[dict], table: str = "") -> list[str]:
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(WRITES) and table in q["sql"]
    ]


@pytest.mark.django_db(transaction=True)
def test_a_flush_puts_the_reference_list_back_as_migrating_loaded_it():
    """A flush as the suite's teardown runs it leaves the rows, ids and all, that the session
    found after migrating, written a table at a time: the loader (post_migrate) found the whole
    list and returned without writing, where it used to write every municipality anew. Run
    again, it still writes nothing: the list is the bundled file's."""
    taken = _REFERENCE[connection.alias]
    municipalities = next(rows for model, rows in taken if model.__name__ == "Municipality")
    assert len(municipalities) == len(read_municipalities())
    with (
        CaptureQueriesContext(connection) as flushing,
        approle.as_owner(),
        reference_back_on_flush(),
    ):
        call_command("flush", verbosity=0, interactive=False, reset_sequences=False)
    assert reference_rows(connection.alias) == taken
    # One INSERT of many rows (SQLite: at most two, its limit on parameters), not one each.
    assert len(_writes(flushing.captured_queries, "organisations_municipality")) <= 2
    with CaptureQueriesContext(connection) as loading:
        load_reference(using=connection.alias)
    assert _writes(loading.captured_queries) == []
