"""The case list's statement, compiled once per process and scope (ADR 0057), answers exactly as
the ORM's query built for each call would: for each actor its own cases, after a change of the
membership, the organisation or the register at once, the clock read at each call."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from samen.api.base import present_many
from samen.cases import selectors
from samen.cases import serializers as s
from samen.core import policy
from samen.core.models import EmergencyAccess, ProcessingRule
from samen.organisations.models import Membership, Municipality, Organisation


def numbers(client, path: str = "/api/v1/cases/") -> set[str]:
    response = client.get(path)
    assert response.status_code == 200, response.content[:200]
    return {row["number"] for row in response.json()["results"]}


def test_each_actor_lists_its_own_cases_from_a_statement_of_the_same_shape(api_for, record):
    near = record().case.number  # the professional's region: demo-coordinator's
    north, here = api_for("demo-coordinator-noord"), api_for("demo-coordinator")
    for _ in range(2):  # the second round comes from the compiled statements
        assert near in numbers(here) and near not in numbers(north)


def test_a_membership_moved_to_another_organisation_lists_that_organisations_cases(api_for, record):
    near = record().case.number
    north = api_for("demo-coordinator-noord")
    assert near not in numbers(north)
    here = Membership.objects.get(user__username="demo-coordinator").organisation_id
    Membership.objects.filter(user__username="demo-coordinator-noord").update(organisation=here)
    assert near in numbers(north)


def test_an_organisation_moved_to_another_region_lists_that_regions_cases(api_for, record):
    near = record().case.number
    north = api_for("demo-coordinator-noord")
    assert near not in numbers(north)
    org = Organisation.objects.get(memberships__user__username="demo-coordinator-noord")
    region = Membership.objects.get(
        user__username="demo-coordinator"
    ).organisation.municipality.region_id
    moved = Municipality.objects.filter(region_id=region).order_by("id").first()
    Organisation.objects.filter(pk=org.pk).update(municipality=moved)
    assert near in numbers(north)


def test_an_emergency_access_ends_in_the_list_when_it_expires_not_when_compiled(
    api_for, record, actor_for
):
    case = record().case
    north = api_for("demo-coordinator-noord")
    actor = actor_for("demo-coordinator-noord")
    EmergencyAccess.objects.create(
        case=case, user=actor.user, organisation=actor.organisation, role=actor.role,
        reason="Acute situatie, synthetisch", started_at=timezone.now(),
        expires_at=timezone.now() + timedelta(hours=1),
    )  # fmt: skip
    assert case.number in numbers(north)  # the statement is compiled with the clock of now
    # Expired after the statement was compiled: a clock kept in it would still show the case.
    EmergencyAccess.objects.filter(case=case).update(expires_at=timezone.now())
    assert case.number not in numbers(north)


def test_a_register_change_compiles_the_list_anew(api_for, record):
    record()
    client = api_for("demo-registrar")
    numbers(client)
    compiled = selectors.LIST_TEMPLATES.compiled
    numbers(client)
    assert selectors.LIST_TEMPLATES.compiled == compiled  # the same scope: compiled once
    rule = ProcessingRule.objects.order_by("id").first()
    rule.save()  # any write to the register gives it a new version
    numbers(client)
    assert selectors.LIST_TEMPLATES.compiled == compiled + 1


def test_pages_by_cursor_follow_the_cursor_of_each_call(api_for, record):
    made = [record().case.number for _ in range(5)]
    client = api_for("demo-coordinator")
    seen, path = [], "/api/v1/cases/?page_size=2"
    while path:
        page = client.get(path).json()
        seen += [row["number"] for row in page["results"]]
        path = page["next"] and page["next"].split("testserver", 1)[1]
    assert sorted(seen) == sorted(set(seen)) and set(made) <= set(seen)


def test_the_relations_read_no_database_while_the_reach_is_built(world):
    # The compiled statement is keyed by the organisation's row: a condition that read other
    # rows while being built would be kept stale in it.
    for rule in policy.RELATIONS:
        for org in Organisation.objects.filter(type__in=rule.organisation_types).select_related(
            "municipality"
        )[:2]:
            with CaptureQueriesContext(connection) as ctx:
                rule.cases(org)
            assert not ctx.captured_queries, (rule.relation, ctx.captured_queries)


def test_the_list_presents_each_row_as_the_case_serializer_does(actor_for, record):
    for _ in range(2):
        record(forms=["sexual", "labour"])
    for username in ("demo-registrar", "demo-coordinator", "demo-investigator"):
        actor = actor_for(username)
        rows = selectors.case_search_after(
            actor=actor, filters=selectors.CaseFilters(), per_page=10
        ).rows
        want = [dict(row) for row in s.CaseSerializer(rows, many=True).data]
        assert present_many(s.CaseSerializer, rows) == want


def test_a_query_validated_before_is_refused_or_answered_alike_again(api_for, record):
    record(forms=["labour"])
    client = api_for("demo-coordinator")
    for _ in range(2):  # the second time from the validated queries kept per process
        assert client.get("/api/v1/cases/?form=labour&count=true").json()["count"] == 1
        refused = client.get("/api/v1/cases/?form=labour&opened_from=gisteren")
        assert refused.status_code == 400 and "opened_from" in refused.json()["fields"]
