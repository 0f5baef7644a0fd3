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

from samen.core.keys import key

NONCE_BYTES = 12
FORMAT = b"\x01"  # leading version byte, so a later key rotation can tell the formats apart


def encrypt_json(value: dict, *, context: str) -> bytes:
    """Encrypt a JSON-able dict. `context` (e.g. the person's ref) is bound as associated data,
    so a ciphertext copied onto another row fails to decrypt."""
    nonce = os.urandom(NONCE_BYTES)
    plaintext = json.dumps(value, sort_keys=True, separators=(",", ":")).encode()
    return (
        FORMAT + nonce + AESGCM(key("SAMEN_FIELD_KEY")).encrypt(nonce, plaintext, context.encode())
    )


def decrypt_json(blob: bytes, *, context: str) -> dict:
    blob = bytes(blob)
    if blob[:1] != FORMAT:
        raise ValueError("unknown ciphertext format")
    nonce, sealed = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
    return json.loads(AESGCM(key("SAMEN_FIELD_KEY")).decrypt(nonce, sealed, context.encode()))


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
