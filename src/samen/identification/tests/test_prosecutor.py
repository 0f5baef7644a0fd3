"""The OM as a role of its own (issue #14): the public prosecutor reads and records the criminal
case beside the path and the residence facts its decisions act on, under the register's
prosecution purpose; care, health, exploitation details, contact, location and notes stay out of
its reach, and every refusal is in the audit trail."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from samen.cases import lifecycle
from samen.cases.services import note_add
from samen.core import policy, register
from samen.core.models import AuditEntry
from samen.identification import selectors, services
from samen.identification.demo import refer_to_prosecution
from samen.identification.models import PathStep
from samen.sharing.services import share_create
from samen.signalling.services import PersonInput

pytestmark = pytest.mark.django_db
TODAY = date.today()


def ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


def take(actor, case, code, **values):
    return services.transition_take(actor=actor, case=case, code=code, values=values)


@pytest.fixture
def reported(record, actor_for):
    """A foreign adult's case with identity and a care note, reported to the police, the B8/3
    permit granted, and passed on to the OM."""
    from samen.identification.demo import ask_to_assess

    case = record(person=PersonInput(name="Synthetische Persoon", contact="fictief adres")).case
    police = actor_for("demo-investigator")
    ask_to_assess(case, investigator=police)
    note_add(actor=actor_for("demo-coordinator"), case=case, text="zorgnotitie synthetisch")
    services.path_facts_set(
        actor=police,
        case=case,
        foreign_national=True,
        lawful_residence=False,
        unaccompanied=False,
        age_assessment="documented",
    )
    take(police, case, "assessment_start")
    take(police, case, "indication_establish", established_on=ago(6))
    take(police, case, "report_record", reported_on=ago(5), kind="report", police_unit="Midden")
    return case


def test_demo_om_is_a_prosecutor_under_the_prosecution_purpose_only(actor_for):
    om = actor_for("demo-om")
    assert (om.role, om.purpose) == ("prosecutor", "prosecution")
    assert register.purposes_of_role("prosecutor") == ["prosecution"]
    assert set(register.grants_for("prosecution", "prosecution")) == {
        "identity",
        "demographics",
        "criminal",
        "prosecution_decisions",
        "immigration",
    }
    # The OM no longer holds the police's investigation grant.
    assert register.grants_for("prosecution", "investigation") == {}


def test_the_prosecutor_records_decisions_and_reads_the_criminal_case_and_residence_facts(
    actor_for, api_for, web_for, reported, ind
):
    police, om = actor_for("demo-investigator"), actor_for("demo-om")
    take(ind, reported, "b83_grant", decided_on=ago(4), permit_starts_on=ago(4))
    refer_to_prosecution(reported, investigator=police)
    take(om, reported, "investigation_start", decided_on=ago(3))
    take(om, reported, "prosecution_dismiss", decided_on=ago(2), ground="policy")
    assert PathStep.objects.filter(path__case=reported, organisation=om.organisation).count() == 2
    access = policy.case_access(om, [reported.pk])[reported.pk]
    assert access.relation is policy.Relation.PROSECUTING

    path = selectors.path_get(actor=om, case=reported)
    shown = {s["transition"]: s["values"] for s in path["steps"]}
    assert shown["report_record"]["police_unit"] == "Midden"  # the report: criminal data
    assert shown["prosecution_dismiss"]["ground"] == "policy"
    assert "b83_grant" in shown  # the permit its decisions act on
    assert path["recorded"]["foreign_national"] == "yes"  # the B8/3 facts
    # The assessment of the exploitation is not the OM's to read here.
    assert "assessment_start" not in shown and "indication_establish" not in shown
    assert "advice" not in path and "htcds_status" not in path

    body = api_for("demo-om").get(f"/api/v1/cases/{reported.number}/").json()
    assert body["access"] == "prosecuting"
    assert body["identity"] == {"name": "Synthetische Persoon"}  # not the contact details
    for key in ("forms", "signals", "municipality", "region", "notes"):
        assert key not in body
    page = web_for("demo-om").get(f"/zaken/{reported.number}/").content.decode()
    assert "zorgnotitie synthetisch" not in page and "fictief adres" not in page


def test_the_prosecutor_is_refused_what_is_not_its_own_and_each_refusal_is_audited(
    actor_for, record, reported, ind
):
    police, om = actor_for("demo-investigator"), actor_for("demo-om")
    # A case the police did not pass on and the OM took no step on: out of reach, like a
    # missing case.
    with pytest.raises(Http404):
        selectors.path_get(actor=om, case=reported)
    assert AuditEntry.objects.filter(
        actor=om.user, object_id=reported.number, result="not_found"
    ).exists()
    # The register lets the police pass no exploitation details or free text to the OM.
    with pytest.raises(ValidationError) as refused:
        share_create(
            actor=police,
            case=reported,
            recipient=om.organisation,
            purpose="prosecution",
            categories=["criminal", "exploitation", "free_text"],
        )
    assert "exploitation" in str(refused.value) and "free_text" in str(refused.value)
    refer_to_prosecution(reported, investigator=police)
    # Not the OM's decisions: the IND's permit, the coordinator's closing, a care note.
    with pytest.raises(PermissionDenied):
        take(om, reported, "b83_grant", decided_on=ago(1), permit_starts_on=ago(1))
    with pytest.raises(PermissionDenied):
        lifecycle.case_close(actor=om, case=reported, reason="other")
    with pytest.raises(PermissionDenied):
        note_add(actor=om, case=reported, text="notitie")
    denied = set(
        AuditEntry.objects.filter(
            actor=om.user, object_id=reported.number, result="denied"
        ).values_list("action", flat=True)
    )
    assert {"identification_path.update", "case.update", "case.note"} <= denied
    # And the police may not record the prosecution's decisions.
    with pytest.raises(PermissionDenied):
        take(police, reported, "prosecution_dismiss", decided_on=ago(1), ground="policy")
