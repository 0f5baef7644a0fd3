"""An audit entry's case numbers as the tests read them and tamper with them, on either storage
(ADR 0086): PostgreSQL keeps them in the entry's own `case_numbers` (an array), SQLite as one
AuditSubject row each. The tamper statements are the intruder's: each test runs them as it runs
its other changes (as the owner, the entries' append-only trigger switched off)."""

from __future__ import annotations

from django.db import connection

from samen.core.models import AuditEntry, AuditSubject

ENTRIES = AuditEntry._meta.db_table
ROWS = AuditSubject._meta.db_table


def in_entries() -> bool:
    return connection.vendor == "postgresql"


def numbers_of(entry: AuditEntry | int) -> list[str]:
    """The case numbers stored for this entry, sorted (duplicates kept)."""
    pk = entry if isinstance(entry, int) else entry.pk
    if in_entries():
        stored = AuditEntry.objects.filter(pk=pk).values_list("case_numbers", flat=True).first()
        return sorted(stored or [])
    return sorted(AuditSubject.objects.filter(entry_id=pk).values_list("case_number", flat=True))


def all_numbers() -> list[str]:
    """Every stored case number of every entry, sorted (duplicates kept)."""
    if in_entries():
        arrays = AuditEntry.objects.values_list("case_numbers", flat=True)
        return sorted(n for numbers in arrays for n in numbers or [])
    return sorted(AuditSubject.objects.values_list("case_number", flat=True))


def changed(old: str, new: str, entry_id: int | None = None) -> tuple[str, list]:
    """A statement that turns case number `old` into `new` (in one entry, or wherever)."""
    if in_entries():
        where, params = ("AND id = %s", [entry_id]) if entry_id is not None else ("", [])
        return (
            f"UPDATE {ENTRIES} SET case_numbers = array_replace(case_numbers, "
            f"%s::varchar, %s::varchar) WHERE %s = ANY(case_numbers) {where}",
            [old, new, old, *params],
        )
    where, params = ("AND entry_id = %s", [entry_id]) if entry_id is not None else ("", [])
    return (
        f"UPDATE {ROWS} SET case_number = %s WHERE case_number = %s {where}",
        [new, old, *params],
    )


def removed(number: str, entry_id: int | None = None) -> tuple[str, list]:
    """A statement that removes case number `number` (from one entry, or wherever)."""
    if in_entries():
        where, params = ("AND id = %s", [entry_id]) if entry_id is not None else ("", [])
        return (
            f"UPDATE {ENTRIES} SET case_numbers = array_remove(case_numbers, %s::varchar) "
            f"WHERE %s = ANY(case_numbers) {where}",
            [number, number, *params],
        )
    where, params = ("AND entry_id = %s", [entry_id]) if entry_id is not None else ("", [])
    return f"DELETE FROM {ROWS} WHERE case_number = %s {where}", [number, *params]


def added(entry_id: int, number: str | None) -> tuple[str, list]:
    """A statement that adds case number `number` to an entry (on PostgreSQL None adds a NULL
    element, which no append writes)."""
    if in_entries():
        return (
            f"UPDATE {ENTRIES} SET case_numbers = "
            "array_append(COALESCE(case_numbers, '{}'), %s::varchar) WHERE id = %s",
            [number, entry_id],
        )
    return f"INSERT INTO {ROWS} (entry_id, case_number) VALUES (%s, %s)", [entry_id, number]


def cleared(entries_where: str) -> str:
    """A statement that removes every case number of the entries `WHERE <entries_where>` (a
    condition on the entry table's columns, its parameters the caller's)."""
    if in_entries():
        return f"UPDATE {ENTRIES} SET case_numbers = NULL WHERE {entries_where}"
    return f"DELETE FROM {ROWS} WHERE entry_id IN (SELECT id FROM {ENTRIES} WHERE {entries_where})"
