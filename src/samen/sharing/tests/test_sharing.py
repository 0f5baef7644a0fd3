"""Sharing a case, revoking it, emergency access and the register that governs both."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from samen.cases import selectors as cases
from samen.cases.models import Case
from samen.cases.services import note_add
from samen.core import policy, register
from samen.core.models import AuditEntry, EmergencyAccess, ProcessingRule
from samen.organisations.models import Organisation
from samen.sharing import services
from samen.signalling.services import PersonInput

IDENTITY = PersonInput(
    name="Synthetische Persoon", date_of_birth=date(1995, 6, 7), nationality="RO", contact="fictief"
)


def shelter() -> Organisation:
    return Organisation.objects.get(name__startswith="Opvang Veilig Onderdak Utrecht")


@pytest.fixture
def case(record):
    return record(person=IDENTITY, forms=["sexual"]).case


def share_with_shelter(actor_for, case, categories):
    return services.share_create(
        actor=actor_for("demo-coordinator", "shelter_placement"),
        case=case,
        recipient=shelter(),
        purpose="shelter_placement",
        categories=categories,
    )


@pytest.mark.django_db
def test_the_initial_register_is_loaded_with_legal_bases():
    assert ProcessingRule.objects.count() > 50
    rule = ProcessingRule.objects.get(
        organisation_type="care_coordination",
        purpose__code="care_coordination",
        category__code="identity",
    )
    assert "AVG" in rule.legal_basis and rule.retention_days > 0 and "shelter" in rule.share_with


@pytest.mark.django_db
def test_statistics_never_include_identity():
    for org_type in ("comensha", "ministry", "rapporteur"):
        assert "identity" not in register.grants_for(org_type, "statistics")


@pytest.mark.django_db
def test_shelters_have_no_basis_for_criminal_data():
    assert "criminal" not in register.grants_for("shelter", "shelter_placement")


def test_a_shelter_sees_exactly_the_shared_categories(case, actor_for):
    share_with_shelter(actor_for, case, ["demographics", "exploitation", "location"])
    seen = cases.case_get(actor=actor_for("demo-shelter"), number=case.number)
    assert seen["access"] == "shared"
    assert {"gender", "age_band", "forms", "municipality"} <= set(seen)
    assert "identity" not in seen and "notes" not in seen


def test_an_investigators_notes_never_reach_a_shelter(case, actor_for):
    from samen.identification.demo import ask_to_assess
    from samen.identification.services import transition_take

    police = actor_for("demo-investigator")
    ask_to_assess(case, investigator=police)  # asked to assess, the police take their own step
    transition_take(actor=police, case=case, code="assessment_start", values={})
    note_add(actor=actor_for("demo-investigator"), case=case, text="Synthetische opsporingsnotitie")
    note_add(actor=actor_for("demo-coordinator"), case=case, text="Synthetische zorgnotitie")
    with pytest.raises(ValidationError) as err:
        share_with_shelter(actor_for, case, ["criminal"])
    assert "criminal" in str(err.value.message_dict["categories"])
    # Even a share that includes free text (and health: a care note is care data) carries the
    # care note, never the investigator's.
    services.share_create(
        actor=actor_for("demo-coordinator"), case=case, recipient=shelter(),
        purpose="shelter_placement",
        categories=["identity", "demographics", "health", "free_text"],
    )  # fmt: skip
    seen = cases.case_get(actor=actor_for("demo-shelter"), number=case.number)
    assert [n["kind"] for n in seen["notes"]] == ["care"]
    coordinator = cases.case_get(actor=actor_for("demo-coordinator"), number=case.number)
    assert {n["kind"] for n in coordinator["notes"]} == {"care"}  # nor do investigators' notes
    investigator = cases.case_get(actor=actor_for("demo-investigator"), number=case.number)
    # nor care notes the police: their grant holds no health data (a care note is care data)
    assert {n["kind"] for n in investigator["notes"]} == {"investigation"}


def test_sharing_outside_the_register_is_refused_with_reasons(case, actor_for):
    ministry = Organisation.objects.get(type="ministry")
    with pytest.raises(ValidationError) as err:
        services.share_create(
            actor=actor_for("demo-coordinator"), case=case, recipient=ministry,
            purpose="statistics", categories=["identity"],
        )  # fmt: skip
    assert "identity" in err.value.message_dict["categories"][0]


def test_invalid_share_input_names_the_fields(case, actor_for):
    with pytest.raises(ValidationError) as err:
        services.share_create(
            actor=actor_for("demo-coordinator"), case=case, recipient=None,
            purpose="nonsense", categories=[],
        )  # fmt: skip
    assert set(err.value.message_dict) == {"recipient", "purpose", "categories"}


def test_only_organisations_working_the_case_may_share_it(case, actor_for):
    with pytest.raises(Http404):
        services.share_create(
            actor=actor_for("demo-coordinator-noord"), case=case, recipient=shelter(),
            purpose="shelter_placement", categories=["demographics"],
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.share_create(
            actor=actor_for("demo-professional"), case=case, recipient=shelter(),
            purpose="shelter_placement", categories=["demographics"],
        )  # fmt: skip


def test_revocation_takes_effect_on_the_next_request(case, actor_for):
    share = share_with_shelter(actor_for, case, ["demographics"])
    shelter_actor = actor_for("demo-shelter")
    assert cases.case_get(actor=shelter_actor, number=case.number)
    services.share_revoke(actor=actor_for("demo-coordinator"), share=share)
    with pytest.raises(Http404):
        cases.case_get(actor=actor_for("demo-shelter"), number=case.number)
    assert case.events.filter(kind="share_revoked").count() == 1


def test_both_sides_see_the_share(case, actor_for):
    share_with_shelter(actor_for, case, ["demographics"])
    given = services.shares_of_organisation(actor=actor_for("demo-coordinator"))["given"]
    received = services.shares_of_organisation(actor=actor_for("demo-shelter"))["received"]
    assert [s.case_id for s in given] == [s.case_id for s in received] == [case.pk]


def test_only_the_sharing_organisation_may_revoke(case, actor_for):
    share = share_with_shelter(actor_for, case, ["demographics"])
    with pytest.raises(PermissionDenied):
        services.share_revoke(actor=actor_for("demo-shelter"), share=share)


def test_emergency_access_needs_a_reason_opens_the_case_and_is_flagged(case, actor_for):
    outsider = actor_for("demo-coordinator-noord")
    with pytest.raises(Http404):
        cases.case_get(actor=outsider, number=case.number)
    with pytest.raises(ValidationError):
        services.emergency_start(actor=outsider, case=case, reason="kort")
    services.emergency_start(
        actor=outsider, case=case, reason="Persoon meldt zich 's nachts bij de opvang"
    )
    seen = cases.case_get(actor=actor_for("demo-coordinator-noord"), number=case.number)
    assert seen["access"] == "emergency" and "identity" in seen
    # The reach as a subquery of another table's query names the outer case (ADR 0058).
    reached = Case.objects.filter(policy.case_filter(outsider)).values("pk")
    assert EmergencyAccess.objects.filter(case__in=reached).count() == 1
    entry = AuditEntry.objects.filter(
        action="case.read", actor_username="demo-coordinator-noord", result="ok"
    ).get()
    assert entry.emergency is True


def test_emergency_access_expires(case, actor_for):
    outsider = actor_for("demo-coordinator-noord")
    access = services.emergency_start(
        actor=outsider, case=case, reason="Acute situatie, synthetisch"
    )
    EmergencyAccess.objects.filter(pk=access.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(Http404):
        cases.case_get(actor=actor_for("demo-coordinator-noord"), number=case.number)


def test_emergency_access_is_reviewed_by_the_privacy_officer(case, actor_for):
    access = services.emergency_start(
        actor=actor_for("demo-coordinator-noord"), case=case, reason="Acute situatie, synthetisch"
    )
    with pytest.raises(PermissionDenied):
        services.emergency_review(
            actor=actor_for("demo-coordinator"), access=access, verdict="justified"
        )
    services.emergency_review(actor=actor_for("demo-privacy"), access=access, verdict="justified")
    access.refresh_from_db()
    assert access.review_verdict == "justified" and access.reviewed_by.username == "demo-privacy"


def test_a_second_review_of_one_emergency_access_is_refused_and_audited(case, actor_for):
    access = services.emergency_start(
        actor=actor_for("demo-coordinator-noord"), case=case, reason="Acute situatie, synthetisch"
    )
    stale = EmergencyAccess.objects.get(pk=access.pk)  # the page a second officer still shows
    officer = actor_for("demo-privacy")
    services.emergency_review(actor=officer, access=access, verdict="justified")
    with pytest.raises(ValidationError):
        services.emergency_review(actor=officer, access=stale, verdict="unjustified")
    assert EmergencyAccess.objects.get(pk=access.pk).review_verdict == "justified"
    refused = AuditEntry.objects.filter(
        action="emergency.update", object_id=str(access.pk), result="refused"
    )
    assert refused.count() == 1


def test_the_privacy_officer_edits_the_register_and_the_change_is_audited(actor_for):
    rule = ProcessingRule.objects.filter(category__code="contact").first()
    services.register_rule_update(
        actor=actor_for("demo-privacy"), rule=rule, legal_basis="AVG art. 6 lid 1 sub e",
        sector_law="", retention_days=30, share_with=["shelter"],
    )  # fmt: skip
    rule.refresh_from_db()
    assert rule.retention_days == 30 and rule.share_with == ["shelter"]
    entry = AuditEntry.objects.get(action="register.update")
    assert "retention_days" in entry.fields and entry.detail["before"]
    with pytest.raises(PermissionDenied):
        services.register_rule_update(
            actor=actor_for("demo-coordinator"), rule=rule, legal_basis="x", sector_law="",
            retention_days=1, share_with=[],
        )  # fmt: skip
    with pytest.raises(ValidationError) as err:
        services.register_rule_update(
            actor=actor_for("demo-privacy"), rule=rule, legal_basis="", sector_law="",
            retention_days=0, share_with=["martians"],
        )  # fmt: skip
    assert set(err.value.message_dict) == {"legal_basis", "retention_days", "share_with"}


def test_a_role_with_several_purposes_sees_per_purpose(case, actor_for):
    registrar_for_statistics = actor_for("demo-registrar", "statistics")
    seen = cases.case_get(actor=registrar_for_statistics, number=case.number)
    assert "identity" not in seen and "gender" in seen
    assert "identity" in cases.case_get(actor=actor_for("demo-registrar"), number=case.number)


def test_a_purpose_outside_the_role_falls_back_to_its_default(actor_for):
    assert actor_for("demo-shelter", "investigation").purpose == "shelter_placement"
