"""The PostgreSQL test run acts as the application's role, which owns no table (issue #12,
What to build 5), when SAMEN_TEST_DB_ROLE names it (.ci/run does): so every test that passes
proves the application needs no owner rights for what it did."""

import pytest
from django.db import connection

from samen.core.tests import approle


@pytest.mark.postgres_only
def test_the_suite_acts_as_a_role_that_owns_no_table(db):
    if connection.vendor != "postgresql" or not approle.app_role():
        pytest.skip("PostgreSQL with SAMEN_TEST_DB_ROLE only")
    assert approle.current_role() == approle.app_role()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = "
            "current_user"
        )
        assert cur.fetchone()[0] == 0, "the application role owns tables"
        cur.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        assert cur.fetchone()[0] > 0


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_transactional_tests_run_as_that_role_too_and_flush_as_the_owner(record):
    """A transactional test writes audit entries as the application; the flush after it (as
    the owner) empties the append-only table, which the application itself may not."""
    if connection.vendor != "postgresql" or not approle.app_role():
        pytest.skip("PostgreSQL with SAMEN_TEST_DB_ROLE only")
    from samen.core.models import AuditEntry

    assert approle.current_role() == approle.app_role()
    record()
    assert AuditEntry.objects.exists()
