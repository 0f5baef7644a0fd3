"""The register is kept in memory per process and read again whenever it changed, by whatever
means; the policy resolves every relation to a set of cases in one query (ADR 0028)."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from samen.core import policy, register
from samen.core.policy import Relation

COORDINATION = ("care_coordination", "care_coordination")


def rule_reads(ctx: CaptureQueriesContext) -> int:
    return sum("sharing_processingrule" in q["sql"] for q in ctx.captured_queries)


def test_the_register_is_read_again_only_after_a_change_by_any_means(db):
    register.grants_for(*COORDINATION)
    with CaptureQueriesContext(connection) as ctx:
        assert "identity" in register.grants_for(*COORDINATION)
        assert register.purposes_of_role("care_coordinator")[0] == "care_coordination"
    assert rule_reads(ctx) == 0 and len(ctx.captured_queries) == 2  # the version token, twice
    with connection.cursor() as cursor:  # as another process or a console would
        cursor.execute(
            "UPDATE sharing_processingrule SET legal_basis = %s WHERE organisation_type = %s",
            ["changed elsewhere", "care_coordination"],
        )
    assert register.grants_for(*COORDINATION)["identity"].legal_basis == "changed elsewhere"
    before = "changed elsewhere"

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE sharing_processingrule SET legal_basis = 'rolled back'")
        assert register.grants_for(*COORDINATION)["identity"].legal_basis == "rolled back"
        raise Undo
    assert register.grants_for(*COORDINATION)["identity"].legal_basis == before
    # A later, different change is not answered from what the rolled back one cached.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE sharing_processingrule SET legal_basis = 'later'")
    assert register.grants_for(*COORDINATION)["identity"].legal_basis == "later"


def test_every_relation_to_the_cases_is_resolved_in_one_query(record, actor_for):
    mine = record().case  # in the coordinator's region
    elsewhere = record("demo-field-vr01", municipality="GM0014").case
    actor = actor_for("demo-coordinator")
    policy.grants(actor)  # the register, memoised per actor
    with CaptureQueriesContext(connection) as ctx:
        access = policy.case_access(actor, [mine.pk, elsewhere.pk])
    assert len(ctx.captured_queries) == 1
    assert access[mine.pk].relation is Relation.RESPONSIBLE and elsewhere.pk not in access
