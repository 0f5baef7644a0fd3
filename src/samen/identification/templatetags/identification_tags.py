"""The header's unread-notification count: a count only, so it is not an audited read."""

from __future__ import annotations

from django import template

from samen.identification.models import Notification

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: template.Context) -> int:
    actor = context.get("actor")
    if actor is None or actor.user is None or actor.organisation is None:
        return 0
    return Notification.objects.filter(
        user=actor.user, organisation=actor.organisation, read_at__isnull=True
    ).count()
