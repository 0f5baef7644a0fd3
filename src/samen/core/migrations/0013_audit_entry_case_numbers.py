from django.db import migrations, models

import samen.core.models

ENTRIES = "sharing_auditentry"
SUBJECTS = "sharing_auditsubject"
GIN_INDEX = "sharing_auditentry_case_numbers_gin"
TRIGGER = "samen_audit_append_only"


def rows_into_arrays(apps, schema_editor):
    """PostgreSQL: each entry's subject rows into its `case_numbers` (sorted bytewise, as the
    hashed message orders them; duplicates kept, so a tampered row still fails verify), then
    the rows removed and the array indexed. A row naming no entry was shown by no reader and
    goes. The entries' append-only trigger is off for this one statement (the migration runs
    as the owner, in one transaction)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    # Deferred checks of earlier writes in this transaction must fire before the table is altered.
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    schema_editor.execute(f"ALTER TABLE {ENTRIES} DISABLE TRIGGER {TRIGGER}")
    schema_editor.execute(
        f"UPDATE {ENTRIES} e SET case_numbers = s.numbers FROM (SELECT entry_id, "  # noqa: S608
        f'array_agg(case_number ORDER BY case_number COLLATE "C") AS numbers FROM {SUBJECTS} '
        "GROUP BY entry_id) s WHERE e.id = s.entry_id"
    )
    schema_editor.execute(f"ALTER TABLE {ENTRIES} ENABLE TRIGGER {TRIGGER}")
    schema_editor.execute(f"DELETE FROM {SUBJECTS}")  # noqa: S608
    schema_editor.execute(f"CREATE INDEX {GIN_INDEX} ON {ENTRIES} USING gin (case_numbers)")


def arrays_into_rows(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {GIN_INDEX}")
    schema_editor.execute(
        f"INSERT INTO {SUBJECTS} (entry_id, case_number) SELECT e.id, n "  # noqa: S608
        f"FROM {ENTRIES} e, unnest(e.case_numbers) AS u(n) ORDER BY e.id, n"
    )


class Migration(migrations.Migration):
    """An audit entry's case numbers in the entry itself on PostgreSQL (ADR 0086): one array
    under a GIN index in place of one subject row (and three index entries) per case. SQLite
    keeps its subject rows; the column stays empty there."""

    dependencies = [
        ("sharing", "0012_audit_subject_without_constraint_and_like_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="case_numbers",
            field=samen.core.models.CaseNumbersField(
                base_field=models.CharField(max_length=16),
                blank=True,
                null=True,
                size=None,
            ),
        ),
        migrations.RunPython(rows_into_arrays, arrays_into_rows, elidable=False),
    ]
