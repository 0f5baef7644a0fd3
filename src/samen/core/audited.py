"""One audit entry for an actor's own work: the pattern the apps' selectors and services repeat.

Nearly every entry an app writes names the actor's own purpose and, where personal data is read
or written, the legal basis the register grants the actor for those categories. Written out by
hand that is `purpose=policy.purpose_of(actor), legal_basis=policy.legal_basis(actor, {...})`
at each call; here it is said once. Entries for another purpose than the actor's (a system job,
statistics, a consent) or without an actor still call `audit.record` directly, as they should:
those are the exceptions a reader ought to see.
"""

from __future__ import annotations

from collections.abc import Iterable, Set

from samen.core import audit, policy
from samen.core.actor import Actor


def record(
    actor: Actor,
    action: str,
    *,
    object_type: str,
    object_id: str = "",
    fields: Iterable[str] = (),
    categories: Set[str] | None = None,
    result: str = "ok",
    emergency: bool = False,
    detail: dict | None = None,
) -> None:
    """Audit `action` by `actor` for the actor's purpose. `categories`: the field categories of
    personal data used, whose legal basis (from the register's grants) the entry names; None when
    the entry is about no personal data, so it names no legal basis (and reads no grants).
    A refusal (`result` other than "ok") outlives the transaction as `audit.record`'s does."""
    audit.record(
        actor,
        action,
        object_type=object_type,
        object_id=object_id,
        fields=fields,
        result=result,
        purpose=policy.purpose_of(actor),
        legal_basis=_basis(actor, categories),
        emergency=emergency,
        detail=detail,
    )


def _basis(actor: Actor, categories: Set[str] | None) -> str:
    return "" if categories is None else policy.legal_basis(actor, frozenset(categories))
