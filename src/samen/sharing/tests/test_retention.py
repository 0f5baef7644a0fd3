from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from samen.cases.models import Case, CaseNote, Identity
from samen.cases.services import identity_read, note_add
from samen.core.actor import Actor
from samen.core.models import AuditEntry
from samen.sharing import retention
from samen.signalling.models import Signal
from samen.signalling.services import PersonInput


@pytest.fixture
def old_case(record, actor_for):
    person = PersonInput(
        name="Synthetische Persoon", date_of_birth=__import__("datetime").date(1980, 1, 1),
        nationality="PL", contact="fictief",
    )  # fmt: skip
    case = record(person=person, notes="synthetische notitie", forms=["labour"]).case
    from samen.identification.demo import ask_to_assess

    ask_to_assess(case, investigator=actor_for("demo-investigator"))  # the police's relation
    note_add(actor=actor_for("demo-investigator"), case=case, text="synthetische opsporingsnotitie")
    Case.objects.filter(pk=case.pk).update(
        status="closed", closed_at=timezone.now() - timedelta(days=30 * 365)
    )
    return case


def test_dry_run_lists_and_changes_nothing(old_case, capsys):
    with translation.override("nl"):
        call_command("apply_retention", "--dry-run")
    out = capsys.readouterr().out
    assert "Identiteit (bewaartermijn" in out and "zouden worden verwijderd" in out
    assert Identity.objects.count() == 1 and CaseNote.objects.count() == 1


def test_retention_removes_identity_notes_and_keeps_the_pseudonymous_case(old_case, record):
    fresh = record().case  # open: untouched
    done = retention.apply(
        steps=retention.plan(now=timezone.now()),
        actor=Actor(None, None, "test"),
        now=timezone.now(),
    )
    # records: identity = the encrypted identity and the match key; free text = the signal's
    # notes and the reason of the coordinator's request to the police to assess
    assert done == {
        "identity": 2, "contact": 1, "free_text": 2, "criminal": 1, "demographics": 1,
        "exploitation": 5,
    }  # fmt: skip
    old_case.refresh_from_db()
    assert identity_read(old_case.person) == {} and old_case.person.match_key is None
    assert not Signal.objects.filter(case=old_case, notes_ciphertext__isnull=False).exists()
    assert not CaseNote.objects.filter(case=old_case).exists()
    assert Case.objects.filter(pk=fresh.pk).exists() and not old_case.forms.exists()
    assert AuditEntry.objects.filter(action="case.retention").count() == len(done)
    assert old_case.events.filter(kind="retention").count() == len(done)


def test_recent_closed_cases_are_kept(record):
    case = record(
        person=PersonInput(
            name="Synthetisch",
            date_of_birth=__import__("datetime").date(1980, 1, 1),
            nationality="PL",
        )
    ).case
    Case.objects.filter(pk=case.pk).update(
        status="closed", closed_at=timezone.now() - timedelta(days=10)
    )
    assert all(not step.person_ids for step in retention.plan(now=timezone.now()))


def test_retention_removes_identity_details_a_linked_signal_kept(record):
    from datetime import date

    person = {
        "name": "Synthetische Persoon",
        "date_of_birth": date(1980, 1, 1),
        "nationality": "PL",
    }
    case = record(person=PersonInput(**person)).case
    record("demo-hotel", person=PersonInput(**person, contact="kamer 7 (fictief)"))
    assert Signal.objects.filter(case=case, identity_ciphertext__isnull=False).exists()
    Case.objects.filter(pk=case.pk).update(
        status="closed", closed_at=timezone.now() - timedelta(days=30 * 365)
    )
    retention.apply(
        steps=retention.plan(now=timezone.now()),
        actor=Actor(None, None, "test"),
        now=timezone.now(),
    )
    assert not Signal.objects.filter(case=case, identity_ciphertext__isnull=False).exists()
    assert not any(Signal.objects.filter(case=case).values_list("identity_new", flat=True))
