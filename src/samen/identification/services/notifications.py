"""Marking the identification path's notifications read."""

from __future__ import annotations

from django.utils import timezone

from samen.core import policy
from samen.core.actor import Actor
from samen.identification.models import (
    Notification,
)


def notifications_mark_read(*, actor: Actor, ids: list[int] | None = None) -> int:
    """Mark the user's own notifications read (all unread ones when no ids are given). Only the
    user's own rows: another user's id is silently not matched. Returns how many changed."""
    policy.require(actor, "identification.read", object_type="notification", object_id="*")
    rows = Notification.objects.filter(
        user=actor.user, organisation=actor.organisation, read_at__isnull=True
    )
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.update(read_at=timezone.now())
