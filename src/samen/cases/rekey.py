"""Re-key stored nationalities (issue #16): identities recorded before nationality became a
pick list hold it as typed ("Roemenië", "Roemeens", "Romania"), and their match key was computed
from that spelling, so a later signal about the same person (now recorded as "RO") opens a
second case. This decrypts each identity, normalises its nationality with `samen.countries`,
and writes the code, the statistics group and the match key back, in batches.

Idempotent: a second run finds every nationality already a code and changes nothing. When the
new key is already another person's, the two are probably one person: merging is the
registrar's decision, so this person's key is cleared (a person without a key is what the
registrar's possible-duplicates queue looks for) and the collision is counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from samen.cases import crypto
from samen.cases.models import Case, Identity, Person
from samen.cases.services import nationality_group
from samen.core import audit
from samen.core.actor import Actor
from samen.countries import nationality_code

LEGAL_BASIS = "AVG art. 5(1)(d): personal data kept accurate (one person, one case)"


@dataclass
class RekeyResult:
    seen: int = 0
    changed: int = 0
    collisions: int = 0
    not_a_country: int = 0  # free text that names no country: kept as typed
    batches: int = 0


def _new_key(payload: dict[str, str], code: str) -> str | None:
    born = payload.get("date_of_birth", "")
    return crypto.match_key(
        name=payload.get("name", ""),
        date_of_birth=date.fromisoformat(born) if born else None,
        nationality=code,
    )


def _rekey_one(identity: Identity, result: RekeyResult) -> bool:
    person = identity.person
    payload = crypto.decrypt_json(identity.ciphertext, context=str(person.ref))
    typed = payload.get("nationality", "")
    code = nationality_code(typed)
    if not typed or code == typed:
        if typed and not (len(typed) == 2 and typed.isalpha() and typed.isupper()):
            result.not_a_country += 1
        return False
    payload["nationality"] = code
    key = _new_key(payload, code)
    if key and Person.objects.filter(match_key=key).exclude(pk=person.pk).exists():
        result.collisions += 1
        key = None
    identity.ciphertext = crypto.encrypt_json(payload, context=str(person.ref))
    identity.save(update_fields=["ciphertext", "updated_at"])
    person.match_key = key
    person.nationality_group = nationality_group(code)
    person.save(update_fields=["match_key", "nationality_group"])
    return True


def nationalities_rekey(
    *, actor: Actor, batch_size: int = 200, dry_run: bool = False
) -> RekeyResult:
    """Normalise every stored nationality and recompute its match key; one transaction and one
    audit entry (naming the cases of the persons changed, never what changed) per batch."""
    result = RekeyResult()
    after = 0
    while True:
        with transaction.atomic():
            batch = list(
                Identity.objects.select_for_update()
                .select_related("person")
                .filter(pk__gt=after)
                .order_by("pk")[:batch_size]
            )
            if not batch:
                break
            after = batch[-1].pk
            result.batches += 1
            result.seen += len(batch)
            changed = [i.person_id for i in batch if _rekey_one(i, result)]
            result.changed += len(changed)
            if dry_run:
                transaction.set_rollback(True)
            elif changed:
                numbers = sorted(
                    Case.objects.filter(person_id__in=changed).values_list("number", flat=True)
                )
                audit.record(
                    actor,
                    "identity.update",
                    object_type="person",
                    object_id="*",
                    fields=["identity.nationality"],
                    legal_basis=LEGAL_BASIS,
                    detail={"shown": numbers, "persons": len(changed)},
                )
    return result
