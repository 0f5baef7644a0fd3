"""AES-256-GCM for identifying data, and keyed pseudonymous match keys."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import unicodedata
from datetime import date

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from samen.core.keys import current_field_key_id, field_key, key

NONCE_BYTES = 12
# The leading byte is the format. 1: nonce and sealed text under key id 1 (before key ids were
# written). 2: then a two-byte key id, so after a rotation old and new ciphertexts can be told
# apart and `samen rotate_field_key` knows which rows still need re-encrypting.
FORMAT = b"\x01"
FORMAT_KEYED = b"\x02"
LEGACY_KEY_ID = 1


def encrypt_json(value: dict, *, context: str) -> bytes:
    """Encrypt a JSON-able dict under the current field key. `context` (e.g. the person's ref) is
    bound as associated data, so a ciphertext copied onto another row fails to decrypt."""
    nonce = os.urandom(NONCE_BYTES)
    plaintext = json.dumps(value, sort_keys=True, separators=(",", ":")).encode()
    key_id = current_field_key_id()
    sealed = AESGCM(field_key(key_id)).encrypt(nonce, plaintext, context.encode())
    return FORMAT_KEYED + key_id.to_bytes(2, "big") + nonce + sealed


def key_id_of(blob: bytes) -> int:
    blob = bytes(blob)
    if blob[:1] == FORMAT:
        return LEGACY_KEY_ID
    if blob[:1] == FORMAT_KEYED:
        return int.from_bytes(blob[1:3], "big")
    raise ValueError("unknown ciphertext format")


def decrypt_json(blob: bytes, *, context: str) -> dict:
    blob = bytes(blob)
    key_id = key_id_of(blob)
    body = blob[1:] if blob[:1] == FORMAT else blob[3:]
    nonce, sealed = body[:NONCE_BYTES], body[NONCE_BYTES:]
    return json.loads(AESGCM(field_key(key_id)).decrypt(nonce, sealed, context.encode()))


def normalise_name(name: str) -> str:
    """Case, accents, punctuation and word order do not matter: 'Jansen, Piet' == 'piet jansen'."""
    stripped = unicodedata.normalize("NFKD", name)
    stripped = "".join(c for c in stripped if not unicodedata.combining(c)).casefold()
    words = re.findall(r"[a-z0-9]+", stripped)
    return " ".join(sorted(words))


def match_key(*, name: str, date_of_birth: date | None, nationality: str) -> str | None:
    """Keyed pseudonym of a person; None unless name, date of birth and nationality are all known,
    because a weaker key would merge different people into one case."""
    norm = normalise_name(name or "")
    nat = (nationality or "").strip().upper()
    if not norm or not date_of_birth or not nat:
        return None
    message = f"person:v1|{norm}|{date_of_birth.isoformat()}|{nat}".encode()
    return hmac.new(key("SAMEN_PSEUDONYM_KEY"), message, hashlib.sha256).hexdigest()
