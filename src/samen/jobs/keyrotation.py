"""Re-encrypt identifying data under the current field key (SAMEN_FIELD_KEY with id
SAMEN_FIELD_KEY_ID), in batches, each batch in its own transaction and audited by counts.

A row is re-encrypted when its ciphertext carries another key id (samen.cases.crypto writes the
id into every ciphertext); the old key must still be configured in SAMEN_FIELD_KEYS_RETIRED until
the run reports nothing left. Safe to interrupt and to run again: a finished row is skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction

from samen.cases import crypto
from samen.cases.models import CaseNote, Identity
from samen.core import audit
from samen.core.actor import Actor
from samen.core.keys import current_field_key_id
from samen.identification.models import CommissionReview
from samen.signalling.models import Signal

ACTION = "field_key.rotate"


@dataclass(frozen=True)
class EncryptedField:
    model: type[models.Model]
    field: str
    related: tuple[str, ...]
    context: Callable[[Any], str]  # the associated data the services bind to the ciphertext


FIELDS = (
    EncryptedField(Identity, "ciphertext", ("person",), lambda r: str(r.person.ref)),
    EncryptedField(CaseNote, "ciphertext", ("case",), lambda r: f"note:{r.case.number}"),
    EncryptedField(Signal, "notes_ciphertext", ("case",), lambda r: f"signal:{r.case.number}"),
    EncryptedField(
        Signal, "identity_ciphertext", ("case",), lambda r: f"signal-identity:{r.case.number}"
    ),
    EncryptedField(
        CommissionReview, "reasons_text", ("case",), lambda r: f"commission:{r.case.number}"
    ),
)


def _label(spec: EncryptedField) -> str:
    return f"{spec.model._meta.label_lower}.{spec.field}"


def field_key_rotate(*, batch: int = 500, origin: str = "cli:rotate_field_key") -> dict[str, int]:
    """Re-encrypt every row not under the current key; returns rows re-encrypted per field."""
    current = current_field_key_id()
    actor = Actor(user=None, membership=None, origin=origin)
    done: dict[str, int] = {}
    for spec in FIELDS:
        done[_label(spec)] = 0
        last_pk = 0
        while True:
            with transaction.atomic():
                rows = list(
                    spec.model.objects.select_for_update(of=("self",))
                    .select_related(*spec.related)
                    .filter(pk__gt=last_pk, **{f"{spec.field}__isnull": False})
                    .order_by("pk")[:batch]
                )
                if not rows:
                    break
                last_pk = rows[-1].pk
                changed = []
                for row in rows:
                    blob = getattr(row, spec.field)
                    if not blob or crypto.key_id_of(blob) == current:
                        continue
                    context = spec.context(row)
                    value = crypto.decrypt_json(blob, context=context)
                    setattr(row, spec.field, crypto.encrypt_json(value, context=context))
                    changed.append(row)
                if changed:
                    spec.model.objects.bulk_update(changed, [spec.field])
                    done[_label(spec)] += len(changed)
                    audit.record(
                        actor,
                        ACTION,
                        object_type="field_key",
                        object_id=str(current),
                        detail={"field": _label(spec), "rows": len(changed)},
                    )
    return done


def rows_not_under_current_key() -> dict[str, int]:
    current = current_field_key_id()
    left: dict[str, int] = {}
    for spec in FIELDS:
        blobs = spec.model.objects.filter(**{f"{spec.field}__isnull": False}).values_list(
            spec.field, flat=True
        )
        left[_label(spec)] = sum(
            1 for b in blobs.iterator() if b and crypto.key_id_of(b) != current
        )
    return left
