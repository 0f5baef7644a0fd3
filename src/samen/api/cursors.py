"""The case list's cursor: where a page ended, opaque to clients and checked when it comes back.

It holds an opening time and a case id, never personal data; a cursor that does not decode to
both is refused with a field error instead of being guessed at.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime

from samen.cases.selectors import CaseCursor


def encode(cursor: CaseCursor) -> str:
    raw = f"{cursor.opened_at.isoformat()}|{cursor.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(value: str) -> CaseCursor | None:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        at, _, pk = raw.partition("|")
        opened_at = datetime.fromisoformat(at)
        number = int(pk)
        if opened_at.tzinfo is None or not 0 < number < 2**63:
            return None
        opened_at = opened_at.astimezone(UTC)  # a time at the edge of the calendar overflows
    except (binascii.Error, UnicodeDecodeError, ValueError, OverflowError):
        return None
    return CaseCursor(opened_at, number)
