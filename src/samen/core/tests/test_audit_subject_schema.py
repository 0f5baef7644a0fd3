"""The audit subject rows' table after migration 0012 (ADR 0073): no foreign-key constraint on
the entry and no LIKE index on the case number, the indexes the report and verify use kept."""

import pytest
from django.db import connection

from samen.core.models import AuditSubject

TABLE = AuditSubject._meta.db_table


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_the_subject_rows_have_their_lookup_indexes_and_nothing_more():
    if connection.vendor != "postgresql":
        pytest.skip("the LIKE index and the deferred constraint are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [TABLE])
        indexes = sorted(row[0].split(" USING btree ")[1] for row in cursor.fetchall())
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
            [TABLE],
        )
        foreign = cursor.fetchall()
    # The primary key, the report's look-up by case number, verify's (entry, case number).
    assert indexes == ["(case_number)", "(entry_id, case_number)", "(id)"]
    assert foreign == []
