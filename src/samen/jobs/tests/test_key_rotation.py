"""Field-key rotation: the key id travels in the ciphertext; `rotate_field_key` re-encrypts the
rows of the old key in batches, audited, after which the old key is no longer needed."""

import base64
import os

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.management import call_command

from samen.cases import crypto
from samen.cases.models import Identity, Person
from samen.cases.services import identity_read
from samen.core import keys
from samen.core.models import AuditEntry
from samen.signalling.services import PersonInput

OLD = base64.b64encode(b"t" * 32).decode()  # the test settings' field key, id 1
NEW = base64.b64encode(b"n" * 32).decode()


@pytest.fixture
def fresh_keys():
    keys.key.cache_clear()
    keys._retired_field_keys.cache_clear()
    yield
    keys.key.cache_clear()
    keys._retired_field_keys.cache_clear()


def _rotate_to_new(settings) -> None:
    settings.FIELD_KEY, settings.FIELD_KEY_ID, settings.FIELD_KEYS_RETIRED = NEW, 2, f"1={OLD}"
    keys.key.cache_clear()
    keys._retired_field_keys.cache_clear()


def test_ciphertext_names_its_key_and_old_format_still_reads(fresh_keys):
    blob = crypto.encrypt_json({"a": 1}, context="c")
    assert crypto.key_id_of(blob) == 1 and blob[:1] == crypto.FORMAT_KEYED
    # A ciphertext written before key ids (format 1) is read with key 1.
    nonce = os.urandom(12)
    legacy = b"\x01" + nonce + AESGCM(b"t" * 32).encrypt(nonce, b'{"a":1}', b"c")
    assert crypto.decrypt_json(legacy, context="c") == {"a": 1}


def test_rotation_reencrypts_in_batches_audited_and_frees_the_old_key(record, settings, fresh_keys):
    people = [
        record(person=PersonInput(name=f"Synthetische Persoon {i}")).case.person for i in "abc"
    ]
    assert Identity.objects.count() == 3
    before = {p.pk: identity_read(p) for p in people}

    _rotate_to_new(settings)
    # Both keys configured: old rows still read, new rows are written under key 2.
    assert {p.pk: identity_read(p) for p in people} == before
    call_command("rotate_field_key", "--batch", "2")
    assert all(crypto.key_id_of(i.ciphertext) == 2 for i in Identity.objects.all())
    assert AuditEntry.objects.filter(action="field_key.rotate").exists()
    # The old key can go: everything reads with the new key alone.
    settings.FIELD_KEYS_RETIRED = ""
    keys._retired_field_keys.cache_clear()
    fresh = Person.objects.filter(pk__in=[p.pk for p in people])
    assert {p.pk: identity_read(p) for p in fresh} == before
    call_command("rotate_field_key", "--check")  # exits 1 when rows are left
