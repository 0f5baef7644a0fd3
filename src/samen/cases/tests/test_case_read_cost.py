"""What the policy adds to a case read stays small on the database (issue #20, ADR 0058): the
case's query joins only the rows every read shows; the policy's reach, the presumed minority and
the sealed identity are columns planned on their own, not more joins for the planner to order."""

import json
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samen.cases import selectors as cases
from samen.signalling.services import PersonInput

PERSON = PersonInput(name="Synthetische Persoon", date_of_birth=date(1990, 1, 2), nationality="BG")
# The case, its person, its municipality and region, its responsible organisation.
SHOWN = {
    "cases_case",
    "cases_person",
    "organisations_municipality",
    "organisations_safetyregion",
    "organisations_organisation",
}


def joined(plan: dict) -> set[str]:
    """The tables of a plan's own join tree, not those of its subplans (planned apart)."""
    if plan.get("Parent Relationship") in ("SubPlan", "InitPlan"):
        return set()
    found = {plan["Relation Name"]} if "Relation Name" in plan else set()
    for child in plan.get("Plans", []):
        found |= joined(child)
    return found


def test_the_case_query_joins_only_the_rows_every_read_shows(record, actor_for):
    if connection.vendor != "postgresql":
        pytest.skip("the query plan is PostgreSQL's")
    number = record(person=PERSON).case.number
    with CaptureQueriesContext(connection) as ctx:
        data = cases.case_get(actor=actor_for("demo-coordinator"), number=number)
    assert data["identity"]["name"] == PERSON.name and "minor" in data  # read with the case
    (sql,) = [q["sql"] for q in ctx.captured_queries if '"reach_shared"' in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        (plan,) = cursor.fetchone()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    assert joined(plan[0]["Plan"]) == SHOWN
