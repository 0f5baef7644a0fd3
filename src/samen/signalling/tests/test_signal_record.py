"""Recording signals through the service: cases, linking, validation, one transaction, audit."""

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from samen.cases.models import Case, CaseEvent, Identity, Person
from samen.cases.services import identity_read
from samen.conftest import signal_input
from samen.core.models import AuditEntry
from samen.signalling.models import Signal
from samen.signalling.services import PersonInput, signal_record

IDENTITY = {"name": "Synthetische Persoon", "date_of_birth": date(1999, 5, 17), "nationality": "RO"}


def test_a_new_signal_opens_a_case_with_a_pseudonymous_number(record):
    outcome = record()
    assert re.fullmatch(r"MH-\d{4}-\d{6}", outcome.case.number)
    assert not outcome.linked
    assert outcome.case.signals.count() == 1
    assert outcome.case.region.code == "VR09"
    # The region's care coordination becomes the hub of the case.
    assert outcome.case.responsible_organisation.type == "care_coordination"
    assert list(outcome.case.events.values_list("kind", flat=True)) == ["created", "signal_added"]


def test_case_numbers_count_up_within_the_year(record):
    first = record().case.number
    second = record().case.number
    assert int(second[-6:]) == int(first[-6:]) + 1


def test_a_second_signal_about_the_same_person_joins_the_case(record):
    first = record(person=PersonInput(**IDENTITY))
    again = record(
        "demo-hotel",
        person=PersonInput(
            name="persoon, synthetische", date_of_birth=date(1999, 5, 17), nationality="ro"
        ),
    )
    assert again.linked and again.case.pk == first.case.pk
    assert Person.objects.count() == 1
    assert again.signal.linked_to_existing
    assert CaseEvent.objects.filter(case=first.case, kind="linked").count() == 1


def test_a_different_person_gets_a_different_case(record):
    first = record(person=PersonInput(**IDENTITY))
    other = record(person=PersonInput(**{**IDENTITY, "date_of_birth": date(1999, 5, 18)}))
    assert not other.linked and other.case.pk != first.case.pk


def test_identity_is_stored_encrypted_in_its_own_model(record):
    outcome = record(person=PersonInput(**IDENTITY, contact="06-00000000 (fictief)"))
    stored = Identity.objects.get(person=outcome.case.person)
    assert b"Synthetische" not in bytes(stored.ciphertext)
    assert identity_read(outcome.case.person)["name"] == "Synthetische Persoon"


def test_a_known_birth_date_makes_the_minor_flag_exact(record):
    outcome = record(person=PersonInput(date_of_birth=date.today() - timedelta(days=15 * 365)))
    person = outcome.case.person
    assert person.is_minor and not person.age_is_estimate and person.age_band == "12-17"
    assert outcome.triage.advice == "call_now"


def test_an_estimated_minor_age_band_flags_the_person(record):
    outcome = record(person=PersonInput(age_band="12-17"))
    assert outcome.case.person.is_minor and outcome.case.person.age_is_estimate


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"signal_list": "nonexistent"}, "signal_list"),
        ({"indicators": ["general.nope.nope"]}, "indicators"),
        ({"indicators": []}, "indicators"),
        ({"municipality": "GM9999"}, "municipality"),
        ({"observed_on": date.today() + timedelta(days=2)}, "observed_on"),
        ({"observed_on": date(1990, 1, 1)}, "observed_on"),
        ({"forms": ["tourism"]}, "forms"),
        ({"person": PersonInput(gender="x")}, "gender"),
        ({"person": PersonInput(date_of_birth=date(1850, 1, 1))}, "date_of_birth"),
        ({"notes": "x" * 6000}, "notes"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(actor_for, overrides, field):
    before = (Signal.objects.count(), Case.objects.count(), Person.objects.count())
    with pytest.raises(ValidationError) as err:
        signal_record(actor=actor_for("demo-professional"), data=signal_input(**overrides))
    assert field in err.value.message_dict
    assert (Signal.objects.count(), Case.objects.count(), Person.objects.count()) == before


def test_a_failure_halfway_rolls_everything_back(actor_for, monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("simulated failure after the case was created")

    monkeypatch.setattr("samen.cases.services.event_add", explode)
    with pytest.raises(RuntimeError):
        signal_record(actor=actor_for("demo-professional"), data=signal_input())
    assert (Case.objects.count(), Person.objects.count(), Signal.objects.count()) == (0, 0, 0)


def test_roles_without_signalling_are_refused_and_the_refusal_is_audited(actor_for):
    with pytest.raises(PermissionDenied):
        signal_record(actor=actor_for("demo-shelter"), data=signal_input())
    entry = AuditEntry.objects.get(action="signal.create")
    assert (entry.result, entry.role, entry.actor_username) == (
        "denied",
        "shelter_staff",
        "demo-shelter",
    )


def test_recording_writes_an_audit_entry_without_personal_data(record):
    outcome = record(person=PersonInput(**IDENTITY), notes="synthetische notitie")
    entry = AuditEntry.objects.get(action="signal.create")
    assert (
        entry.result == "ok"
        and entry.operation == "C"
        and entry.object_id == str(outcome.signal.pk)
    )
    assert entry.purpose == "signalling" and entry.origin == "test"
    assert "notes" in entry.fields
    dumped = str(entry.__dict__)
    assert "Synthetische" not in dumped and "notitie" not in dumped


def test_notes_are_encrypted(record):
    outcome = record(notes="synthetische notitie over de situatie")
    assert b"notitie" not in bytes(outcome.signal.notes_ciphertext)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_simultaneous_signals_about_one_new_person_end_in_one_case(world, actor_for):
    """Two professionals report the same new person at the same moment: one case, one link."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs a database server with row locks")
    person = PersonInput(**IDENTITY)
    barrier = threading.Barrier(4)
    outcomes, errors = [], []

    def report(username: str) -> None:
        try:
            barrier.wait()
            outcomes.append(
                signal_record(actor=actor_for(username), data=signal_input(person=person))
            )
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=report, args=(u,))
        for u in ("demo-professional", "demo-hotel", "demo-field-vr09", "demo-professional")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len({o.case.pk for o in outcomes}) == 1
    assert Case.objects.count() == 1 and Person.objects.count() == 1
    assert sorted(o.linked for o in outcomes) == [False, True, True, True]
