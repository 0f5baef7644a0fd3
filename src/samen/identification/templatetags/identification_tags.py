"""The header's unread-notification count: a count only, so it is not an audited read. It counts
every inbox a user has (identification reminders and notices, shelter alarms and offers), so
nothing waits unseen behind a link the user never opens."""

from __future__ import annotations

from django import template
from django.urls import reverse

from samen.identification.selectors import has_unread_notifications, unread_notifications_count
from samen.shelter.selectors import unread_notices

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: template.Context) -> int:
    actor = context.get("actor")
    if actor is None or actor.user is None or actor.organisation is None:
        return 0
    return unread_shelter(context) + unread_notifications_count(actor=actor)


@register.simple_tag(takes_context=True)
def unread_shelter(context: template.Context) -> int:
    actor = context.get("actor")
    if actor is None or actor.user is None:
        return 0
    return unread_notices(user=actor.user)


@register.simple_tag(takes_context=True)
def notifications_url(context: template.Context) -> str:
    """Where the badge leads: the inbox that holds the unread messages. When only shelter
    notices wait, the identification inbox would say there are none (issue #16)."""
    actor = context.get("actor")
    if (
        actor is not None
        and actor.user is not None
        and actor.organisation is not None
        and not has_unread_notifications(actor=actor)
        and unread_shelter(context)
    ):
        return reverse("shelter:notices")
    return reverse("identification:notifications")
