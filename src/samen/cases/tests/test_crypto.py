from datetime import date

import pytest
from cryptography.exceptions import InvalidTag

from samen.cases import crypto


def test_identity_round_trips_and_is_not_stored_in_plain_text():
    blob = crypto.encrypt_json({"name": "Test Persoon (synthetisch)"}, context="ref-1")
    assert b"Persoon" not in blob
    assert crypto.decrypt_json(blob, context="ref-1") == {"name": "Test Persoon (synthetisch)"}


def test_same_value_encrypts_differently_each_time():
    a = crypto.encrypt_json({"x": 1}, context="c")
    b = crypto.encrypt_json({"x": 1}, context="c")
    assert a != b


def test_ciphertext_moved_to_another_record_does_not_decrypt():
    blob = crypto.encrypt_json({"name": "X"}, context="person-a")
    with pytest.raises(InvalidTag):
        crypto.decrypt_json(blob, context="person-b")


def test_tampered_ciphertext_is_rejected():
    blob = bytearray(crypto.encrypt_json({"name": "X"}, context="c"))
    blob[-1] ^= 1
    with pytest.raises(InvalidTag):
        crypto.decrypt_json(bytes(blob), context="c")


def test_match_key_ignores_case_accents_punctuation_and_word_order():
    born = date(2001, 2, 3)
    a = crypto.match_key(name="Ána  Popescu", date_of_birth=born, nationality="ro")
    b = crypto.match_key(name="popescu, ana", date_of_birth=born, nationality="RO ")
    assert a == b and len(a) == 64


def test_match_key_differs_for_another_birth_date_or_nationality():
    a = crypto.match_key(name="Ana Popescu", date_of_birth=date(2001, 2, 3), nationality="RO")
    assert a != crypto.match_key(
        name="Ana Popescu", date_of_birth=date(2001, 2, 4), nationality="RO"
    )
    assert a != crypto.match_key(
        name="Ana Popescu", date_of_birth=date(2001, 2, 3), nationality="BG"
    )


@pytest.mark.parametrize(
    "name,born,nat",
    [("", date(2001, 1, 1), "RO"), ("Ana", None, "RO"), ("Ana", date(2001, 1, 1), "")],
)
def test_no_match_key_without_name_birth_date_and_nationality(name, born, nat):
    assert crypto.match_key(name=name, date_of_birth=born, nationality=nat) is None
