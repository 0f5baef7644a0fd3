"""`samen rekey_nationalities`: nationalities stored as typed before the pick list (#16) are
normalised and re-keyed, so the next signal about the same person joins their case."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from samen.cases import crypto
from samen.cases.models import Identity, Person
from samen.cases.rekey import nationalities_rekey
from samen.core.actor import Actor
from samen.core.models import AuditEntry
from samen.signalling.services import PersonInput

pytestmark = pytest.mark.django_db

ANA = {"name": "Ana Popescu", "date_of_birth": date(1999, 3, 4)}


def _as_typed_before(person: Person, typed: str) -> None:
    """The identity and key as the signal service stored them before nationalities were
    normalised: the nationality as typed, the key computed from that spelling."""
    identity = Identity.objects.get(person=person)
    payload = crypto.decrypt_json(identity.ciphertext, context=str(person.ref))
    payload["nationality"] = typed
    identity.ciphertext = crypto.encrypt_json(payload, context=str(person.ref))
    identity.save()
    born = payload.get("date_of_birth")
    person.match_key = crypto.match_key(
        name=payload["name"],
        date_of_birth=date.fromisoformat(born) if born else None,
        nationality=typed,
    )
    person.nationality_group = "unknown"
    person.save()


def _nationality(person: Person) -> str:
    identity = Identity.objects.get(person=person)
    return crypto.decrypt_json(identity.ciphertext, context=str(person.ref))["nationality"]


def _run(*args: str) -> str:
    out = StringIO()
    call_command("rekey_nationalities", *args, stdout=out)
    return out.getvalue()


def test_a_typed_nationality_is_normalised_and_the_next_signal_joins_the_case(record):
    old = record(person=PersonInput(nationality="RO", **ANA)).case
    _as_typed_before(old.person, "Roemeens")
    other = record(person=PersonInput(nationality="NL", name="Piet Jansen")).case
    _as_typed_before(other.person, "Nederlandse")
    unknown = record(person=PersonInput(nationality="Atlantis", name="Kim Doe")).case

    output = _run("--batch-size", "1")

    old.person.refresh_from_db()
    assert _nationality(old.person) == "RO" and old.person.nationality_group == "EU"
    assert _nationality(other.person) == "NL"
    assert _nationality(unknown.person) == "Atlantis"  # names no country: kept as typed
    assert "Ana" not in output and "Roemeens" not in output  # counts only
    later = record(person=PersonInput(nationality="Romania", **ANA)).case
    assert later.pk == old.pk
    # One entry per batch that changed something, indexed to the case, without the data.
    entries = AuditEntry.objects.filter(action="identity.update", object_type="person")
    assert entries.count() == 2
    assert [old.number] in [e.detail["shown"] for e in entries]
    assert all("Roemeens" not in str(e.detail) for e in entries)


def test_a_second_run_changes_nothing(record):
    case = record(person=PersonInput(nationality="RO", **ANA)).case
    _as_typed_before(case.person, "Roemenië")
    _run()
    case.person.refresh_from_db()
    key, blob = case.person.match_key, Identity.objects.get(person=case.person).ciphertext
    entries = AuditEntry.objects.filter(action="identity.update").count()
    _run()
    case.person.refresh_from_db()
    assert case.person.match_key == key
    assert bytes(Identity.objects.get(person=case.person).ciphertext) == bytes(blob)
    assert AuditEntry.objects.filter(action="identity.update").count() == entries == 1


def test_a_dry_run_changes_nothing(record):
    case = record(person=PersonInput(nationality="RO", **ANA)).case
    _as_typed_before(case.person, "Roemenië")
    output = _run("--dry-run")
    assert _nationality(case.person) == "Roemenië"
    assert output and not AuditEntry.objects.filter(action="identity.update").exists()


def test_one_person_under_two_spellings_is_left_for_the_registrar_to_merge(record):
    typed = record(person=PersonInput(nationality="RO", **ANA)).case
    _as_typed_before(typed.person, "Roemeens")
    # Recorded from the pick list while the first still had its typed key: a second case.
    picked = record(person=PersonInput(nationality="RO", **ANA)).case
    assert picked.pk != typed.pk
    done = nationalities_rekey(actor=Actor(user=None, membership=None, origin="test"))
    assert (done.changed, done.collisions) == (1, 1)
    typed.person.refresh_from_db()
    picked.person.refresh_from_db()
    assert _nationality(typed.person) == "RO"
    # The key stays with one person; the other has none, which the duplicates queue looks for.
    assert picked.person.match_key and typed.person.match_key is None
