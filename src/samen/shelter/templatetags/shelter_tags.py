"""`{% case_referrals case.number as referrals %}` for the shelter block on the case page."""

from __future__ import annotations

from django import template

from samen.core import policy
from samen.shelter.models import Referral

register = template.Library()


@register.simple_tag(takes_context=True)
def case_referrals(context: template.Context, number: str) -> list[Referral]:
    """The case's referrals (status and date only) for someone who may refer; the case page
    itself already checked that the viewer reaches the case."""
    actor = getattr(context.get("request"), "actor", None)
    if actor is None or not policy.allows(actor, "referral.create"):
        return []
    return list(Referral.objects.filter(case__number=number).order_by("-created_at", "-id")[:20])
