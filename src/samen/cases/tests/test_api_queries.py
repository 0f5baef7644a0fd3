"""An API read costs a fixed, small number of statements besides its audit entry, whatever the
page holds (ADR 0051): the token carries the request's checks and the register's version, the
list page is one query, the case page reads its forms and identity with the case."""

from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext

from samen.core import register
from samen.core.models import ProcessingRule

# The audit append is counted by its own tests (samen.core.tests.test_audit_write).
AUDIT_TABLES = ("sharing_auditchainhead", "sharing_auditentry", "sharing_auditsubject")


def statements(client, path: str) -> list[str]:
    """The statements of one request outside the audit append (its answer must be a 200)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, response.content[:200]
    return [q["sql"] for q in ctx.captured_queries if not any(t in q["sql"] for t in AUDIT_TABLES)]


def test_the_case_list_is_the_token_and_one_query_however_many_rows(api_for, record):
    client = api_for("demo-registrar")
    record()
    client.get("/api/v1/cases/")  # the register is read; the token's first use is noted
    one_row = statements(client, "/api/v1/cases/")
    for i in range(3):
        record("demo-hotel", notes=f"notitie {i}")
    page = client.get("/api/v1/cases/?page_size=2").json()
    assert len(page["results"]) == 2 and page["next"]
    more_rows = statements(client, "/api/v1/cases/")
    # The token known since its first use (read then with its user, membership and device),
    # checked by the auth and the register version tokens (ADR 0074); the page.
    assert len(one_row) == len(more_rows) == 2, more_rows
    assert "accounts_authversion" in more_rows[0] and "sharing_registerversion" in more_rows[0]
    nxt = page["next"].split("/api/v1/cases/", 1)[1]
    assert len(statements(client, f"/api/v1/cases/{nxt}")) == 2
    coordinator = api_for("demo-coordinator")
    coordinator.get("/api/v1/cases/")  # a token's first use notes when it was used
    assert len(statements(coordinator, "/api/v1/cases/?form=labour")) == 2


def test_the_case_page_takes_five_queries(api_for, record):
    number = record(notes="eerste").case.number
    client = api_for("demo-registrar")
    client.get(f"/api/v1/cases/{number}/")
    # The token; the case with its reach, forms and identity; its signals, their indicators;
    # its timeline.
    assert len(statements(client, f"/api/v1/cases/{number}/")) == 5


def test_the_register_version_is_read_once_per_request_and_again_after_a_change(db):
    # As Django's test client does: the request's signals without closing the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    request_started.send(sender=None)
    try:
        with CaptureQueriesContext(connection) as ctx:
            first = register.register_version()
            assert register.register_version() == first
        assert len(ctx.captured_queries) == 1
        rule = ProcessingRule.objects.first()
        rule.legal_basis = "changed in this request"
        rule.save(update_fields=["legal_basis"])
        # The request sees its own change to the register.
        assert register.register_version() != first
        assert any(
            g.legal_basis == "changed in this request"
            for g in register.grants_for(rule.organisation_type, rule.purpose.code).values()
        )
    finally:
        request_finished.send(sender=None)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    with CaptureQueriesContext(connection) as ctx:  # outside a request: read every time
        register.register_version()
        register.register_version()
    assert len(ctx.captured_queries) == 2
