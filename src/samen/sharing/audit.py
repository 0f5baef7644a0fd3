"""The audit trail of every use of case data. No personal data goes into an entry: only ids,
field names and codes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils import timezone

if TYPE_CHECKING:
    from samen.sharing.actor import Actor

OPERATIONS = {
    "create": "C",
    "read": "R",
    "list": "R",
    "search": "R",
    "update": "U",
    "delete": "D",
    "export": "E",
    "link": "U",
}


def operation_of(action: str) -> str:
    verb = action.rsplit(".", 1)[-1]
    return OPERATIONS.get(verb, "R")


def record(
    actor: Actor,
    action: str,
    *,
    object_type: str = "",
    object_id: str = "",
    fields: Iterable[str] = (),
    result: str = "ok",
    purpose: str = "",
    detail: dict | None = None,
) -> None:
    from samen.sharing.models import AuditEntry

    user = actor.user if getattr(actor.user, "is_authenticated", False) else None
    AuditEntry.objects.create(
        at=timezone.now(),
        actor=user,
        actor_username=getattr(user, "username", "") if user else "",
        organisation=actor.organisation,
        role=actor.role,
        action=action,
        operation=operation_of(action),
        object_type=object_type,
        object_id=str(object_id),
        fields=sorted(fields),
        detail=detail or {},
        purpose=purpose,
        result=result,
        origin=actor.origin,
    )
