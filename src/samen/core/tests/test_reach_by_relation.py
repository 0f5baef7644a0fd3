"""Reach by relation: an organisation reaches a person's case only through a relation the
register names (policy.RELATIONS), a share, or flagged emergency access, never by its role alone.

The matrix at the end sets up one case per relation and checks, for every demo user that reads
cases, the case list (page and API) and the case detail (page and API) against one table."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from samen.cases import selectors as cases
from samen.cases.models import Case
from samen.core import policy
from samen.core.models import AuditEntry, CaseShare
from samen.identification import services as identification
from samen.identification.demo import ask_to_assess
from samen.identification.models import IdentificationPath, PathStep
from samen.organisations.models import Municipality, Organisation, OrganisationType, Role
from samen.sharing.services import share_create, share_revoke
from samen.signalling import selectors as signals
from samen.signalling.models import Signal
from samen.signalling.services import PersonInput

pytestmark = pytest.mark.django_db

IDENTITY = PersonInput(
    name="Synthetische Persoon", date_of_birth=date(1990, 1, 2), nationality="BG"
)
GRONINGEN = "GM0014"  # safety region VR01: not the Utrecht demo users' region


def visible(actor) -> set[str]:
    page = cases.case_search(actor=actor, filters=cases.CaseFilters(), per_page=100)
    return {c["number"] for c in page.object_list}


def step(case: Case, transition: str, organisation: Organisation) -> None:
    """A step on the path as the table of steps holds it (what the policy reads)."""
    path, _ = IdentificationPath.objects.get_or_create(
        case=case,
        defaults={
            "definition": identification.current_definition(),
            "state": "signalled",
            "started_at": timezone.now(),
        },
    )
    PathStep.objects.create(
        path=path,
        transition=transition,
        source="x",
        target="y",
        organisation=organisation,
        at=timezone.now(),
    )


# --- the hotel that signalled ---------------------------------------------------------------


def test_the_hotel_that_signalled_a_known_person_reads_its_signal_but_not_the_case(
    record, web_for, api_for
):
    record("demo-professional", person=IDENTITY)  # the case exists before the hotel signals
    outcome = record("demo-hotel", person=IDENTITY, notes="notitie van het hotel")
    assert outcome.linked  # the same person: the hotel's signal joins the existing case
    number = outcome.case.number
    web = web_for("demo-hotel")
    api = api_for("demo-hotel")
    assert web.get(f"/zaken/{number}/").status_code == 404
    assert api.get(f"/api/v1/cases/{number}/").status_code == 404
    assert api.get("/api/v1/cases/").json()["results"] == []
    own = api.get(f"/api/v1/signals/{outcome.signal.pk}/")
    assert own.status_code == 200
    assert own.json()["notes"] == "notitie van het hotel"
    listed = api.get("/api/v1/signals/").json()["results"]
    assert [s["id"] for s in listed] == [outcome.signal.pk]  # not the professional's signal


def test_a_signaller_never_reads_the_identity_of_a_case(record, actor_for):
    number = record("demo-professional", person=IDENTITY).case.number
    record("demo-hotel", person=IDENTITY)
    for username in ("demo-professional", "demo-hotel"):
        with pytest.raises(Http404):
            cases.case_get(actor=actor_for(username), number=number)


# --- the IND ----------------------------------------------------------------------------------


def test_the_ind_reaches_only_cases_with_a_reflection_period_a_b83_step_or_a_share(
    record, actor_for
):
    plain = record().case
    assessed = record().case  # a step of the police, but nothing for the IND yet
    reflection = record(municipality=GRONINGEN).case
    permit = record(municipality=GRONINGEN).case
    shared = record(municipality=GRONINGEN).case
    police = Organisation.objects.get(type=OrganisationType.POLICE, name__contains="Utrecht")
    kmar = Organisation.objects.get(type=OrganisationType.KMAR)
    ind_org = Organisation.objects.get(type=OrganisationType.IND)
    step(assessed, "assessment_start", police)
    step(reflection, "reflection_offer", kmar)
    step(permit, "b83_apply", kmar)
    share_create(
        actor=actor_for("demo-registrar", "identification"),
        case=shared,
        recipient=ind_org,
        purpose="residence",
        categories=["identity", "immigration"],
        reason="vraag over verblijf (synthetisch)",
    )
    ind = actor_for("demo-ind")
    assert ind.role == Role.IND_OFFICER and ind.purpose == "residence"
    assert visible(ind) == {reflection.number, permit.number, shared.number}
    with pytest.raises(Http404):
        cases.case_get(actor=ind, number=plain.number)
    with pytest.raises(Http404):
        cases.case_get(actor=ind, number=assessed.number)
    seen = cases.case_get(actor=ind, number=reflection.number)
    assert seen["access"] == "immigration"
    assert AuditEntry.objects.latest("id").detail["relation"] == "immigration"
    assert cases.case_get(actor=ind, number=shared.number)["access"] == "shared"
    # The same reach as a subquery of another table's query: the share's condition names the
    # outer query's case (ADR 0058).
    reached = Case.objects.filter(policy.case_filter(ind)).values("pk")
    in_subquery = Signal.objects.filter(case__in=reached).values_list("case__number", flat=True)
    assert set(in_subquery) == {reflection.number, permit.number, shared.number}


def test_the_ind_cannot_hold_a_shelter_place(record, actor_for, web_for):
    from samen.shelter import services as shelter
    from samen.shelter.models import Location, Provider
    from samen.shelter.services import NeedsInput
    from samen.shelter.tests.conftest import make_place

    case = record().case
    referral = shelter.referral_create(
        actor=actor_for("demo-coordinator"), case=case, data=NeedsInput()
    )
    step(case, "reflection_offer", Organisation.objects.get(type=OrganisationType.KMAR))
    org = Organisation.objects.get(type=OrganisationType.SHELTER, municipality__code="GM0344")
    provider = Provider.objects.create(organisation=org, name="Opvang (synthetisch)")
    location = Location.objects.create(
        provider=provider, name="Locatie", municipality=Municipality.objects.get(code="GM0344")
    )
    place = make_place(location, "Plek")
    ind = actor_for("demo-ind")
    assert case.number in visible(ind)  # it reaches the case, and still may not place anyone
    with pytest.raises(PermissionDenied):
        shelter.hold_place(actor=ind, referral=referral, place=place)
    assert web_for("demo-ind").get("/opvang/").status_code == 403


# --- the guardian -----------------------------------------------------------------------------


def test_nidos_reaches_only_the_minors_it_is_guardian_of(record, actor_for):
    adult = record().case  # Utrecht, where Nidos sits
    minor = record(person=PersonInput(age_band="12-17")).case
    guarded = record(person=PersonInput(age_band="12-17")).case
    registrar = actor_for("demo-registrar", "identification")
    identification.path_facts_set(
        actor=registrar,
        case=guarded,
        foreign_national=True,
        lawful_residence=False,
        unaccompanied=True,
    )
    identification.path_facts_set(
        actor=registrar,
        case=minor,
        foreign_national=False,
        lawful_residence=True,
        unaccompanied=False,
    )
    nidos = actor_for("demo-nidos")
    assert nidos.role == Role.GUARDIAN
    assert IdentificationPath.objects.get(case=guarded).guardian_organisation == nidos.organisation
    # A Dutch, accompanied minor gets Nidos too (DOMAIN: whenever a case becomes a minor's);
    # a minor whose path names no guardian of Nidos's is not Nidos's to reach.
    assert IdentificationPath.objects.get(case=minor).guardian_organisation == nidos.organisation
    IdentificationPath.objects.filter(case=minor).update(guardian_organisation=None)
    assert visible(nidos) == {guarded.number}
    for other in (adult, minor):
        with pytest.raises(Http404):
            cases.case_get(actor=nidos, number=other.number)
    seen = cases.case_get(actor=nidos, number=guarded.number)
    assert seen["access"] == "guardian"
    assert seen["minor"] is True


def test_the_guardian_loses_reach_when_the_person_proves_to_be_an_adult(record, actor_for):
    case = record(person=PersonInput(age_band="12-17")).case
    identification.path_facts_set(
        actor=actor_for("demo-registrar", "identification"),
        case=case,
        foreign_national=True,
        lawful_residence=False,
        unaccompanied=True,
        age_assessment="disputed",
        presumed_minor=True,
    )
    nidos = actor_for("demo-nidos")
    assert visible(nidos) == {case.number}
    case.person.is_minor = False
    case.person.save(update_fields=["is_minor"])
    IdentificationPath.objects.filter(case=case).update(presumed_minor=False)
    assert visible(nidos) == set()


# --- the police -------------------------------------------------------------------------------


def test_the_police_reach_a_case_only_when_asked_to_assess_or_after_their_own_step(
    record, actor_for
):
    case = record().case  # Utrecht: the police team's own region
    police = actor_for("demo-investigator")
    assert visible(police) == set()
    with pytest.raises(Http404):
        cases.case_get(actor=police, number=case.number)
    ask_to_assess(case, investigator=police)
    assert cases.case_get(actor=police, number=case.number)["access"] == "shared"
    identification.transition_take(actor=police, case=case, code="assessment_start", values={})
    share = CaseShare.objects.get(case=case, recipient=police.organisation)
    share_revoke(actor=actor_for("demo-coordinator"), share=share)
    seen = cases.case_get(actor=police, number=case.number)
    assert seen["access"] == "investigating"  # their own step keeps them on the case
    assert AuditEntry.objects.latest("id").detail["relation"] == "investigating"


def test_the_police_do_not_read_signals_of_their_region_they_were_not_asked_about(
    record, actor_for
):
    outcome = record(notes="synthetische notitie")
    police = actor_for("demo-investigator")
    assert list(signals.signal_search(actor=police).object_list) == []
    with pytest.raises(Http404):
        signals.signal_get(actor=police, signal_id=outcome.signal.pk)


# --- the national coordination centre ---------------------------------------------------------


def test_the_comensha_registrar_reaches_every_case_by_registration(record, actor_for):
    numbers = {record().case.number, record(municipality=GRONINGEN).case.number}
    registrar = actor_for("demo-registrar")
    assert visible(registrar) == numbers
    for number in numbers:
        assert cases.case_get(actor=registrar, number=number)["access"] == "registration"
        assert AuditEntry.objects.latest("id").detail["relation"] == "registration"


def test_the_registrar_role_at_another_organisation_type_reaches_nothing(record, member_at):
    """The role alone gives no reach: the registration relation is CoMensha's."""
    record()
    someone = member_at(OrganisationType.IND, Role.NATIONAL_REGISTRAR, "test-ind-registrar")
    assert visible(someone) == set()


@pytest.fixture
def member_at(world):
    from samen.accounts.models import User
    from samen.core.actor import actor_for_membership
    from samen.organisations.models import Membership

    def make(org_type: str, role: str, username: str):
        org = Organisation.objects.filter(type=org_type).order_by("id").first()
        user, _ = User.objects.get_or_create(username=username)
        m, _ = Membership.objects.get_or_create(user=user, organisation=org, role=role)
        return actor_for_membership(m, origin="test")

    return make


# --- the matrix -------------------------------------------------------------------------------

# case key -> the relation (Relation value) each demo user reaches it by; absent: no reach.
EXPECTED: dict[str, dict[str, str]] = {
    "utrecht": {"demo-registrar": "registration", "demo-coordinator": "responsible"},
    "minor": {
        "demo-registrar": "registration",
        "demo-coordinator-noord": "responsible",
        "demo-nidos": "guardian",
    },
    "assessed": {
        "demo-registrar": "registration",
        "demo-coordinator-noord": "responsible",
        "demo-investigator": "investigating",
    },
    "reflection": {
        "demo-registrar": "registration",
        "demo-coordinator-noord": "responsible",
        "demo-ind": "immigration",
    },
    "housed": {
        "demo-registrar": "registration",
        "demo-coordinator-noord": "responsible",
        "demo-shelter": "shelter",
    },
    "unrelated": {"demo-registrar": "registration", "demo-coordinator-noord": "responsible"},
}
READERS = [
    "demo-professional",
    "demo-hotel",
    "demo-coordinator",
    "demo-coordinator-noord",
    "demo-investigator",
    "demo-registrar",
    "demo-shelter",
    "demo-ind",
    "demo-nidos",
]


@pytest.fixture
def one_case_per_relation(record, actor_for) -> dict[str, str]:
    from samen.shelter.models import Location, Placement, Provider, Referral
    from samen.shelter.tests.conftest import make_place

    made = {"utrecht": record("demo-professional", person=IDENTITY).case}
    record("demo-hotel", person=IDENTITY)  # the hotel signalled the Utrecht case too
    for key in ("minor", "assessed", "reflection", "housed", "unrelated"):
        person = PersonInput(age_band="12-17") if key == "minor" else PersonInput()
        made[key] = record("demo-field-vr01", municipality=GRONINGEN, person=person).case
    identification.path_facts_set(
        actor=actor_for("demo-registrar", "identification"),
        case=made["minor"],
        foreign_national=True,
        lawful_residence=False,
        unaccompanied=True,
    )
    police = actor_for("demo-investigator").organisation
    step(made["assessed"], "assessment_start", police)
    step(made["reflection"], "reflection_offer", Organisation.objects.get(type="kmar"))
    shelter_org = actor_for("demo-shelter").organisation
    provider = Provider.objects.create(organisation=shelter_org, name="Opvang (synthetisch)")
    location = Location.objects.create(
        provider=provider, name="Locatie", municipality=shelter_org.municipality
    )
    referral = Referral.objects.create(
        case=made["housed"],
        organisation=actor_for("demo-coordinator-noord").organisation,
        created_at=timezone.now(),
    )
    Placement.objects.create(
        referral=referral, place=make_place(location, "Plek"), started_at=timezone.now()
    )
    return {key: case.number for key, case in made.items()}


@pytest.mark.parametrize("username", READERS)
def test_the_relation_matrix_decides_list_and_detail_on_page_and_api(
    one_case_per_relation, username, web_for, api_for, actor_for
):
    numbers = one_case_per_relation
    expected = {numbers[k]: rel[username] for k, rel in EXPECTED.items() if username in rel}
    web = web_for(username)
    api = api_for(username)
    purpose = actor_for(username).purpose
    headers = {"HTTP_X_SAMEN_PURPOSE": purpose}

    listed_api = api.get("/api/v1/cases/?page_size=100", **headers).json()["results"]
    assert {r["number"]: r["access"] for r in listed_api} == expected
    listed_page = web.get("/zaken/")
    assert listed_page.status_code == 200
    assert {r["number"]: r["access"] for r in listed_page.context["rows"]} == expected

    for number in numbers.values():
        via_api = api.get(f"/api/v1/cases/{number}/", **headers)
        page = web.get(f"/zaken/{number}/")
        if number in expected:
            assert (via_api.status_code, page.status_code) == (200, 200), number
            assert via_api.json()["access"] == expected[number]
            entry = AuditEntry.objects.filter(action="case.read", object_id=number).latest("id")
            assert entry.detail["relation"] == expected[number]
        else:
            assert (via_api.status_code, page.status_code) == (404, 404), (username, number)


def test_every_relation_of_the_table_names_existing_types_and_roles():
    for rule in policy.RELATIONS:
        assert rule.organisation_types <= set(OrganisationType), rule.relation
        assert rule.roles <= set(Role), rule.relation
        assert rule.relation in policy.OWN_RELATIONS
    assert len({r.relation for r in policy.RELATIONS}) == len(policy.RELATIONS)
