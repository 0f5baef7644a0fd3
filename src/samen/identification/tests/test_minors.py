"""Minors are flagged everywhere (case list, case page, identification pages, deadlines, API),
with the age uncertainty shown; an unaccompanied foreign minor gets the guardian at once."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.utils import timezone, translation

from samen.identification import selectors, services
from samen.identification.demo import ask_to_assess
from samen.identification.models import IdentificationPath, Notification
from samen.organisations.models import OrganisationType, Role
from samen.signalling.services import PersonInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def presumed(actor_for, case):
    """An adult by the recorded age band, but the age is disputed: presumed a minor."""
    police = actor_for("demo-investigator")
    ask_to_assess(case, investigator=police)  # the police reach the case through the request
    services.path_facts_set(
        actor=police,
        case=case,
        foreign_national=True,
        lawful_residence=False,
        unaccompanied=False,
        age_assessment="disputed",
        presumed_minor=True,
    )
    services.transition_take(actor=police, case=case, code="assessment_start")
    return case


def test_a_presumed_minor_is_flagged_in_the_case_list_and_its_filter(web_for, presumed):
    client = web_for("demo-coordinator")
    rows = {r["number"]: r for r in client.get("/zaken/").context["rows"]}
    assert rows[presumed.number]["minor"] and rows[presumed.number]["minor_estimated"]
    minors = client.get("/zaken/", {"minor": "yes"}).context["rows"]
    assert presumed.number in [r["number"] for r in minors]
    adults = client.get("/zaken/", {"minor": "no"}).context["rows"]
    assert presumed.number not in [r["number"] for r in adults]


def test_a_presumed_minor_is_flagged_on_the_case_page_and_the_deadlines_page(web_for, presumed):
    client = web_for("demo-coordinator")
    with translation.override("en"):
        page = client.get(f"/zaken/{presumed.number}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.context["case"]["minor_estimated"] is True
    html = page.content.decode()
    assert 'data-testid="minor-badge"' in html and 'data-testid="ident-minor"' in html
    deadlines = client.get("/identificatie/termijnen/")
    rows = [r for _k, _t, rows in deadlines.context["sections"] for r in rows]
    assert [r["minor"] for r in rows if r["case"] == presumed.number] == [True]
    assert 'data-testid="minor-badge"' in deadlines.content.decode()
    ident = client.get(f"/identificatie/zaken/{presumed.number}/").content.decode()
    assert 'data-testid="minor"' in ident


def test_the_api_flags_minors_with_the_age_uncertainty(api_for, presumed):
    client = api_for("demo-coordinator")
    case = client.get(f"/api/v1/cases/{presumed.number}/").json()
    assert case["minor"] is True and case["minor_estimated"] is True
    listed = client.get("/api/v1/cases/", {"minor": "true"}).json()
    assert presumed.number in [c["number"] for c in listed["results"]]
    path = client.get(f"/api/v1/identification/cases/{presumed.number}/").json()
    assert path["minor"] is True and path["age_uncertain"] is True
    deadlines = client.get("/api/v1/identification/deadlines/").json()
    assert [r["minor_estimated"] for r in deadlines["due_14"] if r["case"] == presumed.number] == [
        True
    ]


def test_an_unaccompanied_foreign_minor_gets_the_guardian_before_any_step(
    actor_for, record, member_at, django_capture_on_commit_callbacks
):
    """Protection does not wait: the guardian is attached and told while the case is only
    signalled, without a slightest indication or reflection period; Veilig Thuis is advised."""
    nidos = member_at(OrganisationType.NIDOS, Role.GUARDIAN, "test-nidos", "n@x.test")
    with django_capture_on_commit_callbacks(execute=True):
        # The signal already shows a minor: the guardian is attached there (told once).
        case = record(person=PersonInput(age_band="12-17")).case
    police = actor_for("demo-investigator")
    ask_to_assess(case, investigator=police)
    with django_capture_on_commit_callbacks(execute=True):
        services.path_facts_set(
            actor=police,
            case=case,
            foreign_national=True,
            lawful_residence=False,
            unaccompanied=True,
            age_assessment="estimated",
        )
    path = IdentificationPath.objects.get(case=case)
    assert path.state == "signalled" and not path.deadlines.exists()
    assert path.guardian_organisation == nidos.organisation
    assert Notification.objects.filter(user=nidos.user, kind="guardian", case=case).count() == 1
    assert [m.to for m in mail.outbox] == [["n@x.test"]]
    assert case.number in mail.outbox[0].body
    with translation.override("en"):
        advice = selectors.path_get(actor=police, case=case)["advice"]
    assert any("Veilig Thuis" in a for a in advice)
    assert any("do not wait for a reflection period" in a for a in advice)
    assert any("Nidos" in a for a in advice)
    # Recording the facts again does not attach or notify a second time.
    notified = Notification.objects.filter(kind="guardian").count()
    with django_capture_on_commit_callbacks(execute=True):
        services.path_facts_set(
            actor=police,
            case=case,
            foreign_national=True,
            lawful_residence=False,
            unaccompanied=True,
            age_assessment="estimated",
        )
    assert Notification.objects.filter(kind="guardian").count() == notified
    assert len(mail.outbox) == 1


def test_a_person_later_signalled_as_a_minor_gets_the_guardian_once(
    actor_for, record, member_at, django_capture_on_commit_callbacks
):
    """First recorded as an adult (foreign, unaccompanied: no guardian for an adult); a later
    signal about the same person shows a minor. The guardian follows on that route too, told
    once."""
    nidos = member_at(OrganisationType.NIDOS, Role.GUARDIAN, "test-nidos", "n@x.test")
    known = PersonInput(name="Lina Test", date_of_birth=date(2004, 3, 1), nationality="ER")
    case = record(person=known).case
    assert not case.person.is_minor
    police = actor_for("demo-investigator")
    ask_to_assess(case, investigator=police)  # the police reach the case through the request
    services.path_facts_set(
        actor=police, case=case, foreign_national=True, lawful_residence=False, unaccompanied=True
    )
    assert IdentificationPath.objects.get(case=case).guardian_organisation is None
    with django_capture_on_commit_callbacks(execute=True):
        again = record(person=known, indicators=["hospitality.checkin.minor_with_adult"])
    assert again.case.pk == case.pk
    path = IdentificationPath.objects.get(case=case)
    assert path.guardian_organisation == nidos.organisation
    assert Notification.objects.filter(user=nidos.user, kind="guardian", case=case).count() == 1
    notified = Notification.objects.filter(kind="guardian", case=case).count()
    with django_capture_on_commit_callbacks(execute=True):
        record(person=known, indicators=["hospitality.checkin.minor_with_adult"])
    assert Notification.objects.filter(kind="guardian", case=case).count() == notified


def test_a_minors_deadlines_are_the_guardians_too(actor_for, record, member_at):
    """Nidos is reminded of the minor's deadlines like the organisation that owns them."""
    from datetime import timedelta

    from django.utils import timezone

    from samen.identification.models import Deadline
    from samen.identification.reminders import reminders_send

    nidos = member_at(OrganisationType.NIDOS, Role.GUARDIAN, "test-nidos", "n@x.test")
    case = record(person=PersonInput(age_band="12-17")).case
    police = actor_for("demo-investigator")
    ask_to_assess(case, investigator=police)  # the police reach the case through the request
    services.path_facts_set(
        actor=police, case=case, foreign_national=True, lawful_residence=False, unaccompanied=True
    )
    services.transition_take(actor=police, case=case, code="assessment_start")
    deadline = Deadline.objects.get(path__case=case, kind="assessment_decision")
    assert deadline.organisation != nidos.organisation
    reminders_send(now=timezone.now() + timedelta(days=(deadline.due_on - date.today()).days))
    assert Notification.objects.filter(user=nidos.user, kind="deadline", case=case).exists()


def test_turning_18_is_noticed_and_the_coordinator_and_guardian_get_a_task(
    actor_for, record, member_at
):
    from datetime import timedelta

    from samen.cases.models import Person

    nidos = member_at(OrganisationType.NIDOS, Role.GUARDIAN, "test-nidos", "n@x.test")
    today = timezone.localdate()
    # Nobody turns 18 on 29 February (the year 18 before has none: one born on the 28th turned
    # 18 the day before), so on that day the test takes the 28th as its day.
    if (today.month, today.day) == (2, 29):
        today -= timedelta(days=1)
    born = today.replace(year=today.year - 18)
    person = PersonInput(name="Mara Test", date_of_birth=born, nationality="ER")
    case = record(person=person, observed_on=today - timedelta(days=1)).case
    assert case.person.is_minor  # 17 when signalled
    ask_to_assess(case, investigator=actor_for("demo-investigator"))
    services.path_facts_set(
        actor=actor_for("demo-investigator"),
        case=case,
        foreign_national=True,
        lawful_residence=False,
        unaccompanied=True,
    )
    assert services.minors_turning_adult(today=today - timedelta(days=1)) == []
    assert services.minors_turning_adult(today=today) == [case.number]
    person_now = Person.objects.get(pk=case.person_id)
    assert not person_now.is_minor and person_now.age_band == "18-22"
    tasks = Notification.objects.filter(kind="adult", case=case)
    assert tasks.filter(user=nidos.user).exists()
    assert tasks.filter(organisation=case.responsible_organisation).exists()
    assert services.minors_turning_adult(today=today) == []  # noticed once


# --- Nidos whenever a case becomes a minor's, by any route (DOMAIN: "Safety before criteria") --


def _guardian_notices(case, nidos) -> int:
    return Notification.objects.filter(kind="guardian", case=case, user=nidos.user).count()


def test_a_dutch_minor_signalled_for_the_first_time_gets_the_guardian_at_once(
    record, member_at, django_capture_on_commit_callbacks
):
    """Not only unaccompanied foreign minors: a Dutch 15-year-old's new case has Nidos attached
    and told once at the signal, before anyone records facts on the path."""
    nidos = member_at(OrganisationType.NIDOS, Role.GUARDIAN, "test-nidos", "n@x.test")
    dutch = PersonInput(
        name="Noor Test", date_of_birth=date(date.today().year - 15, 1, 2), nationality="NL"
    )
    with django_capture_on_commit_callbacks(execute=True):
        case = record(person=dutch).case
    path = IdentificationPath.objects.get(case=case)
    assert path.state == "signalled" and path.guardian_organisation == nidos.organisation
    assert Notification.objects.filter(user=nidos.user, kind="guardian", case=case).count() == 1
    assert [m.to for m in mail.outbox] == [["n@x.test"]]
    with django_capture_on_commit_callbacks(execute=True):
        assert record(person=dutch).case.pk == case.pk
    # Attached once; a later signal is told as what it is, a new signal on the ward's case (the
    # same work as the first one, so the signaller cannot tell them apart: ADR 0016).
    assert _guardian_notices(case, nidos) == 1
    assert (
        Notification.objects.filter(kind="guardian_signal", case=case, user=nidos.user).count() == 1
    )
    assert len(mail.outbox) == 2 and mail.outbox[1].subject.endswith(case.number)


def test_an_accompanied_minor_gets_the_guardian_when_the_facts_are_recorded(
    actor_for, record, member_at, django_capture_on_commit_callbacks
):
    """A foreign minor who travels with a parent is a minor all the same."""
    nidos = member_at(OrganisationType.NIDOS, Role.GUARDIAN, "test-nidos", "n@x.test")
    case = record().case  # age unknown at the signal: no guardian yet
    assert not IdentificationPath.objects.filter(case=case).exists()
    police = actor_for("demo-investigator")
    ask_to_assess(case, investigator=police)
    with django_capture_on_commit_callbacks(execute=True):
        services.path_facts_set(
            actor=police,
            case=case,
            foreign_national=True,
            lawful_residence=True,
            unaccompanied=False,
            age_assessment="estimated",
            presumed_minor=True,
        )
    path = IdentificationPath.objects.get(case=case)
    assert path.guardian_organisation == nidos.organisation
    assert _guardian_notices(case, nidos) == 1


def test_a_presumed_dutch_minor_gets_the_guardian_and_the_advice_names_veilig_thuis(
    actor_for, record, member_at, django_capture_on_commit_callbacks
):
    """An adult by the recorded band, but the age is disputed: presumed a minor, Dutch. Nidos is
    attached; Veilig Thuis and youth protection are advised."""
    nidos = member_at(OrganisationType.NIDOS, Role.GUARDIAN, "test-nidos", "n@x.test")
    case = record(person=PersonInput(age_band="18-22")).case
    police = actor_for("demo-investigator")
    ask_to_assess(case, investigator=police)
    with django_capture_on_commit_callbacks(execute=True):
        services.path_facts_set(
            actor=police,
            case=case,
            foreign_national=False,
            lawful_residence=True,
            unaccompanied=False,
            age_assessment="disputed",
            presumed_minor=True,
        )
    assert IdentificationPath.objects.get(case=case).guardian_organisation == nidos.organisation
    assert _guardian_notices(case, nidos) == 1
    with translation.override("en"):
        advice = selectors.path_get(actor=police, case=case)["advice"]
    assert any("Veilig Thuis" in a for a in advice)


def test_a_coordinator_who_states_a_minor_in_a_referral_brings_the_guardian(
    actor_for, record, member_at, django_capture_on_commit_callbacks
):
    """The coordinator knows what the case does not: the stated minor is presumed one on the
    path (the case lists show it) and Nidos follows, told once."""
    from samen.shelter.services import NeedsInput, referral_create

    nidos = member_at(OrganisationType.NIDOS, Role.GUARDIAN, "test-nidos", "n@x.test")
    case = record().case
    coordinator = actor_for("demo-coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        referral_create(actor=coordinator, case=case, data=NeedsInput(minor=True))
    path = IdentificationPath.objects.get(case=case)
    assert path.presumed_minor and path.guardian_organisation == nidos.organisation
    with django_capture_on_commit_callbacks(execute=True):
        referral_create(actor=coordinator, case=case, data=NeedsInput(minor=True))
    assert _guardian_notices(case, nidos) == 1


def test_a_minors_path_puts_protection_before_the_reflection_period(actor_for, record):
    """Path v3: the reflection period is refused for a minor until Nidos took up guardianship
    and arranged a safe placement and Veilig Thuis and youth protection are involved; the
    refusal names those steps in Dutch. Nidos takes its own steps."""
    from django.core.exceptions import PermissionDenied, ValidationError

    today = date.today().isoformat()
    case = record(person=PersonInput(age_band="12-17")).case
    police, nidos = actor_for("demo-investigator"), actor_for("demo-nidos")
    coordinator = actor_for("demo-coordinator")
    ask_to_assess(case, investigator=police)
    services.path_facts_set(
        actor=police,
        case=case,
        foreign_national=True,
        lawful_residence=False,
        unaccompanied=True,
        age_assessment="estimated",
    )
    assert IdentificationPath.objects.get(case=case).definition.version == 5  # v3's steps kept
    services.transition_take(actor=police, case=case, code="assessment_start")
    services.transition_take(
        actor=police, case=case, code="indication_establish", values={"established_on": today}
    )
    with translation.override("nl"), pytest.raises(ValidationError) as refused:
        services.transition_take(
            actor=police, case=case, code="reflection_offer", values={"starts_on": today}
        )
    text = refused.value.message_dict["transition"][0]
    assert "gaat bescherming voor" in text
    for title in (
        "Voogdij op zich nemen",
        "Veilige plaatsing regelen",
        "Veilig Thuis en jeugdbescherming betrekken",
    ):
        assert title in text
    assert "guardianship_accept" not in text  # titles, not codes
    with pytest.raises(PermissionDenied):  # the guardian's own step
        services.transition_take(
            actor=coordinator,
            case=case,
            code="guardianship_accept",
            values={"accepted_on": today},
        )
    services.transition_take(
        actor=nidos, case=case, code="guardianship_accept", values={"accepted_on": today}
    )
    services.transition_take(
        actor=nidos,
        case=case,
        code="safe_placement_arrange",
        values={"placed_on": today, "placement": "protected_minors"},
    )
    services.transition_take(
        actor=coordinator,
        case=case,
        code="youth_protection_involve",
        values={"involved_on": today, "involved": "both"},
    )
    path = IdentificationPath.objects.get(case=case)
    assert path.state == "indication_established"  # protection steps keep the path in place
    services.transition_take(
        actor=police, case=case, code="reflection_offer", values={"starts_on": today}
    )
    assert IdentificationPath.objects.get(case=case).state == "reflection_offered"


def test_a_minors_path_started_on_version_2_keeps_working(actor_for, record):
    """Running paths keep the rules they started on: a v2 minor's path offers the reflection
    period without the v3 protection steps."""
    from samen.identification.models import PathDefinition

    today = date.today().isoformat()
    case = record(person=PersonInput(age_band="12-17")).case
    path = IdentificationPath.objects.get(case=case)  # started at the signal, on v3
    path.definition = PathDefinition.objects.get(code="identification_path", version=2)
    path.save(update_fields=["definition"])
    police = actor_for("demo-investigator")
    ask_to_assess(case, investigator=police)
    services.path_facts_set(
        actor=police, case=case, foreign_national=True, lawful_residence=False, unaccompanied=True
    )
    for code, values in (
        ("assessment_start", {}),
        ("indication_establish", {"established_on": today}),
        ("reflection_offer", {"starts_on": today}),
    ):
        services.transition_take(actor=police, case=case, code=code, values=values)
    assert IdentificationPath.objects.get(case=case).state == "reflection_offered"
    shown = selectors.path_get(actor=police, case=case)
    assert shown["definition"] == "identification_path v2"
